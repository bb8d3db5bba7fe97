"""Direction controls in text from outside (a feed, a file, an editor's paste).

- Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI) are
  invisible, and one left open reverses whatever is shown after the text on its line
  (the outlet's name, the newsletter's in the Subject, the next headline): always
  left out. The renderer gives a story in another script its own direction (`dir`).
- The marks LRM, RLM and ALM reach no further than the characters beside them: a
  Hebrew or Arabic headline needs them to place a number or a Latin name where it
  reads, and keeps them. In text with no right-to-left letter they have no work to do
  but one: an RLM or ALM makes the digits and punctuation after it read right to left
  ("+45 3312-8800" shown as "8800-3312 45+"), so there they are left out.
"""

from __future__ import annotations

import re

#: Embeddings, overrides and isolates.
CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: LRM, RLM, ALM.
MARKS = re.compile("[\u200e\u200f\u061c]")
#: A right-to-left letter (bidi class R or AL: Hebrew, Arabic, Syriac, Thaana, N'Ko...),
#: by block; the presentation forms too.
RTL_LETTER = re.compile(
    "[\u0590-\u05ff\u0600-\u061b\u061d-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


def without_controls(text: str) -> str:
    """`text` without embeddings, overrides and isolates, and without LRM, RLM and ALM
    when it has no right-to-left letter for them to place."""
    if text.isascii():
        return text
    text = CONTROLS.sub("", text)
    if MARKS.search(text) and not RTL_LETTER.search(text):
        text = MARKS.sub("", text)
    return text
