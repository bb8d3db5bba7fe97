"""A saved page reads as its own site's story: credited to that site, its headline
without the title's search-engine tail, its summary without the headline and credit line.

QA read editions built from a folder of saved pages (the corpus's article pages): the
Entermedia story was credited to the folder ("Clippings") and its summary opened
with its headline, its subheadline and the site's credit line ("악녀의 덫에 걸린
이유리, … 이유[엔터미디어=소설가 박생강의 옆구리tv] 주말 밤 9시…"); the wday.ru
headline kept its title's tail ": новости, фото 2018". Pages of our own writing show
each rule, and that a headline's own colon is kept; the corpus pages are read in place.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.collect.pages import article_from_page, extract_page
from digest.records import Article
from tests.conftest import write_project
from tests.corpus import require_corpus

NOW = datetime(2019, 11, 20, 7, 0, tzinfo=UTC)
BODY = (
    "The harbour board met on Tuesday evening and agreed, after a long and lively debate, "
    "that the old ferry pier will be rebuilt before the summer season begins."
)


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def _summary(description: str, title: str = "Pier to be rebuilt by summer") -> str:
    html = page(
        f'<title>{title}</title><meta name="description" content="{description}">',
        f"<article><h1>{title}</h1><p>Board says yes to the new pier</p><p>{BODY}</p></article>",
    )
    return extract_page(html, url=None).summary


# -- the summary: no headline repeated, no credit line -------------------------------


def test_a_description_that_repeats_the_headline_and_subheadline_gives_the_story() -> None:
    said = "Pier to be rebuilt by summer, Board says yes to the new pier[Herald=Kim Lee] " + BODY
    assert _summary(said) == BODY
    cut = said[: said.index("The harbour") + 8] + "\ufffd"
    assert _summary(cut) == BODY


@pytest.mark.parametrize(
    "credit",
    [
        "[Herald=Kim Lee] ",
        "[OSEN=Park Ji-min] ",
        "LONDON (Reuters) - ",
        "(AP) — ",
        "COPENHAGEN, Nov 19 (Reuters) - ",
    ],
)
def test_a_credit_line_opening_the_description_is_no_part_of_the_summary(credit: str) -> None:
    assert _summary(credit + BODY) == BODY


@pytest.mark.parametrize(
    "said",
    [
        "Pier to be rebuilt by summer is what the board wants, and the town agrees.",
        "[Updated] The board met again on Tuesday and agreed on the new pier.",
        "Brexit - what happens next for the harbour, the board asked on Tuesday.",
    ],
)
def test_a_description_that_only_starts_like_one_is_kept(said: str) -> None:
    assert _summary(said) == said


# -- the outlet: the page's own site, where it names one ------------------------------


def test_a_saved_page_is_credited_to_the_site_its_title_names() -> None:
    html = page(
        "<title>Pier to be rebuilt by summer - Harbour Herald</title>",
        f"<article><h1>Pier to be rebuilt by summer</h1><p>{BODY}</p></article>"
        "<footer>© Harbour Herald</footer>",
    )
    found = extract_page(html, url=None)
    assert found.title == "Pier to be rebuilt by summer"
    assert found.site_name == "Harbour Herald"
    article = article_from_page(found, source="Clippings", url=None, now=NOW, section=None)
    assert article.outlet == "Harbour Herald"


def test_a_title_with_a_dash_in_its_headline_names_no_site() -> None:
    html = page(
        "<title>Brexit - what happens next for the pier</title>",
        f"<article><p>{BODY}</p></article>",
    )
    found = extract_page(html, url=None)
    assert found.title == "Brexit - what happens next for the pier"
    assert found.site_name is None
    # A last part the page names nowhere else is no site's name either.
    once = page(
        "<title>Storm hits the coast - Live updates</title>",
        f"<article><h1>Storm hits the coast</h1><p>{BODY}</p></article>",
    )
    assert extract_page(once, url=None).site_name is None


# -- the headline: no search-engine tail, its own colon kept --------------------------


@pytest.mark.parametrize(
    ("declared", "headline"),
    [
        ("Pier to be rebuilt by summer: news, photos 2018", "Pier to be rebuilt by summer"),
        ("Пирс отстроят к лету: новости, фото 2018", "Пирс отстроят к лету"),
        ("Pier to be rebuilt by summer - latest news and video", "Pier to be rebuilt by summer"),
    ],
)
def test_a_search_engine_tail_is_no_part_of_the_headline(declared: str, headline: str) -> None:
    html = page(
        f'<title>{declared} — www.harbour.example</title><meta property="og:title" '
        f'content="{declared}">',
        f"<article><p>{BODY}</p></article>",
    )
    assert extract_page(html, url="https://www.harbour.example/pier").title == headline


@pytest.mark.parametrize(
    "declared",
    [
        "Bubonic plague: Third case of plague in China",
        "Pier vote: the news nobody wanted",
        "Photos: the pier reopens",
        "News: pier reopens",
        "Storm of 2018: photos",
        "Pier reopens: 2018",
    ],
)
def test_a_headlines_own_colon_is_kept(declared: str) -> None:
    html = page(
        f'<title>{declared}</title><meta property="og:title" content="{declared}">',
        f"<article><p>{BODY}</p></article>",
    )
    assert extract_page(html, url="https://www.harbour.example/pier").title == declared


# -- the corpus pages, collected and built from a folder ------------------------------


def _collected(tmp_path: Path) -> tuple[list[str], dict[str, Article]]:
    articles = require_corpus() / "articles"
    config = write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "Clippings"\npath = "{articles}"\n'
    )
    runner = CliRunner()
    at = NOW.isoformat()
    result = runner.invoke(main, ["collect", "--config", str(config), "--at", at])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["build", "--config", str(config), "--at", at, "--json"])
    assert result.exit_code == 0, result.output
    shown = [i["title"] for i in (lambda e: e["leads"] + e["teasers"])(json.loads(result.output))]
    stored = {a.key.rsplit("/", 1)[-1]: a for a in App.from_config(config).store.articles()}
    return shown, stored


def test_the_corpus_pages_read_as_their_sites_stories(tmp_path: Path) -> None:
    shown, by_file = _collected(tmp_path)
    korean = by_file["aeb-entermedia.co.kr-9da36ae4714b.html"]
    assert korean.title == "악녀의 덫에 걸린 이유리, 의외로 막장극 어울리는 남상미"
    assert korean.outlet == "Entermedia"
    summary = korean.summary
    assert summary.startswith("주말 밤 9시 MBC와 SBS는 막장극의 대결로")
    assert "엔터미디어=" not in summary and "악녀의 덫" not in summary
    russian = by_file["aeb-wday.ru-c82b3d1d540b.html"]
    assert russian.title == "53-летняя модель рассказала что больше всего боится стареть"
    assert russian.title in shown  # the edition built shows it so
    # The other pages' headlines with a colon of their own keep it.
    titles = {a.title for a in by_file.values()}
    assert (
        "Bubonic plague: Third case of plague in China as panic begins – ‘The plague is coming’"
        in titles
    )
    assert (
        "‘Meth. We’re on it.’: Spokane ad agencies divided on South Dakota’s viral campaign"
        in titles
    )
