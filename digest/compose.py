"""Compose: one subscriber's copy of an edition, from a rendered variant to its bytes.

The stage between render and deliver. :func:`variant_for` says which variant a
subscriber gets (their sections, html or plain text); :func:`prepare` encodes a
rendered variant once (headers, MIME, the DKIM template); :func:`message_for`
personalises it for one subscriber with their signed links (:class:`Links`);
:func:`envelope_sender` is their copy's MAIL FROM. :func:`preview` is all of it for
one subscriber, as `digest preview` and the desk show it. Each takes the parts it
needs (the App wires them) and the `now` it is told.
Must not: rank, send, touch the ledger, or read the clock (a test message's fresh
Message-ID nonce is its one random part).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from digest.config import Settings
from digest.errors import NotFound
from digest.headers import split_address
from digest.message import Prepared, personalise_links
from digest.message import prepare as encode
from digest.records import Edition, Subscriber
from digest.tokens import Tokens

if TYPE_CHECKING:  # the renderer is loaded where a variant is rendered
    from digest.dkim import DkimSigner
    from digest.render import Rendered, Renderer, Variant
    from digest.store import Store

__all__ = [
    "Links",
    "Preview",
    "envelope_sender",
    "message_for",
    "prepare",
    "preview",
    "variant_for",
]


@dataclass(frozen=True, slots=True)
class Links:
    """A subscriber's signed links: unsubscribe, preferences, and the double opt-in."""

    tokens: Tokens
    base_url: str
    _unsubscribe: bytes = field(init=False, repr=False, compare=False)
    _preferences: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        base = self.base_url.encode("utf-8", "surrogatepass")
        object.__setattr__(self, "_unsubscribe", base + b"/u/")
        object.__setattr__(self, "_preferences", base + b"/p/")

    def urls(self, subscriber_id: int) -> tuple[bytes, bytes]:
        """The unsubscribe and preferences links as bytes (what a message is made of)."""
        make = self.tokens.make_bytes
        return (
            self._unsubscribe + make("unsubscribe", subscriber_id),
            self._preferences + make("preferences", subscriber_id),
        )

    def unsubscribe_url(self, subscriber_id: int) -> str:
        return f"{self.base_url}/u/{self.tokens.make('unsubscribe', subscriber_id)}"

    def preferences_url(self, subscriber_id: int) -> str:
        return f"{self.base_url}/p/{self.tokens.make('preferences', subscriber_id)}"

    def confirm_url(self, subscriber_id: int, *, issued: datetime) -> str:
        """The double opt-in link, made at `issued` (digest.subscribers.subscribe sends
        it; it works for :data:`digest.subscribers.confirm.CONFIRM_FOR`)."""
        return f"{self.base_url}/c/{self.tokens.make_dated('confirm', subscriber_id, issued)}"


@dataclass(frozen=True, slots=True)
class Preview:
    """What `digest preview` writes: the message exactly as one subscriber gets it."""

    rendered: Rendered
    message: bytes


def variant_for(subscriber: Subscriber, configured: Sequence[str] = ()) -> tuple[Variant, bool]:
    """The variant a subscriber gets, and whether it is plain text only. Their sections
    are matched to the `configured` ones in any case (:func:`digest.sections.spelled`):
    a row stored as typed before imports checked gets the stories of its sections."""
    from digest.render import Variant
    from digest.sections import spelled

    chosen = spelled(subscriber.sections, configured)
    sections = frozenset(chosen) if chosen else None
    return Variant(sections), subscriber.format == "text"


def prepare(
    settings: Settings,
    rendered: Rendered,
    edition: Edition,
    text_only: bool,
    *,
    dkim: DkimSigner | None,
    now: datetime,
    test: bool = False,
) -> Prepared:
    """Encode one rendered variant of a stored edition once, for every subscriber of it
    (with the DKIM template when `dkim` is given).

    Its Message-IDs carry the edition's nonce (digest.message.message_id); a `test`
    message is a message of its own each time (an editor tests again after an edit and
    the receiver must not drop it as a copy of the first): it gets a fresh nonce.
    """
    assert edition.id is not None
    lst = settings.list(edition.list)
    news = settings.newsletter
    return encode(
        rendered,
        sender=news.sender,
        list_name=lst.name,
        list_title=lst.title or news.name,
        edition_id=edition.id,
        nonce=secrets.token_hex(8) if test else edition.nonce,
        date=now,
        text_only=text_only,
        reply_to=news.reply_to,
        test=test,
        dkim=dkim,
        one_click=news.base_url.startswith("https://"),  # RFC 8058: an HTTPS URI only
    )


def message_for(prepared: Prepared, edition_id: int, subscriber: Subscriber, links: Links) -> bytes:
    """One subscriber's copy: their address, name and signed links put in."""
    unsubscribe, preferences = links.urls(subscriber.id)
    return personalise_links(
        prepared,
        edition_id=edition_id,
        subscriber_id=subscriber.id,
        email=subscriber.email,
        name=subscriber.name,
        unsubscribe_url=unsubscribe,
        preferences_url=preferences,
    )


def envelope_sender(settings: Settings, edition_id: int, subscriber_id: int, key: str) -> str:
    """The envelope sender (MAIL FROM) of one subscriber's copy of an edition.

    With `[bounces] return_path` set, a signed VERP address that names the edition
    and the subscriber (signed with `key`, the newest: App.keys); otherwise the
    newsletter's own address.
    """
    base = settings.bounces.return_path
    if base is None:
        return split_address(settings.newsletter.sender)[1]
    from digest.bounces.verp import envelope_sender as verp

    return verp(base, edition_id, subscriber_id, key)


def preview(
    store: Store,
    renderer: Renderer,
    settings: Settings,
    links: Links,
    edition_id: int,
    *,
    dkim: DkimSigner | None,
    email: str | None,
    now: datetime,
) -> Preview:
    """The stored edition exactly as the subscriber `email` of its list gets it (a
    stand-in subscriber with every section, html, when `email` is None)."""
    edition = store.edition(edition_id)
    subscriber = None
    if email is not None:
        subscriber = store.subscriber(edition.list, email.strip())
        if subscriber is None:
            raise NotFound(f"{email}: not a subscriber of list {edition.list!r}")
    if subscriber is None:
        subscriber = Subscriber(0, "preview@example.invalid", "Preview", edition.list)
    variant, text_only = variant_for(subscriber, settings.sections)
    rendered = renderer.render(edition, variant)
    prepared = prepare(settings, rendered, edition, text_only, dkim=dkim, now=now)
    return Preview(rendered, message_for(prepared, edition_id, subscriber, links))
