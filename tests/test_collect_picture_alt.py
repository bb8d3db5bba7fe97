"""A picture's alt text describes it, or the picture has none of the source's.

A lead image's alt text is what a reader sees in its place when images are off (Outlook's
default) and what a screen reader says. Blog tools fill it with the picture's file name
(DC Rainmaker's Windows Live Writer: "DSC_4550", "AppleWatchSeries3-FitnessSportUse",
"WeekInReview_thumb_thumb_thumb_thumb[2]"), and forum software with one phrase for every
picture ("Прикрепленное изображение", attached picture; "图片点击可在新窗口打开查看",
click to open in a new window). Those say nothing: the picture counts as undescribed,
so its alt is the headline, which the email leaves out beside the headline itself.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect.feeds import parse_feed
from digest.rank import RankOptions, rank
from digest.records import Article
from digest.render import Renderer
from tests.corpus import require_corpus
from tests.test_render_golden import sample_edition, sample_settings

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
URL = "https://ex.org/feed"


def corpus(name: str) -> tuple[Article, ...]:
    path = require_corpus() / "feeds" / name
    return parse_feed(path.read_bytes(), source=name, url=None, now=NOW)


def alts(articles: tuple[Article, ...]) -> set[str]:
    """The alt texts the source gave (not the headline stood in for one)."""
    return {a.image.alt for a in articles if a.image and a.image.alt != a.title}


def test_a_file_name_is_no_description(tmp_path: Path) -> None:
    articles = corpus("blog-dcrainmaker-onclick.xml")
    assert alts(articles) == set()
    review = next(a for a in articles if a.title.startswith("Apple Watch Series 3"))
    assert review.image is not None
    assert review.image.url.endswith("/AppleWatchSeries3-FitnessSportUse_thumb.jpg")
    # The lead as a subscriber gets it: the picture, with no file name for its text.
    lead = rank([review], now=datetime(2017, 11, 8, tzinfo=UTC), options=RankOptions()).leads[0]
    settings = sample_settings(tmp_path, extra='images = "remote"')
    edition = replace(sample_edition(), leads=(lead,), teasers=())
    html = Renderer(settings).render(edition).html
    image = re.search(r"<img[^>]*AppleWatchSeries3-FitnessSportUse_thumb[^>]*>", html)
    assert image is not None
    assert 'alt=""' in image.group()
    assert "AppleWatchSeries3-FitnessSportUse" not in html.replace(image.group(), "")


@pytest.mark.parametrize(
    ("feed", "boilerplate"),
    [
        ("forum-kc0011-gb2312.rss", "图片点击可在新窗口打开查看"),
        ("hostile-touchnokia-css.atom", "Прикрепленное изображение"),
    ],
)
def test_one_phrase_on_every_picture_of_a_feed_is_no_description(
    feed: str, boilerplate: str
) -> None:
    articles = corpus(feed)
    assert [a for a in articles if a.image]  # the pictures are kept
    assert boilerplate not in alts(articles)


def test_real_descriptions_survive() -> None:
    assert alts(corpus("blog-lincolnloop-ctrlchar.xml")) == {
        "Grecian Retreat",
        "The Doom 3 rendering engine",
    }
    assert "Apache bekommt ein neues Logo" in alts(corpus("news-heise-developer.atom"))
    nshipster = alts(corpus("gzip-nshipster.xml.gz"))
    assert {'Entry for "apple" in Dictionary.app', "iOS Configurator - Generate"} <= nshipster


def rss(*pictures: tuple[str, str]) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>https://ex.org/{n}</link>"
        f"<description><![CDATA[<p>Something happened in town today.</p>"
        f'<img src="{src}" alt="{alt}" width="600">]]></description></item>'
        for n, (src, alt) in enumerate(pictures)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Ex</title>'
        f"<link>https://ex.org/</link>{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("src", "alt", "kept"),
    [
        ("https://ex.org/p/IMG_0206.JPG", "IMG_0206.JPG", False),
        ("https://ex.org/p/2839251628_m.jpg", "IMG_0206.JPG", False),  # another file's
        ("https://ex.org/p/DSC_4426_thumb.jpg", "Garmin-Descent-MK1-DiveOptions", False),
        ("https://ex.org/p/harbour-at-dusk.jpg", "harbour-at-dusk", False),
        ("https://ex.org/p/harbour.jpg", "The harbour at dusk", True),
        ("https://ex.org/p/harbour.jpg", "Harbour", True),
        ("https://ex.org/p/nyhavn.jpg", "Nyhavn", True),
        ("https://ex.org/p/covid.jpg", "COVID-19", True),
        ("https://ex.org/p/entries.jpg", "Entries to the logo_contest.png contest", True),
    ],
)
def test_which_alt_texts_are_file_names(src: str, alt: str, kept: bool) -> None:
    (article,) = parse_feed(rss((src, alt)), source="Ex", url=URL, now=NOW)
    assert article.image is not None and article.image.url == src
    assert article.image.alt == (alt if kept else article.title)


def test_a_phrase_on_two_pictures_of_a_feed_is_still_theirs() -> None:
    """A photo story and its follow-up may share one caption."""
    same = "Firefighters at the harbour"
    articles = parse_feed(
        rss(("https://ex.org/p/1.jpg", same), ("https://ex.org/p/2.jpg", same)),
        source="Ex",
        url=URL,
        now=NOW,
    )
    assert [a.image.alt if a.image else None for a in articles] == [same, same]
