"""Who published a page: the outlet a reader is told the article comes from.

Job: :func:`outlet_name` picks the publisher's name from a page's metadata, checked
against the host the page lives on. Publishers are careless with the fields: Reuters
puts a section in og:site_name ("U.S."), NJ.com and USA TODAY put their bare host label
there ("nj", "usatoday"). A subscriber reading "Read more at U.S." or "Also in: nj" is
misled or puzzled, so a declared name must fit the host (by name or by initials, as
"South China Morning Post" fits ``scmp.com``), and a bare lower-case label gives way to
the same name spelt properly elsewhere on the page. Must not: fetch, or choose the
headline (:mod:`digest.collect.headlines` does, using :func:`same_site`).
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from digest.collect.sanitize import clean_text

_WORD = re.compile(r"[^\W_]+")
#: Words of a name considered when matching a host by initials ("New York Post").
MAX_NAME_WORDS = 8


def outlet_name(tree: Any, meta: dict[str, str], url: str | None) -> str | None:
    """Who published the page; None when neither its metadata nor its URL says.

    Declared names (og:site_name, JSON-LD publisher, application-name) that fit the
    host come first, then the publisher's Twitter or Facebook handle and the host as the
    page itself spells it ("NJ.com"); a bare lower-case host label comes after those.
    When no name fits the host, the names are sections or slogans: the host's
    registrable domain is the credit. Without a URL the first declared name stands.
    """
    named = [meta.get("og:site_name"), *_json_ld_publishers(tree), meta.get("application-name")]
    declared = [clean for clean in (clean_text(n or "") for n in named) if clean]
    domain = registrable_domain(url)
    if domain is None:
        return declared[0] if declared else None
    label = domain.split(".")[0]
    handles = [_handle(meta.get(key)) for key in ("twitter:site", "article:publisher")]
    spelt = [h for h in handles if h and h.isalnum() and _fold(h) == label and h != h.lower()]
    ranked = [
        *(n for n in declared if fits_host(n, label)),
        *spelt,
        *_spelt_domain(tree, domain),
    ]
    proper = [n for n in ranked if not _bare(n, label, domain)]
    return (proper or ranked or [domain])[0]


@lru_cache(maxsize=8192)  # a feed's own addresses are asked about for each of its items
def registrable_domain(url: str | None) -> str | None:
    """The host's name under its public suffix (``www.thesun.co.uk`` → ``thesun.co.uk``).

    Under a country's two-letter domain, a generic second level ("co.uk", "com.ar",
    "net.au", "go.jp") counts as part of the public suffix; a good guess without
    shipping the suffix list (``money.cnn.com`` is ``cnn.com``: "cnn" is a name).
    An IP address or a one-label host ("localhost") has no such name: None.
    """
    host = urlsplit(url).hostname if url else None
    if not host or "." not in host or _is_address(host):
        return None
    labels = host.removeprefix("www.").split(".")
    if len(labels) > 2 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


#: Generic second-level labels that countries' registries sell names under.
_SECOND_LEVELS = frozenset(
    {"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "gouv"}
    | {"nic", "mil", "ltd", "plc", "sch", "nom", "info", "biz", "web", "int", "res"}
)


def _is_address(host: str) -> bool:
    if not host[-1:].isdigit() and ":" not in host:
        return False  # an IPv4 address ends in a digit, an IPv6 one has colons
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def same_site(part: str, site: str) -> bool:
    """Whether `part` and `site` name the same site, ignoring case, accents, spacing."""
    a, b = _fold(part), _fold(site)
    return bool(a) and bool(b) and (a == b or a in b or b in a)


def fits_host(name: str, label: str) -> bool:
    """Whether `name` is the site at host `label`: by name, or by its words' initials."""
    return same_site(name, label) or _abbreviates(label, tuple(_words(name)[:MAX_NAME_WORDS]))


def json_ld(tree: Any) -> Iterator[Any]:
    """Each JSON-LD block of the page, parsed (blocks that are not JSON are skipped)."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            yield json.loads(script.text or "")
        except ValueError:
            continue


def _json_ld_publishers(tree: Any) -> Iterator[str]:
    for data in json_ld(tree):
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                publisher = item.get("publisher")
                for one in publisher if isinstance(publisher, list) else [publisher]:
                    if isinstance(one, dict) and isinstance(one.get("name"), str):
                        yield one["name"]
                    elif isinstance(one, str) and not one.startswith(("http:", "https:")):
                        yield one
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)


def _handle(value: str | None) -> str | None:
    """``@Reuters`` or ``https://www.facebook.com/Reuters`` → ``Reuters``."""
    if not value:
        return None
    if value.startswith("@"):
        return value[1:] or None
    if value.startswith(("http:", "https:")):
        return urlsplit(value).path.strip("/").split("/")[-1] or None
    return None


def _spelt_domain(tree: Any, domain: str) -> list[str]:
    """The page's own spelling of its domain when it capitalises it ("NJ.com")."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(domain)}(?![\w])", re.IGNORECASE)
    text = tree.text_content() if tree is not None else ""
    return [m.group(0) for m in pattern.finditer(text) if m.group(0) != m.group(0).lower()][:1]


def _bare(name: str, label: str, domain: str) -> bool:
    """A lower-case host label or domain ("nj", "nj.com"): a name nobody reads aloud."""
    return name == name.lower() and name in (label, domain)


def _words(name: str) -> list[str]:
    return _WORD.findall(_strip_accents(name.casefold()))


def _fold(text: str) -> str:
    return "".join(_words(text))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _abbreviates(label: str, words: tuple[str, ...]) -> bool:
    """Whether `label` is made of the starts of `words`, in order ("la" + "times")."""
    if not label:
        return True
    if not words:
        return False
    first, rest = words[0], words[1:]
    taken = (k for k in range(min(len(first), len(label)), 0, -1))
    if any(label[:k] == first[:k] and _abbreviates(label[k:], rest) for k in taken):
        return True
    return bool(rest) and _abbreviates(label, rest)  # a word left out ("The")
