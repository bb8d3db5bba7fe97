"""What an editor reading an edition built from the corpus found opening summaries:
an update note ("Update 11/28/17: Added a note about …") and a forum's caption for the
pictures the summary does not show ("此主题相关图片如下：", "pictures of this topic
below:", four times over).

The feeds here are our own, shaped like those, and parsed for real; the corpus tests
read Macworld's and kc0011's feeds in place.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STORY = "The harbour ferry to Aarhus was cancelled on Sunday after the storm damaged the pier."
MORE = "The operator said a replacement boat would run from Monday, weather permitting."


def one(description: str) -> Article:
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Example</title><link>https://news.example/</link><item><title>Ferry</title>"
        f"<link>https://news.example/1</link><description><![CDATA[{description}]]>"
        "</description></item></channel></rss>"
    ).encode()
    (article,) = read_feed(feed, source="x", url=None, now=NOW).articles
    return article


def corpus(name: str) -> tuple[Article, ...]:
    path = require_corpus() / "feeds" / name
    return read_feed(path.read_bytes(), source=name, url=None, now=NOW).articles


@pytest.mark.parametrize(
    "note",
    [
        "<em><strong>Update 11/28/17:</strong> Added a note about the 64GB model.</em>",
        "<em><strong>Updated 11/28/17:</strong> The fifth beta is available to testers.</em>",
        "<em>This article was updated on Monday, November 27 to add in new deals.</em>",
        "<em>This article was updated on November 24, 2017 with buying advice. </em>",
        "Updated November 28, 2026, 7:22 p.m.: The operator has confirmed the date.",
        "UPDATE (26.11.2026): The operator has confirmed the date.",
        "Editor's note: This story has been updated with the operator's statement.",
        "This story has been updated.",
    ],
)
def test_an_update_note_before_the_story_is_not_the_summary(note: str) -> None:
    article = one(f"<p>{note}</p><p>{STORY}</p><p>{MORE}</p>")
    assert article.summary == STORY


@pytest.mark.parametrize(
    "first",
    [
        "Update: the ferry to Aarhus is cancelled again on Sunday, the operator said.",
        "Updated timetables for the ferry to Aarhus were published on Sunday by the city.",
        "This article was the most read on the site last week, the editor said at noon.",
        "Editors noted on Sunday that the ferry to Aarhus had been cancelled twice already.",
    ],
)
def test_a_story_that_opens_like_a_note_stays(first: str) -> None:
    assert one(f"<p>{first}</p><p>{STORY}</p>").summary == first


def test_an_update_note_alone_is_still_the_summary() -> None:
    note = "Update 11/28/17: The fifth beta is available to developers and public testers."
    assert one(f"<p>{note}</p>").summary == note


def test_corpus_macworld_update_notes_are_not_summaries() -> None:
    by_title = {a.title: a for a in corpus("news-macworld.rss")}
    apple_tv = by_title[
        "Apple TV 4K and tvOS 11: Everything you need to know about Apple's digital media streamer"
    ]
    assert apple_tv.summary.startswith("Apple TV has grown up a lot since its iTV days.")
    deals = by_title["Black Friday/Cyber Monday deals: The best discounts on Apple gear"]
    assert deals.summary.startswith("Apple products on the cheap are hard to come by")
    for article in by_title.values():
        assert not article.summary.startswith(("Update", "This article was updated")), article.title


@pytest.mark.parametrize(
    "caption",
    ["此主题相关图片如下：", "Pictures of this topic below:", "Se billederne her:"],
)
def test_a_caption_for_a_picture_is_not_the_summary(caption: str) -> None:
    picture = (
        f'<br /><img src="/skins/jpg.gif" />{caption}<br /><a href="https://pic.example/1.jpg">'
        '<img src="https://pic.example/1.jpg" /></a>'
    )
    article = one(f"<span>{picture * 4}</span><div>{STORY}</div>")
    assert article.summary == STORY
    assert caption not in article.text


def test_a_lead_in_to_a_quotation_stays() -> None:
    """ "Here's the tweet:" introduces text the summary does show: it stays."""
    lead_in = "The operator wrote on Sunday morning what happened to the pier at Aarhus:"
    article = one(f"<p>{lead_in}</p><blockquote><p>{STORY}</p></blockquote>")
    assert article.summary == f"{lead_in} {STORY}"


def test_corpus_kc0011_captions_are_not_summaries() -> None:
    articles = corpus("forum-kc0011-gb2312.rss")
    (boxes,) = [a for a in articles if a.title == "70币美品3盒"]
    assert boxes.summary.startswith("银行一手货源，品相好无裂口")
    for article in articles:
        assert "此主题相关图片如下" not in article.summary, article.title


def json_feed_title(title: str) -> str:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Example",
        "items": [{"id": "1", "url": "https://blog.example/1", "title": title}],
    }
    raw = json.dumps(feed).encode()
    (article,) = read_feed(raw, source="x", url=None, now=NOW).articles
    return article.title


@pytest.mark.parametrize(
    "title",
    ["Die Rückkehr von <i> und <b>", "Why <blink> came back", "Fish & chips <3 and a < b"],
)
def test_a_json_feed_title_is_plain_text(title: str) -> None:
    """JSON Feed's title is plain text (the spec says so): "<i>" in it is written, not
    markup. fboes's post read "Die Rückkehr von und"."""
    assert json_feed_title(title) == title


def test_markup_in_an_rss_title_still_goes() -> None:
    assert one_title("&lt;b&gt;Slack&lt;/b&gt; stock") == "Slack stock"
    assert one_title("Ferry <b>cancelled</b>") == "Ferry cancelled"


def one_title(title: str) -> str:
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Example</title><link>https://news.example/</link><item><title>{title}"
        "</title><link>https://news.example/1</link></item></channel></rss>"
    ).encode()
    (article,) = read_feed(feed, source="x", url=None, now=NOW).articles
    return article.title


def test_corpus_fboes_title_keeps_its_tags_as_text() -> None:
    titles = {a.url: a.title for a in corpus("json11-fboes-de.json")}
    url = "https://journal.3960.org/posts/2019-05-08-rueckkehr-von-b-und-i/"
    assert titles[url] == "Die Rückkehr von <i> und <b>"
