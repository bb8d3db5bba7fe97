"""The fixed strings of what a subscriber meets outside an edition, per language: the
public web pages (subscribe, confirm, preferences, unsubscribe, the archive) and the
double opt-in confirmation mail; with :data:`digest.render.refusal_strings.REFUSAL_STRINGS`
(stale links and forms, the error pages), merged in here.

Keyed like :data:`digest.render.language.STRINGS` (the edition's strings) by the primary
subtag of `[newsletter] language`; other languages get English. A language's string
uses no field its English one lacks (`{email}`, `{list}`, ...). The German is formal
(Sie), as the edition's is. Data only: :class:`digest.render.language.Strings` reads it.
"""

from __future__ import annotations

from digest.render import french
from digest.render.refusal_strings import REFUSAL_STRINGS

PAGE_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        # The subscribe form.
        "subscribe.title": "Subscribe",
        "subscribe.button": "Subscribe",
        "subscribe.list": "Newsletter",
        "subscribe.email": "Email address",
        "subscribe.name": "Name (optional)",
        "subscribe.check_inbox": "Check your inbox",
        "subscribe.confirm_sent": (
            "If {email} can subscribe to {list}, a message with a confirmation link is on "
            "its way. Nothing is sent until you confirm."
        ),
        "subscribe.thanks": "Thank you",
        "subscribe.subscribed": (
            "Unless {email} unsubscribed before, it will receive {list} from the next edition."
        ),
        "subscribe.email_invalid": "{reason}",
        "subscribe.too_many": "Too many subscription requests. Try again in an hour.",
        "subscribe.busy": "We cannot take subscriptions just now. Try again later.",
        # The confirmation page.
        "confirm.title": "Confirm",
        "confirm.heading": "Confirm your subscription",
        "confirm.question": "Confirm that {email} should receive {list}.",
        "confirm.button": "Confirm subscription",
        "confirm.not_asked": "Did not ask for this? Ignore this page and you will get nothing.",
        "confirm.done": "Subscription confirmed",
        "confirm.already": "Already confirmed",
        "confirm.will_receive": "{email} will receive {list} from the next edition.",
        "confirm.choose": "Choose sections and format",
        "confirm.expired": "This link has expired",
        "confirm.expired_text": (
            "Confirmation links work for {days} days, and this one is older. "
            "{email} is not subscribed to {list}."
        ),
        "confirm.subscribe_again": "Subscribe again",
        "confirm.new_link": " to get a new link.",
        "confirm.left_heading": "Not subscribed",
        "confirm.left": "{email} has left {list}; this link no longer subscribes it.",
        # The preferences page.
        "prefs.title": "Preferences",
        "prefs.heading": "Your preferences",
        "prefs.intro": "For {email} on {list}. Changes apply to the next edition.",
        "prefs.saved": "Saved.",
        "prefs.rejoined": "You are subscribed again. {list} will come from the next edition.",
        "prefs.cannot_rejoin": "This address cannot be subscribed again from here.",
        "prefs.unsubscribed": "This address is unsubscribed: nothing will be sent to it.",
        "prefs.rejoin": "Subscribe again",
        "prefs.sections": "Sections",
        "prefs.format": "Format",
        "prefs.text_only": "Plain text only",
        "prefs.timezone": "Time zone",
        "prefs.timezone_hint": "Dates in your edition are shown in this time zone.",
        "prefs.timezone_default": "The list's ({zone})",
        "prefs.delivery": "Delivery",
        "prefs.every": "Send me every edition",
        "prefs.pause": "Pause: send nothing until I resume",
        "prefs.save": "Save preferences",
        "prefs.unsubscribe": "Unsubscribe from {list}",
        "prefs.no_section": "Choose at least one section, or unsubscribe below.",
        "prefs.bad_timezone": "Choose a time zone from the list.",
        # Unsubscribing.
        "unsubscribe.title": "Unsubscribe",
        "unsubscribe.heading": "Unsubscribe from {list}?",
        "unsubscribe.will": "{email} will receive no more editions of {list}.",
        "unsubscribe.already": (
            "{email} is already unsubscribed: no more editions of {list} will be sent to it."
        ),
        "unsubscribe.button": "Unsubscribe",
        "unsubscribe.one_click": "The request must carry List-Unsubscribe=One-Click.",
        "unsubscribed.title": "Unsubscribed",
        "unsubscribed.heading": "You are unsubscribed",
        "unsubscribed.text": (
            "{email} will receive no more editions of {list}. This takes effect at once."
        ),
        "unsubscribed.mistake": "Unsubscribed by mistake?",
        "unsubscribed.rejoin": "Subscribe again",
        "unsubscribed.gone": (
            "This subscription no longer exists: nothing more will be sent to this address."
        ),
        # The archive.
        "archive.title": "Archive",
        "archive.heading": "Past editions",
        "archive.intro": "Every edition of {name} that went out, newest first.",
        "archive.feed": "Atom feed",
        "archive.subscribe": "Subscribe",
        "archive.empty": "No edition has gone out yet.",
        "archive.also_in": "Also in:",
        "archive.whole_edition": "The whole edition",
        "archive.feed_subtitle": "Past editions of {name}",
        "archive.no_edition": "There is no such edition in the archive.",
        "archive.no_story": "There is no such story in this edition.",
        # A link of a list since removed from the configuration.
        "list.gone_heading": "No longer sent",
        "list.gone": "{list} is no longer sent: nothing more of it will come to {email}.",
        # The confirmation mail.
        "mail.subject": "Confirm your subscription to {list}",
        "mail.hello": "Hello",
        "mail.asked": "someone (we hope you) asked to subscribe {email} to {list}.",
        "mail.how": "To confirm, open this link and press the button:",
        "mail.expiry": (
            "The link works for {days} days. If you did not ask for this, ignore this "
            "message: nothing more will be sent."
        ),
    },
    "da": {
        "subscribe.title": "Tilmeld dig",
        "subscribe.button": "Tilmeld",
        "subscribe.list": "Nyhedsbrev",
        "subscribe.email": "E-mailadresse",
        "subscribe.name": "Navn (valgfrit)",
        "subscribe.check_inbox": "Tjek din indbakke",
        "subscribe.confirm_sent": (
            "Hvis {email} kan tilmeldes {list}, er en mail med et bekræftelseslink på vej. "
            "Der sendes intet, før du bekræfter."
        ),
        "subscribe.thanks": "Tak",
        "subscribe.subscribed": (
            "Medmindre {email} har afmeldt sig før, modtager adressen {list} fra næste udgave."
        ),
        "subscribe.email_invalid": ("Det er ikke en gyldig e-mailadresse. Tjek den, og prøv igen."),
        "subscribe.too_many": "For mange tilmeldinger. Prøv igen om en time.",
        "subscribe.busy": "Vi kan ikke tage imod tilmeldinger lige nu. Prøv igen senere.",
        "confirm.title": "Bekræft",
        "confirm.heading": "Bekræft din tilmelding",
        "confirm.question": "Bekræft, at {email} skal modtage {list}.",
        "confirm.button": "Bekræft tilmelding",
        "confirm.not_asked": (
            "Har du ikke bedt om det? Så se bort fra denne side. Du får ikke noget tilsendt."
        ),
        "confirm.done": "Tilmeldingen er bekræftet",
        "confirm.already": "Allerede bekræftet",
        "confirm.will_receive": "{email} modtager {list} fra næste udgave.",
        "confirm.choose": "Vælg sektioner og format",
        "confirm.expired": "Linket er udløbet",
        "confirm.expired_text": (
            "Bekræftelseslinks virker i {days} dage, og dette er ældre. "
            "{email} er ikke tilmeldt {list}."
        ),
        "confirm.subscribe_again": "Tilmeld dig igen",
        "confirm.new_link": " for at få et nyt link.",
        "confirm.left_heading": "Ikke tilmeldt",
        "confirm.left": (
            "{email} har afmeldt sig {list}, og dette link tilmelder ikke adressen igen."
        ),
        "prefs.title": "Indstillinger",
        "prefs.heading": "Dine indstillinger",
        "prefs.intro": "For {email} på {list}. Ændringer gælder fra næste udgave.",
        "prefs.saved": "Gemt.",
        "prefs.rejoined": "Du er tilmeldt igen. {list} kommer fra næste udgave.",
        "prefs.cannot_rejoin": "Denne adresse kan ikke tilmeldes igen herfra.",
        "prefs.unsubscribed": "Denne adresse er afmeldt: der sendes intet til den.",
        "prefs.rejoin": "Tilmeld igen",
        "prefs.sections": "Sektioner",
        "prefs.format": "Format",
        "prefs.text_only": "Kun ren tekst",
        "prefs.timezone": "Tidszone",
        "prefs.timezone_hint": "Datoer i din udgave vises i denne tidszone.",
        "prefs.timezone_default": "Listens tidszone ({zone})",
        "prefs.delivery": "Levering",
        "prefs.every": "Send mig hver udgave",
        "prefs.pause": "Pause: send intet, før jeg genoptager leveringen",
        "prefs.save": "Gem indstillinger",
        "prefs.unsubscribe": "Afmeld {list}",
        "prefs.no_section": "Vælg mindst én sektion, eller afmeld dig nedenfor.",
        "prefs.bad_timezone": "Vælg en tidszone fra listen.",
        "unsubscribe.title": "Afmeld",
        "unsubscribe.heading": "Afmeld {list}?",
        "unsubscribe.will": "{email} modtager ikke flere udgaver af {list}.",
        "unsubscribe.already": (
            "{email} er allerede afmeldt: der sendes ikke flere udgaver af {list} til adressen."
        ),
        "unsubscribe.button": "Afmeld",
        "unsubscribe.one_click": "Forespørgslen skal indeholde List-Unsubscribe=One-Click.",
        "unsubscribed.title": "Afmeldt",
        "unsubscribed.heading": "Du er afmeldt",
        "unsubscribed.text": (
            "{email} modtager ikke flere udgaver af {list}. Det gælder med det samme."
        ),
        "unsubscribed.mistake": "Afmeldt ved en fejl?",
        "unsubscribed.rejoin": "Tilmeld dig igen",
        "unsubscribed.gone": (
            "Denne tilmelding findes ikke længere: der sendes ikke mere til adressen."
        ),
        "archive.title": "Arkiv",
        "archive.heading": "Tidligere udgaver",
        "archive.intro": "Alle udgaver af {name}, der er sendt ud, nyeste først.",
        "archive.feed": "Atom-feed",
        "archive.subscribe": "Tilmeld dig",
        "archive.empty": "Der er endnu ikke sendt nogen udgave ud.",
        "archive.also_in": "Også hos:",
        "archive.whole_edition": "Hele udgaven",
        "archive.feed_subtitle": "Tidligere udgaver af {name}",
        "archive.no_edition": "Den udgave findes ikke i arkivet.",
        "archive.no_story": "Den historie findes ikke i denne udgave.",
        "list.gone_heading": "Sendes ikke længere",
        "list.gone": "{list} sendes ikke længere ud: {email} får ikke mere herfra.",
        "mail.subject": "Bekræft din tilmelding til {list}",
        "mail.hello": "Hej",
        "mail.asked": "nogen (forhåbentlig dig) har bedt om at tilmelde {email} til {list}.",
        "mail.how": "Åbn dette link, og tryk på knappen for at bekræfte:",
        "mail.expiry": (
            "Linket virker i {days} dage. Har du ikke bedt om det, så se bort fra denne "
            "mail: der bliver ikke sendt mere."
        ),
    },
    "de": {
        "subscribe.title": "Anmelden",
        "subscribe.button": "Anmelden",
        "subscribe.list": "Newsletter",
        "subscribe.email": "E-Mail-Adresse",
        "subscribe.name": "Name (optional)",
        "subscribe.check_inbox": "Bitte sehen Sie in Ihrem Postfach nach",
        "subscribe.confirm_sent": (
            "Sofern {email} für {list} angemeldet werden kann, ist eine Nachricht mit einem "
            "Bestätigungslink unterwegs. Bis Sie bestätigen, wird nichts verschickt."
        ),
        "subscribe.thanks": "Vielen Dank",
        "subscribe.subscribed": (
            "Sofern {email} sich nicht zuvor abgemeldet hat, erhält die Adresse {list} ab "
            "der nächsten Ausgabe."
        ),
        "subscribe.email_invalid": (
            "Das ist keine gültige E-Mail-Adresse. Prüfen Sie sie und versuchen Sie es erneut."
        ),
        "subscribe.too_many": "Zu viele Anmeldeversuche. Versuchen Sie es in einer Stunde erneut.",
        "subscribe.busy": (
            "Wir können gerade keine Anmeldungen annehmen. Versuchen Sie es später erneut."
        ),
        "confirm.title": "Bestätigen",
        "confirm.heading": "Bestätigen Sie Ihre Anmeldung",
        "confirm.question": "Bestätigen Sie, dass {email} {list} erhalten soll.",
        "confirm.button": "Anmeldung bestätigen",
        "confirm.not_asked": (
            "Nicht von Ihnen angefordert? Ignorieren Sie diese Seite, dann erhalten Sie nichts."
        ),
        "confirm.done": "Anmeldung bestätigt",
        "confirm.already": "Bereits bestätigt",
        "confirm.will_receive": "{email} erhält {list} ab der nächsten Ausgabe.",
        "confirm.choose": "Rubriken und Format wählen",
        "confirm.expired": "Dieser Link ist abgelaufen",
        "confirm.expired_text": (
            "Bestätigungslinks gelten {days} Tage, und dieser ist älter. "
            "{email} ist nicht für {list} angemeldet."
        ),
        "confirm.subscribe_again": "Melden Sie sich erneut an",
        "confirm.new_link": ", um einen neuen Link zu erhalten.",
        "confirm.left_heading": "Nicht angemeldet",
        "confirm.left": (
            "{email} hat {list} abbestellt; dieser Link meldet die Adresse nicht wieder an."
        ),
        "prefs.title": "Einstellungen",
        "prefs.heading": "Ihre Einstellungen",
        "prefs.intro": "Für {email} bei {list}. Änderungen gelten ab der nächsten Ausgabe.",
        "prefs.saved": "Gespeichert.",
        "prefs.rejoined": "Sie sind wieder angemeldet. {list} kommt ab der nächsten Ausgabe.",
        "prefs.cannot_rejoin": "Diese Adresse kann hier nicht wieder angemeldet werden.",
        "prefs.unsubscribed": "Diese Adresse ist abgemeldet: Es wird nichts an sie gesendet.",
        "prefs.rejoin": "Wieder anmelden",
        "prefs.sections": "Rubriken",
        "prefs.format": "Format",
        "prefs.text_only": "Nur Textversion",
        "prefs.timezone": "Zeitzone",
        "prefs.timezone_hint": "Zeiten in Ihrer Ausgabe werden in dieser Zeitzone angezeigt.",
        "prefs.timezone_default": "Zeitzone der Liste ({zone})",
        "prefs.delivery": "Zustellung",
        "prefs.every": "Jede Ausgabe senden",
        "prefs.pause": "Pause: nichts senden, bis ich den Versand fortsetze",
        "prefs.save": "Einstellungen speichern",
        "prefs.unsubscribe": "Von {list} abmelden",
        "prefs.no_section": "Wählen Sie mindestens eine Rubrik oder melden Sie sich unten ab.",
        "prefs.bad_timezone": "Wählen Sie eine Zeitzone aus der Liste.",
        "unsubscribe.title": "Abmelden",
        "unsubscribe.heading": "Von {list} abmelden?",
        "unsubscribe.will": "{email} erhält keine Ausgaben von {list} mehr.",
        "unsubscribe.already": (
            "{email} ist bereits abgemeldet: Es werden keine Ausgaben von {list} mehr an "
            "diese Adresse gesendet."
        ),
        "unsubscribe.button": "Abmelden",
        "unsubscribe.one_click": "Die Anfrage muss List-Unsubscribe=One-Click enthalten.",
        "unsubscribed.title": "Abgemeldet",
        "unsubscribed.heading": "Sie sind abgemeldet",
        "unsubscribed.text": "{email} erhält keine Ausgaben von {list} mehr. Das gilt ab sofort.",
        "unsubscribed.mistake": "Versehentlich abgemeldet?",
        "unsubscribed.rejoin": "Wieder anmelden",
        "unsubscribed.gone": (
            "Dieses Abonnement besteht nicht mehr: An diese Adresse wird nichts mehr gesendet."
        ),
        "archive.title": "Archiv",
        "archive.heading": "Frühere Ausgaben",
        "archive.intro": "Alle versandten Ausgaben von {name}, die neueste zuerst.",
        "archive.feed": "Atom-Feed",
        "archive.subscribe": "Anmelden",
        "archive.empty": "Bisher ist keine Ausgabe erschienen.",
        "archive.also_in": "Auch bei:",
        "archive.whole_edition": "Die ganze Ausgabe",
        "archive.feed_subtitle": "Frühere Ausgaben von {name}",
        "archive.no_edition": "Diese Ausgabe ist nicht im Archiv.",
        "archive.no_story": "Diese Meldung ist nicht in dieser Ausgabe.",
        "list.gone_heading": "Wird nicht mehr versandt",
        "list.gone": "{list} wird nicht mehr versandt: An {email} geht davon nichts mehr.",
        "mail.subject": "Bestätigen Sie Ihre Anmeldung zu {list}",
        "mail.hello": "Guten Tag",
        "mail.asked": "jemand (hoffentlich Sie) hat darum gebeten, {email} für {list} anzumelden.",
        "mail.how": "Öffnen Sie zur Bestätigung diesen Link und klicken Sie auf die Schaltfläche:",
        "mail.expiry": (
            "Der Link gilt {days} Tage. Wenn Sie das nicht angefordert haben, ignorieren Sie "
            "diese Nachricht: Es wird nichts weiter gesendet."
        ),
    },
    "fr": dict(french.PAGES),
}

for _language, _table in REFUSAL_STRINGS.items():
    PAGE_STRINGS[_language].update(_table)
