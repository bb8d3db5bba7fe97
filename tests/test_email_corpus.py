"""An edition built from the whole shared corpus (every feed file and the article folder)
gives messages that pass `digest lint`; the broken feeds are reported, not fatal."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from digest.app import App
from digest.config import load
from digest.lint import lint_message
from digest.records import Subscriber
from digest.render import HTML_LIMIT, Variant
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
FEED_SUFFIXES = (".rss", ".atom", ".xml", ".rdf", ".json", ".gz")
#: Warnings that come from the sources' own data or a subscriber's choice, not the theme.
ACCEPTED = {
    "link-insecure",  # sources that still link to their articles over http:
    "mime-no-html",  # a subscriber who chose plain text
}


def corpus_project(folder: Path, corpus: Path) -> Path:
    feeds = sorted(
        p for p in (corpus / "feeds").iterdir() if p.is_file() and p.suffix in FEED_SUFFIXES
    )
    sources = "".join(f'[[sources]]\nname = "{p.name}"\nurl = "{p}"\n\n' for p in feeds)
    sources += f'[[sources]]\nname = "articles"\npath = "{corpus / "articles"}"\n\n'
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "digest.toml"
    config.write_text(
        f"""
[newsletter]
name = "The Corpus Brief"
sender = "The Corpus Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"
utm = {{ source = "digest", medium = "email", campaign = "{{list}}" }}

{sources}
[edition]
leads = 3
teasers = 60
max_age_hours = 1000000

[[lists]]
name = "daily"
timezone = "Europe/Copenhagen"

[transport]
kind = "outbox"
path = "outbox/"

[database]
url = "sqlite:///digest.db"
""",
        encoding="utf-8",
    )
    return config


@pytest.mark.slow
def test_an_edition_of_the_whole_corpus_passes_the_lint(tmp_path: Path) -> None:
    corpus = require_corpus()
    app = App(load(corpus_project(tmp_path / "news", corpus)))
    reports = app.collect(now=NOW)
    edition = app.build(now=NOW, reports=reports)
    assert edition.id is not None
    assert len(edition.leads) == 3 and len(edition.teasers) == 60
    broken = [s for s in edition.sources if s.error]
    assert broken and all(s.name in (s.error or "") for s in broken)  # named, not fatal

    reader = Subscriber(3, "reader@example.com", "Zoë Ødegård", "daily")
    problems, warnings = [], set()
    for text_only in (False, True):
        prepared = app.prepare(edition, Variant(), text_only, now=NOW)
        data = app.message_for(prepared, edition.id, reader)
        for finding in lint_message(data):
            if finding.level == "error":
                problems.append(f"text_only={text_only}: {finding.code}: {finding.message}")
            else:
                warnings.add(finding.code)
        msg = message_from_bytes(data, policy=policy.default)
        if not text_only:
            html = next(p for p in msg.walk() if p.get_content_type() == "text/html")
            assert len(html.get_content().encode()) < HTML_LIMIT
    assert problems == []
    assert warnings <= ACCEPTED, warnings
