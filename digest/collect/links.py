"""An item's link out of an aggregator's tracking redirect.

Google Alerts gives every item the link ``https://www.google.com/url?…&url=ARTICLE&…``:
a reader who follows it is counted by Google on the way, and the outlet the link names
is Google's. Where an item's link is such a redirect, with the address it leads to in a
query parameter, the article's own address is used instead. Only these known, open
redirects are read (a parameter that is not an absolute http(s) address leaves the link
as it was); the article's key is made from the link as the feed gave it, so a stored
article stays the same article.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from digest.collect.sanitize import absolute_url

_GOOGLE = re.compile(r"(?:www\.)?google(?:\.[a-z]{2,3}){1,2}")

#: (host pattern, path) -> the query parameter that holds the destination.
_REDIRECTS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (_GOOGLE, "/url", ("url", "q")),  # Google Alerts, Google News e-mail and search
    (re.compile(r"(?:www\.)?bing\.com"), "/news/apiclick.aspx", ("url",)),  # Bing News
    (re.compile(r"lm?\.facebook\.com"), "/l.php", ("u",)),  # Facebook's link shim
)


def unwrap_redirect(url: str | None) -> str | None:
    """The address a known tracking redirect leads to; any other link as it is."""
    if not url or "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    for pattern, path, names in _REDIRECTS:
        if parts.path == path and pattern.fullmatch(host):
            query = dict(parse_qsl(parts.query))
            for name in names:
                target = absolute_url(query.get(name), None)
                if target is not None:
                    return target
    return url
