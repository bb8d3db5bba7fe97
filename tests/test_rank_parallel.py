"""Ranking on several cores gives the answer of one core, whatever the children do.

A big batch is tokenised in forked children and its shared band values found in threads
(:mod:`digest.rank.parallel`): the vectors, keywords, band values and clusters must be
those worked out in one process, bit for bit; a child that fails, is killed or sends a
torn result has its part worked out in the parent; no child is left behind; and a
process running other threads never forks.
"""

from __future__ import annotations

import os
import signal
import threading
from datetime import timedelta

import numpy as np
import pytest

from digest.rank import cluster as c
from digest.rank import minhash as m
from digest.rank import names, parallel
from digest.rank import terms as t
from tests import cluster_reference as reference
from tests.test_cluster_speed import _batch, _named

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this system")


def _children() -> set[int]:
    """Processes whose parent is this one (read from /proc); other tests' servers among
    them, so a test compares what it finds before and after."""
    mine = os.getpid()
    out = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == mine:
                out.add(int(name))
    return out


def test_parts_come_back_in_order_from_the_children() -> None:
    parent, before = os.getpid(), _children()
    got = parallel.in_children(lambda k: (k, os.getpid()), 3)
    assert [k for k, _ in got] == [0, 1, 2]
    assert got[0][1] == parent
    assert len({pid for _, pid in got}) == 3  # parts 1 and 2 were worked out elsewhere
    assert _children() <= before


class _Torn:
    """A result that pickles in the child but cannot be read back in the parent."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return _refuse, ()


def _refuse() -> None:
    raise EOFError("the result stopped halfway")


@pytest.mark.parametrize("failure", ["raises", "killed", "torn", "exits"])
def test_a_failed_child_has_its_part_worked_out_here(failure: str) -> None:
    parent, before = os.getpid(), _children()

    def work(k: int) -> object:
        if k == 1 and os.getpid() != parent:
            if failure == "raises":
                raise MemoryError("out of memory in the child")
            if failure == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            if failure == "torn":
                return _Torn()
            if failure == "exits":
                os._exit(0)  # ends without a word
        return os.getpid(), list(range(k * 3))

    got = parallel.in_children(work, 3)
    assert [values for _, values in got] == [[], [0, 1, 2], [0, 1, 2, 3, 4, 5]]
    assert got[1][0] == parent  # part 1 was done again here
    assert got[2][0] != parent  # part 2's child was fine
    assert _children() <= before


def test_an_error_in_this_process_stops_and_reaps_the_children() -> None:
    parent, before = os.getpid(), _children()

    def work(k: int) -> int:
        if os.getpid() == parent:
            raise ValueError("the parent's part failed")
        signal.pause()  # a child that would never end by itself
        return k

    with pytest.raises(ValueError, match="parent's part"):
        parallel.in_children(work, 3)
    assert _children() <= before


def test_no_child_to_be_had_means_the_parts_are_worked_out_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert parallel.in_children(lambda k: (k, os.getpid()), 3) == [
        (k, os.getpid()) for k in range(3)
    ]


def test_children_reaped_by_someone_else_still_count() -> None:
    """With SIGCHLD ignored the system reaps the children itself; their results hold."""
    parent = os.getpid()
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        got = parallel.in_children(lambda k: (k, os.getpid()), 3)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert [k for k, _ in got] == [0, 1, 2]
    assert got[1][1] != parent and got[2][1] != parent


def test_a_process_running_other_threads_does_not_fork() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parallel.processes(8) == 1
    finally:
        stop.set()
        other.join()
    assert parallel.processes(1) == 1
    assert parallel.processes(8) == min(parallel.cpus(), parallel.MAX_PROCESSES)


def _forced(monkeypatch: pytest.MonkeyPatch, parts: int) -> None:
    """Tokenise in ``parts`` processes, chunks of 7 articles, and build the index in
    ``parts`` threads, whatever this machine and this process are."""
    monkeypatch.setattr(t, "CHUNK", 7)
    monkeypatch.setattr(parallel, "processes", lambda available: min(parts, available))
    monkeypatch.setattr(parallel, "threads", lambda available: max(1, min(parts, available)))


@pytest.mark.parametrize("parts", [2, 3])
def test_vectors_from_several_processes_are_those_of_one(
    parts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = sorted(_batch(9, 200), key=c._canonical)
    one = t.weigh(articles, also=names.capitalised)
    _forced(monkeypatch, parts)
    several = t.weigh(articles, also=names.capitalised)
    assert several.vocabulary == one.vocabulary  # the same numbering of terms
    # what else each article's lead was asked for, in the articles' order, found where
    # the batch is tokenised in parts (on one core, clustering finds it when it asks)
    leads = [names.capitalised(f"{a.summary} {a.text}") for a in articles]
    assert several.also == leads
    assert one.also == []
    assert any(leads)
    for field in ("starts", "terms", "counts", "weights", "df"):
        assert np.array_equal(getattr(several, field), getattr(one, field)), field
        assert getattr(several, field).dtype == getattr(one, field).dtype
    slow = reference.Batch(articles)
    for i in range(len(articles)):
        vector = {several.vocabulary[k]: w for k, w in several.vector(i).items()}
        assert list(vector.items()) == list(slow.vectors[i].items())


def test_band_values_and_index_from_several_threads_are_those_of_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(4)
    hashes = rng.integers(0, 1 << 32, 3000, dtype=np.uint64).astype(np.uint32)
    starts = np.concatenate([[0], np.sort(rng.choice(np.arange(1, 3000), 299, replace=False))])
    starts = np.concatenate([starts, [3000]])
    one = m.band_keys(hashes, starts, chunk=1 << 14)
    rows = np.flatnonzero(np.diff(starts) > 0)
    shared_one = m.shared(one[rows] % np.uint64(40), rows, len(starts) - 1)
    _forced(monkeypatch, 3)
    several = m.band_keys(hashes, starts, chunk=1 << 14)
    assert np.array_equal(several, one)
    shared_several = m.shared(one[rows] % np.uint64(40), rows, len(starts) - 1)
    assert shared_several.count == shared_one.count > 0
    for field in ("looked", "look_bounds", "entered", "enter_bounds"):
        assert np.array_equal(getattr(shared_several, field), getattr(shared_one, field))


@pytest.mark.parametrize("seed", range(2))
def test_clusters_from_several_cores_are_the_reference_clusters(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = _batch(seed, 320)
    _forced(monkeypatch, 2)
    got = c.cluster(articles, window=timedelta(hours=72))
    assert got == reference.cluster(articles, window=timedelta(hours=72))
    assert any(len(g) > 2 for g in got)


def test_capitals_found_in_the_children_are_those_found_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The words each lead capitalises, found as the batch is tokenised in parts, are
    those clustering finds when it asks on one core, and decide the same clusters."""
    articles = _named(4, 240)
    alone = c.cluster(articles)
    _forced(monkeypatch, 2)
    batch = c._Batch(articles)
    asked = names.Named(batch.articles)
    found = [batch.named.capitals(i) for i in range(len(articles))]
    assert found == [asked.capitals(i) for i in range(len(articles))] == batch.terms.also
    assert sum(map(bool, found)) > len(articles) // 2
    assert c.cluster(articles) == alone == reference.cluster(articles)
