"""An outlet's own job ad is an advertisement: no edition shows it as a story.

A QA reader found Talking Points Memo's "We're Hiring: Senior Editor" (at
``/edblog/were-hiring-senior-editor``) as the second lead of a TPM edition. A post
whose headline opens by saying the outlet hires ("We're hiring", "We are hiring", "Now
hiring", "Job opening", "Join our team"), or that sits in a site's jobs folder
(``/jobs/…``, ``/careers/…``), is left out under "advert" with the sponsored posts (the
desk lists it with them) unless an editor pins it. A story about hiring ("Tech firms
are hiring again", a quote, a careers section's dated article) is news as before.

A QA reader of a Hacker News edition (the corpus's ``news-hackernews.xml``, built at
2022-04-07 07:00 UTC, ``max_age_hours = 72``) found "Smarking (YC W15) is hiring staff
and engineers to digitize the parking industry", a link to jobs.lever.co, run as a
story. A link to a job board (an applicant-tracking host: ``jobs.lever.co``,
``boards.greenhouse.io``, ``apply.workable.com``, ``jobs.ashbyhq.com``, …, or a site's
``jobs.``/``careers.`` host) is a job ad, whatever the headline; so is a headline that
names a start-up's accelerator batch and says it hires ("Acme (YC S21) is hiring"). A
bare "X is hiring" headline is not enough: "Amazon is hiring 100,000 workers for the
holidays" at a news site's business section is a story, and runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.collect.feeds import read_feed
from digest.rank import RankOptions, advertisements, rank
from digest.records import Article
from tests.conftest import write_project
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
TEXT = "The newsroom is looking for an editor to lead a team of six reporters in the city."
NEWS = (
    ("The harbour bath stays open all winter", "The city said the bath stays open."),
    ("Ferry fares rise in January", "Fares on the island ferries go up by a tenth."),
    ("Library wins design prize", "The glass library by the river won the prize."),
    ("Night trains return to the coast", "Two night trains a week run from March."),
)


def _item(key: str, title: str, *, hours: float = 1, **kw: object) -> Article:
    fields: dict[str, object] = {
        "source": f"{key}.example",
        "title": title,
        "url": f"https://{key}.example/post",
        "text": TEXT,
        "published": NOW - timedelta(hours=hours),
    }
    fields.update(kw)
    return Article(key=key, **fields)  # type: ignore[arg-type]


def _news() -> list[Article]:
    return [_item(f"n{n}", title, hours=6 + n, text=text) for n, (title, text) in enumerate(NEWS)]


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("We're Hiring: Senior Editor", "https://ad.example/edblog/were-hiring-senior-editor"),
        ("We’re hiring! Come work with us", "https://ad.example/post"),
        ("We are hiring a night editor", "https://ad.example/post"),
        ("[We're hiring] Data reporter, Lisbon", "https://ad.example/post"),
        ("Now hiring – reporters for the city desk", "https://ad.example/post"),
        ("Job opening: Assistant Editor", "https://ad.example/post"),
        ("Job openings at the Herald", "https://ad.example/post"),
        ("Join our team", "https://ad.example/post"),
        ("Join our team: we're looking for a podcast producer", "https://ad.example/post"),
        ("Senior Editor, New York", "https://ad.example/careers/senior-editor"),
        ("Investigations reporter", "https://ad.example/jobs/4711"),
        (
            "Smarking (YC W15) is hiring staff and engineers to digitize the parking industry",
            "https://jobs.lever.co/smarking/01b7a4c5-28ce-4a4c-9c88-d4cad6c01c76",
        ),
        ("Acme (YC S21) is hiring a founding engineer", "https://acme.example/"),
        ("Acme (YC W22) Is Hiring", "https://news.ycombinator.com/item?id=30934000"),
        ("Acme is hiring a Rust engineer", "https://boards.greenhouse.io/acme/jobs/4711"),
        ("Backend engineer (remote)", "https://apply.workable.com/acme/j/0A1B2C/"),
        ("Acme is hiring", "https://jobs.ashbyhq.com/acme/0a1b2c3d"),
        ("Senior designer", "https://acme.recruitee.com/o/senior-designer"),
        ("Acme is hiring product engineers", "https://jobs.acme.example/product"),
        ("Work with us on the data team", "https://careers.acme.example/data"),
    ],
)
def test_an_outlets_job_ad_is_left_out_as_an_advert(title: str, url: str) -> None:
    ad = _item("ad", title, hours=0.5, url=url)
    ranked = rank([ad, *_news()], now=NOW, options=RankOptions(leads=2, teasers=8))
    assert "ad" not in {s.key for s in ranked.stories}
    assert ranked.left_out["ad"] == "advert"
    assert [a.key for a in advertisements([ad], now=NOW, options=RankOptions())] == ["ad"]


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Tech firms are hiring again", "https://story.example/business/tech-hiring"),
        ("'We're hiring fewer graduates,' says the bank's chief", "https://story.example/a"),
        ("“Now hiring” signs return to the high street", "https://story.example/a"),
        ("Hiring freeze: the council stops taking on staff", "https://story.example/a"),
        ("Why nobody wants to join our team sports any more", "https://story.example/a"),
        (
            "Amazon is hiring 100,000 workers for the holidays",
            "https://story.example/business/2026/nov/amazon-hiring",
        ),
        ("Why the Fed is hiring economists from YC (S21) start-ups", "https://story.example/a"),
        ("Lever raises $50m for its hiring software", "https://www.lever.co/blog/series-d"),
        ("How we rebuilt our job board", "https://www.greenhouse.io/blog/job-board"),
        ("Jobs report: unemployment falls to 4%", "https://story.example/business/jobs/report"),
        (
            "How to ask for a pay rise",
            "https://story.example/careers/2018/jan/05/how-to-ask-for-a-pay-rise",
        ),
    ],
)
def test_a_story_about_hiring_still_runs(title: str, url: str) -> None:
    story = _item("story", title, hours=0.5, url=url)
    ranked = rank([story, *_news()], now=NOW, options=RankOptions(leads=2, teasers=8))
    assert "story" in {s.key for s in ranked.stories}


def test_an_editors_pin_runs_a_job_ad() -> None:
    ad = _item("ad", "We're Hiring: Senior Editor", hours=0.5)
    options = RankOptions(leads=2, teasers=8, pinned=("ad",))
    assert "ad" in {s.key for s in rank([ad, *_news()], now=NOW, options=options).stories}


def test_tpms_job_ad_is_not_a_lead() -> None:
    """The real feed: the job ad is neither a lead nor a teaser; TPM's posts still run."""
    path = require_corpus() / "feeds" / "news-tpm-talkingpointsmemo.atom"
    url = "https://talkingpointsmemo.com/feed"
    articles = read_feed(path.read_bytes(), source="TPM", url=url, now=NOW).articles
    ad = [a for a in articles if a.title == "We're Hiring: Senior Editor"]
    assert ad
    when = max(a.published for a in articles if a.published is not None)
    options = RankOptions(leads=3, teasers=8, max_leads_per_source=3, max_age_hours=None)
    ranked = rank(articles, now=when, options=options)
    assert ranked.leads and ad[0].key not in {s.key for s in ranked.stories}
    assert ranked.left_out[ad[0].key] == "advert"


def test_hacker_news_job_ad_is_not_in_its_edition(tmp_path: Path) -> None:
    """The real day: Hacker News's front page of 7 April 2022, built as QA built it."""
    feed = require_corpus() / "feeds" / "news-hackernews.xml"
    config = write_project(tmp_path / "news", sources=f'[[sources]]\nname = "HN"\nurl = "{feed}"\n')
    config.write_text(config.read_text().replace("max_age_hours = 100000", "max_age_hours = 72"))
    res = CliRunner().invoke(
        main, ["build", "--config", str(config), "--at", "2022-04-07T07:00:00Z", "--json"]
    )
    assert res.exit_code == 0, res.output
    edition, _ = json.JSONDecoder().raw_decode(res.output[res.output.index("{") :])
    assert edition["dropped"]["advert"] == 1
    urls = [s["url"] for part in ("leads", "teasers") for s in edition[part]]
    assert len(urls) == 11, urls  # the edition is still full: the job ad's slot is filled
    assert not [u for u in urls if "lever.co" in u], urls
    titles = [s["title"] for part in ("leads", "teasers") for s in edition[part]]
    assert not [t for t in titles if "is hiring" in t], titles
