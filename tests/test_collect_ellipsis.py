"""A snippet the publisher cut with a spaced "..." ends "word…", as a cut should read.

Search alerts and some news feeds end every description with " ..." (or " …") after the
last word they kept. Left as it is, the plain-text part wraps the dots onto a line of
their own ("senior" / "..."), and a teaser reads "trends, ... (Outlet)". Checked on
a feed written here, on the way into the message, and on the shared corpus' real feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect.boilerplate import strip_boilerplate
from digest.collect.feeds import read_feed
from tests.corpus import require_corpus
from tests.test_collect_titles import NOW, SOURCE, _feed, _message


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Harbour pilots will earn more from May, marketers and senior ...", None),
        ("Harbour pilots will earn more, trends, ...", "Harbour pilots will earn more, trends…"),
        ("Harbour pilots will earn more from May …", "Harbour pilots will earn more from May…"),
        ("Harbour pilots will earn more from May. ...", "Harbour pilots will earn more from May."),
    ],
)
def test_a_spaced_cut_marker_at_the_end_becomes_an_ellipsis(text: str, kept: str | None) -> None:
    expected = kept or text.removesuffix(" ...") + "…"
    assert strip_boilerplate(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Wait for it... the ferry is back.",  # dots inside the text are the writer's
        "The ferry is back…",  # already a cut that reads as one
    ],
)
def test_other_dots_are_left_alone(text: str) -> None:
    assert strip_boilerplate(text) == text


def test_the_plain_text_part_has_no_line_of_bare_dots(tmp_path: Path) -> None:
    cut = (
        "The harbour authority published its report on pilot fees, giving strategists, "
        "marketers and senior ..."
    )
    msg = _message(
        tmp_path,
        [
            ("Pilot fees report published", "https://quayside.example/fees", cut),
            ("Storm warning for the coast", "https://quayside.example/storm", "Gales, ..."),
        ],
    )
    body = msg.get_body(("plain",))
    assert body is not None
    lines = [line.strip() for line in str(body.get_content()).splitlines()]
    assert "marketers and senior…" in " ".join(lines)
    assert not any(line.startswith("...") for line in lines), lines


def test_read_feed_keeps_the_cut_on_the_last_word() -> None:
    parsed = read_feed(
        _feed([("Fees", "https://quayside.example/fees", "Fees rise for senior ...")]),
        source=SOURCE,
        url="https://quayside.example/feed",
        now=NOW,
    )
    assert [a.summary for a in parsed.articles] == ["Fees rise for senior…"]


def test_corpus_google_alerts_snippets_end_with_an_ellipsis_on_the_last_word() -> None:
    path = require_corpus() / "feeds" / "misc-google-alerts.atom"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    articles = read_feed(path.read_bytes(), source="Alerts", url=path.as_uri(), now=now).articles
    assert articles
    assert not any(a.summary.endswith((" ...", " …")) for a in articles)
    assert sum(a.summary.endswith("…") for a in articles) >= 10


# --- the same cut at the end of a headline -----------------------------------------------
# Search alerts cut long headlines too ("…key players like Haldex, Meritor, Bendix ..."):
# the headline read "Bendix ..." and the text part could fold the dots onto a line of their
# own. It ends "Bendix…" as the summary does. A headline's own dots stay ("Zapping: a week
# on the quay...", "Wait … the ferry is back").

LONG_CUT = "Harbour authority report on pilot fees names Quayside, Northport, Eastbay and ..."


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        (LONG_CUT, LONG_CUT.removesuffix(" ...") + "…"),
        ("Ferry fares rise, say unions, ...", "Ferry fares rise, say unions…"),
        ("Ferry fares rise in May …", "Ferry fares rise in May…"),
        ("Is the night ferry back? ...", "Is the night ferry back?"),
        ("Zapping: a week on the quay...", "Zapping: a week on the quay..."),
        ("Wait … the night ferry is back", "Wait … the night ferry is back"),
        ("The ferry is back…", "The ferry is back…"),
    ],
)
def test_a_spaced_cut_marker_ending_a_headline_becomes_an_ellipsis(title: str, shown: str) -> None:
    parsed = read_feed(
        _feed(
            [(title, "https://quayside.example/fees", "Pilot fees rise from May at every port.")]
        ),
        source=SOURCE,
        url="https://quayside.example/feed",
        now=NOW,
    )
    assert [a.title for a in parsed.articles] == [shown]


def test_the_plain_text_part_has_no_headline_line_of_bare_dots(tmp_path: Path) -> None:
    msg = _message(
        tmp_path,
        [(LONG_CUT, "https://quayside.example/fees", "Pilot fees rise from May at every port.")],
    )
    body = msg.get_body(("plain",))
    assert body is not None
    lines = [line.strip() for line in str(body.get_content()).splitlines()]
    assert "Eastbay and…" in " ".join(lines)
    assert not any(line.startswith("...") for line in lines), lines


def test_corpus_google_alerts_headlines_end_with_an_ellipsis_on_the_last_word() -> None:
    path = require_corpus() / "feeds" / "misc-google-alerts.atom"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    titles = [
        a.title
        for a in read_feed(path.read_bytes(), source="Alerts", url=path.as_uri(), now=now).articles
    ]
    assert not any(t.endswith((" ...", " …")) for t in titles), titles
    assert (
        "Report offers Prediction of Automotive Slack Market by Top key players like Haldex, "
        "Meritor, Bendix…"
    ) in titles
