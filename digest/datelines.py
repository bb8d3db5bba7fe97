"""A wire dateline: where and by whom a story was filed, before its news.

Job: :func:`undated` gives a text without the dateline agency copy opens with
("NEWARK, N.J. (AP) — Jurors…" is "Jurors…"). Collect drops it from the summary and
body it stores (:mod:`digest.collect.openings`), and the ranking from the text a story
shows (:mod:`digest.wording.told`: articles stored before collect did). Here, in neither
stage, because both read it and the ranking must not load the collector.
A place in mixed case is one only before a news agency named in brackets (:data:`AGENCIES`):
"Quito, 24 Set 2018 (AFP) - ", "Nova York, 24 set (EFE).- " (EFE's full stop).
Indian outlets write it with a colon: "Dubai, May 10: On the occasion…", "Mangaluru:
Karnataka Bank has…" (:func:`colon_dateline`), and so do others, with the date in their
language: "Berlin, 10. Mai: ", "París, 10 de mayo: ", "Paris, 10 mai : " (French spaces the
colon), "Roma, 10 maggio: ". The colon also ends a label ("Opinion:",
"Breaking:", "Q&A:") and names who speaks ("Trump: I will…"), so the evidence is
weighed: a place (one to four words with capitals, :func:`_is_place`) that is no label
(:data:`NOT_PLACES`), a story after it that starts with a capital and not with "I",
"We" or "You" (a quote), and either a date after the place ("Dubai, May 10:", enough
on its own) or, for a bare "Mangaluru:", the feed's house style: ``house=True``, which
collect passes when :func:`files_colon_datelines` finds several of its items opening so,
one of them dated ("Brexit:", "Coronavirus:" on a feed's items is no house style).
Must not: touch anything but the start of the text, or a text that only starts with a
name in capitals ("NATO allies met…", "CHICAGO is bracing…") or a place in mixed case
before brackets that name no agency ("Boston (the city) - ").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["AGENCIES", "ColonDateline", "colon_dateline", "files_colon_datelines", "undated"]

#: News agencies and wires that file stories, folded (case, accents and spaces aside:
#: "Agência Brasil" is "agenciabrasil"; "AP/dpa" is "apdpa"). Bylines read them too
#: (:mod:`digest.collect.bylines`).
_AGENCY_NAMES = (
    "reuters ap associatedpress afp agencefrancepresse dpa epd kna apa sda ats keystonesda"
    " ansa efe europapress lusa agencialusa agenciabrasil ritzau ntb tt stt pa pamedia"
    " pressassociation bloomberg upi kyodo kyodonews jiji xinhua yonhap tass interfax ria"
    " rianovosti ukrinform pap ctk tasr mti anp belga aap cp canadianpress pti ians ani"
    " apdpa afpdpa"
)
AGENCIES = frozenset(_AGENCY_NAMES.split())

#: A wire dateline: a place in capitals (", N.J.", ", Nov 19" may follow), the agency in
#: brackets, then a dash: "NEWARK, N.J. (AP) — ", "LONDON, Nov 19 (Reuters) - ",
#: "(CNN) — "; or, without an agency, a place and a long dash: "COPENHAGEN — ".
_DATELINE = re.compile(
    r"(?:(?P<place>[^\W\d_](?:[^\W\d_]|[.'’\- ])*?)(?:,\s*(?P<more>[^()\n—–]{1,40}?))?\s*)?"
    r"(?:\((?P<agency>[^\W\d_][\w .&/-]{0,24})\)(?P<stop>\.?)\s*)?"
    r"(?P<dash>--|[—–-])\s+(?=[\w\"'“‘«])"
)
#: A credit in square brackets with an equals sign, as Korean outlets open a story:
#: "[서울=뉴시스] ", "[OSEN=기자 이름] ", "[엔터미디어=소설가 박생강의 옆구리tv]" (where
#: "=" who). Without the "=" a bracket is the story's own ("[Updated] ", "[Video] ").
_BRACKETED = re.compile(r"\[[^\[\]=\n]{1,30}=[^\[\]\n]{1,60}\]\s*(?=\S)")
#: The longest word in lower case a place in mixed case may hold ("Rio de Janeiro").
_PARTICLE = 3
#: What may follow it after a comma: a date or a region ("24 Set 2018", "N.J."), no clause.
_MIXED_MORE = re.compile(r"[\w.' ]+")
#: Letters a place must have to count as a dateline with no agency named ("US — China…"
#: is a sentence; "ROME — The…" a dateline).
_BARE_PLACE = 4
_DATELINE_CHARS = 80
#: The dash a dateline ends with, and the space after it.
_DASH = re.compile(r"(?:--|[—–-])\s")


def undated(text: str, *, house: bool = False) -> str:
    """`text` without a wire dateline at its start ("NEWARK, N.J. (AP) — Jurors…" is
    "Jurors…"): where and by whom a story was filed is no news, and no other teaser
    opens with it. A text that only starts with a name in capitals ("NATO allies met…")
    or an acronym and a dash ("EU ministers - most of them -") is left as it is.
    A colon dateline goes when it has a date ("Dubai, May 10: "), a bare one
    ("Mangaluru: ") only in a feed whose `house` style it is (see the module doc). A
    bracketed credit ("[서울=뉴시스] ", :data:`_BRACKETED`) goes too."""
    bracketed = _BRACKETED.match(text)
    if bracketed is not None:
        text = text[bracketed.end() :]
    if _DASH.search(text, 0, _DATELINE_CHARS) is not None:
        dashed = _without_dash_dateline(text)
        if dashed is not text:
            return dashed
    if ":" not in text[:_COLON_CHARS]:
        return text  # no colon near the start either (most texts, read no further)
    found = colon_dateline(text)
    if found is None or not (found.dated or house):
        return text
    return text[found.end :]


def _without_dash_dateline(text: str) -> str:
    """`text` without a dash dateline at its start; `text` itself when it has none."""
    match = _DATELINE.match(text, 0, _DATELINE_CHARS)
    if match is None:
        return text
    place, agency = match.group("place"), match.group("agency")
    if place is not None and not place.isupper() and not _mixed_dateline(match):
        return text
    if match.group("stop") and not _is_agency(agency):
        return text  # "(EFE).- " is EFE's style; "(the city).- " nobody's
    if agency is None:
        letters = sum(c.isalpha() for c in place or "")
        if match.group("dash") == "-" or letters < _BARE_PLACE:
            return text
    return text[match.end() :]


def _mixed_dateline(match: re.Match[str]) -> bool:
    """Whether a place in mixed case, and what follows it, make a dateline: only with a
    news agency named in the brackets after it."""
    more = match.group("more")
    return (
        _is_agency(match.group("agency"))
        and _is_place(match.group("place"))
        and (more is None or _MIXED_MORE.fullmatch(more) is not None)
    )


def _is_place(text: str) -> bool:
    """Whether `text` in mixed case reads as a place: words that start with a capital,
    and short particles between them ("Rio de Janeiro", "Nova York"), not a sentence
    ("Jurors said Paris")."""
    words = text.split()
    return words[0][0].isupper() and all(
        w[0].isupper() or (w.islower() and len(w) <= _PARTICLE) for w in words
    )


def _is_agency(name: str | None) -> bool:
    """Whether brackets' `name` is a news agency, or several ("AFP/Reuters")."""
    if not name:
        return False
    parts = [_folded(part) for part in re.split(r"[/,&]", name)]
    return _folded(name) in AGENCIES or all(p in AGENCIES for p in parts)


def _folded(text: str) -> str:
    """`text` in lower case without accents, spaces or punctuation ("Agência Brasil" is
    "agenciabrasil")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


#: How far into a text the colon of a colon dateline may be ("New Delhi, 3 June 2017:").
_COLON_CHARS = 48
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
#: Months in the other languages of the feeds we read, named and cut short: German,
#: French, Spanish, Italian, Portuguese, Dutch (each after the day: "10. Mai", "10 mai").
_MONTH_NAMES = (
    "januar jänner jän februar märz mär mai juni juli oktober okt dezember dez"
    " janvier janv février févr fév mars avril avr juin juillet juil août aout septembre"
    " octobre novembre décembre déc"
    " enero ene febrero marzo abril abr mayo junio julio agosto ago septiembre setiembre"
    " octubre noviembre diciembre dic"
    " gennaio gen febbraio aprile maggio mag giugno giu luglio lug settembre set ottobre ott"
    " dicembre"
    " janeiro fevereiro fev março marco maio junho julho setembro outubro out novembro"
    " dezembro"
    " januari februari maart mrt mei augustus"
    # and the abbreviations English shares with them
    " jan feb mar apr jun jul aug sep sept oct nov dec april august september november"
)
_FOREIGN_MONTH = (
    "(?:" + "|".join(sorted(set(_MONTH_NAMES.split()), key=len, reverse=True)) + r")\.?"
)
#: A date after a place: "May 10", "10 May 2017", "April 28th", "10.05.2017", "10/05";
#: "10. Mai", "1er mai", "10 de mayo de 2017", "10 maggio", "3 maart 2020".
_COLON_DATE = (
    rf"(?i:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}"
    rf"|\d{{1,2}}(?:\.º|\.|er|º|°)?\s+(?:de\s+)?{_FOREIGN_MONTH}(?![^\W\d_]))"
    r"(?:,?\s+(?:de\s+)?\d{4})?|\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?"
)
#: "Place: Story", "Place, Date: Story" (a space may come before the colon, as in
#: French and in "Mangalore, April 28 :Vishwas…"); the story's first letter and word.
_COLON = re.compile(
    r"(?P<place>[^\W\d_]+(?:(?:[.'’-]|\.?[ ])[^\W\d_]+){0,3}\.?)"
    rf"(?:,[ ]*(?P<date>{_COLON_DATE}))?[ \u00a0\u202f]?:(?P<space>\s*)"
    r"(?=[\"“‘'«]?(?P<word>(?P<first>[^\W_])[\w'’]*))"
)
#: What comes before a colon at the start of a text but is no place, folded: labels of
#: the kind of piece, notes, sections, and days (a date heading, "Monday, May 10:").
_NOT_PLACE_NAMES = (
    "opinion analysis update updated breaking breakingnews watch watchlive live liveupdates"
    " qa exclusive video videos photo photos gallery review interview editorial explainer"
    " comment commentary column podcast listen read note editorsnote correction clarification"
    " letter letters obituary feature quiz poll recipe sponsored advertisement factcheck"
    " preview recap summary briefing report study survey question answer warning alert"
    " watchnow bonus also plus news sport sports business tech science politics world"
    " re fw fwd via source sources credit photocredit"
    " monday tuesday wednesday thursday friday saturday sunday today tonight yesterday"
    " tomorrow"
    # the languages of the feeds we read (as the module's agencies and the sponsor labels)
    " exclusif info infos edito analyse tribune entretien miseajour direct commentaire"
    " chronique reportage enquete decryptage video"
    " eilmeldung kommentar meinung analyse exklusiv liveblog interview hintergrund"
    " aktualisierung aktuell"
    " opiniao analise exclusivo exclusiva urgente ultimahora opinion analisis entrevista"
    " actualizacion atualizacao editorial columna coluna"
    " commento editoriale analisi intervista aggiornamento esclusiva ultimora"
    " kommentar debat analyse opinie commentaar"
    # days, and today or yesterday, in those languages (a date heading: "Montag, 10. Mai:")
    " montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag heute gestern"
    " lundi mardi mercredi jeudi vendredi samedi dimanche aujourdhui hier demain"
    " lunes martes miercoles jueves viernes sabado domingo hoy ayer"
    " lunedi martedi mercoledi giovedi venerdi sabato domenica oggi ieri domani"
    " segundafeira tercafeira quartafeira quintafeira sextafeira hoje ontem amanha"
    " maandag dinsdag woensdag donderdag vrijdag zaterdag zondag vandaag gisteren morgen"
)
NOT_PLACES = frozenset(_NOT_PLACE_NAMES.split())
#: A story that starts with one of these after "Name:" is a quote ("Trump: I will…").
_QUOTED_WORDS = (
    "i i'm i’m i've i’ve i'll i’ll i'd i’d we we're we’re we'll we’ll we've we’ve"
    " you you're you’re my our me us let's let’s"
    # the same pronouns in the languages of the month names ("Merz: Ich werde…")
    " ich wir je j'ai j’ai nous vous yo nosotros io noi eu nós ik wij"
)
_QUOTED = frozenset(_QUOTED_WORDS.split())
#: Items of a feed that must open with a colon dateline (one dated) for a bare place and
#: colon to count as one on its other items; and distinct places among them.
COLON_ITEMS = 3
COLON_PLACES = 2


class ColonDateline(NamedTuple):
    """A colon dateline at the start of a text: its place, whether a date follows the
    place, and where the story starts."""

    place: str
    dated: bool
    end: int


def colon_dateline(text: str) -> ColonDateline | None:
    """The colon dateline `text` opens with ("Dubai, May 10: On the occasion…"), dated
    or not, else None: see the module doc for what a place and a story are."""
    match = _COLON.match(text, 0, _COLON_CHARS + 40)
    if match is None or match.end("place") > _COLON_CHARS:
        return None
    place, dated = match.group("place"), match.group("date") is not None
    if not (dated or match.group("space")):
        return None  # "Mangaluru:Karnataka" is no shape we know
    first = match.group("first")
    if not (first.isupper() or first.isdigit()):
        return None  # "Update: the ferry is cancelled again" is a sentence
    word = match.group("word")
    if word.casefold() in _QUOTED and not (len(word) > 1 and word.isupper()):
        return None  # "Trump: I will…" names who speaks ("Brussels: EU ministers…" not)
    if not _is_place(place) or _folded(place) in NOT_PLACES:
        return None
    return ColonDateline(place, dated, match.end())


def files_colon_datelines(openings: Iterable[str]) -> bool:
    """Whether a feed whose items open with `openings` (their texts, as the feed wrote
    them) files colon datelines: :data:`COLON_ITEMS` of them open with one or more, one
    with a date, and not all with one place (a label the list lacks repeats)."""
    found = [d for text in openings if ":" in text[:_COLON_CHARS] and (d := colon_dateline(text))]
    return (
        len(found) >= COLON_ITEMS
        and any(d.dated for d in found)
        and len({_folded(d.place) for d in found}) >= COLON_PLACES
    )
