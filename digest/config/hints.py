"""Warnings about a `digest.toml` that loads but almost surely does not say what its
author meant: each names the file, the line and the fix. Nothing here refuses a file
(the checks in :mod:`digest.config.checks` do); the CLI prints these on every command.
"""

from __future__ import annotations

import re
from pathlib import Path

from digest.config.checks import key_line
from digest.config.settings import SUBJECT_FIELDS, ListSettings, NewsletterSettings

#: `[newsletter] name` of the sample that `digest init` copied; before this release it
#: copied it as each list's `title` too, which the masthead, footer and List-Id show.
SAMPLE_NAME = "The Copenhagen Brief"

#: The languages the edition, the pages and the mails have strings in (the keys of
#: digest.render's tables, which tests/test_french.py holds this to; config imports no
#: render module).
STRING_LANGUAGES = ("da", "de", "en", "fr")

#: A field written the Jinja way ({{lead}}, {{ lead }}), once `{{` and `}}` are read as
#: the literal braces they are in a subject template.
_FIELD_IN_BRACES = re.compile(r"\{\s*(" + "|".join(SUBJECT_FIELDS) + r")\s*\}")


def _at(file: Path, where: str, key: str) -> str:
    line = key_line(file, where, key)
    return f"{file}:{line}" if line else str(file)


def subject_hint(file: Path, news: NewsletterSettings) -> str | None:
    """`{{lead}}` sends the text "{lead}": `{{` is the escape for a literal brace."""
    filled = news.subject.format(**dict.fromkeys(SUBJECT_FIELDS, "\0"))
    found = _FIELD_IN_BRACES.search(filled)
    if found is None:
        return None
    field = found[1]
    return (
        f"{_at(file, 'newsletter', 'subject')}: newsletter.subject {news.subject!r} sends "
        f"the text {{{field}}} literally ({{{{ and }}}} stand for a brace); write {{{field}}} "
        f"with single braces to fill in the {field}"
    )


def title_hints(file: Path, news: NewsletterSettings, lists: tuple[ListSettings, ...]) -> list[str]:
    """A list still titled with the sample's name after the newsletter was renamed."""
    return [
        f"{_at(file, f'lists[{i}]', 'title')}: lists[{i}].title is {lst.title!r}, the "
        f"sample's name, but [newsletter] name is {news.name!r}; the masthead, footer and "
        f"List-Id show the title: remove the title line to use the newsletter's name"
        for i, lst in enumerate(lists)
        if lst.title == SAMPLE_NAME and news.name != SAMPLE_NAME
    ]


def language_hint(file: Path, news: NewsletterSettings) -> str | None:
    """A language Babel knows but the project has no strings for: its dates are in that
    language, every word the product adds (Read more, Unsubscribe) in English. A warning,
    not a refusal: such a newsletter still goes out, and one that has gone out for years
    must not stop on an upgrade."""
    from babel import Locale

    primary = Locale.parse(news.language.replace("-", "_")).language
    if primary in STRING_LANGUAGES:
        return None
    return (
        f"{_at(file, 'newsletter', 'language')}: newsletter.language {news.language!r} has "
        f"no strings of its own: the edition, the pages and the mails will say Read more, "
        f"Unsubscribe and the rest in English around dates in that language; the languages "
        f"there are: {', '.join(STRING_LANGUAGES)}"
    )


def hints(file: Path, news: NewsletterSettings, lists: tuple[ListSettings, ...]) -> tuple[str, ...]:
    found = [subject_hint(file, news), language_hint(file, news)]
    return (*(h for h in found if h), *title_hints(file, news, lists))
