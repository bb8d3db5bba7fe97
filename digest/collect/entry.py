"""What a feed entry *said*, before we decide anything about it; shared parser helpers.

Readers of a format (feedparser for XML, :mod:`digest.collect.jsonfeed`) fill
:class:`Entry` values with raw strings; :func:`digest.collect.feeds.build_articles`
turns them into :class:`~digest.records.Article` records. Nothing here sanitises,
fetches or reads the clock.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from digest.collect.boilerplate import without_elision
from digest.collect.bylines import NO_CREDITS, Credits
from digest.collect.foreigndates import english_rfc822
from digest.collect.hosts import absolute_url
from digest.collect.openings import story_paragraphs
from digest.collect.outlets import registrable_domain
from digest.errors import SourceError
from digest.records import Article, Image

#: Longest summary we keep (the ranker trims further, at sentence ends).
SUMMARY_CHARS = 1000
#: Longest title we keep: a longer one is cut at a word boundary and reported.
TITLE_CHARS = 300
#: Longest plain-text body we keep.
TEXT_CHARS = 200_000
#: A date further ahead of the collection time than this is suspect: the article keeps
#: it (the ranker will not take it before then), and the source's report counts it.
FUTURE_SLACK = timedelta(days=1)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
#: A complete character reference: named, decimal or hexadecimal, ";" included.
_REFERENCE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry as the feed gave it (links already absolute, HTML not yet sanitised)."""

    guid: str | None  # the entry's id/GUID, as given
    link: str | None  # absolute http(s) link to the article
    title: str  # raw: may hold markup and entities
    summary: str = ""  # HTML (plain text already escaped)
    content: str = ""  # HTML (plain text already escaped)
    published: datetime | None = None  # UTC
    updated: datetime | None = None  # UTC
    author: str | None = None
    categories: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()  # pictures the feed declared (media, enclosures)
    base: str | None = None  # URL that relative links in the HTML are resolved against
    language: str | None = None
    episode: str = ""  # a podcast episode's own one-line summary (iTunes subtitle), text
    # A link post's: the other site's article it is about, when `link` is the blog's
    # own post instead (:func:`link_post`); absolute http(s).
    elsewhere: str | None = None
    # The registrable domains of the feed's own site (its home page and self links):
    # what tells an aggregator's items from its own (digest.collect.aggregators).
    sites: frozenset[str] = frozenset()

    def credits(self, source: str, language: str | None) -> Credits:
        """The evidence that a line of this entry's text is a byline (its language, else
        the feed's `language`; its author; its `source` and link)."""
        return Credits(self.language or language, self.author, source, self.link)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one source document or folder gave: its articles and what was done to them."""

    articles: tuple[Article, ...]
    warnings: tuple[str, ...] = ()  # items dropped, cut or flagged, each naming the item


def source_error(source: str, url: str | None, problem: str) -> SourceError:
    """``"NAME: not a feed: PROBLEM (URL)"``, the message every parse failure carries."""
    where = f" ({url})" if url else ""
    return SourceError(f"{source}: not a feed: {problem}{where}")


def language_tag(value: object) -> str | None:
    """A BCP 47 tag (``en_US`` → ``en-US``), or None when `value` is not one."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-")
    if not _LANGUAGE.match(tag):
        return None
    first, *rest = tag.split("-")
    return "-".join([first.lower(), *(_subtag(part) for part in rest)])


def _subtag(part: str) -> str:
    if len(part) == 2 and part.isalpha():
        return part.upper()  # region: GB
    return part.title() if len(part) == 4 and part.isalpha() else part.lower()  # script: Hans


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines separate them), markup escaped."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return "".join(f"<p>{html.escape(b.strip())}</p>".replace("\n", "<br>") for b in blocks if b)


def plain_text_html(text: str) -> str:
    """A feed's plain-text field as HTML: references decoded once, then escaped once.

    Feeds often escape twice: an Atom ``<summary>`` without a type is text, yet after
    XML parsing it may still read ``v.1.0&nbsp;Уменьшено`` or ``Fish &amp; chips``, and
    escaping that as it is would show the reader "&nbsp;". See :func:`decode_references`.
    """
    return text_to_html(decode_references(text))


def decode_references(text: str) -> str:
    """`text` with the character references it holds (``&nbsp;`` ``&amp;`` ``&#8217;``)
    decoded, once.

    Only complete references, ";" included, are decoded: "AT&T", "R&D" or a URL's
    "?a=1&copy=2" are left as written (unlike :func:`html.unescape`, which also decodes
    "&copy" without its ";"). Nothing else changes: markup that the text shows ("<b>")
    stays text, since the caller escapes the result.
    """
    if "&" not in text:
        return text
    return _REFERENCE.sub(lambda match: html.unescape(match.group()), text)


def standfirst(text: str, credits: Credits = NO_CREDITS) -> str:
    """The first paragraph of `text` long enough to be a standfirst, else all of it.

    A paragraph that only introduces the next ("X, writing for Y on Z:", then the quoted
    passage) is read with it: on its own it tells the reader nothing. A byline that opens
    the text and sponsor lines are no standfirst, and not part of "all of it": see
    :func:`~digest.collect.openings.story_paragraphs` ("" for a text that is a byline;
    `credits` are the evidence that a first line is one). An excerpt mark ending the
    paragraph chosen ("…for its update. […]", the next paragraph the writer's own) is
    read as the end of the text's would be.
    """
    paragraphs = story_paragraphs(text, credits)
    for n, paragraph in enumerate(paragraphs):
        if len(paragraph) >= 40:
            following = paragraphs[n + 1].strip() if n + 1 < len(paragraphs) else ""
            if paragraph.rstrip().endswith((":", "：")) and following:  # (and full-width)
                paragraph = f"{paragraph} {following}"
            # Its end is the summary's: a quote's "[…]" there is a cut (without_elision).
            return shorten(without_elision(paragraph), SUMMARY_CHARS)
    return shorten(" ".join(paragraphs), SUMMARY_CHARS)


def first_paragraph(text: str) -> str:
    """The first paragraph of `text` long enough to be a standfirst, else all of it, as
    :func:`standfirst` read it before it joined lead-ins: article keys are made of it,
    and must not change for articles already stored."""
    paragraphs = text.split("\n\n")
    return shorten(next((p for p in paragraphs if len(p) >= 40), text), SUMMARY_CHARS)


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(None, 1)[0].rstrip(" ,;:-")
    return f"{cut}…"


def article_key(guid: str | None, url: str | None, title: str, summary: str) -> str:
    """GUID, else canonical URL, else a hash of the title and summary."""
    if guid:
        return f"guid:{guid}"
    if url:
        return f"url:{canonical_url(url)}"
    digest = hashlib.sha1(f"{title}\n{summary}".encode(), usedforsecurity=False)
    return f"sha1:{digest.hexdigest()}"


def canonical_url(url: str) -> str:
    """`url` without its fragment and ``utm_*`` parameters, scheme and host lower-cased."""
    parts = urlsplit(url.strip())
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if not k.lower().startswith("utm_")]
    return urlunsplit(
        (
            parts.scheme.lower(),
            parts.netloc.lower(),
            parts.path or "/",
            urlencode(kept) if len(kept) != len(query) else parts.query,
            "",
        )
    )


def different_posts(a: Article, b: Article) -> bool:
    """Whether two items with one GUID are different posts, not versions of one."""
    if a.url and b.url and canonical_url(a.url) != canonical_url(b.url):
        return True
    return a.title != b.title and a.text != b.text


def post_digest(article: Article) -> str:
    """A short stable digest of what makes a post itself: its link, else its content."""
    basis = canonical_url(article.url) if article.url else f"{article.title}\n{article.text}"
    return hashlib.sha1(basis.encode(), usedforsecurity=False).hexdigest()[:12]


def as_utc(when: datetime, zone: tzinfo = UTC) -> datetime | None:
    """`when` in UTC (naive means in `zone`); None when UTC has no such time: year 1 at
    +05:00 or 9999-12-31 at -05:00 is out of datetime's range once converted, and a feed
    or file saying so must not stop the collect (OverflowError)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    try:
        return when.astimezone(UTC)
    except OverflowError:
        return None


#: A year-first numeric date, as ISO 8601 and many feeds write it ("2026-11-26",
#: "2026/11/26 14:33", "2026.11.26T14:33:00.5 +08:00"): unambiguous, unlike "26/11/2026".
_YEAR_FIRST = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?:(?P<z>Z)|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2}))?",
    re.IGNORECASE,
)
#: An RFC 822 date, its weekday and zone optional ("Thu, 26 Nov 2026 14:33:00 +0100").
_RFC822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}\b")
#: The zones at the end of an RFC 822 date that both parsers read right: a numeric
#: offset without a colon, GMT/UT/UTC/Z and North America's (RFC 822 names them).
_READ_RIGHT = re.compile(
    r"(?:[+-]\d{4}|(?<![A-Za-z])(?:GMT|UTC?|Z|[ECMP][SD]T))\s*$", re.IGNORECASE
)
#: "+01:00" at the end of an RFC 822 date: feedparser-rs drops it, email.utils too.
_COLON_OFFSET = re.compile(r"([+-]\d{2}):(\d{2})\s*$")
#: Zone names feeds write that the parsers take for UTC, and their offsets (minutes):
#: Europe's, which have one meaning each. Any other name ("IST": India, Ireland or
#: Israel) is read as no zone named: the source's.
_NAMED_ZONES = {
    "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "MEZ": 60, "MESZ": 120,
    "EET": 120, "EEST": 180, "MSK": 180,
}  # fmt: skip
_ZONE_NAME = re.compile(r"\b([A-Za-z]{2,5})\s*$")


def feed_date(
    written: str | None, parsed: time.struct_time | None, zone: tzinfo = UTC
) -> datetime | None:
    """An entry's date in UTC: read here from what the feed `written` when it is year
    first (see ``_YEAR_FIRST``) or RFC 822 with a zone the parsers misread or none;
    else the feed parser's reading (`parsed`); None for an impossible date
    ("2026/13/45").

    The parsers get some of those shapes wrong: feedparser reads "2026/11/26 14:33" as
    1 December and an RFC 822 date without a zone as none; feedparser-rs drops the offset
    of "2026-11-26 14:33:00 +0800" and of "Thu, 26 Nov 2026 14:33:00 +01:00"; both take
    "CEST" for UTC; neither reads a weekday or month named in another language (see
    :mod:`digest.collect.foreigndates`). A date that names no zone, or one nobody can
    tell, is in `zone` (the source's time zone: a newsroom's feed writing its local time).
    """
    text = (written or "").strip()
    if match := _YEAR_FIRST.fullmatch(text):
        return _year_first(match, zone)
    # "Seg, 24 Set 2018 19:42:40 -0300": its weekday or month in another language. The
    # parsers read none ("Seg") or some, by their first three letters, at UTC whatever
    # the source's zone ("24 sept. 2018 10:00"): read here alike on both paths.
    if english := english_rfc822(text):
        return _rfc822_utc(english, zone)
    rfc822 = _RFC822.match(text)
    if parsed is not None and not (rfc822 and not _READ_RIGHT.search(text)):
        return struct_utc(parsed)
    return _rfc822_utc(text, zone) if rfc822 else None


def _rfc822_utc(text: str, zone: tzinfo) -> datetime | None:
    """An English RFC 822 date in UTC, its zone read as in :func:`feed_date`."""
    text = _COLON_OFFSET.sub(r"\1\2", text)
    name = _ZONE_NAME.search(text)
    minutes = _NAMED_ZONES.get(name[1].upper()) if name else None
    if name and minutes is not None:
        text = f"{text[: name.start()]}+{minutes // 60:02d}{minutes % 60:02d}"
    try:
        return as_utc(parsedate_to_datetime(text), zone)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _year_first(match: re.Match[str], zone: tzinfo) -> datetime | None:
    number = {k: int(v) for k, v in match.groupdict().items() if v and v.isdigit()}
    offset = UTC if match["z"] else zone
    if match["sign"]:
        minutes = number["oh"] * 60 + number["om"]
        offset = timezone(timedelta(minutes=-minutes if match["sign"] == "-" else minutes))
    try:
        when = datetime(
            number["y"], number["m"], number["d"], number.get("H", 0), number.get("M", 0),
            number.get("S", 0), tzinfo=offset,
        )  # fmt: skip
    except ValueError:
        return None  # "2026/13/45": no such day
    return as_utc(when)


def struct_utc(value: time.struct_time | None) -> datetime | None:
    """A parser's UTC struct_time as an aware datetime; None when absent or impossible."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def link_post(
    link: str | None, related: Iterable[str | None], homes: Iterable[str | None], base: str | None
) -> tuple[str | None, str | None]:
    """An entry's own post (:func:`own_post`) and, for a link post, the other site's
    article it is about (its `link` as the feed gave it); else (`link`, None)."""
    post = own_post(link, related, homes, base)
    return post, (link if post != link else None)


def own_post(
    link: str | None, related: Iterable[str | None], homes: Iterable[str | None], base: str | None
) -> str | None:
    """An entry's own post: its `link`, or, for a link post, the post on the feed's site.

    A link post (a blog's item about another site's article) names two pages: the blog's
    post, with the commentary the item carries, and the article it is about. The item is
    credited to the blog ("Read more at Daring Fireball"), so it links to the blog's post,
    which links on to the article: the credit names the site the link opens. Daring
    Fireball's Atom feed puts the article in ``rel="alternate"`` and its post in
    ``rel="related"``; its JSON Feed the article in ``external_url``, its post in ``url``.
    So when `link` is off the feed's site (`homes`: its home page and self links) and one
    of the `related` links (relative ones against `base`) is on it, that one is the post.
    The article is not lost: :func:`link_post` gives it too, and the edition shows it
    under the story ("Link: theverge.com").
    """
    sites = {d for d in map(registrable_domain, homes) if d}
    if not link or not sites or registrable_domain(link) in sites:
        return link
    on_site = (absolute_url(r, base) for r in related)
    return next((r for r in on_site if r and registrable_domain(r) in sites), link)


def related_links(links: Iterable[Any] | None) -> list[str | None]:
    """The ``rel="related"`` hrefs of an entry's `links` (either parser's)."""
    return [getattr(k, "href", None) for k in links or () if getattr(k, "rel", None) == "related"]
