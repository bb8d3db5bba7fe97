"""Host: an edition's story pictures fetched once, checked, and kept in the database.

Job: when `[newsletter] images = "hosted"` (the default), :func:`host_edition` fetches
the picture of every story an edition carries (leads, teasers, the sections' reserve:
a variant or an editor may make any of them a lead) through the collect fetcher, once
per address, with a size cap and a deadline each and one for them all (:data:`DEADLINE`:
those not fetched by then are left out), and only from public addresses unless
`[serve] allow_private_fetch` says otherwise (a feed names its pictures, so a feed
must not make digest read a private network). Bytes that are a real JPEG, PNG, GIF or
WebP (:mod:`digest.imagebytes`; never what the server's Content-Type claims) are kept
under their SHA-256 (:meth:`~digest.store.Store.keep_image`) and the story's image
names that copy, which `digest serve` answers at `/images/<sha256>.<ext>`; so the
feed's server never learns who opens an edition, and a picture cannot be swapped after
an editor approved it. A picture fetched from the same address within :data:`FRESH` (by
an earlier build: every daily edition shows yesterday's stories' pictures too) is that
copy, not fetched again; an older one is fetched again, and bytes that changed under
the address are a copy of their own (the earlier edition keeps its). A picture that
cannot be fetched or is no picture is dropped from its story (the story goes out
without one, never with a broken box), and a line naming the source, the story and
the address says why.
The size read from a picture's bytes is its size, whatever the feed declared (a lead is
drawn no wider). A picture one source gives to two of the edition's stories is its share
card, no story's (:mod:`digest.sharecards`): dropped by its address before fetching,
by its bytes after.
A build's `now` is the time its edition is for (`digest build --at` a week ahead): a
picture is fresh when it was fetched within FRESH before it; but when a picture was
fetched, or last hosted, is kept as the clock's time when it is earlier, never a time
to come (kept as fetched a month ahead, a picture was reused for a month plus FRESH).
Must not: rank, render, or send; read the clock (callers pass `now`, and the clock).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from digest import sharecards
from digest.imagebytes import MAX_PIXELS, MAX_SIDE, fits, read_size
from digest.netaddr import is_public
from digest.records import Edition, Image, Story
from digest.sharecards import without_share_cards

if TYPE_CHECKING:
    from digest.collect.fetch import FetchResult
    from digest.config import Settings
    from digest.store import Store

__all__ = [
    "MAX_IMAGE_BYTES",
    "Hosted",
    "host_all",
    "host_edition",
    "host_stories",
    "hosted_images",
    "hosted_name",
    "left_out_line",
    "unhosted_warning",
]

log = logging.getLogger("digest.images")

#: The largest picture hosted (bytes): a lead image is shown 536 px wide.
MAX_IMAGE_BYTES = 3_000_000
FETCH_TIMEOUT = 15.0
CONCURRENCY = 8
#: Seconds for all of a build's pictures (each has FETCH_TIMEOUT, CONCURRENCY at a
#: time): those not fetched by then are left out, so slow picture servers cannot hold
#: a build (before its scheduled slot) for ceil(N / 8) x 15 s.
DEADLINE = 40.0
#: How long a picture fetched from an address is hosted again for that address without
#: a request: a publisher seldom changes a picture under the same address, and a daily
#: newsletter then asks for each about once a week instead of every morning.
FRESH = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Hosted:
    """Stories with their pictures hosted or dropped, and a line per picture dropped."""

    stories: tuple[Story, ...]
    problems: tuple[str, ...] = ()
    fetched: int = 0  # stories whose picture was fetched and hosted now
    reused: int = 0  # stories whose picture an earlier build fetched within FRESH
    left_out: tuple[str, ...] = ()  # the key of each problem's story, in the same order
    reasons: tuple[str, ...] = ()  # each problem's why and address, without its story

    @property
    def notes(self) -> tuple[tuple[str, str, str], ...]:
        """Each story whose picture was left out, the line that says so and why alone
        (kept with its edition: :meth:`digest.store.Store.picture_notes`; the desk names
        the story as it is now, its headline perhaps rewritten)."""
        return tuple(zip(self.left_out, self.problems, self.reasons, strict=True))


def left_out_line(story: Story, why: str) -> str:
    """The line that says `story` goes without its picture, and why."""
    return f"{story.source}: no image for “{story.title}”: {why}"


def hosted_name(sha256: str, extension: str) -> str:
    """The file name a hosted picture is served under."""
    return f"{sha256}.{extension}"


def _failed(result: FetchResult, shown: str) -> str:
    """Why a fetch gave no picture, as an editor reads it (the fetcher's own words, a
    resolver's error say, go to the log)."""
    host = urlsplit(result.url).hostname or result.url
    server = f"the picture's server ({host})"
    status = f"HTTP {result.status}"
    words = {
        "unresolved": f"{server} could not be found",
        "timeout": f"timed out: {server} did not answer in time",
        "unreachable": f"{server} could not be reached",
        "private": f"{server} is not a public address, and pictures come only from those",
        "too_large": f"too large: the picture is over {MAX_IMAGE_BYTES / 1e6:g} MB",
        "scheme": "the picture's address is not a web address (http:// or https://)",
        "invalid": "the picture's address is not a valid web address",
    }
    if result.failure == "http" and result.status in (404, 410):
        why = f"the picture was not found at its address ({status})"
    elif result.failure == "http":
        why = f"{server} would not give the picture ({status})"
    else:
        why = words.get(result.failure or "", "the picture could not be fetched")
    return f"{why} ({shown})"


def _keep(address: str, result: FetchResult, store: Store, now: datetime, late: str) -> Image | str:
    """The hosted copy's image (url, name and pixel width), or why there is none, in an
    editor's words (the fetcher's to the log); `address` (the story's) is kept as
    having given it at `now` (`late`: the time it was not fetched within)."""
    from digest.collect.hosts import shown_url

    shown = shown_url(result.url)
    if result.late:
        return f"not fetched within {late} ({shown})"
    if result.error is not None or result.body is None:
        log.info("picture left out: %s", result.error or f"{result.name}: nothing fetched")
        return _failed(result, shown)
    picture = read_size(result.body)
    if picture is not None and not fits(picture):
        return (
            f"too large: {picture.width:,} x {picture.height:,} pixels, more than a story's "
            f"picture may have (at most {MAX_SIDE:,} a side, {MAX_PIXELS:,} in all) ({shown})"
        )
    if picture is None:
        page = "text/html" in (result.content_type or "")
        log.info(
            "picture left out: %s: not a JPEG, PNG, GIF or WebP (served as %s, %s bytes) (%s)",
            result.name,
            result.content_type or "no type",
            f"{len(result.body):,}",
            shown,
        )
        what = "a web page" if page else "something else"
        return f"not a picture: its address gave {what}, not a JPEG, PNG, GIF or WebP ({shown})"
    sha256 = hashlib.sha256(result.body).hexdigest()
    store.keep_image(sha256, picture, result.body, source_url=result.url, now=now, address=address)
    name = hosted_name(sha256, picture.extension)
    return Image(result.url, width=picture.width, hosted=name, height=picture.height)


def hosted_images(stories: Iterable[Story]) -> dict[str, Image]:
    """The hosted pictures of `stories`, by the address they were fetched from."""
    return {s.image.url: s.image for s in stories if s.image is not None and s.image.hosted}


def host_stories(
    stories: Sequence[Story],
    store: Store,
    *,
    allow_private: bool,
    now: datetime,
    known: Mapping[str, Image] | None = None,
    deadline: float | None = None,
    late: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Hosted:
    """Host the pictures of `stories` that are not hosted yet (see the module); one
    whose address is in `known` (hosted for another story: :func:`hosted_images`), or
    that an earlier build fetched from the same address within FRESH before `now`, is
    that copy, not fetched again. `deadline` (default :data:`DEADLINE`) is the time for
    them all, `late` how a picture left out at it says so (default "the build's 40 s
    for pictures"). `clock` (the real time; default: `now` is) bounds the times kept:
    a picture is kept as fetched and hosted at `now` or at the clock's time, whichever
    is earlier."""

    def kept() -> datetime:
        return now if clock is None else min(now, clock())

    found: dict[str, Image | str] = dict(known or {})
    wanted: dict[str, str] = {}  # address -> the first story's source (named in errors)
    for story in stories:
        image = story.image
        if image is not None and image.hosted is None and image.url not in found:
            wanted.setdefault(image.url, story.source)
    reused: set[str] = set()
    for url in list(wanted):
        earlier = store.fetched_image(url, since=now - FRESH, now=kept())
        if earlier is not None:
            name = hosted_name(earlier.sha256, earlier.picture.extension)
            size = earlier.picture
            found[url] = Image(url, width=size.width, hosted=name, height=size.height)
            reused.add(url)
            del wanted[url]
    if not wanted:
        return _applied(stories, found, reused)
    # Loaded only when there are pictures to fetch: httpx and asyncio are no part of a
    # build without them.
    from digest.collect.fetch import FetchRequest, fetch_all_sync

    results = fetch_all_sync(
        [FetchRequest(source, url) for url, source in wanted.items()],
        concurrency=CONCURRENCY,
        timeout=FETCH_TIMEOUT,
        max_bytes=MAX_IMAGE_BYTES,
        allowed=(lambda _address: True) if allow_private else is_public,
        deadline=DEADLINE if deadline is None else max(deadline, 0.0),
    )
    late = late or f"the build's {DEADLINE:g} s for pictures"
    at = kept()  # when they were fetched
    found.update(
        (url, _keep(url, r, store, at, late)) for url, r in zip(wanted, results, strict=True)
    )
    return _applied(stories, found, reused, fetched=set(wanted))


def _applied(
    stories: Iterable[Story],
    found: Mapping[str, Image | str],
    reused: AbstractSet[str] = frozenset(),
    fetched: AbstractSet[str] = frozenset(),
) -> Hosted:
    kept: list[Story] = []
    problems: list[str] = []
    left_out: list[str] = []
    reasons: list[str] = []
    counts = {"fetched": 0, "reused": 0}
    for story in stories:
        image = story.image
        outcome = found.get(image.url) if image is not None and not image.hosted else None
        if image is None or outcome is None:
            kept.append(story)
        elif isinstance(outcome, str):
            kept.append(replace(story, image=None))
            problems.append(left_out_line(story, outcome))
            left_out.append(story.key)
            reasons.append(outcome)
        else:
            kept.append(replace(story, image=_measured(image, outcome)))
            if image.url in reused:
                counts["reused"] += 1
            elif image.url in fetched:
                counts["fetched"] += 1
    return Hosted(
        tuple(kept), tuple(problems), left_out=tuple(left_out), reasons=tuple(reasons), **counts
    )


def _measured(image: Image, copy: Image) -> Image:
    """The story's `image` as its hosted `copy`: named by the copy, and as large as the
    copy's bytes are (a feed's width and height are what it says: a 120 x 90 thumbnail
    declared 1200 px wide was stretched across the column); the feed's width stays
    when the copy's size is unknown."""
    if copy.width is None:
        return replace(image, hosted=copy.hosted)
    return replace(image, width=copy.width, height=copy.height, hosted=copy.hosted)


def host_all(
    stories: Sequence[Story],
    store: Store,
    settings: Settings,
    *,
    now: datetime,
    like: Iterable[Story] = (),
    deadline: float | None = None,
    late: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Hosted:
    """:func:`host_stories` when `[newsletter] images = "hosted"`, the stories as they
    are otherwise; pictures `like` already hosts are not fetched again (a rebuilt
    edition's: the copies its editor saw)."""
    if settings.newsletter.images != "hosted":
        return Hosted(tuple(stories))
    private = settings.serve.allow_private_fetch
    known = hosted_images(like)
    return host_stories(
        stories,
        store,
        allow_private=private,
        now=now,
        known=known,
        deadline=deadline,
        late=late,
        clock=clock,
    )


def host_edition(
    edition: Edition,
    store: Store,
    settings: Settings,
    *,
    now: datetime,
    like: Iterable[Story] = (),
    clock: Callable[[], datetime] | None = None,
) -> tuple[Edition, Hosted]:
    """The edition with its stories' pictures hosted (or dropped), and what hosting did
    (:func:`host_all`: its stories, those of the edition in a row). A source's share
    card (:mod:`digest.sharecards`) goes from its stories: one address before fetching
    (it is not fetched), one copy's bytes after."""
    parts = (edition.leads, edition.teasers, edition.reserve)
    carried = without_share_cards([s for part in parts for s in part], sharecards.address)
    hosted = host_all(carried, store, settings, now=now, like=like, clock=clock)
    stories = without_share_cards(hosted.stories, sharecards.copy)
    hosted = replace(hosted, stories=stories)
    leads_end = len(edition.leads)
    teasers_end = leads_end + len(edition.teasers)
    return (
        replace(
            edition,
            leads=stories[:leads_end],
            teasers=stories[leads_end:teasers_end],
            reserve=stories[teasers_end:],
        ),
        hosted,
    )


def unhosted_warning(edition: Edition, mode: str) -> str | None:
    """What to tell the operator of an edition whose stories name pictures that were
    never hosted, when `[newsletter] images` (`mode`) is "hosted": built before digest
    hosted pictures (before revision 0010), or while images were "remote". Every copy
    goes without them (never loading the feed's server); a line names each picture's
    source, story and address, and the two ways to show them. None otherwise."""
    if mode != "hosted":
        return None
    stories = (*edition.leads, *edition.teasers, *edition.reserve)
    named = [
        f"{s.source}: {s.title!r}: {s.image.url}"
        for s in stories
        if s.image is not None and s.image.hosted is None
    ]
    if not named:
        return None
    count = "its picture is" if len(named) == 1 else f"its {len(named)} pictures are"
    return (
        f"edition {edition.id} was built before its pictures were hosted: {count} left out "
        "of every copy (never loaded from the feed's server). To show them, rebuild it "
        "at the desk (digest serve; `digest unapprove` first if it is approved), or set "
        '[newsletter] images = "remote" to load them from the feed\'s server as before.\n  '
        + "\n  ".join(named)
    )
