"""The publisher's own promotions inside an item: calls to sign up, and related links.

Job: :func:`without_promos` removes from a plain-text summary or body (as
:func:`~digest.collect.plaintext.html_to_text` wrote the item's HTML) the lines that
advertise the publisher rather than tell the story, wherever they sit, so that none
becomes a summary or part of one:

- **Sign-up calls.** A paragraph or line that is only a call to sign up for an email
  or newsletter: "Sign up here to get an email whenever First Dog cartoons are
  published", "Sign up to our morning briefing newsletter", "Subscribe to our
  newsletter". When the call is an item of a list in the HTML, the list is the
  publisher's promotions, and its other items go too ("Get all your needs met at the
  First Dog shop…": the Guardian lists its shop beside the sign-up call). A sentence
  that says "sign up here" inside a story ("Voters can sign up here to get an email
  reminder, the council said.", "Sign up here, the poster says, and…") stays, and so
  does a call someone is reported to have made ("Sign up to get an email when tickets
  go on sale, the club said.", "…, according to the club"): that is the story's news.
- **Related links.** A line that is a label and nothing but links: "More: Frances Ryan
  on the 2000s | Liv Little on the 2010s", "Related: …", "See also: …" ("Læs også:",
  "Lesen Sie auch:", "Lire aussi:"), each part the text of a link in the item's HTML.
  A line that is one link whose own text holds the label ("Related: Chicago is
  America's most segregated city", as CNN Money writes it) goes too. "More: that was
  the word on every placard…" is no link and stays.

Must not: parse the HTML beyond finding its lists' items and its links' texts (it is
sanitised, and only searched); touch a line it does not remove; change the article key.
"""

from __future__ import annotations

import html as htmlmod

import regex

__all__ = ["without_promos"]

#: A whole line that calls the reader to sign up for the publisher's mail, one sentence.
_SIGN_UP = regex.compile(
    r"(?i)\W*(?:sign up|subscribe)(?: here| now| today| free)?(?: to| for)\b[^.!?\n]{0,120}?"
    r"\b(?:e-?mails?|newsletters?|briefing|alerts?|digest)\b[^.!?\n]{0,80}[.!]?\W*"
)
_MAY_SIGN_UP = regex.compile(r"(?i)\b(?:sign up|subscribe)\b")
#: Who said it, after a comma: ", the club said", ",” she told reporters", ", said the
#: chair", ", according to the club"; not ", which tells you…" nor ", you'll say…" (the
#: publisher's own call still).
_REPORTED = regex.compile(
    r"(?i),[\"'”’»]?\s+(?:said|according to|(?:(?!(?:which|that|who|you|we)\b)[\w'’-]+\s){1,6}"
    r"(?:said|says|say|told|tells|added|adds|announced|announces|wrote|writes|explained))\b"
)
#: A label of related links, then its links: "More: A | B", "See also: A".
_RELATED = regex.compile(
    r"(?i)\s*(?:more|related|see also|read (?:more|also)|also read|further reading"
    r"|more on this(?: story| topic)?|læs også|lesen sie auch|mehr zum thema|lire aussi"
    r"|leia também|lees ook|czytaj też)\s*:\s*(?P<links>\S.*)"
)
_LINK_SEPARATOR = regex.compile(r"\s+[|•·/]\s+|\s*;\s+")
_LIST = regex.compile(r"<(ul|ol)\b[^>]*>(.*?)</\1>", regex.IGNORECASE | regex.DOTALL)
_ITEM = regex.compile(r"<li\b[^>]*>(.*?)(?=</li>|<li\b|$)", regex.IGNORECASE | regex.DOTALL)
_ANCHOR = regex.compile(r"<a\b[^>]*>(.*?)</a>", regex.IGNORECASE | regex.DOTALL)
_TAG = regex.compile(r"<[^>]*>")


def without_promos(text: str, html: str) -> str:
    """`text` (as :func:`~digest.collect.plaintext.html_to_text` wrote `html`) without the
    publisher's promotions (see the module doc); as it is when it has none."""
    sign_up = _may_sign_up(text)
    related = ":" in text and "<a" in html
    if not (sign_up or related):
        return text  # most items are read no further
    promos = _promo_lines(html) if sign_up else set()
    links = _texts(_ANCHOR, html) if related else set()
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = [line for line in paragraph.split("\n") if not _is_promo(line, promos, links)]
        if any(line.strip() for line in lines):
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs) if paragraphs else text  # all promotions: its own story


def _is_promo(line: str, promos: set[str], links: set[str]) -> bool:
    flat = _folded(line)
    if not flat:
        return False
    if flat in promos or (_may_sign_up(flat) and _is_sign_up(flat)):
        return True
    match = _RELATED.fullmatch(flat) if links else None
    return match is not None and (
        flat in links
        or all(part in links for part in _LINK_SEPARATOR.split(match.group("links").strip()))
    )


def _promo_lines(html: str) -> set[str]:
    """The texts of the items of each list in `html` that holds a sign-up call."""
    promos: set[str] = set()
    for match in _LIST.finditer(html):
        items = _texts(_ITEM, match.group(2))
        if any(_is_sign_up(item) for item in items):
            promos |= items
    return promos


def _may_sign_up(text: str) -> bool:
    """:data:`_MAY_SIGN_UP`, searched only where the case-folded text has its words (a
    fifth of the pattern's cost on the text of most items, which have none)."""
    folded = text.casefold()
    return ("sign up" in folded or "subscribe" in folded) and bool(_MAY_SIGN_UP.search(text))


def _is_sign_up(line: str) -> bool:
    """Whether `line` (whitespace folded) is a call to sign up, not a reported one."""
    return _SIGN_UP.fullmatch(line) is not None and _REPORTED.search(line) is None


def _texts(pattern: regex.Pattern[str], html: str) -> set[str]:
    """The plain texts of `pattern`'s first group in `html`, whitespace folded."""
    texts = {_folded(htmlmod.unescape(_TAG.sub("", m.group(1)))) for m in pattern.finditer(html)}
    texts.discard("")
    return texts


def _folded(text: str) -> str:
    return " ".join(text.split())
