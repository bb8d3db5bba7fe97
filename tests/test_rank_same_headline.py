"""One edition never shows one outlet's headline twice.

A mailing list's or forum's feed gives every reply in a thread the thread's title ("Re:
Harbour fees"); a paper's recurring column keeps one title ("Letters to the editor").
Their texts differ, so clustering does not make them one story, but an edition that
lists the same headline from the same outlet four times reads as a mistake. A thread's
posts are one story, under the subject without "Re:" (tests/test_rank_threads.py); of a
column's issues, with no reply among them, the best runs and the others wait, left out
for the headline (not for want of room), so a later edition may carry one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.rank import RankOptions, rank
from digest.records import Article

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
REPLIES = (
    "I agree that the berth fees for small boats went up too fast this spring.",
    "The harbour board meets on Thursday; we could bring the numbers there ourselves.",
    "Does anyone know whether the winter storage price is part of the new scheme?",
    "My club paid twice last month because the invoices were sent from the old system.",
)


def _article(key: str, source: str, title: str, text: str, hours: float) -> Article:
    return Article(
        key=key,
        source=source,
        title=title,
        url=f"https://lists.example/{key}",
        summary=text,
        published=NOW - timedelta(hours=hours),
    )


def _articles() -> list[Article]:
    thread = [
        _article(f"reply-{n}", "Harbour List", "Re: Harbour fees", text, 1 + n)
        for n, text in enumerate(REPLIES)
    ]
    others = [
        _article("ferry", "Harbour List", "Ferry timetable for the winter", REPLIES[1], 6),
        _article("storm", "Coast Times", "Gales expected along the coast", "Winds rise.", 2),
        _article("elsewhere", "Coast Times", "Re: Harbour fees", "A letter on fees.", 3),
    ]
    return [*thread, *others]


def test_an_outlets_headline_runs_once_per_edition() -> None:
    options = RankOptions(leads=2, teasers=6, max_leads_per_source=1, max_teasers_per_source=6)
    ranked = rank(_articles(), now=NOW, options=options)
    shown = [(s.source, s.title) for s in ranked.stories]
    assert shown.count(("Harbour List", "Harbour fees")) == 1, shown
    assert ("Coast Times", "Harbour fees") in shown  # another outlet's is its own
    assert ("Harbour List", "Ferry timetable for the winter") in shown
    (thread,) = [s for s in ranked.stories if s.source == "Harbour List" and "fees" in s.title]
    assert set(thread.keys) == {f"reply-{n}" for n in range(4)}  # the thread is one story
    assert "reply-1" not in ranked.left_out


def test_a_columns_issues_under_one_headline_run_once() -> None:
    columns = [
        _article(f"letters-{n}", "Harbour List", "Letters to the editor", text, 1 + n)
        for n, text in enumerate(REPLIES)
    ]
    options = RankOptions(leads=2, teasers=6, max_leads_per_source=1, max_teasers_per_source=6)
    ranked = rank(columns, now=NOW, options=options)
    assert [s.title for s in ranked.stories] == ["Letters to the editor"]
    assert ranked.left_out == {f"letters-{n}": "same_headline" for n in (1, 2, 3)}


def test_an_editors_pin_of_a_second_reply_still_runs() -> None:
    options = RankOptions(leads=2, teasers=6, pinned=("reply-2",))
    ranked = rank(_articles(), now=NOW, options=options)
    keys = [s.key for s in ranked.stories]
    assert keys[0] == "reply-2"
    titles = [(s.source, s.title) for s in ranked.stories]
    assert titles.count(("Harbour List", "Harbour fees")) == 1, titles
