"""An aggregator's items (Google Alerts, a link roundup) are each the site's their link
opens, for the per-outlet caps and for telling copies of one story apart.

QA read an edition of a Google Alerts feed (tests' corpus: misc-google-alerts.atom):
two sites' copies of one "Automotive Slack Market ... Haldex, Meritor, Bendix" press
release ran as the lead and a teaser, because every item's outlet was the aggregator
("Alerts") and one outlet's two items fold only when near-identical; and three of the
teasers were mayfieldrecorder.com's, above the cap of two per outlet, because the cap
counted the aggregator, which "fills" an edition of its own. One site cannot fill the
edition through an aggregator, and two sites' copies of one release read as one story
with "Also in". An aggregator's own voice still counts once: its items do not
corroborate one another (coverage), and its own posts stay its own.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from digest.app import App
from digest.config import load
from digest.records import Edition, Story
from digest.render.stories import linked_host, other_publishers
from tests.corpus import require_corpus

ALERTS_AT = datetime(2019, 7, 11, 7, tzinfo=UTC)
NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def _config(folder: Path, feeds: dict[str, Path], leads: int, teasers: int, age: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sources = "".join(f'[[sources]]\nname = "{n}"\nurl = "{p}"\n\n' for n, p in feeds.items())
    config = folder / "digest.toml"
    config.write_text(f"""
[newsletter]
name = "The Test Brief"
sender = "The Test Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"

{sources}
[edition]
leads = {leads}
teasers = {teasers}
max_age_hours = {age}

[[lists]]
name = "daily"
timezone = "Europe/Copenhagen"

[transport]
kind = "outbox"
path = "outbox/"

[database]
url = "sqlite:///digest.db"
""")
    return config


def _edition(config: Path, now: datetime) -> Edition:
    app = App(load(config))
    reports = app.collect(now=now)
    assert all(r.error is None for r in reports), [r.error for r in reports]
    edition = app.build(now=now, reports=reports)
    assert edition.stories
    return edition


def _site(story: Story) -> str:
    """Whom the edition credits the story to: the linked site of an aggregator's item."""
    return linked_host(story.url) if story.aggregated else story.source


def _over_cap(edition: Edition, leads: int = 1, teasers: int = 2) -> dict[str, int]:
    counts = Counter(map(_site, edition.leads))
    over = {f"lead {s}": n for s, n in counts.items() if n > leads}
    counts = Counter(map(_site, edition.teasers))
    return over | {f"teaser {s}": n for s, n in counts.items() if n > teasers}


def test_corpus_google_alerts_copies_fold_and_no_site_fills_the_edition(tmp_path: Path) -> None:
    feed = require_corpus() / "feeds" / "misc-google-alerts.atom"
    edition = _edition(_config(tmp_path / "news", {"Alerts": feed}, 3, 8, 72), ALERTS_AT)
    market = [s for s in edition.stories if "Automotive Slack Market" in s.title]
    assert len(market) == 1, [s.title for s in market]  # the two copies: one story
    shown = {a.source for a in other_publishers(market[0])} | {_site(market[0])}
    copies = {"aglobalmarketresearch.com", "globalindustryjournal.us"}
    assert copies <= shown, shown  # "Also in" names the other site's copy
    assert not _over_cap(edition), [(s.title, _site(s)) for s in edition.stories]
    # Different people's sales ("CEO Sells $53170714.63", "CFO Sells $19407875.75") are
    # not one story: no story's "Also in" opens a sale of other figures.
    for story in edition.stories:
        for also in story.also:
            mine, theirs = _figures(story.title), _figures(also.title or "")
            assert not (mine and theirs and mine.isdisjoint(theirs)), (story.title, also.title)


def _figures(title: str) -> set[str]:
    return {f.replace(",", "") for f in re.findall(r"\d(?:[\d,.]*\d)?", title)}


def _atom(items: list[tuple[str, str, str]], home: str = "https://alerts.example/") -> str:
    entries = "".join(
        f"""<entry><id>tag:alerts.example,2026:{n}</id><title>{t}</title>
<link href="{link}"/><updated>2026-11-26T{10 + n:02d}:00:00Z</updated>
<content type="html">{text}</content></entry>"""
        for n, (t, link, text) in enumerate(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>
<link rel="alternate" href="{home}"/>
<id>tag:alerts.example,2026:feed</id><updated>2026-11-26T23:00:00Z</updated>
{entries}</feed>"""


RELEASE = (
    "Harbour Crane Market report names the key players Liebherr, Konecranes and Kalmar. "
    "The harbour crane study gives market size, share and growth forecasts to 2030."
)
OWN = [  # one site's four different stories
    ("Tram line opens two months early", "tram depot drivers timetable commuters"),
    ("Bakery wins the national bread prize", "sourdough judges ovens flour loaves"),
    ("Museum returns a looted statue", "bronze curators ministry provenance exhibit"),
    ("Library extends its weekend hours", "readers shelves librarians borrowing"),
]
ELSEWHERE = [
    ("Storm closes the northern bridge", "gales wind lorries coastguard closure", "gazette"),
    ("Zoo welcomes twin snow leopard cubs", "keepers enclosure cubs visitors", "zoonews"),
    ("Orchestra names a principal conductor", "violin symphony season baton", "concerts"),
    ("Schools trial a four-day week", "pupils teachers timetable unions", "schooldesk"),
    ("Ferry fares rise in the new year", "tickets passengers crossing operator", "ferries"),
    ("Market hall gets a rooftop garden", "planters gardeners roof stalls", "markethall"),
]


def _text(title: str, words: str) -> str:
    return f"{title}: {words}, told at length with {words} for the standfirst."


def test_one_site_through_an_aggregator_keeps_to_the_cap(tmp_path: Path) -> None:
    items = [(t, f"https://{s}.example/a", _text(t, w)) for t, w, s in ELSEWHERE]
    # the site's stories the newest: they rank first
    items += [(t, f"https://cityblog.example/{n}", _text(t, w)) for n, (t, w) in enumerate(OWN)]
    feed = tmp_path / "alerts.atom"
    feed.write_text(_atom(items), encoding="utf-8")
    edition = _edition(_config(tmp_path / "news", {"Alerts": feed}, 1, 6, 1000000), NOW)
    assert len(edition.stories) == 7  # other sites' stories fill the slots the cap leaves
    assert not _over_cap(edition), [(s.title, _site(s)) for s in edition.stories]


def test_two_sites_copies_of_a_release_fold_and_other_stories_stay_apart(tmp_path: Path) -> None:
    items = [
        ("Harbour Crane Market by key players Liebherr, Konecranes, Kalmar…",
         "https://marketwire.example/crane", RELEASE),
        ("Global Harbour Crane Market share: Liebherr, Konecranes, Kalmar",
         "https://industryjournal.example/crane", "Researchers released a study. " + RELEASE),
    ]  # fmt: skip
    items += [(t, f"https://{s}.example/a", _text(t, w)) for t, w, s in ELSEWHERE]
    items += [(t, f"https://cityblog.example/{n}", _text(t, w)) for n, (t, w) in enumerate(OWN)]
    feed = tmp_path / "alerts.atom"
    feed.write_text(_atom(items), encoding="utf-8")
    edition = _edition(_config(tmp_path / "news", {"Alerts": feed}, 3, 20, 1000000), NOW)
    crane = [s for s in edition.stories if "Crane" in s.title]
    assert len(crane) == 1, [s.title for s in crane]
    assert [a.source for a in other_publishers(crane[0])] == [
        "industryjournal.example" if _site(crane[0]) == "marketwire.example"
        else "marketwire.example"
    ]  # fmt: skip
    assert len(edition.stories) == 1 + len(ELSEWHERE) + len(OWN)  # nothing else folded
    assert all(not s.also for s in edition.stories if s is not crane[0])


def test_copies_years_apart_through_an_aggregator_stay_two_stories(tmp_path: Path) -> None:
    items = [(t, f"https://{s}.example/a", _text(t, w)) for t, w, s in ELSEWHERE]
    items += [
        ("Harbour Crane Market by key players Liebherr, Konecranes, Kalmar…",
         "https://marketwire.example/crane", RELEASE),
        ("Global Harbour Crane Market share: Liebherr, Konecranes, Kalmar",
         "https://industryjournal.example/crane", "Researchers released a study. " + RELEASE),
    ]  # fmt: skip
    text = _atom(items).replace("2026-11-26T16:00", "2019-03-02T16:00")  # the first copy
    feed = tmp_path / "alerts.atom"
    feed.write_text(text, encoding="utf-8")
    edition = _edition(_config(tmp_path / "news", {"Alerts": feed}, 3, 20, 1000000), NOW)
    crane = [s for s in edition.stories if "Crane" in s.title]
    assert len(crane) == 2 and not any(s.also for s in crane), [s.title for s in crane]


def test_an_aggregators_own_words_and_labels_fold_no_two_stories(tmp_path: Path) -> None:
    """Its label ("Show Roundup: ...") and its words around every item are no story."""
    own = "Posted to the Roundup by a reader: open the link, comment and vote on the Roundup."
    items = [
        ("Show Roundup: Tilepieces, an open source editor", "https://tilepieces.example/", own),
        ("Show Roundup: MetricFlow, an open source framework", "https://metricflow.example/", own),
    ]
    items += [(t, f"https://{s}.example/a", own) for t, _, s in ELSEWHERE]
    feed = tmp_path / "roundup.atom"
    feed.write_text(_atom(items), encoding="utf-8")
    edition = _edition(_config(tmp_path / "news", {"Roundup": feed}, 3, 20, 1000000), NOW)
    assert len(edition.stories) == len(items), [(s.title, s.also) for s in edition.stories]


LOCAL = {  # two outlets' own stories, each its own
    "gazette": [
        ("Council approves the new cycle lanes", "cyclists councillors budget lanes"),
        ("Fishing fleet lands a record catch", "trawlers herring quay auction"),
        ("Theatre stages a winter premiere", "actors rehearsal stage playwright"),
        ("Hospital opens a children's wing", "nurses paediatric ward patients"),
    ],
    "ledger": [
        ("Port tolls to rise next spring", "shipping tolls tariffs cargo"),
        ("Startup raises funds for wind kites", "investors turbines kites energy"),
        ("Bank opens a branch in the old mill", "savers tellers mill branch"),
        ("Retailers report a quiet November", "shoppers tills footfall sales"),
    ],
}


def test_an_aggregator_among_other_feeds_is_one_outlet_for_the_caps(tmp_path: Path) -> None:
    """An aggregator's items on eight sites, the newest, beside two outlets' own feeds:
    each item counted as its site's outlet, and the aggregator filled every teaser (QA:
    Hacker News 8 of 8 beside Reddit and Google Alerts). It is one outlet among them."""
    linked = [(t, f"https://{s}.example/a", _text(t, w)) for t, w, s in ELSEWHERE]
    linked += [(t, f"https://site{n}.example/b", _text(t, w)) for n, (t, w) in enumerate(OWN)]
    feeds = {"Alerts": tmp_path / "alerts.atom"}
    feeds["Alerts"].write_text(_atom(linked), encoding="utf-8")
    for name in ("gazette", "ledger"):
        own = [
            (title, f"https://{name}.example/{n}", _text(title, words))
            for n, (title, words) in enumerate(LOCAL[name])
        ]
        feeds[name] = tmp_path / f"{name}.atom"
        text = _atom(own, home=f"https://{name}.example/").replace("T1", "T0")  # older
        feeds[name].write_text(text.replace("Alerts", name.title()), encoding="utf-8")
    edition = _edition(_config(tmp_path / "news", feeds, 3, 5, 1000000), NOW)
    assert [s.aggregated for s in edition.stories].count(True) > 0
    aggregated = Counter(s.source for s in edition.leads if s.aggregated)
    assert aggregated["Alerts"] <= 1, [(s.title, s.source) for s in edition.leads]
    teasers = Counter(s.source for s in edition.teasers if s.aggregated)
    assert teasers["Alerts"] <= 2, [(s.title, s.source) for s in edition.teasers]


def test_one_template_s_headlines_with_other_figures_are_two_events(tmp_path: Path) -> None:
    """Google Alerts' "Slack (NASDAQ:WORK) CEO Sells $53170714.63 in Stock" and "… CFO
    Sells $19407875.75 …" share the template's words: they folded into one story whose
    "Also in" opened another person's sale. Copies of one sale (one figure) still fold."""
    sale = "Harbourco (NYSE:HBR) {who} Sells ${amount} in Stock"
    body = (  # the template's words, as the insider-trading sites write them
        "Harbourco (NYSE:HBR) insider sold shares of the company's stock in a "
        "transaction that occurred on Monday. The shares were sold at an average price, "
        "for a total transaction, and the insider now directly owns shares of the "
        "company's stock, valued at the price. The sale was disclosed in a legal filing "
        "with the SEC, which is available through the SEC website. Harbourco stock opened."
    )
    items = [
        (sale.format(who="CEO", amount="1,250,000.00"), "https://tickerwire.example/1", body),
        (sale.format(who="CFO", amount="830,500.00"), "https://marketdesk.example/2", body),
        (sale.format(who="CEO", amount="1,250,000.00"), "https://stocknews.example/3", body),
    ]
    feed = tmp_path / "alerts.atom"
    feed.write_text(_atom(items), encoding="utf-8")
    edition = _edition(_config(tmp_path / "news", {"Alerts": feed}, 1, 6, 1000000), NOW)
    titles = sorted(s.title for s in edition.stories)
    assert titles == sorted({t for t, _, _ in items}), titles  # the CEO's copies: one
    ceo = next(s for s in edition.stories if "CEO" in s.title)
    assert [a.title for a in ceo.also] == [items[0][0]] or [a.title for a in ceo.also] == [
        items[2][0]
    ]
