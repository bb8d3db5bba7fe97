"""Render an edition into the HTML and plain-text bodies of one variant.

:class:`Renderer` fills the theme's templates with an edition's context (dates in the
newsletter's locale, links with campaign parameters, the subject and preheader), fits
the HTML under the size limit and writes the plain-text part. The per-subscriber parts
(unsubscribe and preferences links) are left as placeholders that :mod:`digest.message`
fills in the prepared bytes. Never renders or inlines per subscriber.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cached_property
from typing import Any

from babel.dates import format_date, format_skeleton
from markupsafe import Markup

from digest.bidi import without_controls
from digest.config import DEFAULT_SUBJECT, Settings
from digest.errors import ConfigError, RenderError
from digest.placeholders import PREFERENCES, UNSUBSCRIBE
from digest.rank.outlets import publishers
from digest.records import Also, Edition, Story
from digest.render.fit import HTML_LIMIT, fit, fits
from digest.render.language import Strings, direction, story_attributes, text_direction
from digest.render.media_links import Action, link_action
from digest.render.pictures import lead_picture
from digest.render.stories import (
    IMAGE_WIDTH,
    also_shown,
    archive_link,
    by_section,
    image_alt,
    lead_image_width,
    linked_host,
    with_image_shown,
    with_marks_bound,
    with_utm,
    without_story_trackers,
)
from digest.render.subject import (
    EMPTY_FIELD,
    PREHEADER_MAX,
    SUBJECT_FIT,
    SUBJECT_MAX,
    SUBJECT_MIN_CUT,
    fill,
    without_empty,
)
from digest.render.text import (
    FOOTER_RULE,
    OTHER_WAY,
    OWN_WAY,
    SOFT,
    STORY_RULE,
    flowed_part,
    loose,
    plain_spaces,
    shorten,
    with_marks,
    without_rules,
)
from digest.render.theme import Theme
from digest.render.variant import Rendered, Variant
from digest.scripts import item_language
from digest.times import slot_day

EVERY_SECTION = Variant()  # the default variant: the whole edition


class Renderer:
    """Renders editions of one newsletter with its theme and settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.theme = Theme(settings.templates)
        try:
            self.strings = Strings(settings.newsletter.language)
        except ConfigError as exc:
            raise ConfigError(f"{settings.path}: {exc}") from None

    @cached_property
    def same_outlet(self) -> Mapping[str, str]:
        """The sources' names that are one publisher's (their `outlet` keys)."""
        return publishers((s.name, s.outlet) for s in self.settings.sources)

    def also(self, story: Story) -> tuple[tuple[Also, ...], int]:
        """What "Also in" names under `story` (other publishers only: :func:`also_shown`)
        and how many more there are."""
        return also_shown(story, self.same_outlet)

    @cached_property
    def _css(self) -> Markup:
        return Markup(self.theme.render("email.css"))

    @cached_property
    def _responsive_css(self) -> Markup:
        return Markup(self.theme.render("email-responsive.css"))

    @property
    def language(self) -> str:
        """The newsletter's language tag, as `lang` gives it (`en`, `pt-BR`)."""
        return str(self.strings.locale).replace("_", "-")

    def credit(self, story: Story) -> str:
        """Who the edition credits `story` to: its source; for an aggregator's item
        (Story.aggregated), the site its link opens via the source ("washingtonpost.com
        via Hacker News"), so that "Read more at" names the site the link opens."""
        site = linked_host(story.url) if story.aggregated else ""
        return self.strings("via", site=site, source=story.source) if site else story.source

    def action(self, story: Story) -> Action:
        """What following `story`'s link does (:func:`link_action`): read, listen, watch."""
        return link_action(story.url)

    def more_at(self, story: Story) -> str:
        """A story's call to action: "Read more at <credit>", "Listen at <credit>" for a
        link to an audio file (a podcast's episode), "Watch at <credit>" for a video."""
        return self.strings(f"{self.action(story)}_at", source=self.credit(story))

    def more(self, story: Story) -> str:
        """The text part's label before a story's link: "Read more", "Listen", "Watch"."""
        return self.strings(self.action(story))

    def media_cue(self, story: Story) -> str:
        """What a story shown by its headline alone (a teaser, the web edition, the
        feed) adds under it when its link is an audio or video file (:meth:`more_at`);
        "" for a page, which the headline's link opens as a reader expects."""
        return "" if self.action(story) == "read_more" else self.more_at(story)

    def lang_attrs(self, story: Story) -> Markup:
        """`lang` and `dir` for a story that does not read as the newsletter does. Its
        language as :func:`digest.scripts.item_language` judges it, as collect does (a
        story stored before carries its feed's declared language, whatever its text)."""
        texts = (story.title, story.summary)
        return story_attributes(item_language(story.language, *texts), texts, self.language)

    def picture_side(self, story: Story) -> str:
        """The side a thumbnail sits on beside a story's headline: where its lines end."""
        said = item_language(story.language, story.title, story.summary)
        return "left" if direction(said or self.language) == "rtl" else "right"

    def subject(self, edition: Edition) -> str:
        """The `[newsletter] subject` template filled with lead, name and date; the
        default template leaves out the date, then the name, when they do not fit.

        The lead is the edition's first headline. A field with nothing to say (no story;
        a name the headline already gives) is left out with the separator before it, so
        the name never appears twice; the result is cut at a word near SUBJECT_MAX.
        """
        news = self.settings.newsletter
        # No override from a stored headline (collected before digest.bidi) reverses the
        # name after it in a mail client's list of messages.
        title = without_controls(edition.stories[0].title) if edition.stories else ""
        lead = " ".join(title.split())
        name = "" if loose(news.name) in loose(lead) else news.name
        fields = {"lead": lead or EMPTY_FIELD, "name": name or EMPTY_FIELD}
        fields["date"] = self.day_and_month(edition)
        templates = [news.subject]
        if news.subject == DEFAULT_SUBJECT:
            templates += ["{lead} | {name}", "{lead}"]
        where = f"{self.settings.path}: newsletter.subject"
        subject = ""
        for template in templates:
            subject = without_empty(fill(template, fields, where=where))
            if subject and len(subject) <= SUBJECT_FIT:
                break
        return shorten(subject or news.name, SUBJECT_MAX, floor=SUBJECT_MIN_CUT)

    def date(self, edition: Edition, fmt: str = "full") -> str:
        """The edition's day in the newsletter's language: its slot's day in the list's
        zone (a local-delivery slot's wall-clock day), else the day it was built for."""
        tz = self.settings.zone(edition.list)
        day = slot_day(edition.slot, edition.at, tz)
        return format_date(day, format=fmt, locale=self.strings.locale)

    def day_and_month(self, edition: Edition) -> str:
        """The subject's `{date}`: the day and the short month, day first ("27 Nov"),
        where the language writes those two words so; otherwise as the language
        writes them (CLDR's "MMMd": "11月27日", "27. Nov.", "nov. 27."), since "27 11月"
        or "27 Nov." is no date a Japanese or German reader writes."""
        tz = self.settings.zone(edition.list)
        return self._day_and_month(slot_day(edition.slot, edition.at, tz))

    def _day_and_month(self, day: dt.date) -> str:
        fixed = format_date(day, format="d MMM", locale=self.strings.locale)
        own = format_skeleton("MMMd", day, locale=self.strings.locale)
        return fixed if sorted(fixed.split()) == sorted(own.split()) else own

    def first_reported(self, story: Story, list_name: str) -> str:
        """An update's "first reported 6 Dec" (its first sent report's day in the list's
        zone, written as the subject's date is); "" for a story that is no update or
        whose first report nobody dated."""
        if not story.update or story.first_reported is None:
            return ""
        day = story.first_reported.astimezone(self.settings.zone(list_name)).date()
        return self.strings("first_reported", date=self._day_and_month(day))

    def preheader(self, edition: Edition) -> str:
        """The inbox preview: the headlines after the lead (the subject has the lead)."""
        parts = [s.title for s in edition.stories[1:4]]
        if parts:
            text = " · ".join(parts)
        elif edition.leads and edition.leads[0].summary:
            text = edition.leads[0].summary
        else:
            text = self.settings.newsletter.name
        return shorten(text, PREHEADER_MAX)

    def _utm(self, edition: Edition) -> dict[str, str]:
        fields = {
            "list": edition.list,
            "edition": "" if edition.id is None else str(edition.id),
            "date": self.date(edition, "yyyy-MM-dd"),
        }
        return {
            key: fill(value, fields, where=f"{self.settings.path}: newsletter.utm.{key}")
            for key, value in self.settings.newsletter.utm.items()
        }

    def context(
        self, edition: Edition, teasers: Iterable[Story], web_url: str | None
    ) -> dict[str, Any]:
        news = self.settings.newsletter
        lst = self.settings.list(edition.list)
        utm = self._utm(edition)

        def link(story: Story) -> Story:
            """The publishers' links without their trackers, then with our campaign
            parameters; a story with none gets its page in our archive (our own links
            never carry them); its image where `[newsletter] images` shows it from."""
            story = without_story_trackers(story)
            if utm:
                also = tuple(replace(a, url=with_utm(a.url, utm)) for a in story.also)
                url, linked = with_utm(story.url, utm), with_utm(story.linked, utm)
                story = replace(story, url=url, linked=linked, also=also)
            story = with_image_shown(with_marks_bound(story), news.images, news.base_url)
            return archive_link(story, web_url)

        language = self.language
        return {
            "newsletter": news,
            "list_title": lst.title or news.name,
            "edition": edition,
            "date": self.date(edition),
            "leads": [link(s) for s in edition.leads],
            "teaser_groups": by_section(link(s) for s in teasers),
            "preheader": self.preheader(edition),
            "unsubscribe_url": UNSUBSCRIBE,
            "preferences_url": PREFERENCES,
            "web_url": web_url,
            "css": self._css,
            "responsive_css": self._responsive_css,
            "lang": language,
            "dir": direction(language),
            "lang_attrs": self.lang_attrs,
            "also": self.also,
            "image_alt": image_alt,
            "linked_host": linked_host,
            "plain": plain_spaces,  # an attribute's words (a label) are not laid out
            "credit": self.credit,
            "more_at": self.more_at,
            "more": self.more,
            "media_cue": self.media_cue,
            "fallback_note": None,
            "t": self.strings,
            "image_width": lead_image_width,
            "lead_picture": lead_picture,
            "picture_side": self.picture_side,
            "image_column": IMAGE_WIDTH,
            "dropped_teasers": 0,
            "first_reported": lambda story: self.first_reported(story, edition.list),
        }

    def render(self, edition: Edition, variant: Variant = EVERY_SECTION) -> Rendered:
        """Render and inline one variant; drop teasers until the HTML fits the limit."""
        caps = self.settings.edition
        edition, whole = variant.select(
            edition,
            caps.min_variant_stories,
            lead_cap=caps.max_leads_per_source,
            teaser_cap=caps.max_teasers_per_source,
            same_outlet=self.same_outlet,
            floor=caps.teasers > 0,  # as the edition's ranking (digest.build.rank_options)
            quotas=caps.quotas,
            sources={s.name: s.section for s in self.settings.sources},
        )
        note = self.strings("variant_fallback") if whole else None
        web_url = (
            f"{self.settings.newsletter.base_url}/archive/{edition.id}"
            if edition.id is not None
            else None
        )
        teasers = edition.teasers

        def context(keep: int) -> dict[str, Any]:
            ctx = self.context(edition, teasers[:keep], web_url)
            ctx["dropped_teasers"] = len(teasers) - keep
            ctx["fallback_note"] = note
            return ctx

        def raw(keep: int) -> str:
            return self.theme.render("email.html", **context(keep))

        keep, html, passes = fit(raw, len(teasers))
        if not fits(html):
            raise RenderError(
                f"edition {edition.id} ({edition.list}): the HTML is "
                f"{len(html.encode()):,} bytes even without teasers; Gmail clips messages "
                f"over {HTML_LIMIT:,} (shorten the leads or the theme)"
            )
        ctx = context(keep)
        own = direction(self.language)

        def reading(value: str) -> str:
            """A story's text, marked when it reads the other way (:func:`with_marks`),
            drawing none of the part's rules (:func:`without_rules`)."""
            value = without_rules(value)
            found = text_direction(value)
            return f"{OTHER_WAY}{value}{OWN_WAY}" if found and found != own else value

        def also_words(story: Story, *, links: bool) -> str:
            """What follows "Also in: " (:meth:`also`): under a lead each outlet with its
            link in angle brackets (RFC 3986's delimiters in plain text: the comma after
            it is never taken into the link); under a teaser, compactly, the names alone."""
            shown, more = self.also(story)
            line = ", ".join(
                f"{reading(a.source)} <{a.url}>" if links and a.url else reading(a.source)
                for a in shown
            )
            return f"{line} {self.strings.plural('and_more', more)}" if more else line

        ctx.update(
            also_line=lambda story: also_words(story, links=True),
            also_names=lambda story: also_words(story, links=False),
            reading=reading,
        )
        ctx.update(story_rule=STORY_RULE, footer_rule=FOOTER_RULE, soft=SOFT)
        text = with_marks(self.theme.render("email.txt", **ctx), own)
        text = flowed_part(text)
        dropped = len(teasers) - keep
        subject = self.subject(edition)
        return Rendered(subject, ctx["preheader"], html, text, dropped, passes, whole)
