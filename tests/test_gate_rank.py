"""The rank stage accounts for every article it leaves out, and why (Ranked.dropped)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.rank import DROP_REASONS, RankOptions, rank
from digest.records import claimed_key, copy_key
from tests.test_rank import NOW, _article, _metro


def _counts(**nonzero: int) -> dict[str, int]:
    return {reason: nonzero.get(reason, 0) for reason in DROP_REASONS}


def test_every_reason_an_article_is_left_out_is_counted() -> None:
    articles = [
        _article("fresh", "a.dk", 1),
        _article("second", "b.dk", 2),
        _article("third", "c.dk", 3),  # no room: one lead, one teaser
        _article("old", "d.dk", 100),
        _article("older", "e.dk", 200),
        _article("future", "f.dk", -5),
        _article("sent", "g.dk", 4),
        _article("dropped", "h.dk", 4),
    ]
    articles = [replace(a, section="Denmark") for a in articles]
    articles.append(_article("culture", "i.dk", 1, section="Culture"))
    options = RankOptions(
        leads=1,
        teasers=1,
        max_age_hours=72,
        already_sent=frozenset({"sent"}),
        excluded=frozenset({"dropped"}),
        sections=frozenset({"Denmark"}),
    )
    ranked = rank(articles, now=NOW, options=options)
    assert [s.key for s in ranked.stories] == ["fresh", "second"]
    assert dict(ranked.dropped) == _counts(
        too_old=2, future=1, already_sent=1, excluded=1, other_section=1, no_room=1
    )
    assert ranked.left_out["third"] == "no_room" and ranked.left_out["old"] == "too_old"


def test_an_article_of_a_story_that_ran_before_counts_as_already_sent() -> None:
    # m1 and m2 tell the same story; m2 went out in an earlier edition: m1 is no news.
    articles = [_metro("m1", "thelocal.dk", 3, 0), _metro("m2", "cphpost.dk", 3, 1)]
    ranked = rank(articles, now=NOW, options=RankOptions(already_sent=frozenset({"m2"})))
    assert ranked.stories == ()
    assert dict(ranked.dropped) == _counts(already_sent=2)


def test_an_article_sent_under_one_sources_key_is_not_sent_again_under_anothers() -> None:
    # A second source giving a stored key keeps its article under a copy key
    # (records.copy_key). What went out under either key is not news under the other,
    # also when the other copy is alone in its story (the first one pruned or too old).
    copy = replace(_metro("m1", "thelocal.dk", 3, 0), key=copy_key(7, "m1"))
    ranked = rank([copy], now=NOW, options=RankOptions(already_sent=frozenset({"m1"})))
    assert ranked.stories == () and dict(ranked.dropped) == _counts(already_sent=1)
    original = _metro("m1", "thelocal.dk", 3, 0)
    sent = frozenset({copy.key, claimed_key(copy.key)})  # as Store.sent_keys gives them
    ranked = rank([original], now=NOW, options=RankOptions(already_sent=sent))
    assert ranked.stories == ()
    assert claimed_key("guid:src7:x") == "guid:src7:x"  # a feed's key is never shortened


def test_a_pinned_article_is_never_counted_as_dropped() -> None:
    old = _article("old", "a.dk", 500)
    ranked = rank([old], now=NOW, options=RankOptions(max_age_hours=72, pinned=("old",)))
    assert [s.key for s in ranked.leads] == ["old"]
    assert sum(ranked.dropped.values()) == 0


def test_the_counts_cannot_be_changed_by_a_caller() -> None:
    ranked = rank([_article("a", "a.dk", 100)], now=NOW, options=RankOptions(max_age_hours=1))
    with pytest.raises(TypeError):
        ranked.dropped["too_old"] = 0  # type: ignore[index]
    assert ranked.dropped["too_old"] == 1


@settings(max_examples=60, deadline=None)
@given(
    ages=st.lists(st.floats(min_value=-10, max_value=300), min_size=0, max_size=14),
    sent=st.sets(st.integers(0, 13)),
    excluded=st.sets(st.integers(0, 13)),
    leads=st.integers(0, 3),
    teasers=st.integers(0, 4),
    sections=st.booleans(),
)
def test_every_article_is_either_in_the_edition_or_counted_once(
    ages: list[float],
    sent: set[int],
    excluded: set[int],
    leads: int,
    teasers: int,
    sections: bool,
) -> None:
    articles = [
        _article(f"k{i}", f"s{i % 4}.dk", age, section="Culture" if i % 3 == 0 else "Denmark")
        for i, age in enumerate(ages)
    ]
    articles += articles[:2]  # the same article twice counts once
    options = RankOptions(
        leads=leads,
        teasers=teasers,
        max_age_hours=72,
        already_sent=frozenset(f"k{i}" for i in sent),
        excluded=frozenset(f"k{i}" for i in excluded),
        sections=frozenset({"Denmark"}) if sections else None,
    )
    ranked = rank(articles, now=NOW, options=options)
    kept = [k for s in ranked.stories for k in s.keys]
    assert len(kept) == len(set(kept))
    assert set(kept).isdisjoint(ranked.left_out)
    assert set(kept) | set(ranked.left_out) == {a.key for a in articles}
    assert sum(ranked.dropped.values()) == len(ranked.left_out)
    assert set(ranked.dropped) == set(DROP_REASONS)
