"""Which text on a page is the article's headline, without the site's name.

Job: :func:`headline` chooses among a page's ``<h1>`` elements and its declared titles
(og:title, twitter:title, ``<title>``) the article's own headline; :func:`strip_site_suffix`
takes the site's name off a declared title ("Headline | Site"). Many pages also use
``<h1>`` for the masthead, and the masthead's name is always part of the ``<title>``:
so an ``<h1>`` is chosen by how much of the title *without the site's name* it covers,
never merely for being found in the title, and an ``<h1>`` that is the site's name is
never the headline. A feed item's title that ends with its outlet's own name ("Headline -
Quayside Gazette") loses it (:func:`strip_own_name`, exact names only); one that is only a
web address is none (:func:`is_address`). Must not: fetch, or decide the outlet
(:mod:`digest.collect.outlets`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import lxml.html

from digest.collect.outlets import registrable_domain, same_site
from digest.collect.sanitize import clean_text
from digest.exclusives import unlabelled_title
from digest.lookalikes import fold

#: The last " | " (or " - ", " – ", " : " …) of a title: no separator character follows.
_LAST_SEPARATOR = re.compile(r"\s+(?:[-|–—:·•»]|::)\s+(?=[^-|–—:·•»]+$)")
#: The first separator of a title, after a part without separator characters.
_FIRST_SEPARATOR = re.compile(r"^([^-|–—:·•»]+?)\s+(?:[-|–—:·•»]|::)\s+(?=\S)")
_HIDDEN = re.compile(
    r"kicker|dachzeile|spitzmarke|topline|roofline|supertitle|visually-hidden|sr-only"
    r"|screen-reader|eyebrow|overline",
    re.I,
)
#: "Kicker:Headline" with no space after the colon (a kicker glued to the headline);
#: the kicker ends in three letters and the headline starts with a capital.
_GLUED_KICKER = re.compile(r"^([^:\s](?:[^:]{0,58})[^\W\d_]{3}):(?=[^\W\d_])")
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")
#: Longest kicker (in letters) dropped from an <h1> that ends with the declared title.
KICKER_CHARS = 60
#: Share of an <h1>'s words that a declared title must hold for the <h1> to be its.
AGREEMENT = 0.6
#: Paragraphs of the text searched for the headline standing alone.
SHOWN_PARAGRAPHS = 40


def headline(
    tree: Any,
    meta: dict[str, str],
    extracted: str | None,
    sites: Sequence[str],
    text: str = "",
) -> str:
    """The page's headline: the ``<h1>`` that agrees with its metadata, else og:title, …

    A kicker glued in front of the headline gives way to the declared title that the
    ``<h1>`` ends with; a glued "Kicker:Headline" is separated ("Kicker: Headline").
    `text` is the extracted main text: a title part it shows as a paragraph of its own
    is the headline, so the rest of the title is the site's name even when nothing
    else names the site.
    """
    return _unglue(_headline(tree, meta, extracted, sites, text))


def strip_site_suffix(title: str, sites: Sequence[str]) -> str:
    """``"Headline | Site"`` or ``"Site - Headline"`` → ``"Headline"``.

    Only a part that names one of `sites` goes, with its separator; any other title
    comes back unchanged, separators and all ("Brexit – what happens next").
    """
    for _ in range(3):  # "Headline | Section | Site" at most loses the site
        cut = _without_site(title, sites)
        if cut == title:
            break
        title = cut
    return title


def strip_own_name(title: str, names: Sequence[str] | Callable[[], Sequence[str]]) -> str:
    """A feed item's ``"Headline - Outlet"`` or ``"Outlet | Headline"`` → ``"Headline"``.

    Stricter than :func:`strip_site_suffix`, which pages need (their titles name the
    site in many spellings): only a part that *is* one of `names` goes (case, spacing
    and punctuation aside), so "Oil price falls - Gazette" keeps its last word for an
    outlet called "Quayside Gazette", and "Harbour deal - Apple" for one called "AP".
    The email credits the outlet beside the headline: named in it too, it reads twice.
    `names` may be a function that gives them, called only for a title with a separator
    (a link's domain costs more to find than most titles take to read). A label before
    the outlet's name goes with it ("Exclusif PC INpact : Quatro…" is "Quatro…": see
    :func:`digest.exclusives.unlabelled_title`).
    """
    title = unlabelled_title(title, names)
    if not (_LAST_SEPARATOR.search(title) or _FIRST_SEPARATOR.match(title)):
        return title
    wanted = {_fold(name) for name in (names() if callable(names) else names)} - {""}
    for _ in range(3):  # "Headline | Section | Outlet" at most loses the outlet
        last = _LAST_SEPARATOR.search(title)
        first = _FIRST_SEPARATOR.match(title)
        if last and _fold(title[last.end() :]) in wanted:
            title = title[: last.start()]
        elif first and ":" not in first.group() and _fold(first.group(1)) in wanted:
            title = title[first.end() :]  # ("Outlet: X" is a story about the outlet)
        else:
            break
    return title


#: A title that is a web address and nothing else: a scheme, "www." or a host with a path.
_ADDRESS = re.compile(r"(?i)(?:[a-z][a-z\d+.-]*://|www\.)\S+|[^\W_][\w-]*(?:\.[\w-]+)+/\S*")


def is_address(title: str) -> bool:
    """Whether a feed item's `title` is only a web address, not a headline.

    The email links a headline to its story: an address as the link's text reads as
    where the link goes, and another site's ("https://www.danskebank.dk/login" over a
    link to the feed's own page) is the pattern mail clients and filters take for
    phishing. A title that merely names a site ("Booking.com fined") is a headline.
    Read as it looks: fullwidth letters, dot leaders and Cyrillic or Greek letters as what
    they pass for ("httрs://" with a Cyrillic р, :mod:`digest.lookalikes`), invisible
    format characters (a soft hyphen) left out."""
    if not title.isascii():
        title = fold("".join(ch for ch in title if unicodedata.category(ch) != "Cf"))
    return _ADDRESS.fullmatch(title.strip()) is not None


def site_names(site: str | None, url: str | None) -> list[str]:
    """The site's name and its host's main label (``www.nj.com`` → ``nj``)."""
    names = [site] if site else []
    domain = registrable_domain(url)
    if domain:
        names.append(domain.split(".")[0])
    return names


def titled_site(tree: Any, source: str, headline: str) -> str | None:
    """The site's name a page's ``<title>`` gives after its `headline` ("Headline -
    Entermedia"), when the page names it elsewhere too (`source` holds it twice): one to
    three words, no web address. None when the title is not the headline and a name."""
    title = next((clean_text(e.text_content()) for e in tree.iter("title")), "")
    last = _LAST_SEPARATOR.search(title)
    if not headline or last is None or _fold(title[: last.start()]) != _fold(headline):
        return None
    name = title[last.end() :].strip()
    if not 0 < len(name.split()) <= SITE_WORDS or is_address(name) or not name[0].isupper():
        return None
    return name if source.casefold().count(name.casefold()) >= 2 else None


#: A title's last part that only tells search engines what the page is: "новости, фото
#: 2018", "latest news and video". Every word is one of these or a year.
_LISTING_WORDS = frozenset(
    {
        *("news", "latest", "breaking", "photo", "photos", "pictures", "video", "videos"),
        *("live", "updates", "today", "and"),
        *("новости", "фото", "видео", "сегодня", "последние", "и"),
    }
)
_YEAR = re.compile(r"(?:19|20)\d\d")
#: A title's last colon ("Headline: новости, фото 2018"), for a listing tail only.
_COLON_TAIL = re.compile(r"\s*:\s+(?=[^:]+$)")
#: The most words a site's name has, read from a title (titled_site).
SITE_WORDS = 3


def _listing_tail(part: str) -> bool:
    """Whether a title's last `part` is a search-engine tail (two or more of the words of
    :data:`_LISTING_WORDS` or years, one of them a listing word)."""
    words = _NOT_WORD.split(part.casefold().strip())
    words = [w for w in words if w]
    listing = [w for w in words if w in _LISTING_WORDS and w not in {"and", "и"}]
    known = all(w in _LISTING_WORDS or _YEAR.fullmatch(w) for w in words)
    return len(words) >= 2 and bool(listing) and known


def _without_site(title: str, sites: Sequence[str]) -> str:
    last = _LAST_SEPARATOR.search(title)
    if last and any(same_site(title[last.end() :], site) for site in sites):
        return title[: last.start()]
    tail = _COLON_TAIL.search(title) or last
    if tail and _listing_tail(title[tail.end() :]):
        return title[: tail.start()]
    first = _FIRST_SEPARATOR.match(title)
    if first and any(same_site(first.group(1), site) for site in sites):
        return title[first.end() :]
    return title


def _headline(
    tree: Any, meta: dict[str, str], extracted: str | None, sites: Sequence[str], text: str
) -> str:
    titles = [e.text_content() for e in tree.iter("title")][:1]
    declared = [meta.get("og:title"), meta.get("twitter:title"), *titles]
    refs = [clean_text(r) for r in declared if r and clean_text(r)]
    h1s = [h for h in (_h1_text(e) for e in tree.iter("h1")) if 0 < len(h) <= 300]
    # A masthead <h1> is the short last part of the <title>: it names the site.
    sites = [*sites, *(h for h in h1s if any(_names_site(h, r) for r in refs))]
    h1s = [h for h in h1s if not any(_fold(h) == _fold(s) for s in sites)]
    plain = [strip_site_suffix(r, sites) for r in refs]
    # An <h1> is the headline when the page's declared titles agree with it; of those
    # that agree, the one covering most of the title without the site's name wins.
    agreeing = [
        (max((_overlap(r, h) for r in plain), default=0.0), h)
        for h in h1s
        if max((_overlap(h, r) for r in refs), default=0.0) >= AGREEMENT
    ]
    best = max(agreeing, key=lambda pair: pair[0], default=None)
    chosen = best[1] if best else (h1s[0] if len(h1s) == 1 and not refs else None)
    if chosen:
        for ref in plain:
            if _ends_with(chosen, ref):
                return ref  # the <h1> carries a kicker the declared title does not
        return chosen
    fallback = [*refs, clean_text(extracted or "")]
    return next((_shown_part(t, sites, text) for t in fallback if t), "")


def _names_site(h1: str, title: str) -> bool:
    """Whether `h1` is the last part of `title` and shorter than the rest (a site name)."""
    last = _LAST_SEPARATOR.search(title)
    if last is None or _fold(title[last.end() :]) != _fold(h1):
        return False
    return len(_WORD.findall(h1)) < len(_WORD.findall(title[: last.start()]))


def _shown_part(title: str, sites: Sequence[str], text: str) -> str:
    """`title` without its site's name, found from `sites` or from `text` (see headline)."""
    plain = strip_site_suffix(title, sites)
    last = _LAST_SEPARATOR.search(plain)
    if plain != title or last is None or not text:
        return plain
    head = _fold(plain[: last.start()])
    shown = (_fold(p) for p in text.split("\n\n")[:SHOWN_PARAGRAPHS])
    return plain[: last.start()] if head and head in shown else plain


def _unglue(title: str) -> str:
    return _GLUED_KICKER.sub(r"\1: ", title) if _glued(title) else title


def _glued(title: str) -> bool:
    match = _GLUED_KICKER.match(title)
    if match is None:
        return False
    return title[match.end()].isupper() and "//" not in title[: match.end() + 2]


def _ends_with(h1: str, declared: str) -> bool:
    """Whether `h1` is `declared` with a short kicker glued in front of it."""
    a, b = (_NOT_WORD.sub("", s.casefold()) for s in (h1, declared))
    return bool(b) and a != b and a.endswith(b) and len(a) - len(b) <= KICKER_CHARS


def _h1_text(element: Any) -> str:
    element = lxml.html.fromstring(lxml.html.tostring(element))  # a copy we may prune
    for hidden in element.xpath(".//*[@class]"):
        if _HIDDEN.search(hidden.get("class", "")) and hidden.getparent() is not None:
            hidden.drop_tree()
    return clean_text(element.text_content())


def _overlap(candidate: str, reference: str) -> float:
    """Share of `candidate`'s words found in `reference` (1.0 when it is a substring)."""
    a, b = candidate.casefold(), reference.casefold()
    if a in b:
        return 1.0
    words = set(_WORD.findall(a))
    return len(words & set(_WORD.findall(b))) / len(words) if words else 0.0


def _fold(text: str) -> str:
    return "".join(_WORD.findall(text.casefold()))
