"""The fixed strings in French, one table per place they are read: the edition
(:data:`digest.render.language.STRINGS`), the public pages and the confirmation mail
(:data:`digest.render.page_strings.PAGE_STRINGS`), the refusals and error pages
(:data:`digest.render.refusal_strings.REFUSAL_STRINGS`) and the welcome mail
(:data:`digest.render.welcome_strings.WELCOME_STRINGS`); each of those takes its "fr"
table from here (one module, so that the page table stays under 400 lines).

The reader is "vous", as French newsletters write. A mark French sets after a space
(? ! : ; ») is held to its word by a no-break space, and « to the word after it, as
:func:`digest.render.text.bound_marks` binds them in stories; apostrophes are
typographic (’), as the other tables' quotation marks are. Data only.
"""

from __future__ import annotations

#: The no-break space before ? ! : ; » and after «.
NB = "\u00a0"

EDITION: dict[str, str] = {
    "view_online": "Voir dans votre navigateur",
    "read_online": "Lire dans votre navigateur",
    "read_more_at": "Lire la suite sur {source}",
    "read_more": "Lire la suite",
    "listen_at": "Écouter sur {source}",
    "listen": "Écouter",
    "watch_at": "Regarder sur {source}",
    "watch": "Regarder",
    "link": "Lien",
    "colon": f"{NB}:",
    "via": "{site} via {source}",
    "also_in": "Également dans",
    "more_stories": "Autres articles",
    "more_online.one": "{n} autre article dans l’édition en ligne",
    "more_online.other": "{n} autres articles dans l’édition en ligne",
    "footer": "Vous recevez {list} parce que vous vous êtes abonné avec cette adresse.",
    "preferences": "Préférences",
    "change_preferences": "Modifier vos préférences",
    "unsubscribe": "Se désabonner",
    "unsubscribe_one_click": "Se désabonner en un clic",
    "and_more.one": "et {n} autre",
    "and_more.other": "et {n} autres",
    "update": "Mise à jour",
    "first_reported": "première publication le {date}",
    "variant_fallback": (
        f"Peu de nouvelles dans vos rubriques aujourd’hui{NB}: voici l’édition complète."
    ),
}

PAGES: dict[str, str] = {
    "subscribe.title": "S’abonner",
    "subscribe.button": "S’abonner",
    "subscribe.list": "Lettre d’information",
    "subscribe.email": "Adresse e-mail",
    "subscribe.name": "Nom (facultatif)",
    "subscribe.check_inbox": "Consultez votre boîte de réception",
    "subscribe.confirm_sent": (
        "Si {email} peut s’abonner à {list}, un message contenant un lien de confirmation "
        "est en route. Rien ne sera envoyé avant votre confirmation."
    ),
    "subscribe.thanks": "Merci",
    "subscribe.subscribed": (
        "Sauf désabonnement antérieur, {email} recevra {list} dès la prochaine édition."
    ),
    "subscribe.email_invalid": ("Cette adresse e-mail n’est pas valide. Vérifiez-la et réessayez."),
    "subscribe.too_many": "Trop de demandes d’abonnement. Réessayez dans une heure.",
    "subscribe.busy": (
        "Nous ne pouvons pas enregistrer d’abonnement pour le moment. Réessayez plus tard."
    ),
    "confirm.title": "Confirmation",
    "confirm.heading": "Confirmez votre abonnement",
    "confirm.question": "Confirmez que {email} doit recevoir {list}.",
    "confirm.button": "Confirmer l’abonnement",
    "confirm.not_asked": (
        f"Vous n’avez rien demandé{NB}? Ignorez cette page{NB}: vous ne recevrez rien."
    ),
    "confirm.done": "Abonnement confirmé",
    "confirm.already": "Déjà confirmé",
    "confirm.will_receive": "{email} recevra {list} dès la prochaine édition.",
    "confirm.choose": "Choisir les rubriques et le format",
    "confirm.expired": "Ce lien a expiré",
    "confirm.expired_text": (
        "Les liens de confirmation sont valables {days} jours, et celui-ci est plus ancien. "
        "{email} n’est pas abonné à {list}."
    ),
    "confirm.subscribe_again": "Abonnez-vous de nouveau",
    "confirm.new_link": " pour recevoir un nouveau lien.",
    "confirm.left_heading": "Pas abonné",
    "confirm.left": f"{{email}} s’est désabonné de {{list}}{NB}; ce lien ne l’abonne plus.",
    "prefs.title": "Préférences",
    "prefs.heading": "Vos préférences",
    "prefs.intro": (
        "Pour {email}, abonné à {list}. Les changements s’appliquent à la prochaine édition."
    ),
    "prefs.saved": "Enregistré.",
    "prefs.rejoined": (
        "Vous êtes de nouveau abonné. {list} vous parviendra dès la prochaine édition."
    ),
    "prefs.cannot_rejoin": "Cette adresse ne peut pas être réabonnée d’ici.",
    "prefs.unsubscribed": f"Cette adresse est désabonnée{NB}: rien ne lui sera envoyé.",
    "prefs.rejoin": "Se réabonner",
    "prefs.sections": "Rubriques",
    "prefs.format": "Format",
    "prefs.text_only": "Texte brut uniquement",
    "prefs.timezone": "Fuseau horaire",
    "prefs.timezone_hint": "Les dates de votre édition sont données dans ce fuseau horaire.",
    "prefs.timezone_default": "Fuseau de la liste ({zone})",
    "prefs.delivery": "Envoi",
    "prefs.every": "M’envoyer chaque édition",
    "prefs.pause": f"Pause{NB}: ne rien m’envoyer jusqu’à ce que je reprenne",
    "prefs.save": "Enregistrer les préférences",
    "prefs.unsubscribe": "Se désabonner de {list}",
    "prefs.no_section": "Choisissez au moins une rubrique, ou désabonnez-vous ci-dessous.",
    "prefs.bad_timezone": "Choisissez un fuseau horaire dans la liste.",
    "unsubscribe.title": "Désabonnement",
    "unsubscribe.heading": f"Se désabonner de {{list}}{NB}?",
    "unsubscribe.will": "{email} ne recevra plus d’éditions de {list}.",
    "unsubscribe.already": (
        f"{{email}} est déjà désabonné{NB}: plus aucune édition de {{list}} ne lui sera envoyée."
    ),
    "unsubscribe.button": "Se désabonner",
    "unsubscribe.one_click": "La requête doit contenir List-Unsubscribe=One-Click.",
    "unsubscribed.title": "Désabonné",
    "unsubscribed.heading": "Vous êtes désabonné",
    "unsubscribed.text": (
        "{email} ne recevra plus d’éditions de {list}. Cela prend effet immédiatement."
    ),
    "unsubscribed.mistake": f"Désabonné par erreur{NB}?",
    "unsubscribed.rejoin": "Se réabonner",
    "unsubscribed.gone": (
        f"Cet abonnement n’existe plus{NB}: plus rien ne sera envoyé à cette adresse."
    ),
    "archive.title": "Archives",
    "archive.heading": "Éditions précédentes",
    "archive.intro": "Toutes les éditions de {name} parues, de la plus récente à la plus ancienne.",
    "archive.feed": "Flux Atom",
    "archive.subscribe": "S’abonner",
    "archive.empty": "Aucune édition n’est encore parue.",
    "archive.also_in": f"Également dans{NB}:",
    "archive.whole_edition": "L’édition complète",
    "archive.feed_subtitle": "Éditions précédentes de {name}",
    "archive.no_edition": "Cette édition ne figure pas dans les archives.",
    "archive.no_story": "Cet article ne figure pas dans cette édition.",
    "list.gone_heading": "Cette lettre n’est plus envoyée",
    "list.gone": f"{{list}} n’est plus envoyée{NB}: {{email}} n’en recevra plus rien.",
    "mail.subject": "Confirmez votre abonnement à {list}",
    "mail.hello": "Bonjour",
    "mail.asked": "quelqu’un (vous, nous l’espérons) a demandé à abonner {email} à {list}.",
    "mail.how": f"Pour confirmer, ouvrez ce lien et cliquez sur le bouton{NB}:",
    "mail.expiry": (
        f"Le lien est valable {{days}} jours. Si vous n’avez rien demandé, ignorez ce "
        f"message{NB}: vous ne recevrez rien d’autre."
    ),
}

REFUSALS: dict[str, str] = {
    "link.invalid": "Ce lien n’est pas valide. Utilisez celui de votre dernier e-mail.",
    "link.gone": "Cet abonnement n’existe plus.",
    "link.restarting": (
        f"Ce lien ne peut pas être vérifié pour le moment{NB}: le serveur redémarre avec une "
        "nouvelle clé. Réessayez dans quelques minutes."
    ),
    "link.test_title": "Un exemplaire de test",
    "link.test": (
        f"Ce lien vient d’un exemplaire de test de la lettre{NB}: il ne modifie aucun abonnement."
    ),
    "link.no_list": "Cette liste n’existe pas.",
    "link.no_page": "Cette page n’existe pas.",
    "form.no_session": (
        "Ce formulaire a expiré, ou votre navigateur n’a pas conservé son cookie. "
        "Rechargez la page et réessayez."
    ),
    "form.needs_https": (
        f"Votre navigateur n’a pas conservé le cookie de ce site{NB}: il n’est envoyé qu’en "
        "HTTPS, et cette page est arrivée en HTTP simple. Le site doit être ouvert en HTTPS "
        f"(ou via le proxy TLS placé devant lui), à l’adresse {{base_url}}{NB}; recharger "
        "cette page n’y changera rien."
    ),
    "form.expired": "Ce formulaire a expiré. Rechargez la page et réessayez.",
    "form.foreign": (
        "Ce formulaire n’appartient pas à cette page. Rechargez la page et réessayez."
    ),
    "form.stale": (
        f"Ce formulaire avait expiré. Vérifiez votre saisie et cliquez de nouveau sur "
        f"«{NB}S’abonner{NB}»."
    ),
    "form.nul": "Le champ {field} contient un caractère NUL (U+0000), qui n’est pas autorisé.",
    "error.400": "Requête incorrecte",
    "error.403": "Accès refusé",
    "error.404": "Page introuvable",
    "error.404.text": "Il n’y a pas de page à cette adresse.",
    "error.405": "Méthode non autorisée",
    "error.405.text": "Cette page n’accepte pas ce type de requête.",
    "error.410": "Page supprimée",
    "error.413": "Requête trop volumineuse",
    "error.413.text": "Les données envoyées sont trop volumineuses.",
    "error.429": "Trop de requêtes",
    "error.500": "Erreur du serveur",
    "error.500.text": "Un problème est survenu de notre côté. Réessayez plus tard.",
    "error.503": "Service indisponible",
    "error.400.text": "Le serveur n’a pas pu comprendre la requête.",
    "error.403.text": "Vous n’avez pas accès à cette page.",
    "error.410.text": "Cette page n’existe plus.",
    "error.429.text": "Trop de requêtes sont arrivées. Patientez un peu et réessayez.",
    "error.503.text": "Le service est momentanément indisponible. Réessayez plus tard.",
}

WELCOME: dict[str, str] = {
    "welcome.subject": "Bienvenue dans {list}",
    "welcome.hello": "Bonjour,",
    "welcome.confirmed": f"merci de votre confirmation{NB}: {{email}} reçoit désormais {{list}}.",
    "welcome.signed_up": f"merci de votre inscription{NB}: {{email}} reçoit désormais {{list}}.",
    "welcome.daily": "{list} paraît chaque jour à {times} (fuseau horaire {zone}).",
    "welcome.weekly": "{list} paraît chaque {days} à {times} (fuseau horaire {zone}).",
    "welcome.irregular": "{list} paraît selon son propre calendrier (fuseau horaire {zone}).",
    "welcome.next": "La prochaine édition est prévue le {date} à {time}.",
    "welcome.latest": f"La dernière édition, dans votre navigateur{NB}:",
    "welcome.sender": (
        f"Les éditions viennent de {{sender}}{NB}: ajoutez cette adresse à vos contacts pour "
        "qu’elles arrivent dans votre boîte de réception."
    ),
    "welcome.preferences": (
        f"Choisissez vos rubriques, le texte brut, votre fuseau horaire ou une pause{NB}:"
    ),
    "welcome.unsubscribe": f"Désabonnez-vous en un clic, à tout moment{NB}:",
}
