"""A mailing-list reply's summary is what its writer wrote, not the header of the quote.

A list archive's feed (Gmane) gives each message as it was mailed. A reply opens with
the line that introduces the message it answers, "* W. Trevor King <wking-…< at
>public.gmane.org> [121113 13:21]:" or "On Mon, Nov 12, 2012 at 06:17:50PM +0100,
Etienne Millon wrote:", and often the quoted lines ("> …") after it: the summary a
subscriber read was that header, an obfuscated address. Those lines, at the start of a
text, are not the message's own words (digest.collect.replies). A news text that
quotes someone ("'We will win,' he wrote: …") is the story and stays.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _summary(pre: str) -> tuple[str, str]:
    """(summary, text) of a one-item feed whose message is `pre`, as an archive sends it."""
    escaped = pre.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    description = f"&lt;pre&gt;{escaped.replace('&', '&amp;')}&lt;/pre&gt;"
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>harbour-list</title>'
        "<item><title>Re: lights on the old quay</title>"
        "<link>https://lists.example.org/harbour/42</link>"
        f"<description>{description}</description></item></channel></rss>"
    )
    (article,) = read_feed(feed.encode(), source="list", url=None, now=NOW).articles
    return article.summary, article.text


OWN = "Agreed. The council meets on Thursday, so we can ask for the lights then."


@pytest.mark.parametrize(
    "header",
    [
        "* Ann Quay <ann-x7Yq2< at >public.example.org> [261126 09:12]:\n\n",
        "Ann Quay <ann-x7Yq2< at >public.example.org> wrote:\n",
        "On Thu, Nov 26, 2026 at 09:12:00AM +0100, Ann Quay wrote:\n\n",
        "On Thu, Nov 26, 2026 at 09:12:00AM +0100, Ann Quay wrote:\n"
        "> Should we ask the council for lights along the old quay?\n"
        "> The harbour is dark after six.\n\n",
        "Le 26 nov. 2026 à 09:12, Ann Quay <ann@example.org> a écrit :\n> Des lumières ?\n\n",
    ],
)
def test_a_replys_quote_header_and_quoted_lines_are_not_its_summary(header: str) -> None:
    summary, text = _summary(f"{header}{OWN}\n")
    assert summary == OWN
    assert text.startswith("Agreed.")


@pytest.mark.parametrize(
    "said",
    [
        "'We will win,' he wrote: the letter to the harbour board ran to four pages.",
        "On Monday, the harbour master wrote:\n\nThe quay will be lit from December.",
        "On Nov 26, 2026, the harbour master wrote:\n\nThe quay will be lit from December.",
        "On Nov 26, the harbour master said:\n> The quay will be lit from December.\n\nIt was.",
        "The harbour master (harbour@example.org) answers questions on Thursdays.",
    ],
)
def test_a_news_text_that_quotes_someone_keeps_its_opening(said: str) -> None:
    summary, _ = _summary(said)
    assert summary.split()[:3] == said.split()[:3]


def test_a_message_that_is_only_a_header_keeps_it() -> None:
    header = "On Thu, Nov 26, 2026 at 09:12:00AM +0100, Ann Quay wrote:"
    assert _summary(header)[0] == header  # nothing else to show: shown as it is


def test_corpus_gmane_replies_summarise_the_writers_own_words() -> None:
    path = require_corpus() / "feeds" / "list-gmane-rss2email.rdf"
    parsed = read_feed(path.read_bytes(), source="gmane", url=None, now=NOW)
    summaries = {a.url.rsplit("/", 1)[-1]: a.summary for a in parsed.articles if a.url}
    assert summaries["4"] == "Ack. Also, confirming that the mailing list works."
    assert summaries["2"].startswith("It seems to work, though it may have been grouped")
    assert summaries["1"].startswith("Alrighty, this is the first email on the list")
    assert not [s for s in summaries.values() if "< at >" in s or s.startswith("*")]
