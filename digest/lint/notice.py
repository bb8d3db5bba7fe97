"""Stories that read like the newsletter's own words: its footer (unsubscribe, update
your preferences) or a notice to the reader ("Your subscription expires", "confirm
your account").

A feed controls its headlines and summaries. Set as one of our stories, "Unsubscribe"
or "Your subscription expires today — confirm here" (which, leading, is the Subject
too) reads as the newsroom speaking, and its link goes to the feed's site. The story is
the feed's to tell, and news is sometimes about subscriptions, so this is a warning for
the editor, not a rule that drops it. Text is read as it looks: letters from other scripts
or in fullwidth that pass for Latin ones read as those (:mod:`digest.lookalikes`). Reads
the HTML part; reports, never raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import lxml.etree
import lxml.html

from digest import lint_rules as rules
from digest.lint.findings import Finding, find
from digest.lint.story import STORY_CLASSES
from digest.lookalikes import fold

_ACCOUNT = r"(?:e-?mail )?(?:subscription|account|membership|password|payment|billing|details)"
#: What the newsletter itself, or a service's notice, says to its reader (en, da, de).
NOTICE = re.compile(
    rf"(?:{rules.UNSUB_WORDS.pattern}"
    rf"|\b(?:update|change|manage|confirm|verify|renew|reactivate|validate|restore) your "
    rf"(?:{_ACCOUNT}|preferences|settings|e-?mail address)"
    rf"|\byour {_ACCOUNT} (?:has |have |will |is (?:about to )?|was )?(?:been )?"
    r"(?:expir|suspend|lock|on hold|deactivat|terminat|clos)"
    r"|\byou(?: are|'re)? receiv\w* this (?:e-?mail|message|newsletter)"
    r"|\bview (?:this|it) (?:e-?mail |message )?(?:online|in (?:a|your) browser)"
    r"|\b(?:bekræft|forny|opdater) di(?:n|t|ne) (?:abonnement|konto|tilmelding|indstillinger)"
    r"|\bdit (?:abonnement|konto) (?:udløber|er udløbet|lukkes|spærres)"
    r"|\b(?:ihr|dein) (?:abonnement|konto|passwort) (?:läuft|ist abgelaufen|wird gesperrt)"
    r"|\b(?:bestätigen|aktualisieren|verifizieren) sie (?:ihr|ihre)\b"
    r")\w*",  # to the end of the word, as the finding quotes it
    re.I,
)


def check_notices(html: str) -> Iterator[Finding]:
    """A warning naming the stories (lead, teaser) whose text, or an image's alt text
    (what a client that blocks images shows), reads like a notice."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return  # html-unparseable says what is wrong
    found = []
    for el in doc.iter(lxml.etree.Element):
        if STORY_CLASSES & set((el.get("class") or "").split()):
            alts = (img.get("alt") or "" for img in el.iter("img"))  # shown if blocked
            text = _visible(" ".join([el.text_content(), *alts]))
            if said := NOTICE.search(fold(text)):  # "Unsubscrіbe" with a Cyrillic і too
                found.append((_headline(el) or text, said.group()))
    if found:
        title, words = found[0]
        stories = "story" if len(found) == 1 else "stories"
        yield find(
            "story-reads-like-notice", n=len(found), stories=stories, title=title[:80], words=words
        )


def _visible(text: str) -> str:
    """`text` as a reader sees it: no format characters (a soft hyphen or a zero-width
    joiner inside "Unsubscribe" shows nothing), whitespace folded."""
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cf").split())


def _headline(story: lxml.html.HtmlElement) -> str:
    heading = next(story.iter("h1", "h2", "h3", "h4", "h5", "h6"), None)
    return _visible(heading.text_content()) if heading is not None else ""
