"""Golden files: a fixed sample edition renders to exactly tests/golden/edition.html and .txt.

A change to the theme or the renderer shows up here as a diff; when it is intended,
regenerate the files with `python -m pytest tests/test_render_golden.py --update-golden`
and review the diff before committing it.
"""

from __future__ import annotations

import difflib
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.config import Settings, load
from digest.records import Also, Edition, Image, Story
from digest.render import PREFERENCES, UNSUBSCRIBE, Renderer

GOLDEN = Path(__file__).resolve().parent / "golden"
AT = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
EDITION_ID = 42
#: The names digest hosts the two lead pictures under (digest.images): by SHA-256.
TUNNEL = hashlib.sha256(b"the tunnel picture").hexdigest() + ".jpg"
HALL = hashlib.sha256(b"the hall picture").hexdigest() + ".png"

CONFIG = """
[newsletter]
name = "The Sample Brief"
sender = "The Sample Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "Vesterbrogade 1, 1620 Copenhagen V, Denmark"
language = "{language}"
{extra}

[[lists]]
name = "daily"
title = "The Sample Brief"
timezone = "Europe/Copenhagen"

[transport]
kind = "outbox"
path = "outbox/"
"""


def sample_settings(folder: Path, *, language: str = "en", extra: str = "") -> Settings:
    """A newsletter with no sources (the edition is built by hand) and the default theme."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "digest.toml"
    config.write_text(CONFIG.format(language=language, extra=extra), encoding="utf-8")
    return load(config)


def story(n: int, title: str, **fields: object) -> Story:
    values: dict[str, object] = {
        "key": f"sample:{n}",
        "title": title,
        "url": f"https://news.example.org/2026/11/{n}/story",
        "source": "Harbour Herald",
        "summary": "",
        "score": 1.0 - n / 100,
        "section": "Denmark",
        "published": AT,
    }
    values.update(fields)
    return Story(**values)  # type: ignore[arg-type]


def sample_edition(*, teasers: int | None = None) -> Edition:
    """Three leads (a wide image, no link, a small image) and teasers in four groups;
    with `teasers`, that many generated teasers instead."""
    leads = (
        story(
            1,
            "City council backs harbour tunnel plan, opening DKK 21bn contest",
            source="Nordic Ledger",
            section="Business",
            summary=(
                "Copenhagen’s council approved the Eastern Harbour Tunnel by 38 votes to 17. "
                "The DKK 21.4 billion project is expected to draw bids from at least four "
                "international construction groups."
            ),
            image=Image(
                "https://img.example.org/tunnel.jpg", "The harbour at dusk", 1200, hosted=TUNNEL
            ),
            also=(
                Also("Harbour Herald", "https://herald.example.org/tunnel", "Tunnel", "h:1"),
                Also("Copenhagen Desk", None, "Tunnel vote", "d:1"),
            ),
        ),
        story(
            2,
            "Amager Vikings snatch late win in handball derby",
            url=None,
            source="Copenhagen Desk",
            summary="A goal with four seconds left gave the Vikings a 31-30 victory.",
        ),
        story(
            3,
            "Kødbyen’s food hall reopens: “Smørrebrød & <small> plates”",
            source="Culture Wire",
            section="Culture",
            summary="The hall on Flæsketorvet opens again on Saturday after a rebuild.",
            image=Image("https://img.example.org/hall.jpg", "", 300, hosted=HALL),
        ),
    )
    if teasers is not None:
        sections = ("Denmark", "Business", "Culture")
        generated = tuple(
            story(
                10 + i,
                f"Teaser number {i}: the council’s new plan for the harbour front",
                section=sections[i % 3],
                summary="The plan was approved on Thursday and work starts in the spring.",
            )
            for i in range(teasers)
        )
        return Edition("daily", AT, leads, generated, id=EDITION_ID)
    more = (
        story(
            4,
            "New M5 metro line opens between Ørestad and Nordhavn",
            summary="Passengers took the first trains on the newest driverless line.",
        ),
        story(
            5,
            "Ravnsborg Flak offshore wind farm reaches final investment decision",
            source="Nordic Ledger",
            section="Business",
            summary="The 1.1 GW wind farm in the Kattegat will cost about DKK 24 billion.",
            url="https://ledger.example.com/wind?id=5&ref=feed",
        ),
        story(
            6,
            "Residents’ parking permits to rise by a third",
            url=None,
            source="Copenhagen Desk",
            summary="An annual permit will cost DKK 1,600 from March.",
        ),
        story(7, "A headline with no summary at all", source="Culture Wire", section="Culture"),
        story(
            8,
            "Waxwings arrive in record numbers",
            source="Bird Notes",
            section=None,
            summary="More than 3,000 have been counted in the city this week.",
        ),
        story(
            9,
            "Debut novels dominate this year’s Harbour Book Prize shortlist",
            source="Culture Wire",
            section="Culture",
            summary="Four of the six shortlisted books are first novels.",
        ),
    )
    return Edition("daily", AT, leads, more, id=EDITION_ID)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.mark.parametrize("suffix", ["html", "txt"])
def test_the_sample_edition_matches_its_golden_file(
    tmp_path: Path, update_golden: bool, suffix: str
) -> None:
    rendered = Renderer(sample_settings(tmp_path)).render(sample_edition())
    actual = rendered.html if suffix == "html" else rendered.text
    # The placeholders are random per process (digest.render): compare under fixed names.
    actual = actual.replace(UNSUBSCRIBE, "@@UNSUBSCRIBE_URL@@").replace(
        PREFERENCES, "@@PREFERENCES_URL@@"
    )
    golden = GOLDEN / f"edition.{suffix}"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(actual.encode("utf-8"))
        return
    assert golden.is_file(), f"{golden} is missing: run pytest --update-golden"
    expected = golden.read_bytes().decode("utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), str(golden), "rendered", lineterm=""
        )
        pytest.fail(
            f"the rendered edition differs from {golden} (if intended: pytest --update-golden)\n"
            + "\n".join(list(diff)[:80])
        )
    assert actual.encode("utf-8") == golden.read_bytes()
