"""How a story is shown: its links without the publishers' trackers and with our
campaign parameters, its lead image's address, width and alt text, the outlets "Also
in" names, and the teasers grouped by section.

Pure functions of a story (or a URL) that the templates call or the context holds;
nothing here renders a template or reads a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from digest.rank.outlets import NO_ONE, publisher
from digest.records import Also, Edition, Image, Story
from digest.render.text import bound_marks
from digest.render.trackers import without_trackers

ALSO_NAMES = 3  # "Also in" names this many outlets, then counts the rest
IMAGE_WIDTH = 536  # the lead image column: 600 px less 2 x 32 px padding
IMAGE_MIN_WIDTH = 120  # narrower declared images are icons, not illustrations


def with_utm(url: str | None, utm: Mapping[str, str]) -> str | None:
    """Append campaign parameters to an http(s) link, keeping its query as it was written
    (a parameter the link already has is not repeated)."""
    if not url or not utm:
        return url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    have = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    names = ((k if k.startswith("utm_") else f"utm_{k}", v) for k, v in utm.items())
    extra = [(k, v) for k, v in names if k not in have]
    if not extra:
        return url
    query = "&".join(filter(None, [parts.query, urlencode(extra, quote_via=quote)]))
    return urlunsplit(parts._replace(query=query))


def without_story_trackers(story: Story) -> Story:
    """The story with its links (its own, a link post's other article, "Also in") as
    readers are shown them: the publishers' tracking parameters taken off
    (:mod:`digest.render.trackers`)."""
    url, linked = without_trackers(story.url), without_trackers(story.linked)
    also = tuple(replace(a, url=without_trackers(a.url)) for a in story.also)
    if (url, linked) == (story.url, story.linked) and all(
        a.url == b.url for a, b in zip(also, story.also, strict=True)
    ):
        return story
    return replace(story, url=url, linked=linked, also=also)


def linked_host(url: str | None) -> str:
    """What the "Link:" line under a link post names: the host of the article the post
    is about, without "www." ("theverge.com"); "" when there is none to show."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def edition_shown(edition: Edition) -> Edition:
    """The edition with every story's links as readers are shown them
    (:func:`without_story_trackers`); the stored edition keeps them as collected."""
    return replace(
        edition,
        leads=tuple(map(without_story_trackers, edition.leads)),
        teasers=tuple(map(without_story_trackers, edition.teasers)),
        reserve=tuple(map(without_story_trackers, edition.reserve)),
    )


def story_ref(key: str) -> str:
    """The short, stable name of a story's page in the web archive (by its face
    article's key, which may be long or hold characters a path should not)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def archive_link(story: Story, web_url: str | None) -> Story:
    """A story with no link of its own (an article from a folder source) linked to its
    page in the web archive, where its whole text is; others as they are."""
    if story.url or not web_url:
        return story
    return replace(story, url=f"{web_url}/story/{story_ref(story.key)}")


def lead_image_width(image: Image | None) -> int | None:
    """The `width` attribute of a lead image: the column, or less for a smaller image;
    None when the image is too small to illustrate a story (an icon or a pixel). With
    no declared width, the width the URL asks an image service for (see
    :func:`asked_width`) stands in: a thumbnail is not stretched to the column."""
    if image is None:
        return None
    width = image.width if image.width is not None else asked_width(image.url)
    if width is None or width >= IMAGE_WIDTH:
        return IMAGE_WIDTH
    return width if width >= IMAGE_MIN_WIDTH else None


def image_src(image: Image | None, mode: str, root: str) -> str | None:
    """Where a story's picture is shown from, as `[newsletter] images` says: "hosted",
    digest's own copy under `root` (the newsletter's base_url; the web archive's own
    path), or nothing for a picture that is not hosted (never the feed's address, nor
    a broken box); "remote", the feed's address; "none", nothing."""
    if image is None or mode == "none":
        return None
    if mode == "remote":
        return image.url
    return f"{root}/images/{image.hosted}" if image.hosted else None


def with_marks_bound(story: Story) -> Story:
    """The story's headline and summary with French marks kept by their words
    (:func:`~digest.render.text.bound_marks`): "200 €" and "tactile ?" never break."""
    title, summary = bound_marks(story.title), bound_marks(story.summary)
    if title == story.title and summary == story.summary:
        return story
    return replace(story, title=title, summary=summary)


def with_image_shown(story: Story, mode: str, root: str) -> Story:
    """The story as a template shows it: its image's `url` the address it is shown
    from (:func:`image_src`), or no image. A theme's own template that writes
    ``story.image.url`` (as the bundled one does) so never shows the feed's address
    when the picture is to be hosted."""
    src = image_src(story.image, mode, root)
    if story.image is None or src == story.image.url:
        return story
    return replace(story, image=None if src is None else replace(story.image, url=src))


#: Query parameters in which image services (WordPress's Photon, imgix, many CMSs) are
#: asked for a width in pixels.
WIDTH_PARAMETERS = ("w", "width")


def asked_width(url: str) -> int | None:
    """The width in pixels an image URL asks for (``?w=150``, ``?width=300``), if any."""
    query = urlsplit(url).query
    if not query:
        return None
    asked = dict(parse_qsl(query))
    for name in WIDTH_PARAMETERS:
        value = asked.get(name, "")
        if value.isdigit() and 0 < int(value) < 100_000:
            return int(value)
    return None


def other_publishers(story: Story, same: Mapping[str, str] = NO_ONE) -> tuple[Also, ...]:
    """The other outlets that carried `story`, each publisher once (by its first name in
    the record, with a link when one of its reports has one), never the story's own. A
    publisher is a name, case and spacing aside, with the sources `same` makes one
    (:func:`digest.rank.outlets.publisher`): "Also in: BBC World" under a BBC News lead
    of one outlet would tell the reader nothing."""
    own = {publisher(story.source, same)}
    if story.aggregated:  # credited to the site its link opens (rank.outlets.site)
        own.add(publisher(linked_host(story.url), same))
    distinct: dict[str, Also] = {}  # by publisher, in first-seen order
    for also in story.also:
        name = " ".join(also.source.split())
        who = publisher(name, same)
        if not name or who in own:
            continue
        first = distinct.get(who)
        if first is None:
            distinct[who] = replace(also, source=name)
        elif not first.url and also.url:  # the name once, with a link when one has it
            distinct[who] = replace(first, url=also.url)
    return tuple(distinct.values())


def also_shown(story: Story, same: Mapping[str, str] = NO_ONE) -> tuple[tuple[Also, ...], int]:
    """The outlets "Also in" names (:func:`other_publishers`, at most ALSO_NAMES) and how
    many more there are (the rest, plus those the ranker counted but left out)."""
    distinct = other_publishers(story, same)
    # `also_more`: outlets the ranker counted but did not keep in the record.
    more = max(len(distinct) - ALSO_NAMES, 0) + story.also_more
    return distinct[:ALSO_NAMES], more


def image_alt(story: Story) -> str:
    """A story image's alt text: empty (decorative) when it only repeats the headline,
    which is right beside it; the source's own description otherwise."""
    if story.image is None:
        return ""
    alt = " ".join(story.image.alt.split()).casefold()
    title = " ".join(story.title.split()).casefold()
    return "" if not alt or alt in title or title in alt else " ".join(story.image.alt.split())


def by_section(stories: Iterable[Story]) -> list[tuple[str, list[Story]]]:
    """Teasers grouped under their sections, in the order each section first appears."""
    groups: dict[str, list[Story]] = {}
    for story in stories:
        groups.setdefault(story.section or "", []).append(story)
    return list(groups.items())
