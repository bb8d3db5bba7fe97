"""Publisher boilerplate never becomes a summary (digest.collect.boilerplate).

The filter on its own, on feeds written here and parsed for real, and on the real feeds
of the shared corpus where readers met it: WordPress footers, "Continue reading" and
"Read More Here" tails, Hacker News' "Comments", Reddit's "[link] [N comments]" lines.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from digest.collect.boilerplate import strip_boilerplate
from digest.collect.feeds import read_feed
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def rss(*items: tuple[str, str]) -> bytes:
    """An RSS 2.0 feed of (title, description HTML) items, written here."""
    body = "".join(
        f"<item><title>{title}</title><link>https://wp.example/{n}</link>"
        f"<description><![CDATA[{description}]]></description></item>"
        for n, (title, description) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>WP Example</title><link>https://wp.example/</link>{body}</channel></rss>"
    ).encode()


def corpus_articles(name: str) -> tuple[Article, ...]:
    path = require_corpus() / "feeds" / name
    return read_feed(path.read_bytes(), source=name, url=path.as_uri(), now=NOW).articles


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Cats chase mice.\n\nThe post Tom & Jerry appeared first on WP Example.",
            "Cats chase mice.",
        ),
        ("Cats chase mice. The post Tom & Jerry first appeared on WP Example.", "Cats chase mice."),
        ("The post Tom & Jerry appeared first on WP Example.", ""),
        ("Floods closed the coast roads. Continue reading →", "Floods closed the coast roads."),
        ("Floods closed the coast roads.\n\nContinue reading...", "Floods closed the coast roads."),
        ("A new trainer was just released … Read More Here →", "A new trainer was just released…"),
        ("Ferry fares rise in May.\nRead more »", "Ferry fares rise in May."),
        ("Comments", ""),
        ("Ferry fares rise in May.\n\n12 comments", "Ferry fares rise in May."),
        ("submitted by someone to pics\n[link] [87 comments]", ""),
        ("The ferry runs late and I never [...]", "The ferry runs late and I never…"),
        ("The ferry runs late on Sundays. […]", "The ferry runs late on Sundays."),
        ("Le ferry part en retard le dimanche et (...)", "Le ferry part en retard le dimanche et…"),
        ("Ferry fares rise in May. (more…)", "Ferry fares rise in May."),
    ],
)
def test_boilerplate_at_the_end_is_removed(text: str, kept: str) -> None:
    assert strip_boilerplate(text, title="Tom & Jerry") == kept


@pytest.mark.parametrize(
    "text",
    [
        "Librarians say we should all read more, and the council agrees.",
        "Librarians say we should all read more",
        "To read more about the plan, the council points to its website. Rents rise.",
        "She told the class to keep reading",
        "Comments from residents were mixed.\n\nThe council will vote in June.",
        "The parade was cancelled.\n\nThe post office appeared first on the list of closures.",
        "Ferry fares rise in May, the operator says. Read more Tolstoy, says the poster.",
        "",
    ],
)
def test_real_sentences_are_kept(text: str) -> None:
    assert strip_boilerplate(text, title="Parade cancelled") == text


def test_a_wordpress_footer_made_of_links_goes_whatever_the_title() -> None:
    html = (
        '<p>Cats chase mice.</p><p>The post <a href="https://wp.example/1">Tom</a> '
        'appeared first on <a href="https://wp.example/">WP Example</a>.</p>'
    )
    text = "Cats chase mice.\n\nThe post Tom appeared first on WP Example."
    assert strip_boilerplate(text, title="Something else", html=html) == "Cats chase mice."


def test_a_wordpress_footer_is_not_the_summary() -> None:
    footer = (
        '<p>The post <a href="https://wp.example/0">Tom &amp; Jerry</a> appeared first on '
        '<a href="https://wp.example/">WP Example</a>.</p>'
    )
    feed = rss(
        ("Tom &amp; Jerry", f"<p>Cats chase mice.</p>{footer}"),
        ("Rain", footer.replace("Tom &amp; Jerry", "Rain")),
    )
    first, second = read_feed(feed, source="WP", url=None, now=NOW).articles
    assert first.summary == "Cats chase mice."
    assert "appeared first" not in first.text
    assert second.summary == "" and second.text == ""


def test_read_on_links_and_comment_lines_are_not_summaries() -> None:
    feed = rss(
        ("Roads", "<p>Floods closed the coast roads. <a href='/r'>Continue reading →</a></p>"),
        ("Trainer", "<p>A trainer was just released … <a href='/t'>Read More Here →</a></p>"),
        ("Thread", "<a href='https://news.example/item?id=1'>Comments</a>"),
    )
    summaries = [a.summary for a in read_feed(feed, source="WP", url=None, now=NOW).articles]
    assert summaries == ["Floods closed the coast roads.", "A trainer was just released…", ""]


def test_keys_do_not_change_when_boilerplate_is_removed() -> None:
    """A changed key makes an article that was already sent look new."""
    item = "<item><title>Rain</title><description>Rain all week. Continue reading →</description>"
    feed = f'<rss version="2.0"><channel><title>t</title>{item}</item></channel></rss>'
    (article,) = read_feed(feed.encode(), source="WP", url=None, now=NOW).articles
    assert article.summary == "Rain all week."
    said = "Rain\nRain all week. Continue reading →".encode()
    assert article.key == f"sha1:{hashlib.sha1(said, usedforsecurity=False).hexdigest()}"


def test_corpus_hacker_news_items_have_no_comments_summary() -> None:
    articles = corpus_articles("news-hackernews.xml")
    assert len(articles) == 30
    assert all(a.summary == "" and a.text == "" for a in articles)


def test_corpus_reddit_items_have_no_aggregator_line() -> None:
    articles = corpus_articles("misc-reddit-frontpage.rss")
    assert not any("[link]" in a.summary or "submitted by" in a.summary for a in articles)
    assert not any("comments]" in a.text for a in articles)
    assert any(a.summary.startswith("I'm here to chat about") for a in articles)  # its own text


def test_corpus_dcrainmaker_summaries_end_with_the_publishers_cut() -> None:
    articles = corpus_articles("blog-dcrainmaker-onclick.xml")
    assert articles
    assert all("Read More" not in a.summary for a in articles)
    assert all(a.summary.endswith("…") for a in articles)


def test_corpus_guardian_bodies_do_not_end_continue_reading() -> None:
    articles = corpus_articles("news-guardian-intl.rss")
    assert articles
    assert not any(a.text.endswith("Continue reading...") for a in articles)
    assert not any("Continue reading" in a.summary for a in articles)


def test_corpus_tenderlovemaking_excerpt_markers_become_an_ellipsis() -> None:
    summaries = [a.summary for a in corpus_articles("blog-tenderlovemaking-onclick.xml")]
    assert not any(s.endswith("[...]") for s in summaries)
    # (The post that ended "so that I won't forget […]" shows code soon after: its
    # summary is now the prose before it, to a sentence end: test_collect_code_summaries.)
    assert any(s.endswith("It was exciting and fun to talk…") for s in summaries)
