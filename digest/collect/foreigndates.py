"""RFC 822 dates with their day and month named in another language, as English ones.

Newsrooms that write a feed by hand, or with their locale set, date items "Seg, 24 Set
2018 19:42:40 -0300" (UOL, Brazil), "lun., 24 sept. 2018 …", "Mo, 24 Sep 2018 …" or
"mar, 25 set 2018 …". feedparser and feedparser-rs read English names (feedparser
others only by their first three letters, without a weekday, and at UTC whatever the
source's zone), so such items were undated. :func:`english_rfc822` writes the same
date with the English month ("24 Sep 2018 19:42:40 -0300"), for
:func:`digest.collect.entry.feed_date` to read as it reads any RFC 822 date (the zone
kept; none written: the source's).

Only a month and weekday named in the tables below are read: a name nobody knows is no
date, never a guess. Names are compared lower-cased without accents and a final dot
("févr." is "fevr"). No name stands for two months in two languages (checked by
tests/test_collect_foreign_dates.py); a weekday only shows the line is a date (whose
weekday it is would need the language: "mar" is Tuesday in Spanish, French and Italian).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MONTHS", "WEEKDAYS", "english_rfc822", "month_names"]

_ENGLISH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Each language's month names, January first: every name a month goes by, space
#: separated (abbreviations and full names; accents and final dots are ignored).
_MONTHS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": (
        "jan january", "feb february", "mar march", "apr april", "may", "jun june",
        "jul july", "aug august", "sep sept september", "oct october", "nov november",
        "dec december",
    ),
    "pt": (
        "jan janeiro", "fev fevereiro", "mar marco", "abr abril", "mai maio", "jun junho",
        "jul julho", "ago agosto", "set setembro", "out outubro", "nov novembro",
        "dez dezembro",
    ),
    "es": (
        "ene enero", "feb febrero", "mar marzo", "abr abril", "may mayo", "jun junio",
        "jul julio", "ago agosto", "sep sept set septiembre setiembre", "oct octubre",
        "nov noviembre", "dic diciembre",
    ),
    "fr": (
        "janv janvier", "fevr fev fevrier", "mars", "avr avril", "mai", "juin",
        "juil juillet", "aout", "sept septembre", "oct octobre", "nov novembre",
        "dec decembre",
    ),
    "de": (
        "jan januar janner", "feb februar", "mar marz maerz mrz", "apr april", "mai",
        "jun juni", "jul juli", "aug august", "sep sept september", "okt oktober",
        "nov november", "dez dezember",
    ),
    "it": (
        "gen gennaio", "feb febbraio", "mar marzo", "apr aprile", "mag maggio",
        "giu giugno", "lug luglio", "ago agosto", "set sett settembre", "ott ottobre",
        "nov novembre", "dic dicembre",
    ),
    "nl": (
        "jan januari", "feb februari", "mrt maart", "apr april", "mei", "jun juni",
        "jul juli", "aug augustus", "sep sept september", "okt oktober", "nov november",
        "dec december",
    ),
    "ca": (
        "gen gener", "febr febrer", "marc", "abr abril", "maig", "juny", "jul juliol",
        "ag agost", "set setembre", "oct octubre", "nov novembre", "des desembre",
    ),
    # Swedish, Danish and Norwegian
    "sv da nb": (
        "jan januari januar", "feb februari februar", "mar mars marts", "apr april",
        "maj mai", "jun juni", "jul juli", "aug augusti august", "sep september",
        "okt oktober", "nov november", "dec des december desember",
    ),
    "ro": (
        "ian ianuarie", "feb februarie", "mar martie", "apr aprilie", "mai", "iun iunie",
        "iul iulie", "aug august", "sep sept septembrie", "oct octombrie", "noi noiembrie",
        "dec decembrie",
    ),
    "id": (
        "jan januari", "feb februari", "mar maret", "apr april", "mei", "jun juni",
        "jul juli", "agu agt agustus", "sep september", "okt oktober", "nov november",
        "des desember",
    ),
    "pl": (
        "sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paz", "lis", "gru",
    ),
    "tr": (
        "oca ocak", "sub subat", "mar mart", "nis nisan", "may mayis", "haz haziran",
        "tem temmuz", "agu agustos", "eyl eylul", "eki ekim", "kas kasim", "ara aralik",
    ),
    "ru": (
        "янв", "фев", "мар", "апр", "мая май", "июн июня", "июл июля", "авг", "сен",
        "окт", "ноя", "дек",
    ),
}  # fmt: skip

#: Weekday names, any language (what tells a date line from other text).
_WEEKDAYS = """
mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday
saturday sunday
seg ter qua qui sex sab dom segunda terca quarta quinta sexta sabado domingo
segunda-feira terca-feira quarta-feira quinta-feira sexta-feira
lun mar mie jue vie lunes martes miercoles jueves viernes
mer jeu ven sam dim lundi mardi mercredi jeudi vendredi samedi dimanche
mo di mi do fr sa so montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
gio lunedi martedi mercoledi giovedi venerdi sabato domenica
ma wo vr za zo maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
dl dt dc dj dv ds dg dilluns dimarts dimecres dijous divendres dissabte diumenge
man tis tir ons tor fre lor son mandag tisdag tirsdag onsdag torsdag fredag
lordag sondag
joi vin dum luni marti miercuri vineri sambata duminica
sen sel rab kam jum min senin selasa rabu kamis jumat sabtu minggu
pon wt sr czw pt sob nd niedz poniedzialek wtorek sroda czwartek piatek sobota niedziela
pzt sal car per cum cmt paz pazartesi sali carsamba persembe cuma cumartesi pazar
пн вт ср чт пт сб вс
"""

#: Letters that Unicode does not decompose into a base letter and an accent.
_PLAIN = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ı": "i", "ł": "l", "đ": "d"})

#: "Seg, 24 Set 2018 19:42:40 -0300": an optional weekday, the day (German writes
#: "24."), a month name, a four-digit year, then an optional time and zone.
_DATE = re.compile(
    r"(?:(?P<weekday>[^\W\d_][\w.-]*?)\.?,?\s+)?(?P<day>\d{1,2})\.?\s+"
    r"(?P<month>[^\W\d_]+)\.?,?\s+(?P<year>\d{4})"
    r"(?P<time>\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?P<zone>\s*(?:[+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?\s*"
)


def plain_name(name: str) -> str:
    """`name` lower-case, without accents and a final dot: "Févr." → "fevr"."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_PLAIN))
    return "".join(c for c in folded if not unicodedata.combining(c)).rstrip(".")


def month_names() -> dict[str, int]:
    """Every month name of :data:`_MONTHS_BY_LANGUAGE` and its month (1-12); a name that
    two languages give two months raises ValueError."""
    months: dict[str, int] = {}
    for language, names in _MONTHS_BY_LANGUAGE.items():
        for number, written in enumerate(names, start=1):
            for name in map(plain_name, written.split()):
                if months.setdefault(name, number) != number:
                    raise ValueError(f"{language} {name!r}: month {number} or {months[name]}?")
    return months


MONTHS: dict[str, int] = month_names()
WEEKDAYS: frozenset[str] = frozenset(map(plain_name, _WEEKDAYS.split()))
#: What the parsers read themselves: English month and weekday names.
_ENGLISH_MONTHS = frozenset(" ".join(_MONTHS_BY_LANGUAGE["en"]).split())
_ENGLISH_WEEKDAYS = frozenset(" ".join(_WEEKDAYS.split("\n")[1:3]).split())


def english_rfc822(text: str) -> str | None:
    """`text`, an RFC 822-shaped date whose month (and weekday) may be named in another
    language, as an English RFC 822 date without its weekday; None when it is not one,
    or names a month or weekday we do not know.

    "Seg, 24 Set 2018 19:42:40 -0300" → "24 Sep 2018 19:42:40 -0300"; a date without a
    time is at midnight ("Seg, 24 Set 2018" → "24 Sep 2018 00:00:00"), in the source's
    zone as any date that names none. A date whose names are all English
    ("Mon, 24 Sep 2018 …") is None too: the parsers read it, and are left to.
    """
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    weekday = match["weekday"]
    if weekday is not None and plain_name(weekday) not in WEEKDAYS:
        return None
    month = MONTHS.get(plain_name(match["month"]))
    if month is None:
        return None
    english = weekday is None or plain_name(weekday) in _ENGLISH_WEEKDAYS
    if english and plain_name(match["month"]) in _ENGLISH_MONTHS:
        return None
    time = (match["time"] or " 00:00:00").strip()
    zone = (match["zone"] or "").strip()
    return " ".join(filter(None, (match["day"], _ENGLISH[month - 1], match["year"], time, zone)))
