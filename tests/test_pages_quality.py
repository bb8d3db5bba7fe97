"""What a subscriber reads from a saved page: its headline, its outlet, its summary.

Regression tests for an audit of pages: a masthead ``<h1>`` taken for the headline,
title separators lost, a section ("U.S.") or a bare host label ("nj") credited as the
outlet, and a publisher's byte-cut description used as the summary. The sample pages
here are our own writing; the corpus pages are read in place.
"""

from __future__ import annotations

import json

import pytest

from digest.collect.pages import Page, extract_page
from tests.corpus import require_corpus

PARAGRAPH = (
    "The harbour board met on Tuesday evening and agreed, after a long and lively debate, "
    "that the old ferry pier will be rebuilt before the summer season begins."
)


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def corpus_page(stem: str, *, with_url: bool = True) -> Page:
    folder = require_corpus() / "articles"
    html_file = folder / f"{stem}.html"
    truth_file = folder / f"{stem}.truth.json"
    truth = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else {}
    url = truth.get("url") if with_url else None
    return extract_page(html_file.read_bytes(), url=url)


def test_masthead_h1_is_not_the_headline() -> None:
    both = page(
        "<title>Brexit vote delayed again | Example News</title>",
        "<header><h1>Example News</h1></header>"
        f"<article><h1>Brexit vote delayed again</h1><p>{PARAGRAPH}</p></article>",
    )
    assert extract_page(both, url=None).title == "Brexit vote delayed again"
    masthead_only = page(
        "<title>Ferry pier to be rebuilt by summer | Example News</title>",
        f"<header><h1>Example News</h1></header><article><p>{PARAGRAPH}</p></article>",
    )
    assert extract_page(masthead_only, url=None).title == "Ferry pier to be rebuilt by summer"
    named = page(
        '<title>Ferry pier to be rebuilt</title><meta property="og:site_name" content="Pier Post">',
        f"<h1>Pier Post</h1><article><p>{PARAGRAPH}</p></article>",
    )
    assert extract_page(named, url="https://pierpost.example/a").title == (
        "Ferry pier to be rebuilt"
    )


def test_title_keeps_its_separators_and_loses_only_the_site_name() -> None:
    kept = page(
        '<title>Brexit – what happens next</title><meta property="og:site_name" content="BBC">',
        f"<p>{PARAGRAPH}</p>",
    )
    assert extract_page(kept, url=None).title == "Brexit – what happens next"
    site_first = page(
        "<title>Harbour Herald - Pier plan – the vote</title>"
        '<meta property="og:site_name" content="Harbour Herald">',
        f"<p>{PARAGRAPH}</p>",
    )
    assert extract_page(site_first, url=None).title == "Pier plan – the vote"
    # Nothing names the site but the page shows the headline alone: the rest is the site.
    found = corpus_page("aeb-entermedia.co.kr-9da36ae4714b", with_url=False)
    assert found.title == "악녀의 덫에 걸린 이유리, 의외로 막장극 어울리는 남상미"


@pytest.mark.parametrize(
    ("stem", "outlet"),
    [
        ("aeb-reuters.com-57d46c9d751e", "Reuters"),  # og:site_name is a section, "U.S."
        ("aeb-nj.com-3f65af7b6b98", "NJ.com"),  # og:site_name is the bare label "nj"
        ("aeb-usatoday.com-776a1c046798", "USA TODAY"),  # "usatoday"; JSON-LD says better
        ("aeb-nypost.com-432362af0be4", "New York Post"),  # fits nypost.com by initials
        ("traf-scmp.com.playbook", "South China Morning Post"),
        ("traf-latimes.com.bloomberg", "Los Angeles Times"),
        ("traf-elpais.com.ciencia", "EL PAÍS"),  # accents do not stop a match
    ],
)
def test_outlet_is_the_publisher_not_a_section_or_bare_host_label(stem: str, outlet: str) -> None:
    assert corpus_page(stem).site_name == outlet


def test_outlet_matches_the_corpus_ground_truth_where_it_names_one() -> None:
    folder = require_corpus() / "articles"
    checked = 0
    for meta_file in sorted(folder.glob("rdb-*.meta.json")):
        expected = json.loads(meta_file.read_text(encoding="utf-8")).get("siteName")
        if expected:
            html_file = meta_file.with_name(meta_file.name.replace(".meta.json", ".html"))
            assert extract_page(html_file.read_bytes(), url=None).site_name == expected
            checked += 1
    assert checked >= 5


def test_a_lone_section_name_gives_way_to_the_host() -> None:
    html = page(
        '<meta property="og:site_name" content="Sport"><title>Pier race won</title>',
        f"<p>{PARAGRAPH}</p>",
    )
    assert extract_page(html, url="https://www.harbourherald.example/a").site_name == (
        "harbourherald.example"
    )


def test_a_cut_description_gives_way_to_the_paragraph_it_was_cut_from() -> None:
    cut = page(
        '<meta property="og:description" content="The harbour board met on Tuesday evening '
        'and agreed, after a long and lively deb...">',
        f"<article><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></article>",
    )
    assert extract_page(cut, url=None).summary == PARAGRAPH
    broken = page(
        '<meta property="og:description" content="The pier reopens in May. The board '
        'paid for it with \ufffd...">',
        f"<article><p>{PARAGRAPH}</p></article>",
    )
    assert extract_page(broken, url=None).summary == "The pier reopens in May."
    whole = page(
        '<meta property="og:description" content="A pier, a vote and a summer deadline...">',
        f"<article><p>{PARAGRAPH}</p></article>",
    )
    assert extract_page(whole, url=None).summary.startswith("A pier, a vote")
    reuters = corpus_page("aeb-reuters.com-57d46c9d751e").summary
    assert "stoc..." not in reuters and "a gauge of stocks across the globe" in reuters
    korean = corpus_page("aeb-entermedia.co.kr-9da36ae4714b").summary
    # The paragraph it was cut from, without its credit line ("[엔터미디어=…]").
    assert "\ufffd" not in korean and korean.startswith("주말 밤 9시 MBC와 SBS는")
    assert korean.endswith("종영을 앞두고 있다.")


def test_a_page_on_an_address_keeps_its_declared_name() -> None:
    html = page(
        '<meta property="og:site_name" content="Island Post"><title>Ferry news</title>',
        f"<p>{PARAGRAPH}</p>",
    )
    assert extract_page(html, url="http://127.0.0.1:8080/ferry").site_name == "Island Post"


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://money.cnn.com/2019/markets", "cnn.com"),  # "cnn" is a name, not a suffix
        ("https://edition.cnn.com/world", "cnn.com"),
        ("https://www.thesun.co.uk/news/1", "thesun.co.uk"),
        ("https://abc.net.au/news/2", "abc.net.au"),
        ("https://www3.nhk.or.jp/news/", "nhk.or.jp"),
        ("https://www.lemonde.fr/a", "lemonde.fr"),
        ("https://127.0.0.1:8000/a", None),
        ("http://localhost/a", None),
    ],
)
def test_the_registrable_domain_of_a_host(url: str, domain: str | None) -> None:
    from digest.collect.outlets import registrable_domain

    assert registrable_domain(url) == domain


# -- the cleaning a feed item gets: sign-up calls, related links, branding pictures ----

STORY = (
    "The winter swimming club opens its new sauna on the harbour front on Saturday, "
    "and the first fifty swimmers go in for free."
)


def test_a_sign_up_call_and_related_links_are_no_part_of_a_pages_text_or_summary() -> None:
    html = page(
        "<title>Sauna opens on the harbour front</title>",
        "<article><h1>Sauna opens on the harbour front</h1>"
        "<p>Sign up for our newsletter to get the harbour's news in your inbox every morning.</p>"
        f"<p>{STORY}</p><p>{PARAGRAPH}</p>"
        '<p>More: <a href="https://herald.example/pier">The pier vote</a> | '
        '<a href="https://herald.example/ferry">The new ferry</a></p>'
        "<p>Subscribe to the Morning Review newsletter</p></article>",
    )
    found = extract_page(html, url="https://herald.example/sauna")
    assert found.summary == STORY
    assert found.text == f"{STORY}\n\n{PARAGRAPH}"


@pytest.mark.parametrize(
    "said",
    [
        "Sign up to get an email when tickets go on sale, the club said.",
        "“Sign up to get an email when tickets go on sale,” the club said on Monday.",
        "Sign up for the newsletter to hear of the next swim first, said the club's chair.",
    ],
)
def test_a_reported_sign_up_call_on_a_page_is_the_story(said: str) -> None:
    alone = extract_page(page("<title>Tickets</title>", f"<p>{said}</p>"), url=None)
    assert alone.text == said
    html = page("<title>Tickets</title>", f"<article><p>{said}</p><p>{STORY}</p></article>")
    found = extract_page(html, url=None)
    assert found.summary == said
    assert found.text == f"{said}\n\n{STORY}"


def test_the_real_spokesman_page_loses_its_newsletter_call() -> None:
    found = corpus_page("aeb-spokesman.com-c13b9c0e04fb")
    assert "Subscribe to the Morning Review newsletter" not in found.text
    assert "Subscribe" not in found.summary


def test_a_related_links_line_on_the_real_cnn_page_is_gone_but_its_story_stays() -> None:
    found = corpus_page("rdb-cnn")
    assert "Related: Chicago is America's most segregated city" not in found.text
    assert "birth lottery" in found.text


def test_a_pages_logo_is_no_picture_of_its_story() -> None:
    logo = '<meta property="og:image" content="https://site.example/static/logo-share.png">'
    body = f"<article><p>{PARAGRAPH}</p></article>"
    assert extract_page(page(logo, body), url="https://site.example/a").image is None
    favicon = '<meta name="twitter:image" content="/favicon-192x192.png">'
    assert extract_page(page(favicon, body), url="https://site.example/a").image is None
    photo = '<meta name="twitter:image" content="/media/2026/sauna-opening.jpg">'
    found = extract_page(page(logo + photo, body), url="https://site.example/a")
    assert found.image is not None
    assert found.image.url == "https://site.example/media/2026/sauna-opening.jpg"
    only_photo = '<meta property="og:image" content="https://cdn.example/photos/ecologos.jpg">'
    kept = extract_page(page(only_photo, body), url="https://site.example/a").image
    assert kept is not None and kept.url == "https://cdn.example/photos/ecologos.jpg"
