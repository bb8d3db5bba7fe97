"""What a publisher puts in an item besides its story is no summary of it: a wire
dateline, a sign-up call and the promotions listed with it, a line of related links.

Readers met all three in editions built from the shared corpus: Talking Points Memo's
AP copy was collected as "NEWARK, N.J. (AP) — Jurors finished…" (the ranking dropped
the dateline from a story's text, but the stored summary and body kept it), the
Guardian's First Dog cartoon had "Sign up here to get an email whenever First Dog
cartoons are published" as its whole summary, and its 1990s essay ended "…all of whom
were white More: Frances Ryan on the 2000s | Liv Little on the 2010s". The feeds here
are our own, shaped like those and parsed for real; the corpus tests read the real
ones in place.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
NEWS = "Jurors finished a second full day of deliberations on Wednesday without a verdict."


def rss(*items: tuple[str, str], author: str = "") -> bytes:
    creator = f"<author>{author}</author>" if author else ""
    body = "".join(
        f"<item><title>{title}</title><link>https://news.example/{n}</link>{creator}"
        f"<description><![CDATA[{description}]]></description></item>"
        for n, (title, description) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Example</title><link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


def one(description: str, author: str = "") -> Article:
    data = rss(("Jury ends second day", description), author=author)
    (article,) = read_feed(data, source="Quayside Gazette", url=None, now=NOW).articles
    return article


def corpus(name: str) -> dict[str, Article]:
    path = require_corpus() / "feeds" / name
    parsed = read_feed(path.read_bytes(), source=name, url=None, now=NOW)
    return {a.title: a for a in parsed.articles}


# -- wire datelines ------------------------------------------------------------------


@pytest.mark.parametrize(
    "dateline",
    [
        "NEWARK, N.J. (AP) — ",
        "WASHINGTON (AP) — ",
        "CHICAGO (AP) &mdash; ",
        "LONDON, Nov 19 (Reuters) - ",
    ],
)
def test_a_wire_dateline_opens_neither_summary_nor_text(dateline: str) -> None:
    article = one(f"<p>{dateline}{NEWS}</p><p>The judge sent them home at 4 p.m.</p>")
    assert article.summary == NEWS
    assert article.text.startswith(NEWS)


def test_a_dateline_after_the_byline_goes_with_it() -> None:
    article = one(f"<p>By Jane Doe</p><p>NEWARK, N.J. (AP) — {NEWS}</p>", author="Jane Doe")
    assert article.summary == NEWS


@pytest.mark.parametrize(
    "text",
    [
        "CHICAGO is bracing for the coldest night of the year, forecasters said on Tuesday.",
        "WASHINGTON HEIGHTS residents packed the library to hear the zoning plan on Monday.",
        "NATO allies met in Brussels on Wednesday to agree the winter budget.",
    ],
)
def test_a_city_in_capitals_that_is_no_dateline_stays(text: str) -> None:
    assert one(f"<p>{text}</p>").summary == text


def test_the_real_wire_stories_are_collected_without_their_datelines() -> None:
    """Five of Talking Points Memo's twenty entries are AP copy."""
    articles = corpus("news-tpm-talkingpointsmemo.atom")
    assert not [a.title for a in articles.values() if "(AP)" in a.summary + a.text[:200]]
    menendez = articles["Menendez Trial Enters Second Full Day Of Jury Deliberations"]
    assert menendez.summary.startswith("The second full day of jury deliberations has begun")
    obama = articles["Obama Reports For Jury Duty In Chicago, Ends Up Being Dismissed"]
    assert obama.summary.startswith("Former President Barack Obama, free of a job")


# A place in mixed case is a dateline when a news agency is named before the dash:
# Brazilian, Spanish and Portuguese outlets run AFP and EFE copy so ("Quito, 24 Set 2018
# (AFP) - "), and EFE's own style puts a full stop before the dash ("(EFE).- ").
@pytest.mark.parametrize(
    "dateline",
    [
        "Quito, 24 Set 2018 (AFP) - ",
        "Nova York, 24 set (EFE).- ",
        "São Paulo (Reuters) - ",
        "Rio de Janeiro, 3 out (Lusa) - ",
        "Berlin (dpa) – ",
        "Copenhagen, Nov 19 (Ritzau) - ",
        "Roma, 24 set (ANSA) - ",
        "Newark, N.J. (AP) — ",
    ],
)
def test_a_mixed_case_place_before_a_named_agency_is_a_dateline(dateline: str) -> None:
    assert one(f"<p>{dateline}{NEWS}</p>").summary == NEWS


@pytest.mark.parametrize(
    "text",
    [
        "Boston (the city) - not the county - will vote on the harbour plan on Monday.",
        "Jurors said Paris (Reuters) - style headlines were shown to them on Wednesday.",
        "Quito, the capital - and the agency (AFP) - both said so on Monday.",
    ],
)
def test_a_mixed_case_place_without_an_agency_before_the_dash_stays(text: str) -> None:
    assert one(f"<p>{text}</p>").summary == text


def test_the_real_agency_copy_in_mixed_case_opens_with_its_news() -> None:
    """UOL Notícias (2018) runs AFP and EFE copy whose datelines are in mixed case."""
    articles = corpus("news-uol-noticias-latin1-nodecl.rss")
    summaries = [a.summary for a in articles.values()]
    assert [s for s in summaries if s.startswith("O fundador do WikiLeaks")]
    assert [s for s in summaries if s.startswith("O índice Dow Jones")]
    assert not [s for s in summaries if "(AFP)" in s[:60] or "(EFE)" in s[:60]]


# -- sign-up calls and related links ---------------------------------------------------


CARTOON = (
    "<p>Imagine if this was Bernie</p><ul>"
    '<li><a href="https://news.example/first-dog-by-email">Sign up here to get an email</a>'
    " whenever First Dog cartoons are published</li>"
    '<li><a href="https://shop.example/">Get all your needs met at the First Dog shop</a>'
    " if what you need is First Dog merchandise and prints</li></ul>"
)


def test_a_sign_up_call_and_the_promotions_listed_with_it_are_no_summary() -> None:
    article = one(CARTOON)
    assert article.summary == "Imagine if this was Bernie"
    assert "Sign up" not in article.text and "First Dog shop" not in article.text


@pytest.mark.parametrize(
    "call",
    [
        "Sign up to our morning briefing newsletter",
        "Sign up for the Quayside Gazette newsletter here",
        "Subscribe here to get an email whenever the column is published.",
    ],
)
def test_a_sign_up_paragraph_is_no_summary(call: str) -> None:
    assert one(f"<p>{call}</p><p>{NEWS}</p>").summary == NEWS


@pytest.mark.parametrize(
    "story",
    [
        "Voters who missed the deadline can sign up here to get an email reminder before"
        " the next election, the council said on Tuesday.",
        "Sign up here, the poster outside the harbour office says, and you get a place in"
        " the winter swimming club for free.",
    ],
)
def test_sign_up_inside_a_story_sentence_stays(story: str) -> None:
    assert one(f"<p>{story}</p>").summary == story


TICKETS = "Sign up to get an email when tickets go on sale, the club said."


@pytest.mark.parametrize(
    "said",
    [
        TICKETS,
        "“Sign up to get an email when tickets go on sale,” the club said on Monday.",
        "Sign up for the newsletter to hear of the next swim first, said the club's chair.",
        "Subscribe to the newsletter for the dates, according to the club's website.",
    ],
)
def test_a_reported_sign_up_call_is_the_story(said: str) -> None:
    """Reported speech is news: the call is what someone said, not the publisher's."""
    assert one(f"<p>{said}</p>").text == said
    article = one(f"<p>{said}</p><p>{NEWS}</p>")
    assert article.summary == said
    assert article.text == f"{said}\n\n{NEWS}"


def test_a_reported_sign_up_call_in_a_list_keeps_the_list() -> None:
    article = one(f"<p>{NEWS}</p><ul><li>{TICKETS}</li><li>Doors open at seven.</li></ul>")
    assert TICKETS in article.text and "Doors open at seven." in article.text


def test_a_list_of_the_storys_own_links_stays() -> None:
    text = (
        "<p>The council named three priorities for the winter:</p><ul>"
        + "".join(
            f'<li><a href="https://news.example/{n}">{item}</a> from December</li>'
            for n, item in enumerate(
                ["Gritting the cycle lanes", "Extra night buses", "Warm halls"]
            )
        )
        + "</ul>"
    )
    article = one(text)
    assert "Gritting the cycle lanes" in article.summary
    assert "Warm halls" in article.text


def test_a_line_of_related_links_is_no_part_of_the_summary() -> None:
    standfirst = "The decade was full of contradictions for young women, and of superheroes."
    article = one(
        f"<p>{standfirst}<br><br>More: "
        '<a href="https://news.example/2000s">Frances Ryan on the 2000s</a> | '
        '<a href="https://news.example/2010s">Liv Little on the 2010s</a></p>'
        f"<p>{NEWS}</p>"
    )
    assert article.summary == standfirst
    assert "Liv Little" not in article.text


def test_a_related_link_whose_own_text_holds_the_label_is_no_part_of_the_text() -> None:
    """CNN Money puts "Related: …" inside the link, between the story's paragraphs."""
    related = '<a href="https://news.example/chicago">Related: Chicago is most segregated</a>'
    article = one(f"<p>{NEWS}</p><p>{related}</p><p>The jury returns on Thursday.</p>")
    assert article.text == f"{NEWS}\n\nThe jury returns on Thursday."


def test_more_in_a_story_sentence_stays() -> None:
    story = "More: that was the word on every placard outside the harbour office on Monday."
    assert one(f"<p>{story}</p>").summary == story


def test_the_real_guardian_summaries_hold_no_sign_up_call_or_related_links() -> None:
    articles = corpus("news-guardian-intl.rss")
    cartoon = next(a for t, a in articles.items() if t.startswith("The Raccoons of the"))
    assert cartoon.summary == "Imagine if this was Bernie"
    essay = next(a for t, a in articles.items() if t.startswith("The 1990s:"))
    assert essay.summary.endswith("all of whom were white")
    assert not [t for t, a in articles.items() if "Sign up" in a.summary or "More:" in a.summary]
