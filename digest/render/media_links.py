"""What following a story's link does: read a page, listen to an audio file, or watch
a video, and so what its call to action says ("Read more at", "Listen at", "Watch at").

A podcast episode without a page of its own links its enclosure, the episode's audio
file (:func:`digest.collect.links.own_page`); some feeds give an item's MP3 as its
link. "Read more at Taverncast" over ``…/taverncast-62.mp3`` started a download. What
the link is, is read from the name of the file its path ends in (``.mp3``, ``.m4a``,
``.mp4``…), the query aside: ``podtrac.com/pts/redirect.mp3?<the file>`` is audio too.
An address that names no such file (a page, a player's page, a redirector without an
extension) reads on, as before. The enclosure's type, size and duration are not kept
with a story, so nothing more is said of the file.

Pure: one function of a URL, which every renderer (the message's two parts, the web
edition, the archive's feed) asks through :class:`digest.render.Renderer`.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import unquote, urlsplit

#: The key of a call to action in the strings' tables: `KEY` ("Read more", the text
#: part's label) and `KEY_at` ("Read more at {source}").
Action = Literal["read_more", "listen", "watch"]

#: File name extensions of audio (podcast enclosures as served) and of video.
AUDIO = frozenset({"mp3", "m4a", "m4b", "aac", "oga", "ogg", "opus", "wav", "flac", "mpga"})
VIDEO = frozenset({"mp4", "m4v", "mov", "webm", "ogv", "mkv"})


def link_action(url: str | None) -> Action:
    """ "listen" for a link to an audio file, "watch" for a video file, "read_more" for
    anything else (a page, no link)."""
    try:
        path = urlsplit(url or "").path
    except ValueError:
        return "read_more"
    name = unquote(path).rsplit("/", 1)[-1]
    _, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot else ""
    if extension in AUDIO:
        return "listen"
    return "watch" if extension in VIDEO else "read_more"
