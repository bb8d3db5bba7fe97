"""A summary is prose: a post's code blocks are no part of it.

QA read Tender Lovemaking's feed (a real WordPress blog) built into an edition: the
lead's standfirst read "doc = Nokogiri::Slop(<<-eohtml) <html> <body> <p>hello</p> …
# => 'bold hello'" (Ruby source, the tags shown as text), and the next lead's "$ sudo
port install i386-mingw32-…". The code sits in ``<div class="codesnip">`` (a syntax
highlighter's), not ``<pre>``. Code blocks (pre, block code, elements whose class names
code, codesnip, highlight, syntax, sourceCode or gist, shell sessions) are left out of
the summary: it is the prose before or after them, or empty for an item of code alone.

Must not change: a word of code inside a sentence ("call <code>foo()</code> first"),
the article's body text as stored.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from digest.collect.feeds import read_feed
from tests.conftest import write_project
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
#: What a reader would take for source code in a summary.
CODE = re.compile(r"<<-|</?(?:html|body|p)>|# =>|\$ sudo|\bdef \w|\breturn \w|=> '")


def _rss(content: str, description: str = "") -> bytes:
    said = f"<description>{escape(description)}</description>" if description else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Code Notes</title><link>https://code.example/</link>"
        "<item><title>A post with code</title><link>https://code.example/post</link>"
        f"<guid>https://code.example/post</guid>{said}"
        f"<content:encoded>{escape(content)}</content:encoded>"
        "<pubDate>Thu, 26 Nov 2026 17:00:00 +0000</pubDate></item></channel></rss>"
    ).encode()


def _article(content: str, description: str = "") -> tuple[str, str]:
    parsed = read_feed(_rss(content, description), source="Code Notes", url=None, now=NOW)
    (article,) = parsed.articles
    return article.summary, article.text


def test_a_pre_block_before_the_prose_is_not_the_summary() -> None:
    summary, text = _article(
        "<pre>def greet(name):\n    return f'hello {name}'\n\nprint(greet('you'))</pre>"
        "<p>Greeting people by name takes one small function, and here is why it matters.</p>"
    )
    assert not CODE.search(summary), summary
    assert summary.startswith("Greeting people by name takes one small function")
    assert "def greet(name):" in text  # the body keeps its code


def test_a_codesnip_div_is_left_out_and_its_lead_in_with_it() -> None:
    summary, text = _article(
        "<p>Given this document:</p>"
        '<div class="codesnip-container"><div class="codesnip" style="font-family: monospace;">'
        "doc = Nokogiri::Slop(&lt;&lt;-eohtml)<br />&lt;html&gt;<br />&nbsp; &lt;body&gt;"
        "<br />&lt;/html&gt;<br />eohtml</div></div>"
        "<p>The way this works is that method missing is implemented on every node of the "
        "document tree.</p>"
    )
    assert not CODE.search(summary), summary
    assert summary.startswith("The way this works is that method missing"), summary
    assert "Nokogiri::Slop(<<-eohtml)" in text


def test_a_highlight_block_is_left_out() -> None:
    summary, _ = _article(
        '<div class="highlight"><span class="n">x</span> <span class="o">=</span> '
        '<span class="mi">1</span><br><span class="k">return</span> x + compute_the_rest(x, y)'
        "<br>print(result_of_everything)</div>"
        "<p>Assignment in this language reads from right to left, which surprises people.</p>"
    )
    assert not CODE.search(summary), summary
    assert summary.startswith("Assignment in this language reads")


def test_a_shell_session_is_left_out() -> None:
    summary, _ = _article(
        "<p>$ sudo port install libogg libvorbis lame libofa</p>"
        "<p>Those libraries decode the audio files, so install them before the gem.</p>"
    )
    assert not CODE.search(summary), summary
    assert summary.startswith("Those libraries decode the audio files")


def test_code_inside_a_sentence_is_kept() -> None:
    summary, _ = _article(
        "<p>Always call <code>foo()</code> first, or the cache stays cold for every request "
        "that follows.</p><pre>foo()\nbar()</pre>"
    )
    assert summary.startswith("Always call foo() first, or the cache stays cold"), summary


def test_an_item_of_code_alone_has_no_code_for_a_summary() -> None:
    summary, _ = _article("<pre>def greet(name):\n    return name\n</pre>")
    assert summary == ""


def test_a_description_that_runs_into_the_code_gives_way_to_the_prose() -> None:
    """WordPress's excerpt is the post's text without tags, code and all, cut short."""
    content = (
        "<p>Oops! When I released version 1.0.7, I totally forgot to talk about the new "
        "Slop feature that was added.</p><p>Given this document:</p>"
        '<div class="codesnip">doc = Nokogiri::Slop(&lt;&lt;-eohtml)<br />&lt;html&gt;<br />'
        "&lt;body&gt;<br />&lt;p&gt;hello&lt;/p&gt;<br />&lt;/html&gt;<br />eohtml</div>"
        "<p>You can look through the tree with method calls, one per element.</p>"
    )
    description = (
        "Oops! When I released version 1.0.7, I totally forgot to talk about the new Slop "
        "feature that was added. Given this document: doc = Nokogiri::Slop(&lt;&lt;-eohtml) "
        "&lt;html&gt; &lt;body&gt; [...]"
    )
    summary, _ = _article(content, description)
    assert not CODE.search(summary), summary
    assert summary.startswith("Oops! When I released version 1.0.7")


# -- the corpus: Tender Lovemaking, collected and built -----------------------------------


def test_tenderlovemaking_leads_read_prose(tmp_path: Path) -> None:
    feed = require_corpus() / "feeds" / "blog-tenderlovemaking-onclick.xml"
    sources = f'[[sources]]\nname = "Tender Lovemaking"\nurl = "{feed}"\n'
    config = write_project(tmp_path / "tender", sources=sources)
    config.write_text(config.read_text().replace("max_age_hours = 100000", "max_age_hours = 2000"))
    at = "2008-12-30T07:00:00Z"
    collected = CliRunner().invoke(main, ["collect", "--config", str(config), "--at", at])
    assert collected.exit_code == 0, collected.output
    built = CliRunner().invoke(main, ["build", "--config", str(config), "--at", at, "--json"])
    edition, _ = json.JSONDecoder().raw_decode(built.output[built.output.index("{") :])
    stories = {s["title"]: s["summary"] for s in [*edition["leads"], *edition["teasers"]]}
    slop = stories["Nokogiri’s Slop Feature"]
    assert slop.startswith("Oops! When I released nokogiri version 1.0.7"), slop
    for title, summary in stories.items():
        assert not CODE.search(summary), (title, summary)
    assert edition["leads"][0]["summary"]


def test_a_message_set_in_pre_is_prose_and_stays() -> None:
    """A mailing list's feed sets each message in <pre> (gmane): prose, not code."""
    summary, text = _article(
        "<pre>* W. Trevor King &lt;wking@example.org&gt; [121113 13:21]:\n\nAck.\n\n"
        "Also, confirming that the mailing list works.\n</pre>"
    )
    assert "confirming that the mailing list works" in summary
    assert "confirming that the mailing list works" in text
