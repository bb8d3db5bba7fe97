"""What readers get as a summary: entities decoded once, feed-wide notices dropped, and a
text the publisher cut ending with "…", never a full stop (collect and rank together).

Feeds written here are parsed for real; the real feeds are read from the shared corpus.
"""

from __future__ import annotations

from datetime import UTC, datetime

from digest.collect.entry import decode_references
from digest.collect.feeds import read_feed
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
    assert any(a.summary.startswith("ZXLightControl v.1.0.0 Уменьшено до 50%") for a in articles)
