"""The opening clause of a sentence too long for a headline, cut where it pauses.

Job: from a sentence's first words (as many as a headline may hold), keep those up to
the last natural break: a comma, semicolon, colon or dash after one of them, else the
last word before a function word ("of", "that", "und", "que": the ranking's stopwords),
else all but the function words they end on; the caller adds "…". An untitled item's
made-up headline then reads "…patrols the old docks every night…", not "…night of the…".
:func:`clause_before` ends a clause where a quotation opens (:mod:`digest.wording.untitled`
stops a headline there rather than leave the quotation open).
Must not: cut inside a word, keep fewer than :data:`MIN_WORDS` words when the break
would leave fewer (the words are then kept as they are), or add or rewrite a word.
"""

from __future__ import annotations

import re

from digest.wording.stopwords import STOPWORDS

#: The fewest words a clause keeps: a break before them is too early to cut at.
MIN_WORDS = 5
#: What ends a clause when it follows a word ("songs," "Cone:"), or stands alone ("–").
_PAUSES = ",;:–—"
_DASHES = frozenset({"-", "–", "—"})
#: What may wrap a word without changing which word it is.
_WRAPPING = "\"'“”‘’«»‹›()[]"
#: The mark of a break at a clause's end, inside the quote it may close ("win,\"").
_BREAK_MARK = re.compile(r"\s*[,;:–—-]+(?=[\"'”’»›)\]]*$)")


def _little(word: str) -> bool:
    """Whether `word` is a function word ("of", "the", "that"), quotes and marks aside."""
    return word.strip(_WRAPPING + _PAUSES + ".!?…").casefold() in STOPWORDS


def without_break_mark(clause: str) -> str:
    """`clause` without the mark of the break it ends at ("win," and "win,\"" end "win"
    and "win\"")."""
    return _BREAK_MARK.sub("", clause)


def opening_clause(words: list[str], following: str = "") -> str:
    """`words` (a sentence's first, in order) up to their last natural break, without
    the mark that makes it; `following` is the sentence's next word, if any."""
    count = len(words)
    for end in range(count, MIN_WORDS - 1, -1):
        last = words[end - 1]
        after = words[end] if end < count else following
        if last.rstrip(_WRAPPING).endswith(tuple(_PAUSES)) or after in _DASHES:
            return without_break_mark(" ".join(words[:end]))
    for end in range(count, MIN_WORDS - 1, -1):
        after = words[end] if end < count else following
        if not _little(words[end - 1]) and after and _little(after):
            return " ".join(words[:end])
    end = count
    while end > MIN_WORDS and _little(words[end - 1]):
        end -= 1
    return " ".join(words[:end])


def clause_before(text: str) -> str:
    """`text` (a sentence's words before a quotation opens) as a clause ends: without the
    pause mark, dash or bracket it ends on ("Ed Cone:" gives "Ed Cone"); "" when no
    word is left. Its words stay as they are: "He said" is a clause, said or not."""
    words = text.split()
    while words and not words[-1].rstrip(_PAUSES + "-([{"):
        words.pop()  # a dash or a bracket alone
    if words:
        words[-1] = words[-1].rstrip(_PAUSES + "-([{")
    return " ".join(words)
