"""A stable sort of non-negative integer keys by their 16-bit digits (an LSD radix sort).

Job: :func:`lexsort` gives ``np.lexsort(keys)``'s permutation (the last key first, then
the one before it, ...; ties in their order), bit for bit, as a stable argsort of each
16-bit digit in turn, least significant first: numpy sorts a 16-bit array with a radix
sort (a few ns an element), where a 64-bit array is compared (ten times that without
SIMD sorting). Pure. Must not: take negative or non-integer keys (they have no digits).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np


def lexsort(keys: Sequence[np.ndarray]) -> np.ndarray:
    """``np.lexsort(keys)`` of non-negative integer ``keys`` of one length (the last is
    the primary key): a stable argsort of each key's 16-bit digits that are not all
    zero, least significant first, each applied to the order so far."""
    n = len(keys[0]) if len(keys) else 0
    order: np.ndarray | None = None
    for key in keys:
        for digit in _digits(np.asarray(key)):
            if order is None:
                order = np.argsort(digit, kind="stable")
            else:
                order = order[np.argsort(digit[order], kind="stable")]
    return np.arange(n) if order is None else order


def _digits(key: np.ndarray) -> list[np.ndarray]:
    """The 16-bit digits of ``key``'s values, least significant first, as far as its
    largest value has any (views of it where its bytes are the digits)."""
    if key.dtype.kind not in "ui" or (key.dtype.kind == "i" and len(key) and key.min() < 0):
        raise ValueError("radix.lexsort takes non-negative integers")
    if not len(key):
        return []
    top = int(key.max())
    count = max(1, (top.bit_length() + 15) // 16)
    if key.dtype.itemsize <= 2:
        return [key.astype(np.uint16, copy=False)]
    if sys.byteorder == "little":  # the digits are the values' 16-bit words
        words = np.ascontiguousarray(key).view(np.uint16).reshape(len(key), -1)
        return [words[:, k] for k in range(count)]
    return [((key >> (16 * k)) & 0xFFFF).astype(np.uint16) for k in range(count)]
