"""The fixed strings of what a subscriber meets when a link or a form no longer works,
per language: a stale or tampered link, an expired form, and the error pages (a
code's title, and its text when the code was given none).

Keyed like :data:`digest.render.page_strings.PAGE_STRINGS`, of which they are part
(merged there); other languages get English. A language's string uses no field its
English one lacks. The German is formal (Sie), the Danish says du. Data only.
"""

from __future__ import annotations

from digest.render import french

REFUSAL_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        # Links and forms that no longer work.
        "link.invalid": "This link is not valid. Use the link from your latest email.",
        "link.gone": "This subscription no longer exists.",
        # A link in a test copy sent from the desk: signed for no subscription.
        "link.restarting": (
            "This link cannot be checked right now: the server is restarting with a new key. "
            "Please try again in a few minutes."
        ),
        "link.test_title": "A test copy",
        "link.test": "This link came in a test copy of the newsletter: it changes no subscription.",
        "link.no_list": "There is no such list.",
        "link.no_page": "There is no such page.",
        "form.no_session": (
            "This form has expired or your browser did not keep its session cookie. "
            "Reload the page and try again."
        ),
        "form.needs_https": (
            "Your browser did not keep this site's session cookie: it is sent only over "
            "HTTPS, and this page came over plain HTTP. The desk must be reached over HTTPS "
            "(or through the TLS proxy in front of it), at {base_url}; reloading this page "
            "will not help."
        ),
        "form.expired": "This form has expired. Reload the page and try again.",
        "form.foreign": "This form does not belong to this page. Reload the page and try again.",
        "form.stale": "This form had expired. Check what you typed and press Subscribe again.",
        # Error pages: the title, and the text when no other was given.
        "form.nul": "The field {field} holds a NUL character (U+0000).",
        "error.400": "Bad Request",
        "error.403": "Forbidden",
        "error.404": "Not Found",
        "error.404.text": "There is no page at this address.",
        "error.405": "Method Not Allowed",
        "error.405.text": "This page does not take that kind of request.",
        "error.410": "Gone",
        "error.413": "Request Too Large",
        "error.413.text": "What was sent is too large.",
        "error.429": "Too Many Requests",
        "error.500": "Internal Server Error",
        "error.500.text": "Something went wrong on our side. Try again later.",
        "error.503": "Service Unavailable",
        # werkzeug's own words where no reason was given, as werkzeug writes them.
        "error.400.text": (
            "The browser (or proxy) sent a request that this server could not understand."
        ),
        "error.403.text": (
            "You don't have the permission to access the requested resource. It is either "
            "read-protected or not readable by the server."
        ),
        "error.410.text": (
            "The requested URL is no longer available on this server and there is no "
            "forwarding address. If you followed a link from a foreign page, please contact "
            "the author of this page."
        ),
        "error.429.text": "This user has exceeded an allotted request count. Try again later.",
        "error.503.text": (
            "The server is temporarily unable to service your request due to maintenance "
            "downtime or capacity problems. Please try again later."
        ),
    },
    "da": {
        "link.invalid": "Dette link er ikke gyldigt. Brug linket fra din seneste mail.",
        "link.gone": "Denne tilmelding findes ikke længere.",
        "link.restarting": (
            "Linket kan ikke kontrolleres lige nu: serveren genstarter med en ny nøgle. "
            "Prøv igen om et par minutter."
        ),
        "link.test_title": "En testudgave",
        "link.test": "Dette link kom i en testudgave af nyhedsbrevet: det ændrer ingen tilmelding.",
        "link.no_list": "Den liste findes ikke.",
        "link.no_page": "Den side findes ikke.",
        "form.no_session": (
            "Formularen er udløbet, eller din browser har ikke gemt dens cookie. "
            "Genindlæs siden, og prøv igen."
        ),
        "form.needs_https": (
            "Din browser har ikke gemt sidens cookie: den sendes kun over HTTPS, og siden "
            "kom over almindelig HTTP. Siden skal åbnes over HTTPS (eller gennem TLS-proxyen "
            "foran den), på {base_url}; det hjælper ikke at genindlæse den."
        ),
        "form.expired": "Formularen er udløbet. Genindlæs siden, og prøv igen.",
        "form.foreign": "Formularen hører ikke til denne side. Genindlæs siden, og prøv igen.",
        "form.stale": (
            "Formularen var udløbet. Tjek det, du har skrevet, og tryk på »Tilmeld« igen."
        ),
        "form.nul": "Feltet {field} indeholder et NUL-tegn (U+0000), som ikke er tilladt.",
        "error.400": "Ugyldig forespørgsel",
        "error.403": "Adgang nægtet",
        "error.404": "Ikke fundet",
        "error.404.text": "Der er ingen side på denne adresse.",
        "error.405": "Metoden er ikke tilladt",
        "error.405.text": "Denne side tager ikke imod den slags forespørgsler.",
        "error.410": "Findes ikke længere",
        "error.413": "For stor forespørgsel",
        "error.413.text": "Det, du har sendt, er for stort.",
        "error.429": "For mange forespørgsler",
        "error.500": "Serverfejl",
        "error.500.text": "Noget gik galt hos os. Prøv igen senere.",
        "error.503": "Tjenesten er ikke tilgængelig",
        "error.400.text": "Serveren kunne ikke forstå forespørgslen.",
        "error.403.text": "Du har ikke adgang til denne side.",
        "error.410.text": "Siden findes ikke længere.",
        "error.429.text": "Der er kommet for mange forespørgsler. Vent lidt, og prøv igen.",
        "error.503.text": "Tjenesten er midlertidigt utilgængelig. Prøv igen senere.",
    },
    "de": {
        "link.invalid": (
            "Dieser Link ist ungültig. Verwenden Sie den Link aus Ihrer neuesten E-Mail."
        ),
        "link.gone": "Dieses Abonnement besteht nicht mehr.",
        "link.restarting": (
            "Dieser Link kann gerade nicht geprüft werden: Der Server startet mit einem neuen "
            "Schlüssel neu. Bitte versuchen Sie es in einigen Minuten erneut."
        ),
        "link.test_title": "Ein Testexemplar",
        "link.test": (
            "Dieser Link stammt aus einem Testexemplar des Newsletters: Er ändert kein Abonnement."
        ),
        "link.no_list": "Diese Liste gibt es nicht.",
        "link.no_page": "Diese Seite gibt es nicht.",
        "form.no_session": (
            "Dieses Formular ist abgelaufen, oder Ihr Browser hat sein Cookie nicht behalten. "
            "Laden Sie die Seite neu und versuchen Sie es erneut."
        ),
        "form.needs_https": (
            "Ihr Browser hat das Cookie dieser Seite nicht behalten: Es wird nur über HTTPS "
            "gesendet, und diese Seite kam über einfaches HTTP. Die Seite muss über HTTPS "
            "(oder über den TLS-Proxy davor) aufgerufen werden, unter {base_url}; neu laden "
            "hilft nicht."
        ),
        "form.expired": (
            "Dieses Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es erneut."
        ),
        "form.foreign": (
            "Dieses Formular gehört nicht zu dieser Seite. Laden Sie die Seite neu und "
            "versuchen Sie es erneut."
        ),
        "form.stale": (
            "Das Formular war abgelaufen. Prüfen Sie Ihre Angaben und klicken Sie erneut auf "
            "„Anmelden“."
        ),
        "form.nul": "Das Feld {field} enthält ein NUL-Zeichen (U+0000), das nicht erlaubt ist.",
        "error.400": "Ungültige Anfrage",
        "error.403": "Zugriff verweigert",
        "error.404": "Nicht gefunden",
        "error.404.text": "Unter dieser Adresse gibt es keine Seite.",
        "error.405": "Methode nicht erlaubt",
        "error.405.text": "Diese Seite nimmt solche Anfragen nicht an.",
        "error.410": "Nicht mehr verfügbar",
        "error.413": "Anfrage zu groß",
        "error.413.text": "Die gesendeten Daten sind zu groß.",
        "error.429": "Zu viele Anfragen",
        "error.500": "Serverfehler",
        "error.500.text": "Bei uns ist etwas schiefgegangen. Versuchen Sie es später erneut.",
        "error.503": "Dienst nicht verfügbar",
        "error.400.text": "Der Server konnte die Anfrage nicht verstehen.",
        "error.403.text": "Sie haben keinen Zugriff auf diese Seite.",
        "error.410.text": "Diese Seite ist nicht mehr verfügbar.",
        "error.429.text": (
            "Es kamen zu viele Anfragen. Warten Sie kurz und versuchen Sie es erneut."
        ),
        "error.503.text": (
            "Der Dienst ist vorübergehend nicht verfügbar. Versuchen Sie es später erneut."
        ),
    },
    "fr": french.REFUSALS,
}
