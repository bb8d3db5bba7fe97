"""Clustering at scale: the fast paths compute exactly what the plain definitions say.

The vectorised clustering gives the clusters of a straightforward one
(tests/cluster_reference.py) on generated batches; the MinHash band values are checked
against a plain-Python MinHash of the documented formula; the tf-idf weights and
keywords are those of the definitions; the ASCII tokeniser gives the tokens of the
regular expression; and reading only a long text's start gives the same lead tokens as
reading it all (CJK runs, combining marks and casefolding at the cut included).
"""

from __future__ import annotations

import math
import random
import string
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from digest.rank import cluster as c
from digest.rank import keywords as kw
from digest.rank import minhash as m
from digest.rank import names as rank_names
from digest.rank import pairs
from digest.rank import terms as t
from digest.records import Article
from tests import cluster_reference as reference

NOW = datetime(2024, 5, 17, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("table", [m.TABLE_BYTES, 0])
def test_band_values_are_the_minhash_of_the_formula(
    table: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each term permuted once into a table, or each set's terms permuted where they
    stand (a table over ``TABLE_BYTES``); each set's hashes given, or picked from the
    batch's distinct terms' hashes by term id."""
    monkeypatch.setattr(m, "TABLE_BYTES", table)
    rng = random.Random(3)
    sets = [[f"w{rng.randrange(500)}" for _ in range(rng.randint(1, 24))] for _ in range(40)]
    sets += [[], ["københavn", "北京", "ß"]]
    got = m.keyword_bands(sets, chunk=7)
    words = sorted({w for terms in sets for w in terms})
    ids = [words.index(w) for terms in sets for w in terms]
    starts = np.cumsum([0, *map(len, sets)])
    picked = m.band_keys(m.term_hashes(words), starts, chunk=7, terms=np.array(ids))
    assert np.array_equal(picked, got)
    for terms, bands in zip(sets, got, strict=True):
        if terms:
            assert bands.tolist() == reference.bands(terms)


@pytest.mark.parametrize("seed", range(80))
def test_lead_tokens_of_a_long_text_are_those_of_the_whole_text(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["Harbour", "ÉCOLE", "straße", "e\u0301", "東京都庁", "x", "42", "ﬁne", "—", "a_b"]
    pieces += ["Verwaltungsgerichtshof", "Donaudampfschiff"]  # long words: the cut is close
    words = [rng.choice(pieces) + rng.choice(["", "s", "中"]) for _ in range(rng.randint(0, 900))]
    text = "".join(w + rng.choice([" ", "  ", ", ", "", "\u0301 "]) for w in words)
    for limit in (1, 5, 150):
        assert c._lead_tokens(text, limit) == c.tokens(text, limit)


def _batch(seed: int, count: int) -> list[Article]:
    """Stories told by several outlets (some copies word for word, some undated, some in
    German or Chinese), templated bulletins, same-outlet repeats and empty items."""
    rng = random.Random(seed)
    common = [f"w{n}" for n in range(300)] + ["the", "and", "of", "said", "42", "x"]
    common += ["straße", "über", "Ärger", "café", "北京", "市场"]
    stories = [[f"s{k}n{j}" for j in range(10)] for k in range(count // 8 + 1)]
    out = []
    for n in range(count):
        kind = rng.random()
        if kind < 0.6:
            own = rng.choice(stories)
            words = [rng.choice(own) if rng.random() < 0.35 else rng.choice(common)]
            words += [
                rng.choice(own) if rng.random() < 0.35 else rng.choice(common)
                for _ in range(rng.randint(5, 200))
            ]
        elif kind < 0.8:  # a bulletin: few words, shared by all of them
            words = [rng.choice(common[:12]) for _ in range(30)]
        elif kind < 0.9 and out:  # a copy of an earlier item, word for word
            words = out[rng.randrange(len(out))].text.split()
        else:
            words = [rng.choice(common) for _ in range(rng.randint(0, 3))]
        hours = None if rng.random() < 0.1 else rng.uniform(0, 24 * 6)
        out.append(
            Article(
                key=f"k{n:04d}",
                source=f"outlet{rng.randrange(12)}",
                title=" ".join(words[:8]).title(),
                url=f"https://example.org/{n}",
                summary=" ".join(words[8:20]) if rng.random() < 0.5 else "",
                text=" ".join(words),
                published=None if hours is None else NOW - timedelta(hours=hours),
            )
        )
    return out


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_clusters_are_the_reference_clusters(seed: int) -> None:
    articles = _batch(seed, 320)
    for window in (c.WINDOW, timedelta(hours=30), None):
        got = c.cluster(articles, window=window)
        assert got == reference.cluster(articles, window=window)
    assert any(len(g) > 2 for g in got)  # the batch has stories to find


def _named(seed: int, count: int) -> list[Article]:
    """Six stories, each with its own event words, all naming the same people and places
    (capitalised mid-sentence, some written once in lower case, some after quotes or
    brackets or at a sentence's start): names decide some pairs."""
    rng = random.Random(seed)
    people = ["Halvorsen", "Ravnedal", "Holmby", "Elvestad", "Ærøskøbing", "İzmir", "Östlund"]
    events = [[f"e{k}v{j}" for j in range(6)] for k in range(6)]
    common = [f"w{n}" for n in range(200)] + ["the", "and", "said"]
    out = []
    for n in range(count):
        own = rng.choice(events)
        words = []
        for _ in range(rng.randint(12, 60)):
            r = rng.random()
            pool = people if r < 0.35 else own if r < 0.5 else common
            words.append(rng.choice(pool))
        gaps = [" ", " ", " ", ", ", ". ", ' "', " (", "; ", "\n", "  ", " - ", "' ", " «", ") "]
        gaps = [rng.choice(gaps) for _ in words]
        text = "".join(gap + word for gap, word in zip(gaps, words, strict=True))
        if rng.random() < 0.2:
            name = rng.choice(people)
            text = text.replace(name, name.lower(), 1)
        out.append(
            Article(
                key=f"n{n:04d}",
                source=f"outlet{rng.randrange(9)}",
                title=" ".join(words[:6]),
                url=f"https://example.org/{n}",
                summary=text if rng.random() < 0.3 else "",
                text=text,
                published=NOW - timedelta(hours=rng.uniform(0, 96)),
            )
        )
    return out


@pytest.mark.parametrize("seed", range(3))
def test_names_and_the_clusters_they_decide_are_those_of_the_reference(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = _named(seed, 240)
    named = 0
    for a in articles:
        ascii_only = a.text.encode("ascii", "ignore").decode()  # the fast path for ASCII
        for text in (a.text, f"{a.summary} {a.text}", a.text.upper(), a.title, ascii_only):
            assert rank_names.names(text) == reference.names(text)
        named += bool(rank_names.names(ascii_only)) and bool(rank_names.names(a.text))
    assert named > len(articles) // 2
    got = c.cluster(articles)
    assert got == reference.cluster(articles)
    monkeypatch.setattr(pairs, "MIN_EVENT", 0)
    assert c.cluster(articles) != got  # names alone would have merged some


@pytest.mark.parametrize(("chunk", "apart"), [(t.CHUNK, kw.APART), (7, kw.APART), (t.CHUNK, 1.0)])
def test_weights_and_keywords_are_those_of_the_definitions(
    chunk: int, apart: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when the weights are worked out a few articles at a time (``t.CHUNK``), and
    when the keywords are ordered by their weights, not by the sorted keys alone (as
    when two of the batch's products lie closer than ``kw.APART``)."""
    monkeypatch.setattr(t, "CHUNK", chunk)
    monkeypatch.setattr(kw, "APART", apart)
    articles = sorted(_batch(9, 200), key=c._canonical)
    slow = reference.Batch(articles)
    fast = t.weigh(articles)
    assert kw._weight_ranks(fast)[3] is (apart < 1.0)  # the path this run tests
    starts, ids = kw.keywords(fast)
    for i in range(len(articles)):
        vector = {fast.vocabulary[k]: w for k, w in fast.vector(i).items()}
        assert list(vector.items()) == list(slow.vectors[i].items())  # same order, same bits
        mine = [fast.vocabulary[k] for k in ids[starts[i] : starts[i + 1]].tolist()]
        assert mine == slow.keywords(i)


@pytest.mark.parametrize("seed", range(20))
def test_products_apart_stay_apart_divided_by_any_norm(seed: int) -> None:
    """Two of an article's products of tf and idf that lie ``kw.APART`` of the larger
    apart keep their order once divided by its norm and rounded: the keywords may then
    be ordered by the products (``kw._heaviest_first``). Two products an ulp apart can
    become one weight: those are ordered by the weights themselves."""
    rng = random.Random(seed)
    tied = 0
    for _ in range(2000):
        heavy = rng.uniform(0.05, 60.0)
        norm = rng.uniform(0.5, 400.0)
        light = heavy - heavy * kw.APART * (1 + rng.random())
        assert heavy / norm > light / norm
        tied += heavy / norm == math.nextafter(heavy, 0.0) / norm
    assert tied > 100  # products an ulp apart do tie: the margin is needed


@pytest.mark.parametrize("seed", range(40))
def test_ascii_tokens_are_those_of_the_regular_expression(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(string.printable + "__") for _ in range(rng.randint(0, 400)))
    assert text.isascii()
    assert t.tokens(text) == reference.tokens(text)
    assert t.tokens(text, 7) == reference.tokens(text)[:7]


def test_cosines_are_those_of_the_definitions_to_the_last_bit() -> None:
    """Pair cosines, shared-term counts and story centroids: the numpy sums add the
    same products in the same order as a plain sum over the shorter dict (the first
    on a tie), the order the dict-based clustering used."""
    articles = sorted(_batch(5, 160), key=c._canonical)
    slow = reference.Batch(articles)
    got = c.similarities(articles)
    keys = [a.key for a in slow.articles]
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            assert got[keys[i], keys[j]] == _dict_dot(slow.vectors[i], slow.vectors[j])
    batch = c._Batch(articles)
    for first in range(0, 150, 7):
        story = c._Story(first, None)
        for member in range(first + 1, first + 1 + first % 6):
            story.add(member, None)
        terms, weights = c._centroid(batch, story)
        want = reference.centroid(slow, reference_story(story.members))
        assert [batch.terms.vocabulary[t] for t in terms.tolist()] == list(want)
        assert weights.tolist() == list(want.values())
        for i in range(0, 160, 11):
            cosine = batch.dot(batch.vector(i), (terms, weights))[0]
            assert cosine == _dict_dot(slow.vectors[i], want)[0]


def _dict_dot(a: dict[str, float], b: dict[str, float]) -> tuple[float, int]:
    if len(a) > len(b):
        a, b = b, a
    return reference.similarity(a, b)


def reference_story(members: list[int]) -> reference.Story:
    story = reference.Story(members[0], None)
    story.members = list(members)
    return story


@pytest.mark.parametrize("seed", range(6))
def test_shared_band_values_are_those_of_the_definition(seed: int) -> None:
    """Each article's shared band values (numbered by band, then by value) where its
    query looks (an earlier article has the value) and where an insert matters (a later
    one has it); values drawn from few, so that many are shared, by many articles."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    rows = np.flatnonzero(rng.random(n) < 0.8)
    bands = rng.integers(0, 1 + seed * 40, (len(rows), m.LSH_BANDS)).astype(np.uint64)
    bands[:, ::3] = rng.integers(0, 1 << 63, (len(rows), (m.LSH_BANDS + 2) // 3), np.uint64)
    got = m.shared(bands, rows, n)
    holders: dict[tuple[int, int], list[int]] = {}
    for k, i in enumerate(rows.tolist()):
        for band, value in enumerate(bands[k].tolist()):
            holders.setdefault((band, value), []).append(i)
    numbered = sorted(key for key, who in holders.items() if len(who) > 1)
    number = {key: count for count, key in enumerate(numbered)}
    assert got.count == len(numbered)
    for i in range(n):
        looked = [number[key] for key in numbered if i in holders[key][1:]]
        entered = [number[key] for key in numbered if i in holders[key][:-1]]
        assert got.lookups(i) == looked
        assert got.entries(i) == entered


def test_clustering_leaves_the_cycle_collector_as_it_found_it() -> None:
    """The collector is paused while a batch is clustered (it has no cycles to find, and
    its full passes walk the whole batch), then back as it was."""
    import gc

    articles = _batch(1, 300)
    was = gc.isenabled()
    runs: list[str] = []
    gc.callbacks.append(lambda phase, info: runs.append(phase))
    try:
        gc.enable()
        c.cluster(articles)
        assert runs.count("start") <= 1  # at most one, as it is switched back on
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            c.cluster(articles)
            assert gc.isenabled() is state
        gc.enable()
        with pytest.raises(AttributeError):
            c.cluster([None])  # type: ignore[list-item]
        assert gc.isenabled()
    finally:
        gc.callbacks.pop()
        (gc.enable if was else gc.disable)()


def test_a_cosine_at_a_limit_is_judged_by_the_sum_in_order() -> None:
    """np.dot adds in its own order and may miss the ordered sum by a few bits: at a
    limit exactly, one ulp below or one above, the verdict is the ordered sum's."""
    articles = sorted(_batch(5, 60), key=c._canonical)
    batch = c._Batch(articles)
    size = len(batch.terms.vocabulary)
    rng = np.random.default_rng(11)
    differed = 0
    for _ in range(60):
        a = (rng.permutation(size)[: rng.integers(20, 120)], rng.random(120) + 0.01)
        b = (rng.permutation(size)[: rng.integers(20, 120)], rng.random(120) + 0.01)
        a, b = (a[0], a[1][: len(a[0])]), (b[0], b[1][: len(b[0])])
        batch.release()
        batch._vectors[0] = a
        batch.hold(0)
        ordered = batch.dot(a, b)[0]
        differed += float(np.dot(batch._held[b[0]], b[1])) != ordered
        for limit in (ordered, math.nextafter(ordered, 0.0), math.nextafter(ordered, 9.0)):
            assert batch.close(b, limit) is (ordered >= limit)
    assert differed > 5  # the fast sum did miss the ordered one: the test can fail
    assert batch.readds > 60  # near a limit, the sum was made again in order


@pytest.mark.parametrize("bits", [m.MASK_BITS, 64, 8])
def test_a_keyword_mask_bounds_the_keywords_two_sets_share(
    bits: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folded into few bits, keywords collide; the mask's bound still holds for every
    pair (the cluster loop skips a pair below it without counting), and with
    ``MASK_BITS`` it is exact for most."""
    monkeypatch.setattr(m, "MASK_BITS", bits)
    rng = random.Random(bits)
    sets = [rng.sample(range(300), rng.randint(0, 24)) for _ in range(120)]
    starts = np.cumsum([0, *map(len, sets)])
    hashes = m.term_hashes([f"w{t}" for terms in sets for t in terms])
    masks, lost = m.keyword_masks(hashes, starts, chunk=7)
    exact = 0
    for i, a in enumerate(sets):
        assert masks[i].bit_length() <= bits
        for j, b in enumerate(sets):
            common = len(set(a) & set(b))
            bound = (masks[i] & masks[j]).bit_count() + lost[i]
            assert bound >= common
            exact += bound == common
    assert bits < 2048 or exact > 0.8 * len(sets) ** 2
