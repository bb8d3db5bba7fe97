"""What readers get as a summary: entities decoded once, feed-wide notices dropped, and a
text the publisher cut ending with "…", never a full stop (collect and rank together).

Feeds written here are parsed for real; the real feeds are read from the shared corpus.
"""

from __future__ import annotations

from datetime import UTC, datetime

from digest.collect.entry import decode_references
from digest.collect.feeds import read_feed
from digest.collect.summaries import settle_summaries
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def atom(summary: str, *, title: str = "Harbour news") -> bytes:
    """An Atom feed of one entry whose <summary> has no type attribute (so: text)."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:x:feed</id><updated>2025-12-31T00:00:00Z</updated>"
        "<entry><title>Ferry fares</title><id>urn:x:1</id><link href='https://h.example/1'/>"
        f"<updated>2025-12-31T00:00:00Z</updated><summary>{summary}</summary></entry></feed>"
    ).encode()


def rss(*descriptions: str, dated: bool = True) -> bytes:
    """An RSS 2.0 feed with one item per description (HTML), written here."""
    items = "".join(
        f"<item><title>Story {n}</title><link>https://h.example/{n}</link>"
        + ("<pubDate>Wed, 31 Dec 2025 08:00:00 GMT</pubDate>" if dated else "")
        + f"<description><![CDATA[{d}]]></description></item>"
        for n, d in enumerate(descriptions)
    )
    return f'<rss version="2.0"><channel><title>H</title>{items}</channel></rss>'.encode()


def summaries(feed: bytes) -> list[str]:
    return [a.summary for a in read_feed(feed, source="H", url=None, now=NOW).articles]


def corpus_articles(name: str, now: datetime = NOW) -> tuple[Article, ...]:
    path = require_corpus() / "feeds" / name
    return read_feed(path.read_bytes(), source=name, url=path.as_uri(), now=now).articles


# -- 2. entities left in plain-text fields ---------------------------------------------


def test_references_in_a_text_summary_are_decoded_once() -> None:
    feed = atom("Fares&amp;nbsp;rise &amp;amp; ferries&amp;#8217; decks &amp;amp;amp;")
    assert summaries(feed) == ["Fares rise & ferries’ decks &amp;"]


def test_markup_a_text_summary_shows_stays_text() -> None:
    feed = atom("Write &amp;lt;b&amp;gt; or &lt;i&gt; for AT&amp;T &amp;copy2024")
    (article,) = read_feed(feed, source="H", url=None, now=NOW).articles
    assert article.summary == "Write <b> or <i> for AT&T &copy2024"
    assert "<b>" not in article.html and "&lt;b&gt;" in article.html


def test_decode_references_only_decodes_whole_references() -> None:
    assert decode_references("a&nbsp;b &#233; &#xE9; &amp;lt; R&D &copy &bogus;") == (
        "a\xa0b é é &lt; R&D &copy &bogus;"
    )


def test_corpus_touchnokia_summaries_hold_no_literal_entities() -> None:
    articles = corpus_articles("hostile-touchnokia-css.atom")
    assert not any("&nbsp;" in a.summary or "&amp;" in a.summary for a in articles)
    # The feed's summaries run its lines together; the text's (tests/test_collect_glued_
    # summaries.py), which had "&nbsp;" after each label, is shown instead.
    assert any(a.summary.startswith("Разработчик: ZXStyles Язык: English") for a in articles)


# -- 1. a feed-wide notice is no summary -----------------------------------------------


def test_a_notice_on_every_item_is_no_summary_and_leaves_the_body() -> None:
    notice = "<p>Please update to our new feed address: h.example/feed</p>"
    feed = rss(*(f"{notice}<p>Story number {n} is about the harbour.</p>" for n in range(4)))
    articles = read_feed(feed, source="H", url=None, now=NOW).articles
    assert [a.summary for a in articles] == [""] * 4
    assert [a.text for a in articles] == [
        f"Story number {n} is about the harbour." for n in range(4)
    ]


def test_a_summary_some_items_share_is_kept() -> None:
    shared = "This release fixes security holes. Upgrade soon."
    feed = rss(shared, shared, shared, "A new look.", "Faster start.", "Smaller downloads.")
    assert summaries(feed).count(shared) == 3


def test_corpus_lincolnloop_notice_is_not_a_summary() -> None:
    articles = corpus_articles("blog-lincolnloop-ctrlchar.xml")
    assert len(articles) == 10
    assert not any("new feed url" in a.summary or "new feed url" in a.text[:200] for a in articles)
    assert all(a.text for a in articles)


def test_corpus_tails_release_summaries_are_kept() -> None:
    summaries = [a.summary for a in corpus_articles("blog-tails-news.rss")]
    release = "This release fixes many security vulnerabilities. You should upgrade as soon as"
    assert summaries.count(f"{release} possible.") == 7


# -- 3. a text the publisher cut ends with "…" -----------------------------------------

CUT = [
    "The harbour board voted on Monday to close the old ferry pier f",
    "Ferry fares will rise by a tenth in May, the operator said, and",
    "Night buses will replace the last ferry of the day while the la",
    "Students and pensioners keep their discount until the end of Ju",
]


def _whole(text: str) -> str:
    """`text` cut at the feed's length, as told: its split last word gone, then "…"
    (see tests/test_collect_cut_words.py)."""
    return text.rsplit(" ", 1)[0].rstrip(", ") + "…"


def test_a_fixed_length_cut_ends_with_an_ellipsis_not_a_full_stop() -> None:
    assert {len(text) for text in CUT} == {63}
    feed = rss(*CUT, "The pier reopens in spring.")
    assert summaries(feed) == [_whole(text) for text in CUT] + ["The pier reopens in spring."]
    ranked = rank(
        read_feed(feed, source="H", url=None, now=NOW).articles,
        now=NOW,
        options=RankOptions(max_teasers_per_source=9),
    )
    told = [s.summary for s in (*ranked.leads, *ranked.teasers)]
    assert sorted(told) == sorted([_whole(text) for text in CUT] + ["The pier reopens in spring."])


def test_standfirsts_of_varied_length_without_a_stop_still_get_a_full_stop() -> None:
    standfirsts = [
        "The harbour board votes to close the old pier",
        "Fares rise by a tenth in May as fuel costs climb again",
        "Night buses replace the last ferry",
        "Students keep their discount",
    ]
    feed = rss(*standfirsts)
    assert summaries(feed) == standfirsts
    ranked = rank(
        read_feed(feed, source="H", url=None, now=NOW).articles,
        now=NOW,
        options=RankOptions(max_teasers_per_source=9),
    )
    assert sorted(s.summary for s in (*ranked.leads, *ranked.teasers)) == sorted(
        f"{s}." for s in standfirsts
    )


def test_a_summary_the_body_goes_on_from_is_marked_cut() -> None:
    body = "The harbour board voted on Monday to close the old ferry pier for repairs. More soon."
    item = (
        "<item><title>Pier</title><link>https://h.example/p</link>"
        "<description>The harbour board voted on Monday to close the old ferry</description>"
        f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>"
    )
    feed = (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>H</title>{item}</channel></rss>"
    ).encode()
    assert summaries(feed) == ["The harbour board voted on Monday to close the old ferry…"]


def test_settle_leaves_complete_and_unrelated_summaries_alone() -> None:
    articles = [
        Article(key=f"k{n}", source="H", title="t", url=None, summary=s, text=s)
        for n, s in enumerate(["Rain.", "Sun at last", "Wind"])
    ]
    assert settle_summaries(articles) == tuple(articles)


def test_corpus_pcmag_cut_descriptions_end_with_an_ellipsis() -> None:
    now = datetime(2018, 1, 31, 22, 0, tzinfo=UTC)
    articles = corpus_articles("news-pcmag-dvorak-nested.xml", now)
    ranked = rank(articles, now=now, options=RankOptions(max_age_hours=720))
    told = [s.summary for s in (*ranked.leads, *ranked.teasers)]
    assert told
    assert not any(s.endswith(("media out.", "that s.", "stock colu.")) for s in told), told
    assert any(s.endswith("every media…") for s in told), told  # "out" was "outlet" cut
    complete = [a.summary for a in articles if "cuff phone" in a.summary]
    assert complete and complete[0].endswith("market all at once.")  # left alone
    assert all(a.summary.endswith((".", "?", "…")) for a in articles)


def test_a_lead_in_is_read_with_the_passage_it_introduces() -> None:
    """A link blog's item opens "X, writing for Y on Z:" and quotes the passage after
    it: the lead-in alone (seen as a whole lead's summary) told the reader nothing."""
    lead_in = "Jane Roe, writing for The Harbour Review on the new cycle bridge:"
    quoted = "The bridge opens in May and will carry twenty thousand cyclists a day."
    feed = rss(f"<p>{lead_in}</p><blockquote><p>{quoted}</p></blockquote><p>Good news.</p>")
    [article] = read_feed(feed, source="Links", url=None, now=NOW).articles
    assert article.summary == f"{lead_in} {quoted}"
    # a full-width colon introduces too (Chinese and Japanese text)
    chinese = "本市港口的新自行车桥将于五月开放，交通部门周四表示，这是多年来最大的工程项目之一："
    feed = rss(f"<p>{chinese}</p><p>每天将有两万名骑车人通过。</p>")
    [article] = read_feed(feed, source="Links", url=None, now=NOW).articles
    assert article.summary == f"{chinese} 每天将有两万名骑车人通过。"
    # a paragraph that ends in a colon with nothing after it is kept as it is
    [alone] = read_feed(rss(f"<p>{lead_in}</p>"), source="Links", url=None, now=NOW).articles
    assert alone.summary.startswith(lead_in.removesuffix(":"))


def test_corpus_daringfireball_summaries_carry_what_their_lead_ins_introduce() -> None:
    feeds = require_corpus() / "feeds"
    for name in ("blog-daringfireball.atom", "blog-daringfireball.json"):
        data = (feeds / name).read_bytes()
        articles = read_feed(data, source="DF", url=None, now=NOW).articles
        assert len(articles) == 48
        assert [a.summary for a in articles if a.summary.rstrip(" …").endswith(":")] == []
        centers = next(a for a in articles if a.summary.startswith("Josh Centers, writing"))
        assert "two roadblocks stood in the way" in centers.summary
