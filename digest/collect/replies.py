"""What a mailing-list reply opens with that its writer did not write.

Job: :func:`without_quote_header` takes from the start of a plain-text message (a list
archive's feed item, as Gmane sends them) the lines that introduce or repeat the message
it answers: the attribution ("On Mon, Nov 12, 2012 at 06:17:50PM +0100, Etienne Millon
wrote:", "* W. Trevor King <wking-…< at >public.gmane.org> [121113 13:21]:", "Le 26 nov.
2026 à 09:12, Ann <ann@example.org> a écrit :"), a line that only names a sender by an
address (plain or obfuscated, "Name <user< at >host>"), and the quoted lines ("> …")
after them, so that a summary starts with the reply's own words.
Must not: take anything but the opening lines; take a line that quotes someone in a
news text ("'We will win,' he wrote: …"; "On Nov 26, 2026, the mayor wrote:" has no
time of day and no address), nor leave a message with nothing (one that is only a header
keeps it).
"""

from __future__ import annotations

import regex

__all__ = ["without_quote_header"]

#: How a mail program says who wrote what is quoted, in the languages of our lists.
_WROTE = (
    r"(?:wrote|writes|a\s+écrit|schrieb|escribió|escreveu|ha\s+scritto|skrev|schreef"
    r"|napisał|написал[аи]?)"
)
#: An e-mail address in angle brackets, as written or as an archive hides it:
#: "<ann@example.org>", "<ann-x7Y< at >example.org>", "<ann (at) example.org>".
_ADDRESS = r"<[\w.+=-]+(?:@|\s?<\s?at\s?>\s?|\s?[(\[]at[)\]]\s?)[\w-]+(?:\.[\w-]+)+>"
#: "On DATE TIME, NAME wrote:" (a time of day, or the sender's address: a news text's
#: "On Nov 26, 2026, the mayor wrote:" has neither), in the languages of _WROTE
#: ("Le …, … a écrit :", "Am … schrieb …:").
_DATED = (
    rf"(?:On|Le|Am|El|Em|Il|Den|Op|W\s+dniu|В)\s(?=[^\n]*(?:\d[:.h]\d\d|{_ADDRESS}))"
    rf"[^\n]*,[^\n]*\b{_WROTE}\b[^\n:]{{0,40}}\s?:"
)
#: A sender named by an address, with mutt's "* " and "[date]" around it or not.
_SENDER = rf"\*?\s*[^<>\n]{{0,80}}{_ADDRESS}\s*(?:\[[^\]\n]{{0,40}}\]\s*)?(?:{_WROTE}\s*)?:?"
_HEADER = regex.compile(rf"(?i)[^\S\n]*(?:{_DATED}|{_SENDER})[^\S\n]*")
_QUOTED = regex.compile(r"[^\S\n]*>")
#: The longest line read as a header (a paragraph on one line is no header).
_LONGEST = 300


def without_quote_header(text: str) -> str:
    """`text` without the attribution, sender and quoted lines it opens with (see the
    module doc); `text` as it is when it does not open so or is nothing else."""
    if not _opening(text.lstrip().split("\n", 1)[0]):
        return text  # most texts are read no further
    lines = text.split("\n")
    at = 0
    while at < len(lines) and (_opening(lines[at]) or not lines[at].strip()):
        at += 1
    return "\n".join(lines[at:]) if at < len(lines) else text


def _opening(line: str) -> bool:
    """Whether `line` is an attribution, a sender's address or a quoted line."""
    if _QUOTED.match(line):
        return True
    return len(line) <= _LONGEST and _HEADER.fullmatch(line) is not None
