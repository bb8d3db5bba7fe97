"""The plain-text part's helpers: folding to flowed lines, cutting a line at a word,
and keeping a story's text from drawing the part's own separators.

These are the Jinja filters the text templates use (`wrap`, `flow`, `nobreak`), the
finishing of the part as format=flowed (:func:`flowed`, :func:`flowed_part`) and the
shortening of a subject or preheader. Pure functions of their arguments: no template, no I/O.
"""

from __future__ import annotations

import textwrap
import unicodedata

import regex

#: A grapheme cluster: what a reader sees as one character (a letter with its marks,
#: a flag, an emoji with its joiners and skin tone), Unicode's extended clusters (UAX #29).
_GRAPHEME = regex.compile(r"\X")


def shorten(text: str, limit: int, *, floor: int = 0) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis
    (inside a word when the last boundary would leave fewer than `floor` characters,
    then between grapheme clusters: :func:`whole_graphemes`)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = whole_graphemes(text, limit - 1)
    if " " in cut and len(word := cut.rsplit(" ", 1)[0]) >= floor:
        cut = word
    return cut.rstrip(" ,;:·|-–—") + "…"


def whole_graphemes(text: str, end: int) -> str:
    """The longest start of ``text`` of at most ``end`` characters that ends between two
    grapheme clusters: never half a flag, an emoji without the rest of its sequence or a
    letter without its marks (only a cluster longer than ``end`` is cut inside)."""
    if len(text) <= end:
        return text
    last = 0  # the character after the cut is read too: it decides the boundary
    for cluster in _GRAPHEME.finditer(text, 0, end + 1):
        if cluster.end() > end:
            break
        last = cluster.end()
    return text[:last] if last else text[:end]


def loose(text: str) -> str:
    """``text`` as a collator compares it at primary strength, to find one name in
    another: without case, accents or other combining marks (NFKD, marks of a nonzero
    combining class dropped, casefolded), whitespace folded. "İZMİR" and "İzmir" (whose
    "İ" casefolds to "i" and a dot), "ΕΛΛΗΝΙΚΗ" and "Ελληνική" (Greek capitals drop
    their accents) are the same word."""
    bare = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return " ".join(bare.casefold().split())


NOBREAK = "\u00a0"
#: Around a story's text that reads the other way than the newsletter (an Arabic
#: headline in an English edition): :func:`reading` puts them there, :func:`with_marks`
#: turns them into direction marks once the text is folded.
OTHER_WAY, OWN_WAY = "\x02", "\x03"
LRM, RLM = "\u200e", "\u200f"


def nobreak(text: str) -> str:
    """Keep a short phrase (a source's name) on one line when `wrap` folds the text."""
    return str(text).replace(" ", NOBREAK)


#: A space before a word that is only a mark French sets after a space ("200 €",
#: "tactile ?", "LIDD : Liens", "France »"), closing punctuation after it allowed; and
#: one after an opening "«" or "‹" that stands alone.
_SPACE_BEFORE_MARK = regex.compile(r"(?<=\S) +(?=[?!:;»›€%‰]+[.,)\]\"'”’]*(?:\s|$))")
_SPACE_AFTER_MARK = regex.compile(r"(?:^|(?<=\s))[«‹]\K +(?=\S)")


def bound_marks(text: str) -> str:
    """`text` with each such mark held to its word by a no-break space: no line of
    either part then starts with one (or ends with "«"). The HTML shows the no-break
    space; :func:`wrap` writes a plain one where it binds."""
    return str(_SPACE_AFTER_MARK.sub(NOBREAK, _SPACE_BEFORE_MARK.sub(NOBREAK, text)))


def plain_spaces(text: str) -> str:
    """`text` with plain spaces for no-break ones: words that are not laid out (an
    aria-label, an alt text) carry no :func:`bound_marks` binding."""
    return str(text).replace(NOBREAK, " ")


def wrap(
    text: str, width: int = 78, indent: str = "", first: str | None = None, soft: str = ""
) -> str:
    """Fold text to `width` columns; URLs, long words and `nobreak` phrases are never
    broken (their no-break spaces become plain spaces again). Text holding a wide
    character (East Asian Width W or F: Chinese, Japanese, Korean, fullwidth forms, most
    emoji) is measured in columns, two for each wide one (:func:`_fold_wide`); a script
    written without spaces between words (Chinese, Japanese) is folded between its
    characters too, one written with spaces (Korean) only at its spaces.

    `soft` ends each line that was broken at a space (not one broken between two
    characters of a word): :func:`flow` marks those so that :func:`flowed` can make
    them the soft breaks of format=flowed."""
    words = str(text).replace(NOBREAK, "\x00").split()
    if soft:
        words = _bound(words)
    if any(_wide(ch) or _ideographic(ch) for w in words for ch in w):
        first = indent if first is None else first
        return _fold_wide(words, width, indent, first, soft).replace("\x00", " ")
    lines = textwrap.wrap(
        " ".join(words),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return (soft + "\n").join(lines).replace("\x00", " ")


#: Where :func:`flow` ends a line that the reader's client may join to the next.
SOFT = "\x01"
#: The width of a flowed line's words: with the soft break's space and the stuffing of
#: a line that needs it, no line is longer than the 78 characters of RFC 3676, 4.2.
FLOW_WIDTH = 76
#: The signature separator (RFC 3676, 4.3) is this and a space: clients fold away
#: what follows it. A template writes it on a line of its own (the welcome's and the
#: confirmation's); no line of flowed text is made it (:func:`_bound`).
SIGNATURE = "--"
SEPARATOR = SIGNATURE + " "


def flow(text: str, width: int = FLOW_WIDTH) -> str:
    """`text` folded into the lines of one flowed paragraph (soft breaks marked)."""
    return wrap(text, width, soft=SOFT)


def _bound(words: list[str]) -> list[str]:
    """A lone "--" held to the word after it, so that no flowed line is "-- ", the
    signature separator, above the rest of the edition."""
    out: list[str] = []
    for word in words:
        if out and out[-1] == SIGNATURE:
            out[-1] += "\x00" + word
        else:
            out.append(word)
    return out


def flowed(text: str) -> str:
    """The part as format=flowed, DelSp=no (RFC 3676): each line :func:`flow` marked
    ends in one space (a soft break), every other line in none (a hard break); a line
    that begins with a space, ">" or "From " is space-stuffed (4.4). A soft line that
    would read "-- " stays hard; a hard line that is "-- " keeps its space: that is the
    signature separator (4.3)."""
    out = []
    for line in text.split("\n"):
        soft = SOFT in line
        if not soft and line == SEPARATOR:
            out.append(line)
            continue
        line = line.replace(SOFT, "").rstrip(" ")
        if soft and line and line != SIGNATURE:
            line += " "
        if line.startswith((" ", ">", "From ")):
            line = " " + line
        out.append(line)
    return "\n".join(out)


def flowed_part(text: str) -> str:
    """A rendered text template (its soft breaks marked by :func:`flow`) as the body of
    a format=flowed part: runs of blank lines made one, none at either end, then
    :func:`flowed`. The edition's text part and the welcome's and confirmation's are
    all made by it (and sent with :func:`digest.message.text_part`)."""
    return flowed(regex.sub(r"\n{3,}", "\n\n", text).strip() + "\n")


#: Never at the start of a line: closing punctuation and brackets, small kana, the
#: prolonged sound mark and iteration marks (Japanese kinsoku, Chinese bìtóu).
_NO_START = frozenset(
    "、。，．・：；？！ー…‥々〻ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "」』）】〕〉》〙〗〟］｝｠’”%％,.!?:;)]}»›"
    "｡､｣･ｰｧｨｩｪｫｬｭｮｯﾞﾟ"  # their half-width forms
)
#: Never at the end of a line: opening brackets and quotes.
_NO_END = frozenset("「『（【〔〈《〘〖〝［｛｟‘“([{«‹｢")


def _wide(ch: str) -> bool:
    """A character that takes two columns in a fixed-width font (CJK, fullwidth forms)."""
    return unicodedata.east_asian_width(ch) in "WF"


#: A letter of a script written without spaces between words, where a line may break
#: between two characters: Chinese, Japanese kana (half-width ones too), Bopomofo.
_IDEOGRAPHIC = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}]")


def _ideographic(ch: str) -> bool:
    """A character a line may break before or after: a letter of :data:`_IDEOGRAPHIC`,
    or wide punctuation ("。", "「"). A Hangul syllable or a fullwidth Latin letter is
    part of a word written between spaces, and is not."""
    return bool(_IDEOGRAPHIC.match(ch)) or (_wide(ch) and unicodedata.category(ch)[0] == "P")


def _columns(text: str) -> int:
    return sum(2 if _wide(ch) else 1 for ch in text)


def _pieces(word: str) -> list[str]:
    """`word` cut where a line may break inside it: before or after a character of a
    script written without spaces (:func:`_ideographic`; whole grapheme clusters), except
    before closing or after opening punctuation. A URL or a `nobreak` phrase stays whole."""
    if "://" in word or "\x00" in word:
        return [word]
    pieces: list[str] = []
    for cluster in _GRAPHEME.findall(word):
        if (
            pieces
            and (_ideographic(pieces[-1][-1]) or _ideographic(cluster[0]))
            and cluster[0] not in _NO_START
            and pieces[-1][-1] not in _NO_END
        ):
            pieces.append(cluster)
        elif pieces:
            pieces[-1] += cluster
        else:
            pieces.append(cluster)
    return pieces


def _fold_wide(words: list[str], width: int, indent: str, first: str, soft: str = "") -> str:
    """Fill lines of at most `width` columns greedily, as `textwrap` does, breaking at
    spaces and between the pieces of each word (:func:`_pieces`); a piece wider than a
    line gets a line of its own. A line broken at a space ends in `soft`."""
    lines: list[str] = []
    line, used, empty = first, _columns(first), True
    for word in words:
        for n, piece in enumerate(_pieces(word)):
            joined = piece if n or empty else " " + piece
            if not empty and used + _columns(joined) > width:
                lines.append(line + ("" if n else soft))
                line, used = indent + piece, _columns(indent + piece)
            else:
                line, used = line + joined, used + _columns(joined)
            empty = False
    return "\n".join([*lines, line]) if not empty else ""


#: Characters a line is ruled with: dashes (hyphen to em dash, fullwidth), minus signs,
#: equals signs, underscores, overlines, box-drawing lines and block elements.
_RULED = r"[\p{Pd}\u2212\u2796=\uff1d_\u203e\u00af\u23af\u2500-\u259f\u25ac]"
#: Three or more of them in a row, spaces between allowed ("---", "= = =").
_RULE = regex.compile(rf"{_RULED}(?:\s*{_RULED}){{2,}}")
#: The part's own separators: above each story or section of stories, and above the
#: footer with the unsubscribe link. Three characters, so a screen reader says three
#: words, not seventy-eight; :func:`without_rules` keeps a story from drawing them.
STORY_RULE = "==="
FOOTER_RULE = "---"


def without_rules(text: str) -> str:
    """A story's `text` with each run of rule characters shortened to one dash.

    The text part draws its own structure with short rules (STORY_RULE, FOOTER_RULE).
    Words are never broken, so a feed's summary holding such a rule drew our footer's
    rule in the middle of the edition, and the forged footer under it read as ours."""
    return _RULE.sub("\u2014", text) if len(text) > 2 else text


def with_marks(text: str, direction: str) -> str:
    """The folded plain text with each span between OTHER_WAY and OWN_WAY held to its
    own direction on every line it reaches: a mark of its direction before it (after
    the indent, on a line it goes on to) and after it, then one of the newsletter's.

    A plain-text part shows each line in one direction (the reader's client's, or its
    first letter's). Unmarked, an Arabic headline in an English line took the reference
    after it ("[5]") and its own "!" or "." into its run, shown on the wrong side, and
    the outlet's name in "(...)" moved to the start. LRM and RLM are marks, not
    embeddings or isolates: they cannot reach past themselves into the next line.
    """
    own, other = (LRM, RLM) if direction == "ltr" else (RLM, LRM)
    lines, inside = [], False
    for line in text.split("\n"):
        out = []
        if inside and line.strip():
            indent = len(line) - len(line.lstrip(" "))
            out.append(line[:indent] + other)
            line = line[indent:]
        for ch in line:
            if ch == OTHER_WAY:
                inside = True
                out.append(other)
            elif ch == OWN_WAY:
                inside = False
                out.append(other + own)
            else:
                out.append(ch)
        if inside and line.strip():
            out.append(other + own)
        lines.append("".join(out))
    return "\n".join(lines)
