"""The publishers' own tracking, taken off the links readers are shown.

Feeds hand every subscriber the publisher's campaign tags: Macworld's links end in
``#tk.rss_all``, heise's carry ``?wt_mc=rss.red.ho.ho.atom.beitrag.beitrag``, others
``utm_source=rss&utm_medium=rss``, ``fbclid``, or Mailchimp's ``mc_eid``, which names
the one person the publisher mailed. A reader who follows the link from our newsletter
is counted as "from the RSS feed" (or as that person). :func:`without_trackers` takes
off the parameters and fragments this module names, and nothing else: every other
parameter (``?id=123``, ``?p=42``, ``?page=2``, YouTube's ``?v=``) and fragment
(``#section-2``) stays exactly as written, in its order and encoding.

It is applied where links are shown (the email's two parts, the web archive and its
feed), never to what was collected: an article's stored link is what the store, the
"already sent" check (a feed re-issued under new GUIDs is matched by its links) and
the desk match on, and a key made from a link is made from the link as the feed gave
it. Our own campaign parameters (``[newsletter] utm``) are added after.

Must not: read or write the store, or take off a parameter it does not name (a list to
which nothing is added by guessing: a name here is one a tracker documents).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_plus

#: Query parameter names that only track, each with whose it is. Matched without
#: regard to case.
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        "fbclid",  # Facebook click id
        "igshid",  # Instagram share id
        "gclid", "gclsrc", "dclid", "gbraid", "wbraid",  # Google Ads click ids
        "_ga", "_gl",  # Google Analytics cross-domain linker
        "msclkid",  # Microsoft Advertising click id
        "yclid",  # Yandex click id
        "twclid",  # X/Twitter click id
        "ttclid",  # TikTok click id
        "li_fat_id",  # LinkedIn member id
        "mc_cid", "mc_eid",  # Mailchimp: the campaign and the subscriber it was mailed to
        "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp",  # HubSpot
        "mkt_tok",  # Marketo: the subscriber
        "oly_enc_id", "oly_anon_id",  # Omeda
        "vero_id", "vero_conv",  # Vero
        "xtor",  # AT Internet (Xiti): "xtor=RSS-3"
        "ito",  # BBC's campaign tag: "ito=rss"
        "cmpid",  # campaign id (heise, CNN, Yahoo): "cmpid=rss"
        "ncid",  # Yahoo/HuffPost: "ncid=rss"
        "ftag",  # CBS Interactive (ZDNet, CNET): "ftag=RSSbaffb68"
    }
)  # fmt: skip

#: Name prefixes of open-ended families of tracking parameters.
TRACKING_PREFIXES: tuple[str, ...] = (
    "utm_",  # Google Analytics campaign: utm_source, utm_medium, utm_campaign, …
    "wt_",  # Webtrekk/Mapp: heise's wt_mc, wt_zmc, wt_cc1, …
    "at_",  # AT Internet/Piano Analytics campaign: at_medium, at_campaign, at_custom1, …
    "pk_",  # Matomo/Piwik campaign: pk_campaign, pk_kwd, pk_source, …
    "mtm_",  # Matomo campaign: mtm_campaign, mtm_source, …
    "hsa_",  # HubSpot ads: hsa_acc, hsa_cam, …
)

#: Names that track only with these values (``ref=rss``; GitHub's ``ref=main`` names a
#: branch): (name, values), matched without regard to case.
FEED_MARKERS: dict[str, frozenset[str]] = {
    "ref": frozenset({"rss", "feed", "rss_feed", "rssfeed", "atom", "feedburner"}),
}

#: Fragments that only track (a page has no such anchor).
TRACKING_FRAGMENTS: re.Pattern[str] = re.compile(
    r"tk\.[\w.\-]*"  # IDG (Macworld, PCWorld, TechHive): "#tk.rss_all"
    r"|ftag=[^&]*"  # CBS Interactive (ZDNet, CNET): "#ftag=RSSbaffb68"
    r"|xtor=[^&]*"  # AT Internet (Xiti): "#xtor=RSS-3"
    r"|utm_[^=&]*=[^&]*"  # Google Analytics campaign in the fragment
    r"|Echobox=[^&]*",  # Echobox social scheduling: "#Echobox=1596"
    re.IGNORECASE,
)


def is_tracking(name: str, value: str = "") -> bool:
    """Whether query parameter `name` (with `value`) is one this module takes off."""
    name = name.lower()
    if name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES):
        return True
    return value.lower() in FEED_MARKERS.get(name, ())


def _tracking_pair(pair: str) -> bool:
    name, _, value = pair.partition("=")
    return is_tracking(unquote_plus(name), unquote_plus(value))


def _tracking_fragment(part: str) -> bool:
    return TRACKING_FRAGMENTS.fullmatch(part) is not None


def _kept(text: str, tracks: Callable[[str], bool]) -> str:
    """`text`, "&"-separated parts, without the parts that `tracks`: as it is when none
    does, "" when nothing else is left."""
    parts = text.split("&")
    kept = [part for part in parts if not tracks(part)]
    if len(kept) == len(parts):
        return text
    return "&".join(kept) if any(kept) else ""


def without_trackers(url: str | None) -> str | None:
    """`url` without the tracking parameters and fragment this module names; anything
    else in it exactly as it was (`url` itself when nothing is taken off). Only http(s)
    links are read; None stays None."""
    if not url or not url[:8].lower().startswith(("http://", "https://")):
        return url
    head, hashmark, fragment = url.partition("#")
    base, mark, query = head.partition("?")
    query_kept = _kept(query, _tracking_pair) if mark else ""
    fragment_kept = _kept(fragment, _tracking_fragment) if hashmark else ""
    if query_kept == query and fragment_kept == fragment:
        return url
    return (
        base
        + (f"?{query_kept}" if query_kept else "")
        + (f"#{fragment_kept}" if fragment_kept else "")
    )
