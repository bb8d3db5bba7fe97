"""Immutable records passed between the stages.

What a source *said* (:class:`Article`, as collected) is kept apart from what we
*decided* (:class:`Story`, :class:`Edition`). Every datetime is timezone-aware UTC.
Records carry no behaviour beyond small derived properties; stages are functions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Literal

SubscriberStatus = Literal["pending", "active", "unsubscribed", "bounced", "complained"]
STATUSES: tuple[SubscriberStatus, ...] = (
    "pending",
    "active",
    "unsubscribed",
    "bounced",
    "complained",
)
#: Statuses that must never receive mail again, and that an import never reactivates.
SUPPRESSED: frozenset[str] = frozenset({"unsubscribed", "bounced", "complained"})

EMPTY: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Image:
    """An image that illustrates an article."""

    url: str  # absolute http(s) URL
    alt: str = ""  # alternative text; the article title when the source gave none
    width: int | None = None  # pixel width read from its bytes once hosted, else declared
    # The name digest serves its copy under ("<sha256 hex>.<ext>", digest.images), once
    # it was fetched and found a real picture; None: not hosted.
    hosted: str | None = None
    # Pixel height, read from its bytes once hosted (with `width`, the size a lead draws
    # it at in proportion); None: unknown.
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One article as a source published it, cleaned but not judged."""

    key: str  # stable identity: GUID, else canonical URL, else content hash
    source: str  # the configured source's name
    title: str  # plain text, entities decoded, whitespace folded
    url: str | None  # absolute link to the article, if the source gave one
    summary: str = ""  # plain-text standfirst / description
    text: str = ""  # plain-text body (may be empty for feeds that give only a summary)
    html: str = ""  # body HTML after the allow-list sanitiser; never raw source HTML
    published: datetime | None = None  # UTC; None when the source gave no date
    first_seen: datetime | None = None  # UTC; set by the store on first sight
    # Set by the store: first seen on its source's first successful collect, so it was
    # already there (a feed's backlog reaches back months or years); undated, its age
    # is unknown (first_seen only says it is at least that old).
    backlog: bool = False
    author: str | None = None
    categories: tuple[str, ...] = ()
    image: Image | None = None
    section: str | None = None  # from the source's configuration
    language: str | None = None  # BCP 47 tag when known
    outlet: str | None = None  # the publisher named by the item/page, when not the source
    # A link post's (a blog's item about another site's article, `url` the blog's own
    # post): the article it is about, an absolute http(s) address; else None.
    linked: str | None = None
    # An aggregator's item (Hacker News): its `url` is another site's article, and the
    # edition credits that site "via" the source (digest.collect.aggregators).
    aggregated: bool = False

    @property
    def credit(self) -> str:
        """Who the reader is told published it: the page's own outlet, else the source."""
        return self.outlet or self.source

    @property
    def when(self) -> datetime | None:
        """The time the article counts from: its date, else when we first saw it.

        For an undated `backlog` article first sight is only a lower bound on its age:
        the rank stage leaves those out (reason "undated") rather than count them new.
        """
        return self.published or self.first_seen

    @property
    def age_unknown(self) -> bool:
        """Undated and in its source's backlog: nobody can say how old it is."""
        return self.published is None and self.backlog


def copy_key(source_id: int, key: str) -> str:
    """The key a source's article is stored under when another source stored its key
    first. A GUID or a link is only what a feed says, and any feed can say another
    outlet's: so no source can keep another's article out by storing its key first, nor
    overwrite it by storing it after. No feed or folder gives a key of this form: theirs
    begin ``guid:``, ``url:``, ``sha1:`` or ``file:``."""
    return f"src{source_id}:{key}"


def claimed_key(key: str) -> str:
    """The key as its source gave it: `key` itself, or the one a :func:`copy_key` copies.
    An article sent under either key is not sent again under the other."""
    head, colon, rest = key.partition(":")
    if colon and head.startswith("src") and head[3:].isdigit():
        return rest
    return key


@dataclass(frozen=True, slots=True)
class SourceReport:
    """What one source gave in one collection run; an error is a value, not a raise."""

    name: str
    articles: tuple[Article, ...] = ()
    error: str | None = None  # a clear message naming the source; None on success
    not_modified: bool = False  # the server answered 304 (conditional GET)
    etag: str | None = None  # validators to send next time
    last_modified: str | None = None
    new: int = 0  # filled in by the store: articles never seen before
    updated: int = 0  # seen before, content changed
    unchanged: int = 0  # seen before, same content
    # What collect changed or dropped and the reader should know: items cut, flattened,
    # dropped, dated in the future, GUIDs shared (one line each, naming the item).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Also:
    """Another outlet that carried the same story."""

    source: str
    url: str | None
    title: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class Story:
    """A story chosen for an edition: one face article, possibly several outlets."""

    key: str  # the face article's key
    title: str
    url: str | None
    source: str
    summary: str  # trimmed to the role's word budget, ends a sentence
    score: float = 0.0
    why: Mapping[str, float] = field(default_factory=lambda: EMPTY)  # the score's parts
    also: tuple[Also, ...] = ()  # other outlets in the cluster (at most rank.MAX_ALSO)
    also_more: int = 0  # further reports in the cluster that `also` leaves out
    image: Image | None = None
    section: str | None = None
    published: datetime | None = None
    pinned: bool = False  # placed by an editor; ranks first
    language: str | None = None  # BCP 47 tag of the face article, when known
    # A development of a story the list sent before: only reports published well after
    # it ran (rank.updates); the edition labels it "Update".
    update: bool = False
    first_reported: datetime | None = None  # an update's: its first sent report's date
    linked: str | None = None  # a link post's other article (Article.linked)
    aggregated: bool = False  # an aggregator's item, credited to the site `url` opens

    @property
    def keys(self) -> tuple[str, ...]:
        """Every article key this story covers (face first)."""
        return (self.key, *(a.key for a in self.also if a.key))


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """A source's line in an edition: how many articles it had and its error."""

    name: str
    articles: int
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Edition:
    """One issue of a list's newsletter: lead stories, then teasers."""

    list: str
    at: datetime  # the "now" it was built for (UTC)
    leads: tuple[Story, ...]
    teasers: tuple[Story, ...]
    sources: tuple[SourceSummary, ...] = ()
    id: int | None = None  # set once stored
    status: str = "draft"  # draft, approved, sending, sent, skipped, cancelled
    # Stories beyond the general cut, ranked for subscribers who chose sections: they
    # fill those subscribers' places left by stories of other sections (best first).
    reserve: tuple[Story, ...] = ()
    # Random, set once stored (digest.store): its messages' Message-IDs carry it, so no
    # other installation, database or edition of the same id has them. None: an
    # edition not stored, or stored before the nonce existed (the old Message-ID).
    nonce: str | None = None
    # The scheduled slot it was built for (editions.slot): a UTC instant
    # ("2026-11-27T06:00:00Z") or, for local delivery, a wall time ("2026-11-27T07:00").
    # Its day is the edition's date; None: built by hand, dated by `at`.
    slot: str | None = None

    @property
    def stories(self) -> tuple[Story, ...]:
        """What every subscriber of all sections gets: leads, then teasers."""
        return self.leads + self.teasers

    @property
    def carried(self) -> tuple[Story, ...]:
        """Every story some subscriber may get (for the no-repeat record)."""
        return self.leads + self.teasers + self.reserve


def address_key(email: str) -> str:
    """The form an address is stored (and mailed) under: without surrounding white
    space, in NFC, the domain lower-cased, and the local part lower-cased when it is
    ASCII. A local part with any other character (EAI, RFC 6530) is kept as it is: see
    :func:`digest.subscribers.normalise_email` for why; it is matched by
    :func:`email_key`, which lower-cases it. An IDN domain is given as
    A-labels after an ASCII local part and as U-labels after any other, as
    normalise_email stores it, whichever form a report names it in (a DSN or a webhook
    may give `josé@xn--bcher-kva.de` or `ann@bücher.de`): one mailbox, one key."""
    email = email.strip()
    if not email.isascii():
        email = unicodedata.normalize("NFC", email)
    local, at, domain = email.rpartition("@")
    if not at:
        return email.lower()
    domain = domain.lower()
    if local.isascii():
        return f"{local.lower()}@{domain if domain.isascii() else _idn(domain, a_labels=True)}"
    if not domain.isascii() or "xn--" in domain:
        domain = _idn(domain, a_labels=False)
    return f"{local}@{domain}"


def email_key(email: str) -> str:
    """The form an address is matched under: one key per mailbox, unique per list.

    :func:`address_key`, its Unicode local part lower-cased as well (between two NFC
    normalisations): `José@x`, `JOSÉ@x` and `josé@x` are one subscriber, as `Ann@x`
    and `ann@x` always were. Lower-casing, not full case folding: folding also maps
    `ß` to `ss`, a final `ς` to `σ`, `ﬁ` to `fi`, so `straße@x` and `strasse@x`, two
    mailboxes a server may well keep apart, were one subscriber, and one of them
    leaving stopped mail to the other. (Two spellings of one mailbox kept apart cost a
    second copy; two mailboxes made one cost a reader.) Keys are never coarser than the
    folded ones revision 0009 stored: lower-casing then folding is folding. Mail still
    goes to the address as it is stored, the spelling the subscriber first gave (a
    lower-cased copy may name no mailbox at all). A local part that lower-cases to
    ASCII takes the domain as A-labels, as an ASCII one has it. An ASCII local part's
    key is its address_key, unchanged.
    """
    stored = address_key(email)
    local, at, domain = stored.rpartition("@")
    if not at or local.isascii():
        return stored
    lowered = unicodedata.normalize("NFC", local.lower())
    if lowered.isascii():
        return address_key(f"{lowered}@{domain}")  # the domain as an ASCII one's
    return f"{lowered}@{domain}"


def _idn(domain: str, *, a_labels: bool) -> str:
    """`domain` as A-labels or as U-labels (UTS 46, as email-validator maps it); as it
    is when it is no valid IDN (nothing stored can be under another form of it)."""
    import idna  # only for a domain that is not plain ASCII: not on every start

    try:
        ascii_form = idna.encode(domain, uts46=True).decode("ascii")
        return ascii_form if a_labels else idna.decode(ascii_form)
    except (idna.IDNAError, UnicodeError):
        return domain


#: The subscriber id of a test copy sent from the desk (and of `digest preview`'s
#: stand-in): no row has it (ids start at 1), so its signed links change no
#: subscription; the public pages say they came in a test copy.
TEST_COPY = 0


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A person's subscription to one list."""

    id: int
    email: str  # normalised address (address_key), as first typed; may hold UTF-8 (EAI)
    name: str
    list: str
    status: SubscriberStatus = "active"
    sections: tuple[str, ...] = ()  # empty: every section
    timezone: str | None = None
    format: Literal["html", "text"] = "html"


@dataclass(frozen=True, slots=True)
class Delivery:
    """The ledger's row for one edition x subscriber."""

    edition_id: int
    subscriber_id: int
    email: str
    status: str  # claimed, sent, bounced, failed, unsendable
    attempts: int = 0
    error: str | None = None
