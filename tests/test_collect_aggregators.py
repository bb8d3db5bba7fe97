"""An aggregator's item (Hacker News, lobste.rs, a planet of blogs, Google Alerts) links
straight to another site's article: "Read more at Hacker News" opened someone else's
site. Where the feed is shown to be one (most of its items link off its own site, to
many different sites), such an item is credited to the site its link opens, and the
aggregator is named beside it: "Read more at harbour-news.example.com via Link Roundup".

Not changed: an item of the aggregator on its own site ("Ask HN"), an outlet whose
links all go to its own CDN or short domain, a feed with too few items to tell.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import lxml.html

from digest.app import App
from digest.config import load
from digest.render import Rendered
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)

ELSEWHERE = [
    ("Harbour baths reopen after repairs", "https://www.harbour-news.example.com/baths"),
    ("Tram line opens two months early", "https://tramwatch.example.org/line-9"),
    ("Bakery wins national bread prize", "https://bread-daily.example.net/prize"),
    ("Library extends its weekend hours", "https://citylibrary.example/weekends"),
    ("Cyclists count record winter trips", "https://pedal.example.com/winter-count"),
    ("Museum returns a looted statue", "https://artsdesk.example.org/statue"),
    ("Ferry fares rise in the new year", "https://harbour-news.example.com/fares"),
]
ASK = ("Ask Roundup: which ferry app works?", "https://roundup.example/item?id=42")
OTHERS = [
    "Council votes to widen the coastal path",
    "Orchestra names a new principal conductor",
    "Storm closes the northern bridge overnight",
    "Schools trial a four-day week in spring",
    "Airport adds direct flights to Reykjavik",
    "Zoo welcomes twin snow leopard cubs",
    "Market hall gets a rooftop garden",
]


def _rss(title: str, home: str, items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"""<item><title>{t}</title><link>{link}</link><guid>{link}</guid>
<pubDate>Thu, 26 Nov 2026 {10 + n:02d}:00:00 +0000</pubDate>
<description>{t}: a report long enough to be shown as the story's standfirst.</description>
</item>"""
        for n, (t, link) in enumerate(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>{home}</link>
<description>Feed</description>{body}</channel></rss>"""


def _rendered(tmp_path: Path, feeds: dict[str, Path]) -> Rendered:
    folder = tmp_path / "news"
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
leads = 3
teasers = 60
max_age_hours = 1000000
max_leads_per_source = 3
max_teasers_per_source = 60

[[lists]]
name = "daily"
timezone = "Europe/Copenhagen"

[transport]
kind = "outbox"
path = "outbox/"

[database]
url = "sqlite:///digest.db"
""")
    app = App(load(config))
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    assert edition.stories
    return app.renderer.render(edition)


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _credits(html: str) -> dict[str, str]:
    """Each story's headline link → the credit the story's block shows: "Read more at
    X" under a lead, "(X)" after a teaser's summary."""
    found = {}
    for td in lxml.html.document_fromstring(html).iter("td"):
        if not {"lead", "teaser"} & set(td.classes):
            continue
        href = next(td.iter("h2", "h4")).find(".//a").get("href")
        more = re.search(r"Read more at (.+?) →", " ".join(td.text_content().split()))
        source = td.find_class("source")
        found[href] = more[1] if more else source[0].text_content().strip("() ")
    return found


def test_an_aggregators_item_is_credited_to_the_site_its_link_opens(tmp_path: Path) -> None:
    feed = _write(
        tmp_path, "roundup.rss", _rss("Roundup", "https://roundup.example/", [*ELSEWHERE, ASK])
    )
    rendered = _rendered(tmp_path, {"Link Roundup": feed})
    credits = _credits(rendered.html)
    assert credits == {
        "https://www.harbour-news.example.com/baths": "harbour-news.example.com via Link Roundup",
        "https://tramwatch.example.org/line-9": "tramwatch.example.org via Link Roundup",
        "https://bread-daily.example.net/prize": "bread-daily.example.net via Link Roundup",
        "https://citylibrary.example/weekends": "citylibrary.example via Link Roundup",
        "https://pedal.example.com/winter-count": "pedal.example.com via Link Roundup",
        "https://artsdesk.example.org/statue": "artsdesk.example.org via Link Roundup",
        "https://harbour-news.example.com/fares": "harbour-news.example.com via Link Roundup",
        ASK[1]: "Link Roundup",  # its own post: the aggregator's
    }
    # The text part names the site as well, on the lead's kicker line.
    assert "HARBOUR-NEWS.EXAMPLE.COM VIA LINK ROUNDUP" in rendered.text


def test_an_outlet_linking_to_its_short_domain_or_a_small_feed_keeps_its_name(
    tmp_path: Path,
) -> None:
    short = [(t, f"https://exn.example/{n}") for n, (t, _) in enumerate(ELSEWHERE)]
    own = [(t, f"https://www.quayside.example/{n}") for n, t in enumerate(OTHERS)]
    few = [(f"Weather: {t}", f"https://{n}.example.net/a") for n, t in enumerate(OTHERS[:3])]
    feeds = {
        "Example News": _write(tmp_path, "a.rss", _rss("EN", "https://exnews.example/", short)),
        "Quayside": _write(tmp_path, "b.rss", _rss("Q", "https://quayside.example/", own)),
        "Three Links": _write(tmp_path, "c.rss", _rss("T", "https://three.example/", few)),
    }  # fmt: skip
    credits = _credits(_rendered(tmp_path, feeds).html)
    by_host: dict[str, set[str]] = {}
    for link, credit in credits.items():
        by_host.setdefault(link.split("/")[2].split(".", 1)[-1], set()).add(credit)
    assert by_host == {
        "example": {"Example News"},  # exn.example
        "quayside.example": {"Quayside"},
        "example.net": {"Three Links"},
    }


def test_hacker_news_stories_name_the_site_they_open(tmp_path: Path) -> None:
    """The corpus's Hacker News front page: 29 items link to other sites, one is HN's own;
    one of the 29 is a job ad (Smarking's, on jobs.lever.co: rank.jobs), left out."""
    corpus = require_corpus()
    rendered = _rendered(tmp_path, {"Hacker News": corpus / "feeds" / "news-hackernews.xml"})
    credits = _credits(rendered.html)
    # Every item its own story, as before: two "Show HN" items on github.com and
    # tilepieces.net share the aggregator's label and "open source", which is no story
    # (each item is its site's for the ranking: rank.aggregator_pairs).
    assert len(credits) == 29
    assert not any("lever.co" in href for href in credits)
    for href, credit in credits.items():
        host = (re.match(r"https?://([^/:?#]+)", href) or ["", ""])[1].removeprefix("www.")
        if host == "news.ycombinator.com":
            assert credit == "Hacker News", (href, credit)
        else:
            assert credit == f"{host} via Hacker News", (href, credit)
    assert "Hacker News" in credits.values()


def test_daring_fireball_stays_daring_fireball(tmp_path: Path) -> None:
    """A link blog is no aggregator: its items link to its own posts (entry.own_post)."""
    corpus = require_corpus()
    rendered = _rendered(
        tmp_path, {"Daring Fireball": corpus / "feeds" / "blog-daringfireball.atom"}
    )
    assert set(_credits(rendered.html).values()) == {"Daring Fireball"}
