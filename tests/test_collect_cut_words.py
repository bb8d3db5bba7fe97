"""A summary the publisher cut inside a word ends at the last whole word, then "…".

Some feeds cut every description at a fixed number of characters, wherever that falls,
with or without a marker: "…Les performances de l'action Iliad pe (...)", "…open
computers up the malicious progr". The email showed the stub ("…the action Iliad pe…",
"…the malicious progr…"), which reads as a typo in the newsletter's own text. Where a
feed cuts at one length, its cut summaries end at their last whole word; where the
item's body shows where the cut fell, only a word the cut split goes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from digest.collect.feeds import read_feed
from digest.rank import RankOptions, rank
from tests.corpus import require_corpus
from tests.test_collect_summaries import rss, summaries

NOW = datetime(2026, 1, 1, tzinfo=UTC)

#: Cut at 63 characters, inside a word ("f", "la", "Ju") or after one ("and").
CUT = [
    "The harbour board voted on Monday to close the old ferry pier f",
    "Ferry fares will rise by a tenth in May, the operator said, and",
    "Night buses will replace the last ferry of the day while the la",
    "Students and pensioners keep their discount until the end of Ju",
]
WHOLE = [
    "The harbour board voted on Monday to close the old ferry pier…",
    "Ferry fares will rise by a tenth in May, the operator said…",
    "Night buses will replace the last ferry of the day while the…",
    "Students and pensioners keep their discount until the end of…",
]


def test_a_fixed_length_cut_ends_at_the_last_whole_word() -> None:
    feed = rss(*CUT, "The pier reopens in spring.")
    assert summaries(feed) == [*WHOLE, "The pier reopens in spring."]
    ranked = rank(
        read_feed(feed, source="H", url=None, now=NOW).articles,
        now=NOW,
        options=RankOptions(max_teasers_per_source=9),
    )
    told = sorted(s.summary for s in (*ranked.leads, *ranked.teasers))
    assert told == sorted([*WHOLE, "The pier reopens in spring."])


def test_a_fixed_length_cut_with_the_publishers_marker_ends_at_a_whole_word() -> None:
    marked = [f"{text} (...)" for text in CUT]
    assert summaries(rss(*marked)) == WHOLE


def test_a_cut_the_body_shows_split_a_word_loses_only_that_word() -> None:
    body = "The harbour board voted on Monday to close the old ferry pier for repairs. More soon."
    split, whole = "The harbour board voted on Monday to close the old fe", "to close the old"
    items = "".join(
        f"<item><title>Pier {n}</title><link>https://h.example/{n}</link>"
        f"<description>{cut}</description>"
        f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>"
        for n, cut in enumerate([split, f"The harbour board voted on Monday {whole}"])
    )
    feed = (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>H</title>{items}</channel></rss>"
    ).encode()
    assert summaries(feed) == [
        "The harbour board voted on Monday to close the old…",
        "The harbour board voted on Monday to close the old…",
    ]


def test_the_real_fixed_length_feeds_show_no_stub_of_a_word() -> None:
    """Univers Freebox cuts at 328 characters and adds " (...)"; PCMag cuts at 100."""
    corpus = require_corpus() / "feeds"
    stubs = {
        "news-universfreebox-rss092-iso8859-1.xml": ("Iliad pe…", "avec les des…", "un cert…"),
        "news-pcmag-dvorak-nested.xml": ("malicious progr…", "stock colu…", "utterly replac…"),
    }
    for name, ends in stubs.items():
        parsed = read_feed((corpus / name).read_bytes(), source="S", url=None, now=NOW)
        told = [a.summary for a in parsed.articles]
        for end in ends:
            assert not any(s.endswith(end) for s in told), (name, end)
        shorter = [s for s in told if s.endswith(("Iliad…", "avec les…", "malicious…"))]
        assert shorter, (name, told)
