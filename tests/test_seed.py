"""The article the product grew from becomes the lead of an edition built from it alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.app import App
from tests.conftest import write_project
from tests.corpus import require_corpus

SEED_HEADLINE = "Denmark expels 15 Russian intelligence officers"
SEED_STANDFIRST = (
    "The individuals have reportedly worked under diplomatic cover at the "
    "Russian embassy in Copenhagen"
)


def test_the_seed_article_becomes_the_lead(tmp_path: Path) -> None:
    seed = require_corpus().parent / "seed"
    sources = f'[[sources]]\nname = "The Copenhagen Post"\npath = "{seed}"\nsection = "Denmark"'
    app = App.from_config(write_project(tmp_path, sources=sources))
    now = datetime.now(UTC)
    reports = app.collect(now=now)
    assert reports[0].error is None and reports[0].new == 1
    edition = app.build(now=now)
    assert len(edition.leads) == 1 and edition.teasers == ()
    lead = edition.leads[0]
    assert lead.title == SEED_HEADLINE
    assert lead.summary.rstrip(".") == SEED_STANDFIRST
    assert lead.source == "The Copenhagen Post"
