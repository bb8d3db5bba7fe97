"""A story whose feed cut its excerpt mid-sentence tells the article's own opening.

Blog software gives each item an excerpt of the post's first words, cut at a fixed
length ("…buy a brand new just released [&#8230;] Read More Here →"), beside the whole
post in content:encoded. The excerpt became the story's text, so a lead with a budget of
120 words stopped after 40, in the middle of a sentence ("…the chance to buy a brand new
just released…"), while the post that goes on from it was stored with it. Where the
excerpt is only a cut of the post's opening, the post's opening is told instead, to the
lead's or teaser's budget and at a sentence end. A standfirst written on its own (one
that is no cut of the body) stays, however short.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from digest.collect.feeds import read_feed
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
SOURCE = "Trailside Notes"

POST = (
    "<p>It is that time of year again! The ferry company has cut every winter fare by a "
    "fifth. Now technically the sale happens twice a year, once in the autumn and once in "
    "the spring. But I doubt anyone will complain about the chance to cross to the island "
    "for the price of a sandwich and a coffee.</p>"
    "<p>No matter what you call it, there are good deals here. The night crossings are "
    "cheaper still, and children under twelve travel free until the end of February.</p>"
    "<p>To back up briefly: the company has lost money on the winter route for three "
    "years, and the council has asked it to fill the boats rather than cancel sailings.</p>"
)
EXCERPT = (
    "It is that time of year again! The ferry company has cut every winter fare by a "
    "fifth. Now technically the sale happens twice a year, once in the autumn and once in "
    "the spring. But I doubt anyone will complain about the chance to cross to the &#8230; "
    '<a class="read_more" href="https://trailside.example/fares">Read More Here '
    "<span>&#8594;</span></a>"
)


def _feed(description: str, content: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{SOURCE}</title><link>https://trailside.example/</link>"
        "<item><title>Winter ferry fares cut by a fifth</title>"
        "<link>https://trailside.example/fares</link><guid>fares-1</guid>"
        "<pubDate>Thu, 26 Nov 2026 20:00:00 +0000</pubDate>"
        f"<description>{escape(description)}</description>"
        f"<content:encoded>{escape(content)}</content:encoded></item>"
        "</channel></rss>"
    ).encode()


def _articles(description: str, content: str = POST) -> tuple[Article, ...]:
    data = _feed(description, content)
    return read_feed(data, source=SOURCE, url="https://trailside.example/feed", now=NOW).articles


def _options(leads: int = 1, teasers: int = 0) -> RankOptions:
    return RankOptions(leads=leads, teasers=teasers, lead_words=120, teaser_words=40)


def test_a_lead_tells_the_post_where_the_feeds_excerpt_was_cut_mid_sentence() -> None:
    (article,) = _articles(EXCERPT)
    assert article.summary.endswith("cross to the…")  # what the feed gave as its excerpt
    (lead,) = rank([article], now=NOW, options=_options()).leads
    assert "for the price of a sandwich and a coffee." in lead.summary, lead.summary
    assert "children under twelve travel free" in lead.summary
    assert not lead.summary.endswith("…"), lead.summary  # ends where a sentence ends
    assert len(lead.summary.split()) <= 120


def test_a_teaser_ends_at_a_sentence_of_the_post_not_at_the_excerpts_cut() -> None:
    other = Article(
        key="other",
        source="Coast Times",
        title="Gales expected along the coast",
        url="https://coast.example/gales",
        summary="Winds will rise above storm force on Friday night.",
        published=NOW,
    )
    short = "It is that time of year again! The ferry company has cut every winter [&#8230;]"
    (article,) = _articles(short)
    assert article.summary.endswith("every winter…")
    ranked = rank([other, article], now=NOW, options=_options(leads=1, teasers=1))
    (teaser,) = ranked.teasers
    assert teaser.title == "Winter ferry fares cut by a fifth"
    assert teaser.summary == (
        "It is that time of year again! The ferry company has cut every winter fare by a fifth."
    )


def test_a_standfirst_of_its_own_stays_however_short() -> None:
    own = "Crossings to the island cost a fifth less until March."
    (article,) = _articles(own)
    (lead,) = rank([article], now=NOW, options=_options()).leads
    assert lead.summary == own


def test_an_excerpt_cut_from_other_words_than_the_posts_opening_stays() -> None:
    # A hand-written excerpt that the writer ended with "…" is no cut of the body.
    teaser = "Cheap crossings, free children, and a council that wants full boats…"
    (article,) = _articles(teaser)
    (lead,) = rank([article], now=NOW, options=_options()).leads
    assert lead.summary == teaser


def test_the_real_blog_feeds_leads_end_at_a_sentence() -> None:
    """DC Rainmaker's excerpts are cut at about 40 words; its posts run to thousands."""
    path = require_corpus() / "feeds" / "blog-dcrainmaker-onclick.xml"
    parsed = read_feed(path.read_bytes(), source="DC Rainmaker", url=None, now=NOW)
    cut = [a for a in parsed.articles if a.summary.endswith("…")]
    assert len(cut) >= 6
    ranked = rank(cut, now=NOW, options=RankOptions(leads=len(cut), teasers=0, lead_words=120))
    for lead in ranked.leads:
        assert not lead.summary.endswith("…"), (lead.title, lead.summary)
        assert len(lead.summary.split()) > 45, (lead.title, lead.summary)
