"""An editor's curation as pure operations on an edition: examples, then properties."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import curate
from digest.curate import Add, Demote, Drop, Edit, Move, Pin, Promote, Unpin
from digest.records import Also, Edition, Story

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def story(key: str, *, also: tuple[str, ...] = ()) -> Story:
    return Story(
        key=key,
        title=f"Title {key}",
        url=f"https://news.example/{key}",
        source="Herald",
        summary=f"Summary of {key}.",
        score=1.0,
        why={"recency": 0.5, "source": 1.0},
        also=tuple(Also("Other", f"https://other.example/{k}", f"Other {k}", k) for k in also),
    )


def edition(leads: int = 3, teasers: int = 5) -> Edition:
    stories = [story(f"k{i}") for i in range(1, leads + teasers + 1)]
    return Edition("daily", NOW, tuple(stories[:leads]), tuple(stories[leads:]), id=7)


def keys(e: Edition) -> tuple[list[str], list[str]]:
    return [s.key for s in e.leads], [s.key for s in e.teasers]


# -- what each button does ---------------------------------------------------------------
def test_pin_a_teaser_puts_it_first_and_keeps_the_number_of_leads() -> None:
    after = curate.apply(edition(), Pin("k6"))
    assert keys(after) == (["k6", "k1", "k2"], ["k3", "k4", "k5", "k7", "k8"])
    assert after.leads[0].pinned
    # A second pin goes after the first.
    again = curate.apply(after, Pin("k8"))
    assert keys(again)[0] == ["k6", "k8", "k1"]


def test_drop_a_lead_lets_the_first_teaser_take_its_place() -> None:
    after = curate.apply(edition(), Drop("k2"))
    assert keys(after) == (["k1", "k3", "k4"], ["k5", "k6", "k7", "k8"])


def test_moves_cross_the_lead_boundary_and_stop_at_the_ends() -> None:
    up = curate.apply(edition(), Move("k4", -1))
    assert keys(up) == (["k1", "k2", "k4"], ["k3", "k5", "k6", "k7", "k8"])
    assert curate.apply(edition(), Move("k1", -1)) == edition()
    assert curate.apply(edition(), Move("k8", 1)) == edition()


def test_promote_and_demote_change_the_number_of_leads() -> None:
    promoted = curate.apply(edition(), Promote("k7"))
    assert keys(promoted) == (["k1", "k2", "k3", "k7"], ["k4", "k5", "k6", "k8"])
    demoted = curate.apply(edition(), Demote("k1"))
    assert keys(demoted) == (["k2", "k3"], ["k1", "k4", "k5", "k6", "k7", "k8"])
    # Promoting a lead or demoting a teaser changes nothing.
    assert curate.apply(edition(), Promote("k1")) == edition()
    assert curate.apply(edition(), Demote("k5")) == edition()


def test_edit_changes_the_words_only() -> None:
    after = curate.apply(edition(), Edit("k2", title="  A  better\nheadline ", summary="New."))
    changed = after.leads[1]
    assert (changed.title, changed.summary) == ("A better headline", "New.")
    assert changed.url == "https://news.example/k2" and changed.why == edition().leads[1].why
    # An empty headline keeps the old one; None keeps the summary.
    kept = curate.apply(after, Edit("k2", title="   ", summary=None))
    assert (kept.leads[1].title, kept.leads[1].summary) == ("A better headline", "New.")


def test_add_a_story_as_lead_or_teaser() -> None:
    new = story("new")
    as_lead = curate.apply(edition(), Add(new, lead=True))
    assert keys(as_lead)[0] == ["k1", "k2", "k3", "new"]
    as_teaser = curate.apply(edition(), Add(new))
    assert keys(as_teaser) == (["k1", "k2", "k3"], ["new", "k4", "k5", "k6", "k7", "k8"])
    assert curate.apply(as_teaser, Add(new)) == as_teaser  # never twice


def test_operations_find_a_story_by_a_cluster_member() -> None:
    base = Edition("daily", NOW, (story("a", also=("a2",)), story("b")), (story("c"),))
    assert keys(curate.apply(base, Drop("a2"))) == (["b", "c"], [])


def test_replayed_on_a_rebuilt_ranking_the_changes_win() -> None:
    ops = [Pin("k7", story("k7")), Drop("k1"), Edit("k2", title="Edited")]
    first = curate.apply_all(edition(), ops)
    # The next ranking no longer has k7 at all, and has the dropped k1 on top again.
    reranked = Edition("daily", NOW, (story("k1"), story("k2"), story("k9")), (story("k3"),), id=7)
    again = curate.apply_all(reranked, ops)
    assert keys(first)[0][0] == keys(again)[0][0] == "k7"
    assert "k1" not in keys(again)[0] + keys(again)[1]
    assert again.leads[1].title == "Edited"
    assert curate.pinned_keys(ops) == ("k7",)
    assert curate.pinned_keys([*ops, Unpin("k7")]) == ()


def test_unpin_keeps_the_place() -> None:
    pinned = curate.apply(edition(), Pin("k5"))
    assert keys(curate.apply(pinned, Unpin("k5"))) == keys(pinned)
    assert not curate.apply(pinned, Unpin("k5")).leads[0].pinned


def test_operations_round_trip_through_json() -> None:
    ops: list[curate.Operation] = [
        Pin("k1", story("k1")),
        Pin("k2"),
        Unpin("k1"),
        Drop("k3", ("x",)),
        Move("k4", -1),
        Move("k4", 1),
        Promote("k5"),
        Demote("k1"),
        Edit("k2", "T", None),
        Add(story("n"), lead=True),
    ]
    assert [curate.from_dict(curate.to_dict(op)) for op in ops] == ops


@pytest.mark.parametrize(
    "bad",
    [
        {"op": "explode", "key": "k"},
        {"op": "drop"},
        {"op": "move", "key": "k", "by": 5},
        {"op": "edit", "key": "k", "title": "x" * 301},
        {"op": "add", "story": {"title": "x"}},
    ],
)
def test_malformed_operations_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(curate.CurationError):
        curate.from_dict(bad)


# -- properties ---------------------------------------------------------------------------
KEYS = [f"k{i}" for i in range(1, 13)]
ops_strategy = st.lists(
    st.one_of(
        st.builds(Pin, st.sampled_from(KEYS)),
        st.builds(Unpin, st.sampled_from(KEYS)),
        st.builds(Drop, st.sampled_from(KEYS)),
        st.builds(Move, st.sampled_from(KEYS), st.sampled_from([-1, 1])),
        st.builds(Promote, st.sampled_from(KEYS)),
        st.builds(Demote, st.sampled_from(KEYS)),
        st.builds(Edit, st.sampled_from(KEYS), st.text(min_size=1, max_size=20)),
        st.builds(Add, st.sampled_from(KEYS).map(lambda k: story(f"new-{k}")), st.booleans()),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(leads=st.integers(0, 4), teasers=st.integers(0, 8), ops=ops_strategy)
def test_no_story_is_ever_duplicated_or_invented(leads: int, teasers: int, ops: list) -> None:
    base = edition(leads, teasers)
    allowed = {s.key for s in base.stories} | {op.story.key for op in ops if isinstance(op, Add)}
    after = curate.apply_all(base, ops)
    seen = [s.key for s in after.stories]
    assert len(seen) == len(set(seen))
    assert set(seen) <= allowed
    # Curation never touches what the edition is: its list, time and id.
    assert (after.list, after.at, after.id) == (base.list, base.at, base.id)


@settings(max_examples=300, deadline=None)
@given(leads=st.integers(1, 4), teasers=st.integers(1, 8), ops=ops_strategy, data=st.data())
def test_each_operation_keeps_its_promise(
    leads: int, teasers: int, ops: list, data: st.DataObject
) -> None:
    before = curate.apply_all(edition(leads, teasers), ops)
    present = [s.key for s in before.stories]
    if not present:
        return
    key = data.draw(st.sampled_from(present))
    n = len(before.stories)

    dropped = curate.apply(before, Drop(key))
    assert key not in [s.key for s in dropped.stories] and len(dropped.stories) == n - 1
    assert len(dropped.leads) == min(len(before.leads), n - 1)

    pinned = curate.apply(before, Pin(key))
    assert len(pinned.stories) == n and len(pinned.leads) == len(before.leads)
    run = list(pinned.stories)
    at = next(i for i, s in enumerate(run) if s.key == key)
    assert run[at].pinned and all(s.pinned for s in run[:at])

    edited = curate.apply(before, Edit(key, title="Brand new"))
    assert [s.title if s.key != key else "Brand new" for s in before.stories] == [
        s.title for s in edited.stories
    ]

    for by in (-1, 1):
        moved = curate.apply(before, Move(key, by))
        assert sorted(s.key for s in moved.stories) == sorted(present)
        assert len(moved.leads) == len(before.leads)
        assert curate.apply(moved, Move(key, -by)) == before or moved == before
