"""A label in brackets before a headline: "[MàJ]", "[Brève]", "[Édito]", "[Video]".

Job: :func:`unbracketed` gives the headline a subscriber reads in place of one that opens
with a bracketed label (PC INpact: "[MàJ] Yahoo! pourrait croquer 75 % de Dailymotion",
"[Brève] Le firmware 070H…", "[Sondage] Quelle est…", "[Édito] Le jeu vidéo…"):

- a **length** label (:data:`LENGTH`: "Brève", "En bref", "Kurz", "In brief") says only
  that the item is short, which its summary shows: it goes;
- an **update** label (:data:`UPDATE_WORD`: "MàJ", "Update", "Aktualisiert", "Mise à
  jour", "Actualizado") says the outlet changed its report: it is written as the
  outlet's own "Update:" ("MàJ : Yahoo!…"), which :func:`digest.wording.told.unlabelled`
  drops when digest runs the story as an update of one it sent (the email says
  "Update" itself);
- a **genre** label (:data:`GENRES`: "Édito", "Opinion", "Analysis", "Sondage",
  "Video", "Podcast", "Interview", in English, French, German, Spanish) tells what kind
  of piece it is (an editorial or an opinion is no news report; a video or a poll is
  not read): it stays, as an outlet writes a kicker before its headline ("Interview :
  Christian Paul…" in the same feed), without the brackets: "Édito : Le jeu vidéo…",
  "Opinion: The harbour…". A French label takes French spacing (a space before the
  colon), as PC INpact writes it.

Before a headline with a colon of its own ("[MàJ] BlackBerry Z10 : la mise à jour…",
"[Édito] Jeu vidéo : le…") a kept label, of either kind, goes after the headline in
brackets, as French, English, German and Spanish outlets write a late label ("…
(MàJ)", "(Update)") or a piece's kind ("… (vidéo)", "… (Kommentar)", "… (vídeo)"; the
English "– video"): "BlackBerry Z10 : la mise à jour… (MàJ)", "Jeu vidéo : le… ?
(Édito)", "Harbour: fares rise (Opinion)". "MàJ : BlackBerry Z10 : la…" or "Édito :
Jeu vidéo : le…" reads two colons, the first seeming to introduce a product or a
subject called "BlackBerry Z10" or "Jeu vidéo". One rule for both kinds: the label is
still on the headline's line, and the headline reads as the outlet wrote it.

Several labels are read in turn ("[MàJ] [Brève] …"). Collect reads headlines so
(:mod:`digest.collect.feeds`); this module is shared, as :mod:`digest.exclusives` is,
with the rank stage, whose update labels it names.
Must not: touch a bracket that is the headline's content ("The [redacted] files"), a
label it does not know ("[Sponsor] …" is how an advertisement is told:
:func:`digest.rank.score.sponsored`; "[1/3] …"), a headline that is only labels, or
anything but the start of the headline.
"""

from __future__ import annotations

import re

__all__ = ["GENRES", "LENGTH", "UPDATE_WORD", "unbracketed"]

#: An outlet's own "this is an update", as a label's word: "Update", "UPDATE 2",
#: "Updated", "MàJ", "Mise à jour", "Aktualisiert", "Actualizado" (any case).
UPDATE_WORD = (
    r"(?:update[ds]?|opdatering|opdateret|aktualisierung|aktualisiert|mise [àa] jour"
    r"|mis [àa] jour|actualisé|actualizaci[óo]n|actualizad[oa]|atualiza[çc][ãa]o"
    r"|atualizad[oa]|aggiornamento|aggiornato|bijgewerkt)(?:\s+\d+)?"
)
#: "MàJ", "MAJ": the French abbreviation, read as an update label only in brackets or
#: before a French-spaced colon ("Maj: …" is May in Danish).
UPDATE_ABBREVIATION = r"m[àa]j"
#: Labels that only say an item is short.
LENGTH = frozenset(
    (
        *("brève", "brèves", "bref", "en bref"),
        *("in brief", "brief", "short"),
        *("kurz", "kurz notiert", "kurzmeldung"),
        *("breve", "breves", "en breve"),
        *("kort", "kort nyt"),
    )
)
#: Labels that say what kind of piece it is, kept as its kicker. The French ones.
_FRENCH = (
    "édito éditorial editorial opinion tribune chronique analyse sondage entretien interview"
    " vidéo video podcast reportage enquête critique"
)
#: The others (English, German, Spanish).
_OTHERS = (
    "editorial opinion comment commentary analysis poll survey interview video podcast"
    " review feature explainer meinung kommentar leitartikel analyse umfrage interview"
    " video podcast reportage opinión editorial análisis analisis encuesta entrevista"
    " vídeo video pódcast podcast crónica reportaje"
)
GENRES = frozenset(_FRENCH.split()) | frozenset(_OTHERS.split())
_FRENCH_WORDS = frozenset(_FRENCH.split()) - frozenset(_OTHERS.split())

#: A label in brackets, the space after it, and a headline after that.
_BRACKETED = re.compile(r"\s*\[\s*(?P<label>[^\[\]]{1,30}?)\s*\]\s*(?=\S)")
_ONLY_LABEL = re.compile(r"\s*\[[^\[\]]*\]\s*")
_UPDATE = re.compile(rf"(?i)(?:{UPDATE_WORD}|{UPDATE_ABBREVIATION})")
_FRENCH_UPDATE = re.compile(r"(?i)(?:mise? [àa] jour|m[àa]j|actualisé)")
#: A colon that ends a headline's clause ("Z10 : la", "Harbour: fares"), not one inside a
#: word or a number ("10:30", "NASDAQ:WORK").
_OWN_COLON = re.compile(r":(?=\s)")


def unbracketed(title: str, language: str | None = None) -> str:
    """`title` with its bracketed labels read as the module doc says; as it is when it
    opens with no label it knows, or is only labels. `language`: the article's, when
    known (French spacing for a French one)."""
    if not title.lstrip().startswith("["):
        return title  # most headlines are read no further
    rest, kicker = title, ""
    while match := _BRACKETED.match(rest):
        label = " ".join(match["label"].split())
        kind = _kind(label)
        if kind is None:
            break
        rest = rest[match.end() :]
        if kind != "length" and not kicker:
            french = label.casefold() in _FRENCH_WORDS or bool(_FRENCH_UPDATE.fullmatch(label))
            kicker = f"{label} : " if french or (language or "").startswith("fr") else f"{label}: "
    if rest == title or _ONLY_LABEL.fullmatch(rest):
        return title  # no label known, or only labels: nothing else to show
    if kicker and _OWN_COLON.search(rest):
        return f"{rest} ({kicker.rstrip(' :')})"  # one colon: "Z10 : la… (MàJ)", "(Édito)"
    return f"{kicker}{rest}"


def _kind(label: str) -> str | None:
    """ "length", "update" or "genre" for a label this module knows, else None."""
    folded = label.casefold()
    if folded in LENGTH:
        return "length"
    if _UPDATE.fullmatch(label):
        return "update"
    return "genre" if folded in GENRES else None
