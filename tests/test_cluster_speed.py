"""Clustering at scale: the fast paths compute exactly what the plain definitions say.

The MinHash band values are checked against a plain-Python MinHash of the documented
formula, and reading only a long text's start gives the same lead tokens as reading it
all (CJK runs, combining marks and casefolding at the cut included).
"""

from __future__ import annotations

import hashlib
import random

import pytest

from digest.rank import cluster as c
from digest.rank import minhash as m


def _reference_bands(terms: list[str]) -> list[int]:
    """MinHash by the formula: min over terms of fmix32(sha1_32(t)) * a + b (mod 2^32)."""
    a, b = m._permutations()
    mask = (1 << 32) - 1

    def fmix(h: int) -> int:
        h ^= h >> 16
        h = (h * 0x85EBCA6B) & mask
        h ^= h >> 13
        h = (h * 0xC2B2AE35) & mask
        return h ^ (h >> 16)

    mixed = [fmix(int.from_bytes(hashlib.sha1(t.encode()).digest()[:4], "little")) for t in terms]
    signature = [min((int(a[p]) * h + int(b[p])) & mask for h in mixed) for p in range(m.NUM_PERM)]
    return [signature[2 * k] | signature[2 * k + 1] << 32 for k in range(m.LSH_BANDS)]


def test_band_values_are_the_minhash_of_the_formula() -> None:
    rng = random.Random(3)
    sets = [[f"w{rng.randrange(500)}" for _ in range(rng.randint(1, 24))] for _ in range(40)]
    sets += [[], ["københavn", "北京", "ß"]]
    got = m.band_keys(sets, chunk=7)
    for terms, bands in zip(sets, got, strict=True):
        if terms:
            assert bands.tolist() == _reference_bands(terms)


@pytest.mark.parametrize("seed", range(80))
def test_lead_tokens_of_a_long_text_are_those_of_the_whole_text(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["Harbour", "ÉCOLE", "straße", "e\u0301", "東京都庁", "x", "42", "ﬁne", "—", "a_b"]
    pieces += ["Verwaltungsgerichtshof", "Donaudampfschiff"]  # long words: the cut is close
    words = [rng.choice(pieces) + rng.choice(["", "s", "中"]) for _ in range(rng.randint(0, 900))]
    text = "".join(w + rng.choice([" ", "  ", ", ", "", "\u0301 "]) for w in words)
    for limit in (1, 5, 150):
        assert c._lead_tokens(text, limit) == c.tokens(text, limit)
