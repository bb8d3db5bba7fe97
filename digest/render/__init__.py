"""Render an edition into the HTML and plain-text bodies of one variant.

A *variant* is what differs between groups of subscribers (the sections they chose);
each variant is rendered and CSS-inlined once. The per-subscriber parts (unsubscribe
and preferences links) are left as placeholders that :mod:`digest.message` fills in
the prepared bytes. Fixed strings come from :data:`STRINGS` in the newsletter's
language and dates are formatted by Babel in that locale. This package does no I/O
besides reading templates, and never renders or inlines per subscriber.

This is the facade: import from `digest.render`. Its modules, by job:
:mod:`~digest.render.renderer` (`Renderer`: an edition's context, then HTML and text),
:mod:`~digest.render.variant` (`Variant`, `Rendered`), :mod:`~digest.render.theme`
(the Jinja environment), :mod:`~digest.render.language` (fixed strings, plurals,
direction), :mod:`~digest.render.stories` (how a story is shown),
:mod:`~digest.render.subject` (the subject and the config's templates),
:mod:`~digest.render.fit` (inlining under the size limit), :mod:`~digest.render.text`
(the plain-text helpers), :mod:`~digest.render.trackers` (the publishers' tracking
parameters, taken off the links readers are shown).
"""

from __future__ import annotations

# Placeholders substituted per subscriber (see digest.placeholders).
from digest.placeholders import PLACEHOLDERS, PREFERENCES, UNSUBSCRIBE
from digest.render.fit import (
    CLOSE_ENOUGH,
    HTML_LIMIT,
    MAX_PASSES,
    PLACEHOLDER_ROOM,
    SIZE_MARGIN,
    inline,
)
from digest.render.language import (
    LANGUAGE_TAG,
    RTL_LANGUAGES,
    RTL_SCRIPTS,
    STRINGS,
    Strings,
    babel_locale,
    direction,
    story_attributes,
    text_direction,
)
from digest.render.renderer import Renderer
from digest.render.stories import (
    ALSO_NAMES,
    IMAGE_MIN_WIDTH,
    IMAGE_WIDTH,
    also_shown,
    image_alt,
    lead_image_width,
    other_publishers,
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
)
from digest.render.text import NOBREAK, SOFT, flow, flowed, flowed_part, nobreak, shorten, wrap
from digest.render.theme import PACKAGE, Theme, default_project, default_templates
from digest.render.trackers import without_trackers
from digest.render.variant import Rendered, Variant

__all__ = [
    "ALSO_NAMES",
    "CLOSE_ENOUGH",
    "EMPTY_FIELD",
    "HTML_LIMIT",
    "IMAGE_MIN_WIDTH",
    "IMAGE_WIDTH",
    "LANGUAGE_TAG",
    "MAX_PASSES",
    "NOBREAK",
    "PACKAGE",
    "PLACEHOLDERS",
    "PLACEHOLDER_ROOM",
    "PREFERENCES",
    "PREHEADER_MAX",
    "RTL_LANGUAGES",
    "RTL_SCRIPTS",
    "SIZE_MARGIN",
    "SOFT",
    "STRINGS",
    "SUBJECT_FIT",
    "SUBJECT_MAX",
    "SUBJECT_MIN_CUT",
    "UNSUBSCRIBE",
    "Rendered",
    "Renderer",
    "Strings",
    "Theme",
    "Variant",
    "also_shown",
    "babel_locale",
    "default_project",
    "default_templates",
    "direction",
    "fill",
    "flow",
    "flowed",
    "flowed_part",
    "image_alt",
    "inline",
    "lead_image_width",
    "nobreak",
    "other_publishers",
    "shorten",
    "story_attributes",
    "text_direction",
    "with_utm",
    "without_story_trackers",
    "without_trackers",
    "wrap",
]
