"""`digest lint` on what a reader would call a broken message: no story at all (only the
masthead and the footer), and a subject too long to read in an inbox.

The empty messages are real ones: our own theme rendering an edition with no story, as
`digest send` produced them before editions had a minimum.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from digest.app import App
from digest.lint import lint_message
from digest.records import Subscriber
from digest.render import Variant
from tests.test_lint import GOOD_HTML, GOOD_TEXT, build, lint
from tests.test_render_golden import AT, EDITION_ID, sample_edition, sample_settings

READER = Subscriber(7, "reader@example.com", "Reader", "daily")


def our_message(
    tmp_path: Path, *, stories: bool, text_only: bool = False, **edition: object
) -> bytes:
    app = App(sample_settings(tmp_path))
    sample = sample_edition()
    chosen = replace(sample, **edition) if stories else replace(sample, leads=(), teasers=())
    prepared = app.prepare(chosen, Variant(), text_only, now=AT)
    return app.message_for(prepared, EDITION_ID, READER)


def codes(data: bytes) -> dict[str, str]:
    return {f.code: f.level for f in lint_message(data)}


def test_our_message_with_no_story_is_an_error(tmp_path: Path) -> None:
    found = codes(our_message(tmp_path, stories=False))
    assert found.get("message-empty") == "error", found


def test_our_text_only_message_with_no_story_is_an_error(tmp_path: Path) -> None:
    found = codes(our_message(tmp_path, stories=False, text_only=True))
    assert found.get("message-empty") == "error", found


def test_our_message_with_stories_is_not_empty(tmp_path: Path) -> None:
    assert "message-empty" not in codes(our_message(tmp_path, stories=True))
    assert "message-empty" not in codes(our_message(tmp_path / "t", stories=True, text_only=True))


def test_stories_without_any_link_still_count(tmp_path: Path) -> None:
    sample = sample_edition()
    unlinked = tuple(replace(s, url=None, also=()) for s in sample.stories)
    for text_only in (False, True):
        data = our_message(
            tmp_path / str(text_only),
            stories=True,
            text_only=text_only,
            leads=unlinked[:1],
            teasers=unlinked[1:],
        )
        assert "message-empty" not in codes(data)


def test_a_hand_written_message_with_only_masthead_and_footer_is_an_error() -> None:
    story = (
        '<p><a href="https://news.example.org/story/1">Rivers are rising</a>: '
        "what the data says.</p>"
    )
    html = GOOD_HTML.replace(story, "")
    text = GOOD_TEXT.replace(
        "Rivers are rising: what the data says.\nhttps://news.example.org/story/1\n", ""
    )
    found = {f.code: f.level for f in lint(build(html=html, text=text))}
    assert found.get("message-empty") == "error", found
    # The story in either part is enough.
    assert "message-empty" not in {f.code for f in lint(build(html=html))}
    assert "message-empty" not in {f.code for f in lint(build(text=text))}


def test_a_subject_past_90_characters_is_a_warning() -> None:
    long = "A council approves the harbour tunnel after a night of debate and opens a contest now"
    assert len(long) <= 90
    assert "header-subject-long" not in {f.code for f in lint(build(Subject=long))}
    longer = long + " for the first stage"
    found = {f.code: f for f in lint(build(Subject=longer))}
    assert found["header-subject-long"].level == "warning"
    assert str(len(longer)) in found["header-subject-long"].message
