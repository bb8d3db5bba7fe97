"""The plain-text part as its readers meet it: in a terminal mail client, on a watch, a
phone's narrow screen or through a screen reader.

Each story's link sits right under it (not in a numbered list at the end), the
separators are short enough to be read aloud, and the part is format=flowed (RFC 3676)
so that a narrow screen reflows its paragraphs instead of showing long and short lines
in turn. Read from the real message bytes (prepared, personalised, parsed)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape
from itertools import pairwise
from pathlib import Path

from digest.lint import lint_message
from digest.message import personalise, prepare
from digest.records import Edition, Story
from digest.render import UNSUBSCRIBE, Rendered, Renderer, flow, flowed
from tests.test_render import CAMPAIGN, UTM
from tests.test_render_golden import EDITION_ID, sample_edition, sample_settings

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
UNSUB_URL = "https://brief.example.org/u/" + "A" * 40
PREFS_URL = "https://brief.example.org/p/" + "B" * 40
#: How many lines after the end of its headline a story's link may come (the source
#: line, a summary of a few lines, the link).
NEAR = 8


def _message(tmp_path: Path, edition: Edition, extra: str = "") -> bytes:
    rendered = Renderer(sample_settings(tmp_path, extra=extra)).render(edition)
    prepared = prepare(
        rendered,
        sender="The Sample Brief <brief@example.org>",
        list_name="daily",
        list_title="The Sample Brief",
        edition_id=EDITION_ID,
        nonce="3f9a0c1d2e4b5a67",
        date=NOW,
    )
    return personalise(
        prepared,
        edition_id=EDITION_ID,
        subscriber_id=7,
        email="reader@example.com",
        name="Reader",
        unsubscribe_url=UNSUB_URL,
        preferences_url=PREFS_URL,
    )


def _plain(data: bytes) -> tuple[EmailMessage, str]:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    assert isinstance(part, EmailMessage)
    return part, str(part.get_content()).replace("\r\n", "\n")


def _hrefs(data: bytes) -> dict[str, str]:
    """Each HTML anchor's text (whitespace folded) to its href."""
    msg = message_from_bytes(data, policy=policy.default)
    html = next(str(p.get_content()) for p in msg.walk() if p.get_content_type() == "text/html")
    found = re.findall(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    return {" ".join(unescape(re.sub(r"<[^>]+>", "", t)).split()): unescape(h) for h, t in found}


def unflow(text: str) -> list[str]:
    """The logical lines of a format=flowed, DelSp=no text (RFC 3676, 4.1-4.5): a line
    ending in a space (other than the signature separator "-- ") runs on into the next,
    its space kept; one leading space is stuffing and goes."""
    logical, current = [], ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]
        if line.endswith(" ") and line != "-- ":
            current += line
            continue
        logical.append(current + line)
        current = ""
    if current:
        logical.append(current)
    return logical


def _stories(edition: Edition) -> list[Story]:
    return [*edition.leads, *edition.teasers]


# -- links under their stories -----------------------------------------------------------------


def test_each_storys_link_is_right_under_it_with_its_campaign_parameters(tmp_path: Path) -> None:
    # The links sat in a numbered list at the end ("Read more: [2]"): a reader in a
    # terminal, on a watch or with a screen reader jumped to the bottom and back for
    # each story. Now each story's link is a labelled line under it, whole, carrying the
    # same campaign parameters as the HTML part's link.
    edition = sample_edition()
    data = _message(tmp_path, edition, extra=UTM)
    _, text = _plain(data)
    hrefs = _hrefs(data)
    lines = unflow(text)
    for story in _stories(edition):
        at = next(i for i, line in enumerate(lines) if story.title in line)
        href = hrefs[story.title]  # the headline's link in the HTML part
        assert story.url is None or CAMPAIGN in href
        under = [line for line in lines[at + 1 : at + 1 + NEAR] if href in line.split()]
        assert under, (story.title, href, lines[at : at + NEAR])
        assert re.match(r"\w[\w ]*: ", under[0]), under  # a label: "Read more: https://…"
    # No numbered references left, and no list of links at the end.
    assert not re.search(r"\[\d+\]", text), text
    assert "Links:" not in text


def test_the_footer_links_stay_labelled(tmp_path: Path) -> None:
    _, text = _plain(_message(tmp_path, sample_edition()))
    lines = unflow(text)
    assert f"Change your preferences: {PREFS_URL}" in lines
    assert f"Unsubscribe with one click: {UNSUB_URL}" in lines
    assert f"Read it in your browser: https://brief.example.org/archive/{EDITION_ID}" in lines


# -- separators -------------------------------------------------------------------------------


def test_no_separator_is_read_out_character_by_character(tmp_path: Path) -> None:
    # Rules of 78 "=" were read out "equals equals equals ..." and filled the preview
    # pane under the masthead. The separators are a few characters now, and still there:
    # one above each story or section, and one of its own above the footer.
    edition = sample_edition()
    _, text = _plain(_message(tmp_path, edition))
    assert not [line for line in text.splitlines() if re.search(r"([^\w\s])\1{9,}", line)]
    rules = [line for line in text.splitlines() if re.fullmatch(r"[^\w\s]{2,}", line)]
    groups = {s.section for s in edition.teasers}
    assert len(rules) == len(edition.leads) + len(groups) + 1, text
    assert all(len(rule) <= 5 for rule in rules)
    footer_rule = rules[-1]
    assert footer_rule not in rules[:-1]  # the footer's own, unlike the stories'
    assert text.index(footer_rule) > text.rindex(edition.teasers[-1].title)
    assert text.index(footer_rule) < text.index("Unsubscribe with one click")


# -- format=flowed ----------------------------------------------------------------------------


def _flowed_lead(summary: str) -> Edition:
    edition = sample_edition()
    lead = replace(edition.leads[0], summary=summary)
    return replace(edition, leads=(lead, *edition.leads[1:]))


def test_the_text_part_is_flowed_and_its_paragraphs_come_back_whole(tmp_path: Path) -> None:
    # Hard-wrapped at 78 columns, the part showed long and short lines in turn on a
    # phone's narrow screen. As format=flowed (RFC 3676) a client reflows it: decoded,
    # each paragraph is one logical line again, as written.
    summary = (
        "From Monday the harbour buses run every ten minutes. "
        "> 40,000 riders a day are expected by the summer, the operator says, and "
        "the night line, which ran once an hour, now runs every half hour until 2 am."
    )
    edition = _flowed_lead(summary)
    part, text = _plain(_message(tmp_path, edition))
    assert part.get_content_type() == "text/plain"
    assert part.get_param("format") == "flowed"
    assert part.get_param("delsp") == "no"
    assert part.get_content_charset() == "utf-8"
    logical = unflow(text)
    assert summary in logical
    for story in _stories(edition):
        assert story.title in logical  # a headline is a line of its own, never run on
    assert "BUSINESS · Nordic Ledger" in logical
    # Stuffed (RFC 3676, 4.4): a line that starts with "From ", ">" or a space.
    for line in text.splitlines():
        assert not line.startswith((">", "From ")), line
    # A hard break never has a trailing space: every soft line runs on into words.
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.endswith(" "):
            assert i + 1 < len(lines) and lines[i + 1].strip(), (i, line)
    # Short enough, trailing space and stuffing counted (a bare URL aside).
    assert all(len(line) <= 78 or "://" in line for line in lines)


def test_a_summary_cannot_end_a_line_in_a_signature_separator(tmp_path: Path) -> None:
    # "-- " is the signature separator (RFC 3676, 4.3): clients fold away what follows,
    # which would hide the rest of the edition and its footer. A "--" in a summary that
    # happened to stand alone at the end of a flowed line would spell it.
    word = "https://news.example.org/" + "a" * 70
    summary = f"The vote was close -- {word} and the council will meet again."
    _, text = _plain(_message(tmp_path, _flowed_lead(summary)))
    assert "-- " not in text.split("\n"), text
    assert summary in unflow(text)


def test_the_flowed_part_passes_the_linter(tmp_path: Path) -> None:
    data = _message(tmp_path, _flowed_lead("From Monday the buses run every ten minutes."))
    codes = [f.code for f in lint_message(data) if f.code.startswith(("text-", "mime-"))]
    assert codes == []


def test_the_linter_reads_a_flowed_part_as_flowed(tmp_path: Path) -> None:
    # A flowed part whose line begins with ">" unstuffed is shown as a quotation, and one
    # with "From " is changed by mailbox files; "-- " above the unsubscribe link makes
    # it a signature, which clients fold away.
    text = (
        "THE BRIEF\n\n> 40,000 riders a day\nFrom Monday the buses run more often.\n"
        f"-- \nUnsubscribe with one click:\n{UNSUBSCRIBE}\n"
    )
    rendered = Rendered("s", "p", f'<p>News</p><a href="{UNSUBSCRIBE}">Unsubscribe</a>', text)
    prepared = prepare(
        rendered,
        sender="The Sample Brief <brief@example.org>",
        list_name="daily",
        list_title="The Sample Brief",
        edition_id=EDITION_ID,
        nonce="3f9a0c1d2e4b5a67",
        date=NOW,
    )
    data = personalise(
        prepared,
        edition_id=EDITION_ID,
        subscriber_id=7,
        email="reader@example.com",
        name="Reader",
        unsubscribe_url=UNSUB_URL,
        preferences_url=PREFS_URL,
    )
    found = {f.code: f.message for f in lint_message(data)}
    assert "line 3" in found["text-flowed-unstuffed"], found
    assert "text-signature-hides-unsubscribe" in found, found


def test_a_line_broken_inside_a_word_of_chinese_or_japanese_stays_a_hard_break() -> None:
    # Japanese is folded between its characters. With DelSp=no a soft break's space is
    # part of the text, so a soft break there would put a space inside a word: only a
    # break at a space is soft.
    words = "東京都は木曜日に新しい地下鉄路線の建設計画を発表した。" * 4
    text = flowed(flow(f"{words} Tokyo {words}"))
    lines = text.split("\n")
    assert len(lines) > 2
    for line, after in pairwise(lines):
        assert not line.endswith(" ") or after.startswith("Tokyo") or line.endswith("Tokyo ")
    assert "".join(unflow(text)).replace(" ", "") == f"{words}Tokyo{words}"
