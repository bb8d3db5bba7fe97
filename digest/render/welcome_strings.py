"""The fixed strings of the welcome message a subscriber gets after confirming (or
signing up on a list without double opt-in), per language (digest.subscribers.welcome;
the templates are `web/welcome-email.txt` and `.html`). "welcome.confirmed" thanks a
reader who confirmed, "welcome.signed_up" one who was asked to confirm nothing.

Keyed like :data:`digest.render.page_strings.PAGE_STRINGS` by the primary subtag of
`[newsletter] language`; other languages get English. A language's string uses no
field its English one lacks. The German is formal (Sie), as the edition's is. Data
only: :class:`digest.render.language.Strings` reads it.
"""

from __future__ import annotations

from digest.render import french

WELCOME_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "welcome.subject": "Welcome to {list}",
        "welcome.hello": "Hello,",
        "welcome.confirmed": "thank you for confirming: {email} now receives {list}.",
        "welcome.signed_up": "thank you for signing up: {email} now receives {list}.",
        "welcome.daily": "{list} comes every day at {times} ({zone} time).",
        "welcome.weekly": "{list} comes every {days} at {times} ({zone} time).",
        "welcome.irregular": "{list} comes on a schedule of its own ({zone} time).",
        "welcome.next": "The next edition is due {date} at {time}.",
        "welcome.latest": "The latest edition, in your browser:",
        "welcome.sender": (
            "Editions come from {sender}: add it to your contacts so that they reach your inbox."
        ),
        "welcome.preferences": "Choose sections, plain text, your time zone or a pause:",
        "welcome.unsubscribe": "Unsubscribe with one click, at any time:",
    },
    "da": {
        "welcome.subject": "Velkommen til {list}",
        "welcome.hello": "Hej,",
        "welcome.confirmed": "tak for din bekræftelse: {email} modtager nu {list}.",
        "welcome.signed_up": "tak for din tilmelding: {email} modtager nu {list}.",
        "welcome.daily": "{list} udkommer hver dag kl.\u00a0{times} (tidszone {zone}).",
        "welcome.weekly": "{list} udkommer hver {days} kl.\u00a0{times} (tidszone {zone}).",
        "welcome.irregular": "{list} udkommer efter sin egen plan (tidszone {zone}).",
        "welcome.next": "Næste udgave kommer {date} kl.\u00a0{time}.",
        "welcome.latest": "Den seneste udgave i din browser:",
        "welcome.sender": (
            "Udgaverne kommer fra {sender}: føj adressen til dine kontakter, så de havner "
            "i din indbakke."
        ),
        "welcome.preferences": "Vælg sektioner, ren tekst, din tidszone eller en pause:",
        "welcome.unsubscribe": "Afmeld med ét klik, når som helst:",
    },
    "de": {
        "welcome.subject": "Willkommen bei {list}",
        "welcome.hello": "Guten Tag,",
        "welcome.confirmed": "vielen Dank für Ihre Bestätigung: {email} erhält jetzt {list}.",
        "welcome.signed_up": "vielen Dank für Ihre Anmeldung: {email} erhält jetzt {list}.",
        "welcome.daily": "{list} erscheint täglich um {times}\u00a0Uhr (Zeitzone {zone}).",
        "welcome.weekly": "{list} erscheint jeden {days} um {times}\u00a0Uhr (Zeitzone {zone}).",
        "welcome.irregular": "{list} erscheint nach eigenem Plan (Zeitzone {zone}).",
        "welcome.next": "Die nächste Ausgabe erscheint am {date} um {time}\u00a0Uhr.",
        "welcome.latest": "Die neueste Ausgabe in Ihrem Browser:",
        "welcome.sender": (
            "Die Ausgaben kommen von {sender}: Nehmen Sie die Adresse in Ihre Kontakte auf, "
            "damit sie in Ihrem Posteingang landen."
        ),
        "welcome.preferences": "Rubriken, reinen Text, Ihre Zeitzone oder eine Pause wählen:",
        "welcome.unsubscribe": "Jederzeit mit einem Klick abmelden:",
    },
    "fr": french.WELCOME,
}
