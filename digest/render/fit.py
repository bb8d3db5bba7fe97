"""Fit the HTML under Gmail's clipping limit: inline the CSS (premailer, once per
variant when it fits) and keep as many teasers as the limit allows.

The size counted is the inlined HTML plus room for each subscriber's links in place
of the placeholders. This module inlines and measures; it renders no template itself
(it is given a function that renders with a number of teasers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from digest.lazy import Deferred, standing_in

# premailer imports requests (a tenth of a second) to fetch external style sheets, which
# digest never asks it to: requests is imported only if it ever is used.
with standing_in({"requests": Deferred("requests", "requests, imported on first use")}):
    from premailer import Premailer

from digest.errors import RenderError
from digest.placeholders import PLACEHOLDERS

HTML_LIMIT = 100_000  # decoded bytes; Gmail clips near 102 KB
PLACEHOLDER_ROOM = 256  # bytes kept free per placeholder for the subscriber's URL
SIZE_MARGIN = 0.985  # aim a little under the limit when estimating how many teasers fit
CLOSE_ENOUGH = 0.96  # a fitting size this close to the limit is not refined further
MAX_PASSES = 3  # inlining passes after which a fitting result is taken as it is


def fits(html: str) -> bool:
    return _budget(html) >= 0


def _budget(html: str) -> int:
    """Bytes left under the limit once the subscriber's links replace the placeholders."""
    room = sum(html.count(p) for p in PLACEHOLDERS) * PLACEHOLDER_ROOM
    return HTML_LIMIT - room - len(html.encode())


def fit(raw: Callable[[int], str], teasers: int) -> tuple[int, str, int]:
    """Keep as many teasers as fit: (kept, inlined HTML, inlining passes).

    Rendering is cheap and inlining is not, so the number to keep is estimated from the
    measured sizes: inlined bytes are modelled as a line over the raw template bytes
    (through the last two measurements), and the raw size of each candidate is cheap to
    compute. The first estimate that fits is refined once when it leaves much room, so
    this takes one inlining pass when everything fits and two or three otherwise.
    """
    raw_sizes: dict[int, int] = {}

    def raw_size(k: int) -> int:
        if k not in raw_sizes:
            raw_sizes[k] = len(raw(k).encode())
        return raw_sizes[k]

    points: list[tuple[int, int]] = []
    best: tuple[int, str] | None = None  # the most teasers known to fit, and their HTML
    too_many = teasers + 1  # the fewest teasers known not to fit
    keep, passes = teasers, 0
    while True:
        source = raw(keep)
        raw_sizes[keep] = len(source.encode())
        html = inline(source)
        passes += 1
        size = len(html.encode())
        points.append((raw_sizes[keep], size))
        largest = size + _budget(html)  # the largest inlined size that fits
        if fits(html):
            best = (keep, html)
            if keep + 1 >= too_many or passes >= MAX_PASSES or size >= largest * CLOSE_ENOUGH:
                return keep, html, passes
        else:
            too_many = keep
            if keep == 0:
                return keep, html, passes  # nothing left to drop; the caller reports it
        lo, hi = (best[0] + 1 if best else 0), too_many - 1
        predict, target = _line(points), largest * SIZE_MARGIN
        if best and (lo > hi or predict(raw_size(lo)) > target):
            return best[0], best[1], passes  # no larger number is expected to fit
        while lo < hi:  # the largest number of teasers predicted to fit, at least `lo`
            mid = (lo + hi + 1) // 2
            if predict(raw_size(mid)) <= target:
                lo = mid
            else:
                hi = mid - 1
        keep = lo


def _line(points: list[tuple[int, int]]) -> Callable[[int], float]:
    """Inlined size as a function of raw size, through the last two measurements."""
    (r1, s1) = points[-1]
    if len(points) >= 2:
        (r0, s0) = points[-2]
        if r0 != r1 and (slope := (s0 - s1) / (r0 - r1)) > 0:
            return lambda r: s1 + slope * (r - r1)
    return lambda r: r * s1 / r1


def inline(html: str) -> str:
    """Inline the CSS once per variant; leave `data-premailer="ignore"` styles alone."""
    logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
    try:
        out = Premailer(
            html,
            allow_network=False,
            disable_basic_attributes=["width", "height"],
            strip_important=False,
            keep_style_tags=False,
            remove_classes=False,
            cssutils_logging_level=logging.CRITICAL,
            # cssutils' validation only logs (its first use compiles ~30 regexes, most
            # of a send's start-up); the inlined output is the same without it.
            disable_validation=True,
        ).transform()
    except Exception as exc:  # premailer raises bare exceptions on broken CSS
        raise RenderError(f"CSS inlining failed: {exc}") from None
    assert isinstance(out, str)
    return out
