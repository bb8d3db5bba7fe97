"""The double opt-in confirmation: a plain-text message with the signed link (format=flowed
as the edition's text part, by the same functions), and
handing it to the configured transport (DKIM-signed when a key is set).

The address and name are checked for line breaks before they reach a header; the
name a visitor typed is never put into the mail. Touches no subscriber row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

from digest.errors import DeliveryError, SubscriberError
from digest.records import Subscriber
from digest.subscribers.addresses import BREAKS

if TYPE_CHECKING:
    from digest.app import App


#: How long a confirmation link works. A link that lay unused in a stranger's mailbox
#: (someone else typed the address in) should not confirm months later, and consent
#: is recorded when it is given. The subscribe form sends a new one.
CONFIRM_FOR = timedelta(days=7)


def send_confirmation(app: App, subscriber: Subscriber, *, now: datetime) -> None:
    """Send the double opt-in message (signed when DKIM is set: digest.deliver.mail)."""
    from digest.deliver.mail import send_one

    data = confirmation_message(app, subscriber, now=now)
    name = f"confirm-{subscriber.id}-{int(now.timestamp())}"
    send_one(app.settings, app.transport(), subscriber.email, data, name=name, now=now)


def confirmation_message(app: App, subscriber: Subscriber, *, now: datetime) -> bytes:
    """The double opt-in message: flowed plain text with the signed `{base_url}/c/<token>` link,
    DKIM-signed like an edition when the newsletter has a key.

    Header values are checked for line breaks before they are set, so an address or
    name typed into a form cannot add headers or recipients. The name the visitor typed
    (anyone can type any address) is in neither the text nor the headers: until the
    address is confirmed, the To: header is the bare address, so nobody can make our
    mail carry their words to a stranger.
    """
    from digest.deliver.mail import signed
    from digest.headers import format_address
    from digest.message import text_part
    from digest.render import SOFT, Theme, flowed_part
    from digest.render.language import Strings
    from digest.render.page_strings import PAGE_STRINGS

    news = app.settings.newsletter
    lst = app.settings.list(subscriber.list)
    title = lst.title or news.name
    for what, value in (("address", subscriber.email), ("name", subscriber.name)):
        if any(c in value for c in BREAKS):
            raise SubscriberError(f"{subscriber.email!r}: the {what} contains a line break")
    t = Strings(news.language, PAGE_STRINGS)  # in the newsletter's language, as its pages
    text = Theme(app.settings.templates).render(
        "web/confirm-email.txt",
        t=t,
        newsletter=news,
        list_title=title,
        subscriber_name="",  # unverified text from a form: not put into the mail
        email=subscriber.email,
        confirm_url=app.links.confirm_url(subscriber.id, issued=now),
        days=CONFIRM_FOR.days,
        soft=SOFT,
    )
    sender = parseaddr(news.sender)
    domain = sender[1].rpartition("@")[2] or "localhost"
    msg = EmailMessage(policy=SMTP)
    try:
        msg["From"] = Address(sender[0], addr_spec=sender[1])
        to = subscriber.email  # an EAI one was checked by normalise_email (RFC 6532)
        to = format_address("", str(Address(addr_spec=to)) if to.isascii() else to)
    except (ValueError, IndexError, DeliveryError) as exc:
        raise SubscriberError(f"{subscriber.email!r}: cannot be put in a header ({exc})") from None
    msg["Subject"] = t("mail.subject", list=title)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<digest.confirm.{subscriber.id}.{int(now.timestamp())}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    if news.reply_to:
        msg["Reply-To"] = news.reply_to
    msg["MIME-Version"] = "1.0"
    # The To: header is added as bytes: the email package's folding of a long quoted
    # name can split it into several addresses. The body is the edition's flowed text
    # part (digest.message.text_part), its headers the message's own.
    head = msg.as_bytes().rstrip(b"\r\n") + b"\r\n"
    data = b"To: " + to.encode("utf-8") + b"\r\n" + head + text_part(flowed_part(text))
    return signed(app.settings, data, now=now)
