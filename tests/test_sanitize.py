"""Invariant 6: no script, iframe, form, event handler or javascript: URL gets through."""

from __future__ import annotations

import html as htmlmod
import re
import time
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.collect import plaintext
from digest.collect.feeds import parse_feed
from digest.collect.pictures import first_image
from digest.collect.plaintext import html_to_text
from digest.collect.sanitize import (
    ALLOWED_TAGS,
    ATTRIBUTES,
    clean_text,
    sanitize_html,
)
from digest.errors import DigestError
from digest.records import Image
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HOSTILE = [
    "hostile-item-description-crazy.rss",
    "news-techcrunch-jslinks.xml",
    "news-huffpost-canada-scripts.xml",
    "blog-4fsod-iframes.atom",
    "blog-tenderlovemaking-onclick.xml",
    "blog-dcrainmaker-onclick.xml",
    "forum-kc0011-gb2312.rss",
]
FORBIDDEN = re.compile(
    r"<\s*/?\s*(?:script|iframe|form|style|object|embed|frame|svg|math|base|meta|link)\b"
    r"|\son\w+\s*=|javascript\s*:|vbscript\s*:",
    re.IGNORECASE,
)


class _Audit(HTMLParser):
    """Every tag and attribute of sanitised HTML, entities decoded as a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            allowed = ATTRIBUTES.get(tag, set()) | ATTRIBUTES["*"]
            if name not in allowed and not (tag == "a" and name == "rel"):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in {"href", "src"}:
                squashed = re.sub(r"[\s\x00-\x1f]+", "", value or "").lower()
                if not squashed.startswith(("http://", "https://", "mailto:")):
                    self.problems.append(f"{name}={value!r}")


def assert_safe(html: str) -> None:
    for form in (html, htmlmod.unescape(html), htmlmod.unescape(htmlmod.unescape(html))):
        assert not FORBIDDEN.search(form), FORBIDDEN.search(form)
    audit = _Audit()
    audit.feed(html)
    audit.close()
    assert not audit.problems, audit.problems


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_feeds_come_out_safe(name: str) -> None:
    path = require_corpus() / "feeds" / name
    articles = parse_feed(path.read_bytes(), source=name, url=path.as_uri(), now=NOW)
    assert articles
    for article in articles:
        assert_safe(article.html)
        assert "alert(" not in article.text and "executeMe()" not in article.text


def test_hostile_feeds_keep_their_readable_content() -> None:
    path = require_corpus() / "feeds" / "news-techcrunch-jslinks.xml"
    articles = parse_feed(path.read_bytes(), source="TC", url=None, now=NOW)
    assert all(len(a.text) > 200 for a in articles)
    assert any('<a href="http' in a.html for a in articles)
    crazy = require_corpus() / "feeds" / "hostile-item-description-crazy.rss"
    [article] = parse_feed(crazy.read_bytes(), source="Crazy", url=None, now=NOW)
    assert "Did The Javascript Execute?" in article.text
    assert "function" not in article.text


def test_pathological_css_is_sanitised_quickly() -> None:
    path = require_corpus() / "feeds" / "hostile-touchnokia-css.atom"
    started = time.perf_counter()
    articles = parse_feed(path.read_bytes(), source="Nokia", url=None, now=NOW)
    assert time.perf_counter() - started < 5
    assert len(articles) == 15
    for article in articles:
        assert_safe(article.html)
        assert "{" not in article.text  # the CSS went with its <style>


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)//<</script>/script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<img src=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href=' &#14;  javascript:alert(1)'>x</a>",
    "<a href='java\nscript:alert(1)'>x</a>",
    "<a href='&#x6A;avascript&colon;alert(1)'>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<a href='http://ok.example/' onclick='steal()' onmouseover=x>ok</a>",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<iframe src='https://evil.example/'>fallback</iframe>",
    "<form action='https://evil.example/'><input name=a><button>Go</button></form>",
    "<object data='x.swf'><embed src='x.swf'></object>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    '<p style="x:expression(alert(1))">x</p>',
    "<meta http-equiv='refresh' content='0;url=javascript:alert(1)'>",
    "<base href='javascript:alert(1)//'>",
    "<link rel=stylesheet href='javascript:alert(1)'>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<table background='javascript:alert(1)'><tr><td>x</td></tr></table>",
    "<a href='//evil.example/'>protocol-relative</a>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<img src='https://e.org/a.png' width='600' height='1px' onload=x>",
]


@pytest.mark.parametrize("attack", XSS)
def test_known_xss_vectors_are_neutralised(attack: str) -> None:
    assert_safe(sanitize_html(attack, base_url="https://news.example/story/1"))


@pytest.mark.parametrize("attack", XSS)
def test_known_xss_vectors_without_a_base_url(attack: str) -> None:
    assert_safe(sanitize_html(attack, base_url=None))


# fmt: off
FRAGMENTS = st.sampled_from([
    "<script>", "</script>", "<scr", "ipt>", "<iframe", "<form", "<style", "<svg", "<img",
    "<a", " href=", " src=", " onclick=", " onerror=", "=", '"', "'", ">", "<", "/", "&",
    "&#106;", "&#x6A;", "&colon;", "javascript:", "java\tscript:", "data:", "vbscript:",
    "alert(1)", "<!--", "-->", "<![CDATA[", "]]>", " style=", "<p>", "</p>", "<b>", "\x00",
    "http://x.example/", "/relative", "#frag", "\n", " ",
])
# fmt: on


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40))
def test_random_html_like_text_never_yields_unsafe_html(parts: list[str]) -> None:
    html = "".join(parts)
    for base in ("https://news.example/a/b", None):
        clean = sanitize_html(html, base_url=base)
        assert_safe(clean)
        assert sanitize_html(clean, base_url=base) == clean  # a fixed point
    text = html_to_text(html)
    assert "\x00" not in text


def test_sanitize_keeps_structure_resolves_links_and_adds_rel() -> None:
    html = (
        '<h2 class="x">Head</h2><p id="p1">Read <a href="/more?a=1&amp;b=2" title="t">more</a>'
        ' and <em>this</em>.</p><img src="pics/a.jpg" alt="A" width="640px" height="auto">'
        '<ul><li>one</li></ul><h1>big</h1><span style="color:red">plain</span>'
    )
    clean = sanitize_html(html, base_url="https://news.example/story/1")
    assert clean == (
        "<h2>Head</h2><p>Read "
        '<a href="https://news.example/more?a=1&amp;b=2" title="t" rel="noopener noreferrer">'
        "more</a> and <em>this</em>.</p>"
        '<img src="https://news.example/story/pics/a.jpg" alt="A" width="640">'
        "<ul><li>one</li></ul>bigplain"
    )


def test_sanitize_drops_tracking_pixels_and_their_empty_links() -> None:
    html = (
        '<p>Text</p><img src="https://e.org/p.gif" width="1" height="1">'
        '<a href="https://feeds.feedburner.com/~ff/x?a=1"><img src="https://feeds.feedburner.com/~ff/x?d=1"></a>'
        '<img src="https://feeds.feedburner.com/~r/x/~4/abc"><img src="https://e.org/photo.jpg">'
    )
    clean = sanitize_html(html, base_url=None)
    assert clean == '<p>Text</p><img src="https://e.org/photo.jpg">'


def test_sanitize_drops_matomo_tracking_pixels() -> None:
    """Matomo (Piwik) counts a reading with a picture of no declared size, its address
    the page's: fboes ends each post with one (``p.php?idsite=8&action_name=…``)."""
    html = (
        '<p>Text</p><img src="https://stats.3960.org/p.php?idsite=8&amp;action_name=Lecker"'
        ' alt=""><img src="https://e.org/matomo.php?idsite=1&amp;rec=1">'
        '<img src="https://e.org/piwik.php?x=1"><img src="https://e.org/photo.jpg">'
    )
    assert sanitize_html(html, base_url=None) == '<p>Text</p><img src="https://e.org/photo.jpg">'


def test_html_to_text_keeps_paragraphs_and_decodes_entities() -> None:
    html = (
        "<p>First&nbsp;para, <b>bold</b>   and\n  folded.</p><p>Caf&eacute; &amp; bar<br>next"
        "</p><script>var x = 1;</script><ul><li>one</li><li>two</li></ul><pre>a\n  b</pre>"
    )
    assert html_to_text(html) == (
        "First para, bold and folded.\n\nCafé & bar\nnext\n\none\n\ntwo\n\na\nb"
    )
    assert html_to_text("") == ""
    assert html_to_text("plain text") == "plain text"


def _by_htmlparser(html: str) -> str:
    collector = plaintext._TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


def _by_written_shape(html: str) -> str | None:
    collector = plaintext._TextCollector()
    return "".join(collector.parts) if plaintext._read_written(html, collector) else None


WRITTEN = [
    "<p>AT&amp;T &amp; Caf&eacute;, 3 &lt; 4 &gt; 2, &#8211; &nbsp;x</p><br><hr>",
    '<p><a href="https://e.org/?a=1&amp;b=2" rel="noopener noreferrer" title="a>b">x</a></p>',
    "<pre>line one\n  line two</pre><pre>a<pre>b\nc</pre>d\ne</pre>",
    "<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><th>b</th></tr></table>",
    '<img src="https://e.org/p.jpg" alt="A &quot;quoted&quot; alt">after AT&amp',
    "text with &amp and &#x41 and &unknown; left",
    "<p>Ends mid-reference &am</p>tail &",
    "",
]


@pytest.mark.parametrize("html", WRITTEN)
def test_sanitised_html_is_read_as_htmlparser_reads_it(html: str) -> None:
    """html_to_text reads what the sanitiser writes without HTMLParser; what it makes of
    it must be what HTMLParser makes, to the character."""
    assert _by_written_shape(html) == _by_htmlparser(html)


def test_every_sanitised_corpus_item_is_read_as_htmlparser_reads_it() -> None:
    corpus = require_corpus()
    now = datetime(2026, 11, 27, tzinfo=UTC)
    seen = 0
    for path in sorted((corpus / "feeds").iterdir()):
        try:
            articles = parse_feed(path.read_bytes(), source=path.stem, url=None, now=now)
        except DigestError:
            continue  # not a feed (the corpus has some on purpose)
        for article in articles:
            if article.html:
                seen += 1
                assert _by_written_shape(article.html) == _by_htmlparser(article.html), path.name
    assert seen > 800


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("a <3 b", "a <3 b"),
        ("<P>Upper</P><BR>case", "Upper\n\ncase"),
        ("<p>x<!-- a comment --></p>y", "x\n\ny"),
        ("<script>var a = '<p>'; </script><p>after</p>", "after"),
        ("<style>p { x: '</p>' }</style>z", "z"),
        ("<p class=unquoted>value</p>tail", "value\n\ntail"),
        ("<b>bold</b ><i>it</i\n> end", "boldit end"),
    ],
)
def test_html_of_other_shapes_is_read_by_htmlparser(html: str, text: str) -> None:
    """What the sanitiser never writes (a stray <, capitals, comments, raw text
    elements, end tags with spaces, unquoted values) is left to HTMLParser, whole."""
    assert _by_written_shape(html) is None
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("AT&amp;T", "AT&T"),
        ("AT&amp;amp;T", "AT&T"),
        ("Caf&amp;eacute; &#8211; ok", "Café – ok"),
        ("<b>Bold</b>   news\n", "Bold news"),
        ("&lt;b&gt;Slack&lt;/b&gt; stock", "Slack stock"),
        ("Tab\tand\x10control\x00chars", "Tab and control chars"),
        ("SÃ£o Paulo â€“ cafÃ©", "São Paulo – café"),
        ("SÃO PAULO", "SÃO PAULO"),
        ("Grüße", "Grüße"),
        ("<script>alert(1)</script>Title", "Title"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_first_image_skips_pixels_icons_and_resolves_urls() -> None:
    html = (
        '<img src="https://e.org/t.gif" width="1" height="1">'
        '<img src="/icons/rss.png" width="16" height="16">'
        '<img src="https://e.org/logo.svg">'
        '<img src="/media/photo.jpg" alt="A &amp; B" width="800">'
    )
    assert first_image(html, "https://e.org/news/1") == Image(
        url="https://e.org/media/photo.jpg", alt="A & B", width=800
    )
    assert first_image('<img src="x.jpg">', None) is None  # no web base: cannot resolve
    assert first_image("<p>no images</p>", None) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ajvscriptONon= :<&lt;/\u00a0\t\nxiframe", max_size=40))
def test_defusing_skips_only_text_with_nothing_to_defuse(text: str) -> None:
    """The quick check before the three patterns changes nothing they would do."""
    from digest.collect.sanitize import _MENTIONS, _defuse

    expected = text
    for pattern in _MENTIONS:
        expected = pattern.sub("\\1\u200b\\2", expected)
    assert _defuse(text) == expected


def test_first_image_skips_banners_small_pictures_and_file_type_icons() -> None:
    """Seen in real feeds, each once a lead image stretched to the column: a forum's
    file-type icon (no declared size), a 468 x 60 advertising banner, a 100 px
    thumbnail. The picture after them is the story's."""
    html = (
        '<img src="https://bbs.example.cn/images/filetype/jpg.gif">'
        '<img src="https://ads.example.ru/downloads/468-60.gif" width="468" height="60">'
        '<img src="https://e.org/thumbs/small.jpg" width="100" height="75">'
        '<img src="https://e.org/emoji/smile.png">'
        '<img src="https://e.org/media/photo.jpg" width="640" height="360">'
    )
    assert first_image(html, None) == Image(url="https://e.org/media/photo.jpg", width=640)
    # a wide picture that is not a strip is kept: 3:1 panoramas are illustrations
    wide = '<img src="https://e.org/media/pano.jpg" width="900" height="300">'
    assert first_image(wide, None) == Image(url="https://e.org/media/pano.jpg", width=900)
