"""parse_feed over every real feed in the shared corpus, plus the edge cases it carries."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.collect.feeds import canonical_url, parse_feed, read_feed
from digest.errors import SourceError
from digest.records import Article
from digest.wording.trim import sentence_ends, trim
from tests.corpus import CORPUS, require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SIDECARS = (".txt", ".ini", ".eml")
#: Corpus files that are not feeds at all; every other one must give articles.
BROKEN = {"json-allthis-truncated.json", "json-reader-invalid-types.json"}
LEFTOVER_MARKUP = re.compile(
    r"&(?:amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9a-f]+);|</?[a-z][^>]*>", re.I
)
MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|Â[\u00a0-\u00bf]|[ÐÑ][\u0080-\u00bf]|\ufffd")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def corpus_feeds() -> list[str]:
    folder = CORPUS / "feeds"
    if not folder.is_dir():
        return ["(corpus missing)"]
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(SIDECARS))


def manifest_items() -> dict[str, str]:
    with (require_corpus() / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return {row["local_file"].removeprefix("feeds/"): row["items"] for row in rows}


def parse(name: str, *, url: str | None = "file", source: str | None = None) -> tuple[Article, ...]:
    path = require_corpus() / "feeds" / name
    return parse_feed(
        path.read_bytes(),
        source=source or f"Corpus {name}",
        url=path.as_uri() if url == "file" else url,
        now=NOW,
    )


#: Titles that write about tags: their "<i>" is text (tests/test_collect_editors_notes.py).
ABOUT_TAGS = frozenset({"Die Rückkehr von <i> und <b>"})


def assert_clean_title(title: str) -> None:
    assert title and title == title.strip(), repr(title)
    assert title in ABOUT_TAGS or not LEFTOVER_MARKUP.search(title), title
    assert not MOJIBAKE.search(title), title
    assert not CONTROL.search(title), repr(title)


@pytest.mark.parametrize("name", corpus_feeds())
def test_every_corpus_feed_gives_clean_articles_or_a_clear_error(name: str) -> None:
    source = f"Corpus {name}"
    try:
        articles = parse(name)
    except SourceError as exc:
        assert name in BROKEN, f"{name} should parse: {exc}"
        assert str(exc).startswith(f"{source}: not a feed: ")
        assert name in str(exc)  # the URL is named too
        return
    assert name not in BROKEN, f"{name} is broken and should raise SourceError"
    if manifest_items().get(name) == "0":
        assert articles == ()
    else:
        assert articles, f"{name} gave no articles"
    for article in articles:
        assert article.source == source
        assert_clean_title(article.title)
        assert "\n" not in article.summary
        if article.url is not None:
            parts = urlsplit(article.url)
            assert parts.scheme in {"http", "https"} and parts.netloc, article.url
        if article.published is not None:
            assert article.published.utcoffset() == timedelta(0)
            assert article.published.tzinfo is UTC
            assert article.published <= NOW + timedelta(days=1)
        if article.image is not None:
            assert article.image.url.startswith(("http://", "https://"))
            assert article.image.alt
        assert article.key.split(":", 1)[0] in {"guid", "url", "sha1"}
    keys = [a.key for a in articles]
    assert len(keys) == len(set(keys)), "duplicate keys in one feed"


def test_root_relative_links_in_tpm_are_made_absolute() -> None:
    articles = parse("news-tpm-talkingpointsmemo.atom")
    assert len(articles) == 20
    first = articles[0]
    assert first.url == (
        "http://talkingpointsmemo.com/livewire/"
        "hannity-announces-fox-hired-sebastian-gorka-national-security-strategist"
    )
    for article in articles:
        assert article.url and article.url.startswith("http://talkingpointsmemo.com/")
        assert not re.search(r'(?:href|src)="(?!https?://|mailto:)', article.html)


def test_relative_links_in_groovehq_resolve_against_the_feed_url() -> None:
    articles = parse("blog-groovehq-relative.atom", url="https://www.groovehq.com/articles.xml")
    assert articles[0].url == "https://www.groovehq.com/blog/seo-for-startups"
    links = [u for a in articles for u in re.findall(r'(?:href|src)="([^"]+)"', a.html)]
    assert len(links) > 80
    assert all(u.startswith(("http://", "https://", "mailto:")) for u in links)
    assert (
        "https://www.groovehq.com/attachments/blog/seo-for-startups/deleted-facebook.jpg" in links
    )


def test_relative_links_without_a_web_base_are_dropped_not_kept_relative() -> None:
    articles = parse("blog-groovehq-relative.atom")  # read from a file: URL, no http(s) base
    assert all(a.url is None for a in articles)
    assert all(not re.search(r'(?:href|src)="/', a.html) for a in articles)
    assert len({a.key for a in articles}) == 10  # the GUIDs still tell them apart


def test_duplicate_guids_are_folded() -> None:
    path = require_corpus() / "feeds" / "podcast-taverncast-dupguid.rss"
    entries = feedparser.parse(io.BytesIO(path.read_bytes())).entries
    assert len(entries) == 131
    articles = parse("podcast-taverncast-dupguid.rss")
    assert len(articles) == len({e.id for e in entries}) == 130
    [teaser] = parse("dupguid-braingle.xml")
    assert teaser.key == "guid:http://www.braingle.com/50366.html"
    assert teaser.title == "Huh?"
    assert "feeds.feedburner.com/~r/" not in teaser.html  # the tracking pixel is gone


def test_guardian_images_come_from_media_content() -> None:
    articles = parse("news-guardian-intl.rss")
    assert len(articles) == 55
    for article in articles:
        assert article.image is not None
        assert article.image.url.startswith("https://i.guim.co.uk/")
        assert article.image.width == 460  # the larger of the two sizes
        assert article.image.alt == article.title
    assert articles[0].author == "David Smith in Washington"
    assert "US news" in articles[0].categories


def test_guardian_list_standfirsts_do_not_run_on() -> None:
    """The Guardian's standfirsts are bullet lists and unpunctuated paragraphs: a summary
    read "…the train was killed Two crew members and…" when items and paragraphs were
    folded into one line."""
    articles = {a.title: a for a in parse("news-guardian-intl.rss")}
    train = next(a for title, a in articles.items() if "train" in title.casefold())
    assert train.summary == "One person who was not aboard the train was killed"
    closed = 0
    for article in articles.values():
        summary = trim(article.summary or article.text, 40, max_sentences=2)
        assert not re.search(r"\b(?:killed Two|sites Findings|documents Arizona)\b", summary)
        # without a standfirst, the body's unpunctuated first paragraph is closed
        body = trim(article.text, 40, max_sentences=2)
        first = article.text.split("\n\n")[0]
        if len(first.split()) < 30 and not sentence_ends(first):
            assert body == f"{first}." or body.startswith(f"{first}. "), body
            closed += 1
    assert closed >= 20  # most of the 55 items open with such a paragraph


def test_feed_without_dates_gives_published_none() -> None:
    articles = parse("news-heise-online-2016.rdf")
    assert len(articles) == 60
    assert all(a.published is None for a in articles)


def test_json_feed_1_1_files_parse() -> None:
    fboes = parse("json11-fboes-de.json")
    assert len(fboes) == 20
    assert all(a.url and a.published for a in fboes)
    influx = parse("json11-influxdata.json")
    assert influx[0].title == ("InfluxDB vs. Graphite for Time Series Data & Metrics Benchmark")
    assert influx[0].published == datetime(2019, 5, 31, 19, 17, 58, tzinfo=UTC)
    assert influx[0].author == "Chris Churilo"


def test_truncated_json_raises_a_clear_source_error() -> None:
    with pytest.raises(SourceError) as info:
        parse("json-allthis-truncated.json", source="All This")
    message = str(info.value)
    assert message.startswith("All This: not a feed: invalid JSON")
    assert message.endswith("json-allthis-truncated.json)")


def test_json_with_wrong_types_raises_a_clear_source_error() -> None:
    with pytest.raises(SourceError, match=r"^Reader: not a feed: JSON Feed 'title' must be a"):
        parse("json-reader-invalid-types.json", source="Reader")
    bad_items = b'{"version": "https://jsonfeed.org/version/1.1", "items": {"id": "1"}}'
    with pytest.raises(SourceError) as info:
        parse_feed(bad_items, source="Culture Wire", url="file:///x.json", now=NOW)
    assert str(info.value) == (
        "Culture Wire: not a feed: JSON Feed 'items' must be a list, not object (file:///x.json)"
    )
    bad_title = b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": 1, "title": 7}]}'
    with pytest.raises(SourceError, match=r"items\[0\]\.title must be a string, not int"):
        parse_feed(bad_title, source="X", url=None, now=NOW)


def test_daringfireball_atom_and_json_carry_the_same_articles() -> None:
    atom = parse("blog-daringfireball.atom")
    json_feed = parse("blog-daringfireball.json")
    assert len(atom) == len(json_feed) == 48
    assert {a.url for a in atom} == {a.url for a in json_feed}
    assert [a.title for a in atom] == [a.title for a in json_feed]


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("news-uol-noticias-latin1-nodecl.rss", "simulações"),
        ("misc-cercle-psy-2014-latin1-nodecl.xml", "Stéphane"),
        ("news-jornaldenoticias-pt-iso8859-1.rss", "Mãe"),
        ("news-universfreebox-rss092-iso8859-1.xml", "« sans"),
        ("news-orenburg-ru-windows1251.xml", "Бузулуке"),
        ("forum-kc0011-gb2312.rss", "建国35周年纪念"),
    ],
)
def test_non_utf8_feeds_decode_to_the_right_characters(name: str, word: str) -> None:
    titles = " ".join(a.title for a in parse(name))
    assert word in titles


def test_utf16_with_bom() -> None:
    assert parse("enc-utf16le-bom.xml") == ()  # a valid feed without items
    xml = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Ü</title>'
        "<item><title>Grüße aus Køge</title><link>https://example.dk/a</link></item>"
        "</channel></rss>"
    )
    for data in (codecs.BOM_UTF16_LE + xml.encode("utf-16-le"), xml.encode("utf-16")):
        [article] = parse_feed(data, source="UTF-16", url=None, now=NOW)
        assert article.title == "Grüße aus Køge"
        assert article.key == "url:https://example.dk/a"


def test_undeclared_latin1_is_not_mojibake_even_when_the_header_says_utf8() -> None:
    data = "<rss version='2.0'><channel><item><title>Notícias de São Paulo</title>"
    data += "<link>https://e.br/1</link></item></channel></rss>"
    [article] = parse_feed(
        data.encode("latin-1"), source="UOL", url=None, now=NOW, content_type="text/xml"
    )
    assert article.title == "Notícias de São Paulo"


def test_gzip_body_is_decompressed_with_a_cap() -> None:
    articles = parse("gzip-nshipster.xml.gz")
    assert len(articles) == 25
    bomb = gzip.compress(b" " * 60_000_000)
    with pytest.raises(SourceError, match="Bomb: not a feed: larger than"):
        parse_feed(bomb, source="Bomb", url=None, now=NOW)


def test_leading_whitespace_before_the_xml_declaration_is_accepted() -> None:
    assert len(parse("news-techcrunch-jslinks.xml")) == 20
    assert len(parse("blog-tenderlovemaking-onclick.xml")) == 10


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty document"),
        (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "an HTML page"),
        (b"just some text", "not well-formed XML"),
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "no RSS, Atom or JSON Feed"),
        (b'{"title": "no items"}', "JSON Feed has no 'items'"),
        (b"[1, 2]", "JSON Feed must be an object, not list"),
    ],
)
def test_documents_that_are_not_feeds_raise_source_error(data: bytes, problem: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_feed(data, source="Culture Wire", url="https://example.org/feed", now=NOW)
    assert str(info.value).startswith(f"Culture Wire: not a feed: {problem}")
    assert str(info.value).endswith("(https://example.org/feed)")


def test_an_html_article_page_is_not_a_feed() -> None:
    page = require_corpus() / "articles" / "rdb-cnn.html"
    with pytest.raises(SourceError, match="an HTML page"):
        parse_feed(page.read_bytes(), source="CNN", url=None, now=NOW)


def test_dates_far_in_the_future_are_kept_and_reported() -> None:
    xml = b"""<rss version="2.0"><channel>
      <item><title>Soon</title><link>https://e.org/1</link>
        <pubDate>Thu, 01 Jan 2026 20:00:00 GMT</pubDate></item>
      <item><title>Later</title><link>https://e.org/2</link>
        <pubDate>Sat, 03 Jan 2026 00:00:00 GMT</pubDate></item>
      <item><title>Offset</title><link>https://e.org/3</link>
        <pubDate>Wed, 31 Dec 2025 23:00:00 -0500</pubDate></item>
    </channel></rss>"""
    parsed = read_feed(xml, source="S", url=None, now=NOW)
    soon, later, offset = parsed.articles
    assert soon.published == datetime(2026, 1, 1, 20, tzinfo=UTC)
    assert later.published == datetime(2026, 1, 3, tzinfo=UTC)  # suspect, but its own date
    assert offset.published == datetime(2026, 1, 1, 4, tzinfo=UTC)
    assert parsed.warnings == (
        "1 item dated in the future (after 2026-01-02 00:00 UTC): kept its date, "
        "not ranked before then: 'Later'",  # the item named, as a folder's file is
    )


def test_keys_fall_back_from_guid_to_canonical_url_to_a_hash() -> None:
    xml = b"""<rss version="2.0"><channel><link>https://e.org/</link>
      <item><guid isPermaLink="false">abc-1</guid><title>A</title></item>
      <item><title>B</title><link>/b?utm_source=rss&amp;id=2#top</link></item>
      <item><title>C</title><description>No link at all</description></item>
      <item><title>B again</title><link>https://E.org/b?id=2&amp;utm_medium=x</link></item>
    </channel></rss>"""
    a, b, c = parse_feed(xml, source="S", url=None, now=NOW)
    assert a.key == "guid:abc-1"
    assert b.key == "url:https://e.org/b?id=2"
    assert b.url == "https://e.org/b?utm_source=rss&id=2#top"
    assert c.key.startswith("sha1:") and c.url is None
    assert canonical_url("HTTPS://Example.org?utm_x=1#f") == "https://example.org/"


def test_items_without_titles_get_one_from_their_text() -> None:
    articles = parse("sample-rss092-grateful-dead.xml")
    # the headline each story shows: a first sentence or clause of at most 16 words
    assert all(a.title and len(a.title.split()) <= 16 for a in articles)
    assert all(a.key.startswith("sha1:") for a in articles)


def test_titles_with_escaped_markup_and_double_encoding_are_plain_text() -> None:
    alerts = parse("misc-google-alerts.atom")
    assert alerts[1].title == "Slack Stock Has a Compelling Story and the Numbers to Back It Up"
    xml = b"""<rss version="2.0"><channel><item><link>https://e.org/1</link>
      <title>AT&amp;amp;amp;T &amp;#8211; Q&amp;amp;A</title></item></channel></rss>"""
    [article] = parse_feed(xml, source="S", url=None, now=NOW)
    assert article.title == "AT&T – Q&A"


def test_tracking_redirects_give_way_to_the_articles_own_links() -> None:
    """Google Alerts wraps every link in google.com/url?...&url=ARTICLE: the reader was
    sent through Google's counter and the story credited to no outlet's address."""
    alerts = parse("misc-google-alerts.atom")
    assert len(alerts) == 20
    assert all(a.url and not a.url.startswith("https://www.google.com/") for a in alerts)
    assert alerts[1].url == "https://investorplace.com/2019/07/slack-stock-truly-compelling/"
    assert all(a.key.startswith("guid:tag:google.com,2013:googlealerts") for a in alerts)
    feed = b"""<rss version="2.0"><channel>
      <item><title>A</title><link>https://www.bing.com/news/apiclick.aspx?ref=FexRss&amp;aid=&amp;tid=1&amp;url=https%3a%2f%2fnews.example.org%2fa&amp;c=1</link></item>
      <item><title>B</title><link>https://l.facebook.com/l.php?u=https%3A%2F%2Fe.org%2Fb&amp;h=AT0</link></item>
      <item><title>C</title><link>https://www.google.com/url?q=javascript:alert(1)</link></item>
      <item><title>D</title><link>https://www.google.com/search?url=https://e.org/d</link></item>
      <item><title>E</title><link>https://e.org/e?url=https://elsewhere.example/</link></item>
    </channel></rss>"""
    urls = [a.url for a in parse_feed(feed, source="S", url=None, now=NOW)]
    assert urls == [
        "https://news.example.org/a",
        "https://e.org/b",
        "https://www.google.com/url?q=javascript:alert(1)",  # not an http(s) target: kept
        "https://www.google.com/search?url=https://e.org/d",  # not a redirect
        "https://e.org/e?url=https://elsewhere.example/",  # not a known redirect
    ]


def test_zero_length_video_enclosures_are_not_images() -> None:
    articles = parse("blog-4fsod-iframes.atom")
    assert len(articles) == 25
    assert all(a.image is None or "video-play" not in a.image.url for a in articles)


def test_image_enclosures_and_thumbnails_are_used() -> None:
    orenburg = parse("news-orenburg-ru-windows1251.xml")
    assert all(a.image and a.image.url.startswith("http://www.oren.ru/") for a in orenburg)
    reddit = parse("misc-reddit-frontpage.rss")
    assert sum(1 for a in reddit if a.image and "thumbs.redditmedia.com" in a.image.url) >= 10


def test_section_and_language_are_carried() -> None:
    path = require_corpus() / "feeds" / "news-guardian-intl.rss"
    articles = parse_feed(path.read_bytes(), source="G", url=None, now=NOW, section="World")
    assert {a.section for a in articles} == {"World"}
    assert {a.language for a in articles} == {"en-GB"}


def test_corpus_is_where_the_tests_expect_it() -> None:
    assert require_corpus() == CORPUS
    assert isinstance(CORPUS, Path)


SMALL_FEEDS = [
    "dupguid-braingle.xml",
    "relative-neverwinter.rss",
    "hostile-item-description-crazy.rss",
    "json11-influxdata.json",
    "atom03-content-base64.xml",
    "list-gmane-rss2email.rdf",
]


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(SMALL_FEEDS),
    cut=st.floats(0, 1),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=3)), max_size=8),
)
def test_damaged_feeds_give_articles_or_source_error_never_anything_else(
    name: str, cut: float, edits: list[tuple[float, bytes]]
) -> None:
    data = bytearray((require_corpus() / "feeds" / name).read_bytes())
    data = data[: round(len(data) * (0.5 + cut / 2))]  # often truncated
    for where, junk in edits:
        at = round(len(data) * where)
        data[at : at + len(junk)] = junk
    try:
        articles = parse_feed(bytes(data), source="Damaged", url=None, now=NOW)
    except SourceError as exc:
        assert str(exc).startswith("Damaged: not a feed: ")
        return
    for article in articles:  # broken bytes may decode to U+FFFD, but never to markup
        assert article.title and not CONTROL.search(article.title)
        # a tag is a name then a space, "/" or ">": "<wking-…< at >gmane.org>" is an
        # address an untitled item's opening quoted, text that renders escaped
        assert not re.search(r"</?[a-z][a-z0-9]*(?:[\s/][^>]*)?>", article.title)
        assert article.url is None or article.url.startswith(("http://", "https://"))
