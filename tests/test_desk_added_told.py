"""A story an editor adds by its link tells its article as the ranking would.

The desk built such a story with a trim of its own, so none of what the ranking does
with a face article reached it: a feed excerpt that is only the post's opening cut
short ("…just released…") stayed cut though the whole post was stored, a wire dateline
("NEWARK, N.J. (AP) — ") opened the summary, an untitled item's made-up headline was
read twice, and the story lost its article's language (the email's `lang` for it).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from digest.app import App
from digest.records import Article, SourceReport
from digest.web.desk_add import story_from_url
from tests.conftest import write_project
from tests.test_web_public import NOW

URL = "https://herald.example.org/2026/11/26/ferry"
POST = (
    "KØBENHAVN (Ritzau) — The night ferry to Oslo sails again from Friday after a winter "
    "in dock, the operator said on Thursday. New engines cut its fuel use by a third. "
    "Cabins for the first week sold out within a day, and a second ship joins in spring. "
    "The harbour will light the quay for the first departure at nine in the evening."
)


def _article(**values: object) -> Article:
    base = Article(
        key="herald-ferry",
        source="Harbour Herald",
        title="Night ferry returns to Oslo",
        url=URL,
        summary="KØBENHAVN (Ritzau) — The night ferry to Oslo sails again from Friday after…",
        text=POST,
        published=NOW - timedelta(hours=3),
        language="en-DK",
    )
    return Article(**{**base.__dict__, **values}) if values else base  # type: ignore[arg-type]


def _added(tmp_path: Path, article: Article) -> tuple[str, str, str | None]:
    app = App.from_config(write_project(tmp_path / "news"))
    try:
        app.store.record(SourceReport("Harbour Herald", (article,)), location="test", now=NOW)
        story = story_from_url(app, URL, section=None, lead=True, now=NOW)
        return story.title, story.summary, story.language
    finally:
        app.close()


def test_an_added_storys_summary_is_the_whole_post_without_its_dateline(tmp_path: Path) -> None:
    title, summary, language = _added(tmp_path, _article())
    assert title == "Night ferry returns to Oslo"
    assert summary.startswith("The night ferry to Oslo sails again"), summary
    assert "New engines cut its fuel use" in summary and not summary.endswith("from Friday after…")
    assert language == "en-DK"
