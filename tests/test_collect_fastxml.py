"""The fast XML path (feedparser-rs) reads every feed it takes exactly as feedparser does.

"Not worse" here means: for every document :func:`fastxml.read_fast` accepts, the
entries' GUIDs, links, dates and authors are equal to feedparser's, and the articles
built from them are equal field by field (title, link, dates, key, summary, text,
author, categories, image, language, warnings), the sanitised HTML compared as markup:
the same tags, text and attribute values in the same order, an element's attributes
taken as a set (feedparser rewrites a tag with its attributes sorted; the order has no
meaning). Whatever it does not accept is feedparser's, unchanged.

The documents are every XML feed of the shared corpus, each also with the elements the
fast path refuses stripped out (so that the real items behind them are compared too),
the benchmark's feeds, and hand-made items for each element and quirk it accepts.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from dataclasses import fields
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.collect import fastxml
from digest.collect import feeds as F
from digest.collect.decoding import gunzip, to_utf8
from digest.collect.hosts import absolute_url
from digest.errors import SourceError
from digest.records import Article
from tests.corpus import CORPUS, require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def corpus_xml_feeds() -> list[str]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        return ["(corpus missing)"]
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["kind"] == "feed"]
    return [r["local_file"] for r in rows if not r["local_file"].endswith(".json")]


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[object] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("<", tag, frozenset(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("</", tag))

    def handle_data(self, data: str) -> None:
        self.tokens.append(data)


def markup(html: str) -> list[object]:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.tokens


def differences(reference: F.Parsed, fast: F.Parsed) -> list[str]:
    """What the fast path's articles get otherwise than feedparser's (empty: the same)."""
    if len(reference.articles) != len(fast.articles):
        return [f"{len(reference.articles)} articles, fast path {len(fast.articles)}"]
    found = []
    for number, (a, b) in enumerate(zip(reference.articles, fast.articles, strict=True)):
        for field in fields(Article):
            x, y = getattr(a, field.name), getattr(b, field.name)
            same = markup(x) == markup(y) if field.name == "html" else x == y
            if not same:
                found.append(f"article {number} {field.name}: {x!r:.120} != {y!r:.120}")
    if reference.warnings != fast.warnings:
        found.append(f"warnings {reference.warnings} != {fast.warnings}")
    return found


def both_ways(body: bytes, url: str) -> tuple[F.Parsed, F.Parsed | None]:
    """feedparser's articles, and the fast path's (None: it refused the document)."""
    utf8 = to_utf8(body, None)
    entries, language, own, _ = F._feedparser_entries(utf8, source="s", url=url)
    reference = F.build_articles(entries, source="s", now=NOW, language=language, own=own)
    fast = fastxml.read_fast(utf8, absolute_url(url, None))
    if fast is None:
        return reference, None
    assert len(fast[0]) == len(entries)
    for number, (ours, theirs) in enumerate(zip(fast[0], entries, strict=True)):
        for name in ("guid", "link", "published", "updated", "author", "base"):
            mine, reference_value = getattr(ours, name), getattr(theirs, name)
            assert mine == reference_value, (
                f"entry {number} {name}: {reference_value!r} != {mine!r}"
            )
    assert fast[2] == own, "the feed's own pictures"
    return reference, F.build_articles(fast[0], source="s", now=NOW, language=fast[1], own=fast[2])


_ELEMENT = re.compile(rb"<([A-Za-z_][-\w.:]*)")


def strip_refused(body: bytes) -> bytes:
    """`body` less the leaf elements and xml:base attributes the fast path refuses."""
    body = re.sub(rb"""\sxml:base=("[^"]*"|'[^']*')""", b"", body)
    for _ in range(4):
        text = fastxml._CDATA.sub(b"", body)
        names = {n for n in _ELEMENT.findall(text) if not fastxml._accepted(n.decode())}
        for name in names:
            tag = re.escape(name)
            body = re.sub(rb"<" + tag + rb"\b[^>]*/>", b"", body)
            body = re.sub(rb"<" + tag + rb"\b[^>]*>.*?</" + tag + rb"\s*>", b"", body, flags=re.S)
    return body


ACCEPTED: dict[str, int] = {}


@pytest.mark.parametrize("variant", ["as published", "refused elements stripped"])
@pytest.mark.parametrize("name", corpus_xml_feeds())
def test_the_fast_path_reads_every_corpus_feed_it_takes_as_feedparser_does(
    name: str, variant: str
) -> None:
    body = gunzip((require_corpus() / name).read_bytes(), "s", None)
    if variant != "as published":
        body = strip_refused(body)
    url = f"https://feeds.example.org/{Path(name).name}"
    try:
        reference, fast = both_ways(body, url)
    except SourceError:  # not a feed to feedparser: the fast path must refuse it
        assert fastxml.read_fast(to_utf8(body, None), url) is None
        return
    if fast is not None:
        ACCEPTED[f"{name} ({variant})"] = len(fast.articles)
        assert differences(reference, fast) == []


def test_the_comparison_covered_real_feeds() -> None:
    """The test above proves something only if the fast path took real feeds."""
    require_corpus()
    if len(ACCEPTED) < 10:  # run on its own: compare again
        for name in corpus_xml_feeds():
            for variant in ("as published", "refused elements stripped"):
                test_the_fast_path_reads_every_corpus_feed_it_takes_as_feedparser_does(
                    name, variant
                )
    assert len(ACCEPTED) >= 14, ACCEPTED
    assert sum(ACCEPTED.values()) >= 350, ACCEPTED


def test_differences_sees_a_changed_article() -> None:
    """The comparison can fail: a word, a date or a link changed is a difference."""
    body = rss("<title>A</title><link>https://ex.org/a</link><description>x</description>")
    reference, fast = both_ways(body, "https://ex.org/feed")
    assert fast is not None and differences(reference, fast) == []
    other = rss("<title>B</title><link>https://ex.org/b</link><description>x y</description>")
    _, changed = both_ways(other, "https://ex.org/feed")
    assert changed is not None
    found = differences(reference, changed)
    assert any(" title:" in d for d in found) and any(" url:" in d for d in found)
    assert markup('<img src="a" alt="b">') == markup('<img alt="b" src="a">')
    assert markup('<img src="a" alt="b">') != markup('<img src="a" alt="c">')


NAMESPACES = (
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    ' xmlns:atom="http://www.w3.org/2005/Atom"'
)


def rss(*items: str, channel: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"{NAMESPACES}><channel>'
        "<title>T</title><link>https://ex.org/</link><description>d</description>"
        f"{channel}{''.join(f'<item>{item}</item>' for item in items)}</channel></rss>"
    ).encode()


DATES = (
    "Sat, 07 Sep 2002 00:00:01 GMT",
    "Sat, 07 Sep 2002 00:00:01 EST",
    "Sat, 07 Sep 2002 09:30 PDT",
    "7 Sep 02 10:00 +0200",
    "Mon, 07 Sep 2002 00:00:01 +0530",
    "Sat, 07 Sep 2002 00:00:01 UT",
    "Sat, 07 Sep 2002 00:00:01 Z",
    "2002-09-07T10:00:00Z",
    "2002-09-07",
    # Shapes read by digest itself on both paths (entry.feed_date), not by the parsers:
    "Sat, 07 Sep 2002 00:00",
    "2002/09/07 10:00",
    "2002-09-07 10:00:00 +0800",
)
ITEMS = (
    *(f"<title>A</title><link>https://ex.org/a</link><pubDate>{d}</pubDate>" for d in DATES),
    "<title>AT&amp;T &lt;b&gt;bold&lt;/b&gt;</title><link>https://ex.org/a</link>",
    "<title><![CDATA[A <i>b</i> & c]]></title><link>/rel/a</link><description>plain &amp; more"
    "</description>",
    "<title>x</title><description><![CDATA[<p>Hi <a href='https://x.org/'>x</a> &nbsp; &eacute;"
    "</p>]]></description>",
    "<title>x</title><description>&lt;p&gt;a&lt;/p&gt;&lt;p&gt;b &amp;amp; c&lt;/p&gt;"
    "</description><author>a@b.org (Ann B)</author>",
    "<title>x</title><author>Ann B</author><guid>https://ex.org/p/1</guid>",
    "<guid isPermaLink='true'>https://ex.org/p/1</guid><description>only a text</description>",
    "<title> spaced  title </title><category>A</category><category domain='x'>B</category>",
    "<title>x</title><dc:creator>Ann</dc:creator><content:encoded><![CDATA[<p>full <b>text</b>"
    "</p>]]></content:encoded><description>short</description>",
    "<title>x</title><description><![CDATA[<img src='https://x.org/a.jpg' alt='p' width='300'>"
    " text <img src='https://x.org/pixel.gif' width='1'>]]></description>",
    "<title>x</title><description>a &lt; b and c &gt; d</description>",
    "<title>a &lt; b</title>",
    "<title>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;</title>",
    "<title>Ünïcödé — “q”</title><link> https://ex.org/a b </link>",
    "<title>x</title><description><![CDATA[<p onclick='x()'>a<script>b()</script>"
    "<a href='https://ex.org/c'>c</a></p>]]></description>",
    "<title></title><description></description>",
    "<title>dup</title><guid isPermaLink='false'>g1</guid><link>https://ex.org/1</link>",
    "<title>g</title><guid>https://ex.org/p/2</guid><link>https://ex.org/2</link>",
    # Relative URLs in an RSS item's HTML go to the site (links.py), on both paths.
    "<title>x</title><link>/a</link><description>&lt;p&gt;&lt;a href='/b'&gt;b&lt;/a&gt; "
    "&lt;img src=c.jpg width=300&gt; &lt;a href='javascript:c()'&gt;c&lt;/a&gt; "
    "&lt;img src='//cdn.ex.org/d.jpg'&gt; &lt;a href='https://x.org/a?b#'&gt;e&lt;/a&gt;"
    "&lt;/p&gt;</description>",
    "<title>x</title><description>short</description><content:encoded><![CDATA[<p><a "
    "href=/b>b</a> <img src='../c.jpg' width=300> <a href='tel:1'>t</a></p>]]></content:encoded>",
)


@pytest.mark.parametrize("item", ITEMS)
def test_the_fast_path_reads_each_accepted_quirk_as_feedparser_does(item: str) -> None:
    body = rss(item, item.replace("x", "y"), channel='<atom:link rel="self" href="/f"/>')
    reference, fast = both_ways(body, "https://ex.org/feed.xml")
    assert fast is not None, "this item is meant to be on the fast path"
    assert differences(reference, fast) == []


def test_the_benchmark_feeds_take_the_fast_path_and_read_the_same() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from pipeline import make_feeds

    for body in list(make_feeds(3, 20).values()):
        reference, fast = both_ways(body, "https://outlet.example.org/feed.xml")
        assert fast is not None and len(fast.articles) == 20
        assert differences(reference, fast) == []


def no_site(body: bytes) -> bytes:
    """`body` with a relative channel link: its items' relative URLs go to the feed's."""
    return body.replace(b"<link>https://ex.org/</link>", b"<link>/</link>")


REFUSED = {
    "not UTF-8": rss("<title>é</title>").replace(b"utf-8", b"iso-8859-1"),
    "not well-formed": rss("<title>A</title><description>x</description>")[:-30],
    "a NUL byte": rss("<title>A\x00</title>"),
    "Atom": b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>1</id>'
    b"<title>A</title></entry></feed>",
    "xml:base": rss('<title xml:base="https://other.example/">A</title>'),
    "a FeedBurner origLink": rss(
        "<title>A</title><feedburner:origLink>https://ex.org/a</feedburner:origLink>"
    ).replace(b"<rss ", b'<rss xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0" '),
    "media:content": rss("<title>A</title><media:content url='https://ex.org/i.jpg'/>").replace(
        b"<rss ", b'<rss xmlns:media="http://search.yahoo.com/mrss/" '
    ),
    "an enclosure": rss(
        "<title>A</title><enclosure url='https://ex.org/i.jpg' type='image/jpeg'/>"
    ),
    "dc: bound elsewhere": rss("<title>A</title><dc:creator>B</dc:creator>").replace(
        b"purl.org/dc/elements/1.1/", b"example.org/not-dc/"
    ),
    "an atom:link in an item": rss("<title>A</title><atom:link href='https://ex.org/b'/>"),
    "a relative href in the HTML, no site": no_site(
        rss("<title>A</title><description>&lt;a href='/b'&gt;b&lt;/a&gt;</description>")
    ),
    "a relative src in the HTML, no site": no_site(
        rss("<title>A</title><description><![CDATA[<img src=b.jpg>]]></description>")
    ),
    "a javascript: href, no site": no_site(
        rss("<title>A</title><description><![CDATA[<a href='javascript:c()'>c</a>]]></description>")
    ),
    "an empty element in an item": rss(
        "<title>A</title><comments/><guid>https://ex.org/a</guid><description>x</description>"
    ),
    "an href feedparser rewrites": rss(
        "<title>A</title><description><![CDATA[<a href='https://ex.org/a?b#'>c</a>]]></description>"
    ),
    "a relative GUID": rss("<title>A</title><guid>g1</guid>"),
    "items inside items": rss("<title>A</title><item><title>B</title></item>"),
    "a date it cannot read": rss("<title>A</title><pubDate>yesterday</pubDate>"),
    "no items": rss(),
}


@pytest.mark.parametrize("why", REFUSED)
def test_the_fast_path_refuses_what_it_may_read_otherwise(why: str) -> None:
    body = REFUSED[why]
    assert fastxml.read_fast(to_utf8(body, None), "https://ex.org/feed.xml") is None


def test_a_plain_feed_is_read_without_loading_feedparser() -> None:
    code = (
        "import sys; from datetime import datetime, UTC; from digest.collect.feeds import "
        "read_feed; from tests.test_collect_fastxml import rss; p = read_feed(rss("
        "'<title>A</title><link>https://ex.org/a</link>'), source='s', url='https://ex.org/f',"
        " now=datetime.now(UTC)); assert p.articles[0].title == 'A', p; "
        "print(sorted(m for m in sys.modules if m.startswith('feedparser')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['feedparser_rs', 'feedparser_rs._feedparser_rs']"


def test_collecting_feeds_loads_no_page_extractor_nor_password_hasher() -> None:
    """trafilatura (0.3 s to import) is for pages and werkzeug (0.17 s) for passwords:
    a collect of feeds, and an unchanged one above all, loads neither."""
    code = (
        "import sys; import digest.collect, digest.collect.pages, digest.store; "
        "print(*(m in sys.modules for m in ('trafilatura', 'digest.collect.folder', "
        "'werkzeug', 'feedparser')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False", "False", "False"]


_BASES = ["http://a.example/feed", "https://b.example/x/y?q#f", "HTTP://C.example/", "ftp://x/"]
_BASES += ["mailto:a@b", "//nohost/path", "http:///empty"]


@given(
    base=st.sampled_from(_BASES),
    url=st.from_regex(r"(?i)(https?|mailto):[/a-z0-9.?#;:@%\[\]~ -]{0,30}", fullmatch=True),
)
def test_a_feeds_urls_are_judged_as_urljoin_judges_them(base: str, url: str) -> None:
    """The fast reader's check that feedparser would leave a URL as written reads the
    document's URL once; each answer must still be urljoin's own."""
    from urllib.parse import urljoin, urlparse

    from digest.collect.fastxml import _joined

    assert _joined(base, urlparse(base).scheme, url) == urljoin(base, url)
