"""Summaries trimmed to a word budget at a sentence boundary.

Job: turn a plain-text standfirst or body into a summary of at most ``max_words`` words
(and at most ``max_sentences`` sentences) that ends where a sentence ends. When even the
first sentence is over budget, the summary stops at the last whole word that fits and
ends with "…". A whole text within budget that lacks final punctuation (a standfirst)
gets a full stop, not "…": it was not cut. A paragraph break ends a sentence too: a
paragraph without final punctuation (a standfirst, a list item, a heading) followed by
another is closed the same way before the next one begins (:func:`join_paragraphs`), so
"…was killed" and "Two crew members…" never read as one run-on sentence. Pure string
work: the result, minus a trailing "…" or added full stop, is always a prefix of the
input with its paragraphs so joined, whitespace folded. A shout, an exclamation of a
few words ("Aric!", "Big news!": :func:`shout`), is no sentence of the budget and no
place to stop while text follows: show notes that run "Like old times! Aric! Bryce!"
give their first real sentences too.
Must not: parse HTML (the input is plain text), cut inside a word, add "…" after an emoji
or a complete sentence (or a second after a writer's "can..."), glue "." or "…" onto a
URL, take an abbreviation ("Mr.", "U.S.", "e.g.", "J."), a stop inside a two-word
honorific ("Most. Rev.", "Rt. Hon.") or a decimal point ("3.5") for the end of a
sentence, nor a full stop or an ellipsis before a word in lower case (a pause, "can...
take"; an ordinal, "do 26. januára"; an abbreviation no list names, "DevOps und Co. ins
Zentrum") or a day's before its month ("am 09. Januar 2020"; in a text known to be
German, "am 1. August für…" too, where English "…was 3 to 10. August brought…" ends),
or rewrite a word.

Words are counted as they read: each whitespace-separated run is one word, except that
in CJK text, written without spaces, every character counts as a word (so a run of
Chinese is never one enormous "word"). :func:`count_words` exposes that count.
"""

from __future__ import annotations

import bisect
import re

ELLIPSIS = "…"

_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_CLOSERS = "\"'”’»›)\\]}」』】〕〉》）"
#: A unit of the word budget: one CJK character (with the punctuation that follows it),
#: or a run of other non-space characters.
_UNIT = re.compile(rf"[{_CJK_CHARS}][^\w\s]*|[^\s{_CJK_CHARS}]+")
_WESTERN_STOPS = ".!?…‼⁇⁈⁉"
#: Full stops and question marks of scripts that need no space after them: CJK 。！？｡,
#: Urdu ۔, Arabic ؟, Devanagari/Bengali । ॥, Armenian ։, Ethiopic ። ፧, Myanmar ။,
#: Tibetan །, Khmer ។.
_SCRIPT_STOPS = "。！？｡۔؟।॥։።፧။།។"
#: A Western sentence end: stop punctuation, closing quotes or brackets, then a space.
_WESTERN_END = re.compile(rf"(?<=\S)[{_WESTERN_STOPS}]+[{_CLOSERS}]*(?=\s|$)")
#: A sentence end in a script with its own stops needs no space after it.
_SCRIPT_END = re.compile(rf"[{_SCRIPT_STOPS}]+[{_CLOSERS}]*")
_GREEK = "\u0370-\u03ff\u1f00-\u1fff"
#: Greek asks with ";" (U+037E, which NFC turns into a semicolon) after a Greek word.
_GREEK_END = re.compile(rf"(?<=[{_GREEK}])[;\u037e][{_CLOSERS}]*(?=\s|$)")
_EMOJI = "\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
_EMOJI_TAIL = rf"\u200d\ufe0f\U0001f3fb-\U0001f3ff{_EMOJI}"
#: An emoji (with its joiners, variation selector and skin tone) closes a thought the
#: way a full stop does; it is never followed by "…" or ".".
_EMOJI_END = re.compile(rf"[{_EMOJI}][{_EMOJI_TAIL}]*(?=\s|$)")
_EMOJI_LAST = re.compile(rf"[{_EMOJI}][{_EMOJI_TAIL}]*$")
_THAI = "\u0e00-\u0eff"  # Thai and Lao: no full stop; a space separates sentences
_THAI_END = re.compile(rf"(?<=[{_THAI}])(?= [{_THAI}])")
_URL_LAST = re.compile(r"(?:^|\s)(?:[a-z][a-z0-9+.-]*://|www\.)\S+$", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(
    rf"(?:[{_WESTERN_STOPS}{_SCRIPT_STOPS}]|(?<=[{_GREEK}])[;\u037e])[{_CLOSERS}]*$"
)
#: How a whole text in each script is closed when it lacks final punctuation.
_FULL_STOPS = (
    (re.compile(rf"[{_CJK_CHARS}]"), "。"),
    (re.compile("[\u0900-\u0a7f]"), "।"),  # Devanagari, Bengali, Gurmukhi
    (re.compile("[\u0530-\u058f]"), "։"),  # Armenian
    (re.compile("[\u1200-\u139f]"), "።"),  # Ethiopic
    (re.compile("[\u1000-\u109f]"), "။"),  # Myanmar
    (re.compile("[\u0f00-\u0fff]"), "།"),  # Tibetan
    (re.compile("[\u1780-\u17ff]"), "។"),  # Khmer
    (re.compile(f"[{_THAI}]"), ""),  # Thai and Lao use none
)
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_URDU = re.compile("[\u0679\u0688\u0691\u06ba\u06c1\u06d2\u06d4]")  # ٹ ڈ ڑ ں ہ ے ۔
_TOKEN_BEFORE = re.compile(r"\S+$")
_DOTTED = re.compile(r"(?:\w\.)+\w", re.UNICODE)
_LEADING = re.compile(rf"^[\"'“‘«‹(\[{{{_CLOSERS}]+")
_DANGLING = ",;:-–—([{“‘«‹/\\ "


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Never the end of a sentence when followed by more text.
ABBREVIATIONS = _words(
    """mr mrs ms mx dr prof sr jr st mt ft rev hon gov sen rep gen col lt sgt capt cmdr adm
    maj pres supt insp messrs mme mlle dept univ assn bros vs cf approx jan feb apr jun jul
    aug sep sept oct nov dec tues thur thurs ave blvd rd hwy u.s u.k u.n e.g i.e a.m p.m ph.d
    etc al rt revd msgr fr"""
)
#: The first word of a two-word honorific ("Most Rev.", "Rt. Hon.", "Very Rev."): a
#: stop after it, capitalised, is inside the title when the second follows ("Archbishop
#: of Bangalore Most. Rev. Bernad Moras"), not a sentence end.
HONORIFIC_FIRST = frozenset({"most", "right", "very", "rt"})
HONORIFIC_SECOND = _words("rev revd reverend hon honourable honorable worshipful")
#: Abbreviations only before a number ("No. 3", "Vol. 2"); elsewhere an ordinary word.
NUMBERED = frozenset({"no", "nos", "vol", "pp", "fig", "art", "ch", "sec"})


def count_words(text: str) -> int:
    """The number of words ``text`` counts for in a budget (CJK: one per character)."""
    return sum(1 for _ in _UNIT.finditer(text))


#: The first two letters of the word after a stop (none: a digit, a quote, a CJK text).
_NEXT_LETTERS = re.compile(r"\s*([^\W\d_])([^\W\d_]?)")


def _goes_on(text: str, end: int) -> bool:
    """Whether the word at ``text[end:]`` (spaces aside) continues a sentence: one in
    lower case ("januára", "ins", "рублей") in a script with capitals, where a sentence
    begins with a capital. A brand written in lower case ("iPhone", "eBay"), a digit, a
    quote and a script without capitals may begin one."""
    match = _NEXT_LETTERS.match(text, end)
    return match is not None and match[1].islower() and not match[2].isupper()


#: German months, written with a capital after the day's ordinal ("am 09. Januar");
#: those English spells alike count only before a year or a stop ("zum 1. August."),
#: unless the text is known to be German ("am 1. August für den Umbau").
_GERMAN_MONTHS = frozenset({"januar", "jänner", "februar", "märz", "mai", "juni", "juli"})
_GERMAN_MONTHS |= {"oktober", "dezember"}
_SHARED_MONTHS = frozenset({"april", "august", "september", "november"})
_MONTH_AFTER = re.compile(r"\s*([^\W\d_]+)(\s*(?:\d|[.,;:!?]|$))?")
#: Primary language subtags of German (BCP 47): German, Swiss German.
_GERMAN = frozenset({"de", "gsw"})


def _is_german(language: str | None) -> bool:
    """Whether BCP 47 `language` ("de", "de-AT", "de_CH") is German."""
    return (language or "").replace("_", "-").split("-")[0].casefold() in _GERMAN


def _month_follows(text: str, end: int, *, german: bool) -> bool:
    """Whether a month's name follows ``text[end:]`` as it does a day's ordinal (in a
    text known to be `german`, any German month's, whatever comes after it)."""
    match = _MONTH_AFTER.match(text, end)
    if match is None:
        return False
    month = match[1].casefold()
    if month in _GERMAN_MONTHS:
        return True
    return month in _SHARED_MONTHS and (german or match[2] is not None)


#: An ellipsis: a pause before a word in lower case, else a sentence's end.
_PAUSES = frozenset({"…", "...", "...."})
_PAUSED = re.compile(r"(?<=\w)(?:…|\.{3,4})$")


def _is_abbreviation(text: str, stop: int, end: int, *, german: bool = False) -> bool:
    """Whether the single "." at ``text[stop]`` closes an abbreviation (or an ordinal:
    "26. januára"), or the ellipsis there pauses before a word in lower case ("can...
    take"), not a sentence."""
    marks = text[stop:end].rstrip(_CLOSERS)
    if marks in _PAUSES:
        return _goes_on(text, end)  # "…Founders Pale Ale... and then chat": a pause
    if marks != ".":
        return False  # "?" and "!" always end a sentence
    if _goes_on(text, end):
        return True  # "und Co. ins Zentrum", "do 26. januára", "ca. fünf", "млн. рублей"
    match = _TOKEN_BEFORE.search(text, 0, stop)
    word = _LEADING.sub("", match.group() if match else "")
    folded = word.casefold()
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. K. Rowling"
    if folded in ABBREVIATIONS or _DOTTED.fullmatch(word):
        return True  # "Dr.", "U.S.", "e.g."
    if folded in HONORIFIC_FIRST and word[:1].isupper() and _honorific_follows(text, end):
        return True  # "Most. Rev. Bernad Moras"
    if word.isdigit() and len(word) <= 2 and _month_follows(text, end, german=german):
        return True  # a day's ordinal: "am 09. Januar 2020"
    following = text[end:].lstrip()[:1]
    return folded in NUMBERED and following.isdigit()


def _honorific_follows(text: str, end: int) -> bool:
    """Whether the word at ``text[end:]`` is an honorific's second ("Rev.", "Hon.")."""
    following = text[end:].split(maxsplit=1)[:1]
    return bool(following) and following[0].rstrip(".,").casefold() in HONORIFIC_SECOND


def sentence_ends(text: str, *, language: str | None = None) -> list[int]:
    """Offsets just past each sentence end in ``text`` (closing quotes included), a text
    in BCP 47 ``language`` when known (German: "am 1. August für…" goes on).

    Western stops need a space (or the end) after them and skip abbreviations; the
    stops of other scripts (``。 ۔ । ։ ።`` …) need no space; a Greek ";" after a Greek
    word asks a question; an emoji after some text closes a thought; in Thai and Lao a
    space between two words of the script separates sentences.
    """
    ends = {m.end() for m in _SCRIPT_END.finditer(text)}
    ends.update(m.end() for m in _GREEK_END.finditer(text))
    ends.update(m.end() for m in _EMOJI_END.finditer(text) if text[: m.start()].strip())
    ends.update(m.end() for m in _THAI_END.finditer(text))
    german = _is_german(language)
    for m in _WESTERN_END.finditer(text):
        if m.end() == len(text) or not _is_abbreviation(text, m.start(), m.end(), german=german):
            ends.add(m.end())
    return sorted(ends)


def _complete(text: str) -> bool:
    """Whether ``text`` already ends as a whole text may: a stop, an emoji or a URL."""
    return bool(_ENDS_SENTENCE.search(text) or _EMOJI_LAST.search(text) or _URL_LAST.search(text))


def _full_stop(text: str) -> str | None:
    """The full stop of the script ``text`` ends in; None when that is not a letter."""
    last = text.rstrip(_CLOSERS)[-1:]
    for script, stop in _FULL_STOPS:
        if script.match(last):
            return stop
    if _ARABIC_SCRIPT.match(last):
        return "۔" if _URDU.search(text) else "."
    if last.isalnum() or last in "%)]":
        return "."
    return None


def _close(text: str) -> str:
    """End a whole text that lacks final punctuation (a standfirst often does).

    It is the source's complete text, not a cut, so it gets its script's full stop
    ("." or "。", "۔", "।", "։", "።" …; none in Thai) rather than "…". A text the
    publisher cut cannot be told from it here: collect, which sees the whole feed, marks
    one with "…" (:mod:`digest.collect.summaries`), and then it is complete. A text ending
    with an emoji or a URL is left as it is (a dot glued to a URL breaks the link);
    only text that ends on a comma, colon or dash looks unfinished.
    """
    if _complete(text):
        return text
    stop = _full_stop(text)
    if stop is not None:
        return text + stop
    return _mark_cut(text)


def _cut(text: str) -> str:
    """``text``, cut after a whole word, marked as cut ("…" never glued to a URL)."""
    if _EMOJI_LAST.search(text):
        return text  # an emoji closes a thought: no "…" after it
    if _URL_LAST.search(text):
        return f"{text} {ELLIPSIS}"
    return _mark_cut(text)


def _mark_cut(text: str) -> str:
    """``text`` without a dangling comma or dash, then "…" unless a sentence ends there
    (a writer's pause there, "can..." or "can…", becomes the one "…")."""
    if paused := _PAUSED.search(text):
        return text[: paused.start()] + ELLIPSIS
    kept = text.rstrip(_DANGLING) or text
    return kept if kept != text and _complete(kept) else kept + ELLIPSIS


_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def join_paragraphs(text: str) -> str:
    """``text`` on one line, whitespace folded, each paragraph that lacks final
    punctuation closed with its script's full stop when another paragraph follows.

    Paragraphs are separated by a blank line (as :func:`~digest.collect.plaintext.html_to_text`
    writes block elements and list items). A paragraph ending on a comma, colon or dash
    introduces what follows ("Key points:") and one ending in an emoji or a URL needs
    no stop: those are joined as they are.
    """
    return _joined(text)[0]


def _joined(text: str) -> tuple[str, list[int]]:
    """:func:`join_paragraphs` of ``text``, and the offsets just past each paragraph but
    the last that ends a sentence there (closed, or complete as it was): a paragraph
    break ends a sentence even when the next paragraph begins in lower case."""
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text)]
    paragraphs = [p for p in paragraphs if p]
    closed = []
    ends = []
    offset = 0
    for paragraph in paragraphs[:-1]:
        stop = None if _complete(paragraph) else _full_stop(paragraph)
        closed.append(paragraph + stop if stop else paragraph)
        offset += len(closed[-1])
        if _complete(closed[-1]):
            ends.append(offset)
        offset += 1  # the space that joins it to the next
    return " ".join([*closed, *paragraphs[-1:]]), ends


#: An exclamation this short ("Aric!", "Like old times!") is a shout, not a sentence.
SHOUT_WORDS = 3
_SHOUT_MARKS = "!‼⁈⁉"
_LAST_STOPS = re.compile(rf"[{_WESTERN_STOPS}]+[{_CLOSERS}]*$")


def shout(sentence: str) -> bool:
    """Whether `sentence` is a shout: an exclamation of at most :data:`SHOUT_WORDS`
    words ("Aric!", "Big news!"). Show notes run them together ("Like old times! Aric!
    Bryce! Bill!"): a summary counts none of them as a sentence and ends after one only
    where the text does, so that what follows them is read."""
    stops = _LAST_STOPS.search(sentence)
    if stops is None or not any(mark in stops.group() for mark in _SHOUT_MARKS):
        return False
    return len(sentence.split()) <= SHOUT_WORDS


def trim(
    text: str, max_words: int, *, max_sentences: int | None = None, language: str | None = None
) -> str:
    """``text`` cut to at most ``max_words`` words, ending a sentence or with "…".

    Text within both budgets comes back whitespace-folded; if it lacks final punctuation
    it is closed with a full stop (see :func:`_close`). Otherwise the longest run of
    whole sentences that fits is kept; if not even the first sentence fits, it is cut
    after the last whole word within budget and "…" is added. ``max_sentences``
    (teasers use 2) caps the sentences kept. ``language``: the text's BCP 47 tag, when
    known (the article's, else its feed's): see :func:`sentence_ends`.
    """
    if max_sentences is not None and max_sentences < 1:
        raise ValueError(f"max_sentences must be at least 1, not {max_sentences}")
    folded, paragraph_ends = _joined(text)
    if not folded or max_words < 1:
        return ""
    units = [(m.start(), m.end()) for m in _UNIT.finditer(folded)]
    starts = [start for start, _ in units]
    ends = sorted({*sentence_ends(folded, language=language), *paragraph_ends})
    complete = _complete(folded) or (bool(ends) and ends[-1] == len(folded))
    shouts = {end for start, end in zip([0, *ends], ends, strict=False) if shout(folded[start:end])}
    sentences = len(ends) - len(shouts) + (0 if complete else 1)
    if len(units) <= max_words and (max_sentences is None or sentences <= max_sentences):
        return folded if complete else _close(folded)
    best = 0
    counted = 0
    for end in ends:
        if bisect.bisect_left(starts, end) > max_words:  # words begun before the end
            break
        if end in shouts:  # "Aric!": neither a sentence of the budget nor an end
            continue
        if max_sentences is not None and counted >= max_sentences:
            break
        counted += 1
        best = end
    if best:
        return folded[:best]
    cut = units[min(max_words, len(units)) - 1][1]
    return folded[:cut] if cut in shouts else _cut(folded[:cut])  # "Big news!" whole
