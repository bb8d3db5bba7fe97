"""Share cards: one source's same picture on several of its stories is the site's card.

Many sites give every article the same picture: their logo, or a default share card
(og:image, a feed item's media). Shown above a lead, it says nothing of the story, and
the same in every edition. Within an edition's stories (leads, teasers and the
sections' reserve: a variant or an editor may make any of them a lead), a picture that
one source (the outlet a story credits) gives to two different stories or more is that
site's card, and those stories go without it. A story is a cluster of reports: two
outlets running the same wire photo for it are one story; nor does one outlet's picture
count against another's (a wire photo two outlets run for two stories stays).

Pictures are the same by :func:`address` (before they are fetched: a card is then not
fetched at all) or by :func:`copy` (the SHA-256 of the bytes digest hosted: one card
under several addresses). The collect stage's own check (:mod:`digest.collect.pictures`)
sees one feed document; this one sees the stories an edition carries, after ranking.
Must not: fetch, read the store or the clock, or rank.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from digest.records import Image, Story

__all__ = ["Same", "address", "copy", "without_share_cards"]

log = logging.getLogger("digest.sharecards")

#: How two pictures are the same: :func:`address` or :func:`copy`.
Same = Callable[[Image], str | None]


def address(image: Image) -> str | None:
    """A picture by its address, http or https alike."""
    return image.url.partition("://")[2] or image.url


def copy(image: Image) -> str | None:
    """A hosted picture by its bytes (None: not hosted)."""
    return image.hosted


def without_share_cards(stories: Sequence[Story], same: Same) -> tuple[Story, ...]:
    """`stories`, in order, without the pictures their sources' cards are (see the
    module): a picture is known by `same` (:func:`address` or :func:`copy`)."""
    told: dict[tuple[str, str], set[str]] = {}
    for story in stories:
        picture = same(story.image) if story.image is not None else None
        if picture is not None:
            told.setdefault((story.source.casefold(), picture), set()).add(story.key)
    cards = {card for card, keys in told.items() if len(keys) >= 2}
    if not cards:
        return tuple(stories)
    out = []
    for story in stories:
        picture = same(story.image) if story.image is not None else None
        if picture is not None and (story.source.casefold(), picture) in cards:
            assert story.image is not None
            log.info(
                "%s: no image for %r: the same picture is on %d of its stories, the "
                "site's card (%s)",
                story.source,
                story.title,
                len(told[story.source.casefold(), picture]),
                story.image.url,
            )
            story = replace(story, image=None)
        out.append(story)
    return tuple(out)
