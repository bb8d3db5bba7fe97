"""Which picture illustrates each story of one feed document: never the feed's branding.

An item's candidates are the pictures the feed declares for it (media, enclosures, JSON
Feed ``image``, iTunes ``image``), then the real pictures in its HTML
(:func:`illustrations`). Feeds put their own logo there: a blog gives its favicon as
most posts' ``image``, a podcast gives the show's artwork on every episode, forum software
puts its "picture resized" badge in every post. On a lead it reads as the story's
picture, in every edition, for every story of that source. A picture is the feed's
branding, not a story's, when

- the feed declares it its own: RSS ``<image><url>``, a channel's ``itunes:image``,
  Atom ``<logo>``/``<icon>``, JSON Feed ``icon``/``favicon`` (each reader gives them);
- it is on at least :data:`REPEATED` items and at least half of the document's items
  (any of their candidates): two items sharing one, a photo story and its follow-up,
  keep it;
- its address names itself one (a favicon, logo, avatar or touch icon).

An item shows its first candidate that is none of those, else no picture. Decided per
document, for every reader (fast path, feedparser, JSON Feed): nothing here fetches a
picture or reads the clock.

A picture's alt text stands in its place when images are off and is what a screen reader
says; an alt that says nothing counts as none, and the headline stands in for it:

- a file name (:func:`file_name`): blog tools write "DSC_4550",
  "AppleWatchSeries3-FitnessSportUse", "IMG_0206.JPG";
- one phrase on at least :data:`REPEATED` of the document's pictures: the software's,
  not a description ("Прикрепленное изображение", attached picture, on every post of a
  forum). Two pictures may share a caption (a photo story and its follow-up).
"""

from __future__ import annotations

import html as htmlmod
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from digest.collect.hosts import absolute_url
from digest.collect.sanitize import (
    IMG_TAG,
    TAG_ATTRIBUTE,
    clean_text,
    sanitize_html,
)
from digest.records import Article, Image

#: A picture on this many items or more, and on half of them at least, is the feed's.
REPEATED = 3
#: A path that names its picture a favicon, logo, avatar or (Apple) touch icon, as a
#: word: "site-logo.png", "/logos/", "favicon-192x192.png", "/avatar/3b3b"; not
#: "logopedics.jpg" nor "ecologos.jpg".
_BRANDING_NAME = re.compile(r"(?<![a-z])(?:favicons?|logos?|avatars?|touch-icon)(?![a-z])")
#: Path segments of pictures that decorate a page rather than illustrate its story.
_DECORATION = frozenset(
    {"icon", "icons", "emoji", "emojis", "emoticons", "smilies", "smileys", "filetype"}
    | {"filetypes", "avatar", "avatars", "badge", "badges", "button", "buttons", "spacer"}
)
MIN_WIDTH = 120  # a declared width below this is an icon or a thumbnail, not a picture
MIN_HEIGHT = 50
MAX_ASPECT = 4.0  # wider than this (468 x 60, 728 x 90) is a banner or a divider
_IMAGE_EXT = re.compile(r"(?i)\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])")


def with_pictures(
    articles: Sequence[Article],
    candidates: Mapping[str, Sequence[Image]],
    declared: Collection[str] = (),
) -> list[Article]:
    """The `articles` of one document, each with its first of its `candidates` (by
    article key) that is not the feed's branding; the feed's own pictures are
    `declared`. A picture's alt text is the article's title when the source gave none."""
    on = Counter(
        url for article in articles for url in {_same(i.url) for i in candidates[article.key]}
    )
    branding = {_same(url) for url in declared}
    branding.update(url for url, n in on.items() if n >= REPEATED and n * 2 >= len(articles))
    images = [
        next(
            (
                i
                for i in candidates[article.key]
                if _same(i.url) not in branding and not names_branding(i.url)
            ),
            None,
        )
        for article in articles
    ]
    pictures_of = Counter(
        alt for alt, _ in {(_phrase(i.alt), _same(i.url)) for i in images if i and i.alt}
    )
    chosen = []
    for article, image in zip(articles, images, strict=True):
        if image is not None and pictures_of[_phrase(image.alt)] >= REPEATED:
            image = replace(image, alt="")  # one phrase on many pictures: the software's
        if image is not None and not image.alt:
            image = replace(image, alt=article.title)
        chosen.append(replace(article, image=image))
    return chosen


def _phrase(alt: str) -> str:
    return " ".join(alt.casefold().split())


#: A file's extension at the end of a name: ".JPG", ".tiff", ".webp".
_EXTENSION = re.compile(r"\.[^\W\d_]\w{1,4}$")
#: A lower-case letter followed by a capital: a word boundary in "AppleWatchSeries".
_CAMEL = re.compile(r"[^\W\d_A-Z](?=[A-Z])")


def file_name(alt: str, src: str) -> bool:
    """Whether the alt text `alt` of the picture at `src` is a file name, not words: one
    run with no space that holds "_" ("DSC_4550"), ends in an extension ("IMG_0206.JPG"),
    joins three words or more with hyphens ("Garmin-Descent-MK1-DiveOptions") or
    capitals ("AppleWatchSeries3"), or begins the picture's own file name and is no plain
    word ("DCROpenHouse6" of "DCROpenHouse6_thumb.jpg"; "Harbour" of "harbour.jpg" is
    a word, and stays)."""
    if not alt or any(c.isspace() for c in alt):
        return False
    if "_" in alt or _EXTENSION.search(alt) or alt.count("-") >= 2:
        return True
    if len(_CAMEL.findall(alt)) >= 2:
        return True
    plain = alt.isalpha() and (alt.islower() or alt[1:].islower() or alt.isupper())
    own = "".join(filter(str.isalnum, urlsplit(src).path.rsplit("/", 1)[-1].casefold()))
    return not plain and own.startswith("".join(filter(str.isalnum, alt.casefold())))


def names_branding(url: str) -> bool:
    """Whether the picture's address names it a favicon, logo, avatar or touch icon."""
    return _BRANDING_NAME.search(urlsplit(url).path.lower()) is not None


def own_pictures(base: str | None, *said: object) -> frozenset[str]:
    """The pictures a feed `said` are its own (logo, icon, image), made absolute against
    `base`; anything that is not a string is no address, and left out."""
    return frozenset(
        url for value in said if isinstance(value, str) and (url := absolute_url(value, base))
    )


def _same(url: str) -> str:
    """`url` as compared: one picture whether it is fetched by http or https."""
    return url.partition("://")[2]


def first_image(html: str, base_url: str | None) -> Image | None:
    """The first real picture in `html` (absolute http(s); no pixels, icons or SVGs)."""
    return next(illustrations(html, base_url), None)


def illustrations(html: str, base_url: str | None) -> Iterator[Image]:
    """Every real picture in `html`, in order: see :func:`first_image`."""
    if not html or "<img" not in html.lower():
        return
    for match in IMG_TAG.finditer(sanitize_html(html, base_url=base_url)):
        attrs = {k: htmlmod.unescape(v) for k, v in TAG_ATTRIBUTE.findall(match.group(1))}
        src = absolute_url(attrs.get("src", ""), None) or ""
        if not src:
            continue
        width = int(attrs["width"]) if attrs.get("width", "").isdigit() else None
        height = int(attrs["height"]) if attrs.get("height", "").isdigit() else None
        if _illustration(src, width, height):
            alt = clean_text(attrs.get("alt", ""))
            yield Image(url=src, alt="" if file_name(alt, src) else alt, width=width)


def _illustration(src: str, width: int | None, height: int | None) -> bool:
    """Can this image illustrate a story? Not a pixel, an icon, a thumbnail too small
    to lead, an advertising banner (a strip far wider than high) or a picture from a
    folder of icons, emoji or avatars (often with no declared size at all)."""
    path = urlsplit(src).path.lower()
    if path.endswith((".svg", ".ico")):
        return False
    if _DECORATION.intersection(path.split("/")[:-1]):
        return False
    if (width is not None and width < MIN_WIDTH) or (height is not None and height < MIN_HEIGHT):
        return False
    return not (width and height and width / height > MAX_ASPECT)


def feedparser_images(e: Any, base: str | None) -> Iterable[Image]:
    """The pictures a feedparser entry declares: media (largest first), thumbnails,
    image enclosures, its iTunes image."""
    media = sorted(
        (m for m in e.get("media_content", []) if _is_image(m.get("medium"), m.get("type"), m)),
        key=lambda m: -_int(m.get("width")),
    )
    for m in [*media, *e.get("media_thumbnail", [])]:
        if src := absolute_url(m.get("url"), base):
            yield Image(url=src, width=_int(m.get("width")) or None)
    for enclosure in e.get("enclosures", []):
        is_image = enclosure.get("type", "").startswith("image/")
        if is_image and (src := absolute_url(enclosure.get("href"), base)):
            yield Image(url=src)
    if src := absolute_url((e.get("image") or {}).get("href"), base):
        yield Image(url=src)


def _is_image(medium: str | None, mime: str | None, m: Mapping[str, Any]) -> bool:
    if medium or mime:
        return medium == "image" or (mime or "").startswith("image/")
    return bool(_IMAGE_EXT.search(m.get("url") or ""))


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
