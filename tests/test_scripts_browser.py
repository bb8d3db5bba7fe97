"""An Arabic story in the plain text of an English edition, shown left to right in
Chromium as a client shows an English plain-text part (its own module: the browser
holds an event loop, and the pipeline's collect runs one of its own)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from digest.lint import lint_message
from digest.lint.findings import Finding
from tests.test_email_demo import browser  # noqa: F401 (fixture)
from tests.test_scripts_editions import ARABIC, ENGLISH, build, message, parts

LINES = """lines => lines.map(([n, text]) => {
    const el = document.getElementById('l' + n);
    const node = el.firstChild;
    const box = (from, to) => {
        const r = document.createRange(); r.setStart(node, from); r.setEnd(node, to);
        return r.getBoundingClientRect();
    };
    const end = text.indexOf('(') >= 0 ? text.indexOf('(') : text.length;  // not the outlet
    const arabic = [...text.slice(0, end)]
        .map((ch, i) => /[\\u0600-\\u06ff]/.test(ch) ? i : -1).filter(i => i >= 0);
    const letters = arabic.map(i => box(i, i + 1));
    return {
        text,
        arabicLeft: Math.min(...letters.map(r => r.left)),
        arabicRight: Math.max(...letters.map(r => r.right)),
        ref: text.indexOf('[') >= 0 ? box(text.indexOf('['), text.indexOf(']') + 1).left : null,
        stop: /[!.]/.test(text) ? box(text.search(/[!.]/), text.search(/[!.]/) + 1).left : null,
        paren: text.indexOf('(') >= 0 ? box(text.indexOf('('), text.length).left : null,
    };
})"""


@pytest.mark.browser
def test_an_arabic_story_keeps_its_line_in_order_in_the_plain_text(
    tmp_path: Path,
    browser: Any,  # noqa: F811
) -> None:
    """Shown left to right (as a client shows an English plain-text part), a line with
    an Arabic headline read "* [5] <headline>" with its "!" at its start, and the
    teaser's summary line put the outlet's "(الأهرام)" first: the stop and the outlet's
    name are where they belong now, the line around them in order."""
    feeds = {
        "Harbour Herald": (None, ENGLISH),
        "الأهرام": (None, [ARABIC, ("افتتاح مستشفى جديد في الإسكندرية", "افتتح الوزير المستشفى.")]),
    }

    def made() -> tuple[str, list[Finding]]:
        app, edition = build(tmp_path, feeds)
        msg = message(app, edition)
        return parts(msg)["text/plain"], lint_message(msg.as_bytes())

    with ThreadPoolExecutor(1) as pool:  # collect runs an event loop; Playwright holds one here
        text, findings = pool.submit(made).result()
    assert "text-line-too-long" not in {f.code for f in findings}
    lines = text.splitlines()
    wanted = [(n, line) for n, line in enumerate(lines) if re.search("[\u0600-\u06ff]", line)]
    page = browser.new_page()
    try:
        body = "".join(
            f'<div id="l{n}" style="white-space: pre; font: 16px monospace">{escape(line)}</div>'
            for n, line in enumerate(lines)
        )
        page.set_content(f"<!doctype html><meta charset=utf-8><body>{body}</body>")
        found = page.evaluate(LINES, wanted)
    finally:
        page.close()
    title = next(
        f for f in found if "أسبوع" in f["text"] and f["text"].endswith(("!", "!\u200f\u200e"))
    )
    assert title["stop"] < title["arabicLeft"], title  # "!" ends the headline: on its left
    # (Its link is a line of its own under it now: no "[n]" shares the headline's line.)
    assert not [f for f in found if f["ref"] is not None], found
    summary = next(f for f in found if f["paren"] is not None and "افتتح" in f["text"])
    assert summary["paren"] >= summary["arabicRight"], summary  # "(outlet)" after it, at the end
