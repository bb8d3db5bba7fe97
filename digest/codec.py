"""Records to and from plain JSON-able dicts.

One shape serves the stored edition payload, `digest build --json` and the desk, so
that what an editor sees is what was stored. Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from digest.records import Also, Edition, Image, SourceSummary, Story


def iso(when: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z, or None."""
    if when is None:
        return None
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _image_to_dict(image: Image) -> dict[str, Any]:
    """A story's image; `hosted` only once digest hosts it (older editions had none)."""
    found: dict[str, Any] = {"url": image.url, "alt": image.alt, "width": image.width}
    if image.hosted is not None:
        found["hosted"] = image.hosted
    if image.height is not None:
        found["height"] = image.height
    return found


def story_to_dict(story: Story) -> dict[str, Any]:
    return {
        "title": story.title,
        "url": story.url,
        "source": story.source,
        "summary": story.summary,
        "score": story.score,
        "why": dict(story.why),
        "also": [
            {"source": a.source, "url": a.url, "title": a.title, "key": a.key} for a in story.also
        ],
        "also_more": story.also_more,
        "key": story.key,
        "image": None if story.image is None else _image_to_dict(story.image),
        "section": story.section,
        "published": iso(story.published),
        "pinned": story.pinned,
        "language": story.language,
        "update": story.update,
        "first_reported": iso(story.first_reported),
        "linked": story.linked,
        "aggregated": story.aggregated,
    }


def story_from_dict(d: Mapping[str, Any]) -> Story:
    img = d.get("image")
    return Story(
        key=d["key"],
        title=d["title"],
        url=d.get("url"),
        source=d["source"],
        summary=d.get("summary", ""),
        score=float(d.get("score", 0.0)),
        why={k: float(v) for k, v in (d.get("why") or {}).items()},
        also=tuple(
            Also(a["source"], a.get("url"), a.get("title", ""), a.get("key", ""))
            for a in d.get("also", ())
        ),
        also_more=int(d.get("also_more", 0)),
        image=None
        if not img
        else Image(
            img["url"], img.get("alt", ""), img.get("width"), img.get("hosted"), img.get("height")
        ),
        section=d.get("section"),
        published=parse_iso(d.get("published")),
        pinned=bool(d.get("pinned", False)),
        language=d.get("language"),
        update=bool(d.get("update", False)),
        first_reported=parse_iso(d.get("first_reported")),
        linked=d.get("linked"),  # editions stored before link posts kept it have none
        aggregated=bool(d.get("aggregated", False)),
    )


def edition_to_dict(edition: Edition) -> dict[str, Any]:
    return {
        "id": edition.id,
        "list": edition.list,
        "at": iso(edition.at),
        "status": edition.status,
        "slot": edition.slot,
        "leads": [story_to_dict(s) for s in edition.leads],
        "teasers": [story_to_dict(s) for s in edition.teasers],
        "reserve": [story_to_dict(s) for s in edition.reserve],
        "sources": [
            {"name": s.name, "articles": s.articles, "error": s.error} for s in edition.sources
        ],
    }


def edition_from_dict(d: Mapping[str, Any]) -> Edition:
    at = parse_iso(d["at"])
    assert at is not None
    return Edition(
        list=d["list"],
        at=at,
        leads=tuple(story_from_dict(s) for s in d.get("leads", ())),
        teasers=tuple(story_from_dict(s) for s in d.get("teasers", ())),
        sources=tuple(
            SourceSummary(s["name"], int(s["articles"]), s.get("error"))
            for s in d.get("sources", ())
        ),
        id=d.get("id"),
        status=d.get("status", "draft"),
        reserve=tuple(story_from_dict(s) for s in d.get("reserve", ())),
        slot=d.get("slot"),
    )
