"""Hostile feed items are bounded at collect and reported (issue 14, items 7 and 8).

A deeply nested item must not stall collect (sanitising grew quadratically), a huge
title must not make an edition unsendable, and whatever was cut or flattened shows in
the source's line of ``digest collect``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from digest.collect.feeds import read_feed
from digest.collect.sanitize import MAX_DEPTH, sanitize_html
from tests.conftest import write_project

NOW = datetime(2026, 1, 10, 6, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def rss(*items: str) -> bytes:
    return f"<rss version='2.0'><channel><title>T</title>{''.join(items)}</channel></rss>".encode()


def deep(n: int) -> str:
    return "<div>" * n + "deep text" + "</div>" * n


def test_deep_nesting_is_flattened_quickly_and_keeps_the_text() -> None:
    started = time.perf_counter()
    clean = sanitize_html(deep(40_000) + "<p>after</p>", base_url=None)
    assert time.perf_counter() - started < 2.0  # was 7 s here (quadratic)
    assert "deep text" in clean and "<p>after</p>" in clean
    assert clean.count("<div>") <= MAX_DEPTH
    shallow = "<div><p>One <em>two</em></p><ul><li>a</li><li>b</li></ul></div>"
    assert sanitize_html(shallow, base_url=None) == shallow  # ordinary HTML untouched


def test_a_feed_of_deeply_nested_items_costs_no_more_than_flat_ones_and_names_them() -> None:
    def feed(body: str) -> bytes:
        return rss(
            *(
                f"<item><title>Deep {i}</title><link>https://e.org/{i}</link>"
                f"<description>{escape(body)}</description></item>"
                for i in range(2)
            )
        )

    started = time.perf_counter()
    read_feed(feed("<div>x</div>" * 40_000), source="Flat", url=None, now=NOW)
    flat_seconds = time.perf_counter() - started
    started = time.perf_counter()
    parsed = read_feed(feed(deep(40_000)), source="Deep", url=None, now=NOW)
    deep_seconds = time.perf_counter() - started
    # The same amount of markup, nested: it was 4-5 times slower (quadratic sanitising).
    assert deep_seconds < 1.5 * flat_seconds + 1.0, (deep_seconds, flat_seconds)
    assert [a.title for a in parsed.articles] == ["Deep 0", "Deep 1"]
    assert parsed.articles[0].text == "deep text"
    assert tuple(w for w in parsed.warnings if "nested" in w) == tuple(
        f"'Deep {i}' (https://e.org/{i}): HTML nested deeper than {MAX_DEPTH} levels, flattened"
        for i in range(2)
    )


def test_a_huge_title_and_summary_are_capped_and_reported() -> None:
    title = "Harbour " * 20_000  # 160,000 characters
    parsed = read_feed(
        rss(
            f"<item><title>{title}</title><link>https://e.org/a</link>"
            f"<description>{'Word ' * 100_000}</description></item>"
        ),
        source="Huge",
        url=None,
        now=NOW,
    )
    [article] = parsed.articles
    assert len(article.title) <= 300 and article.title.endswith("Harbour…")
    assert len(article.summary) <= 1000
    assert len(article.text) <= 200_000
    assert parsed.warnings == (
        "'Harbour Harbour Harbour Harbour Harbour…' (https://e.org/a): "
        "title cut from 159,999 to 300 characters",
        "'Harbour Harbour Harbour Harbour Harbour…' (https://e.org/a): "
        "text cut from 499,999 to 200,000 characters",
    )


def test_digest_collect_prints_each_sources_warnings(tmp_path: Path) -> None:
    feed = tmp_path / "huge.xml"
    feed.write_bytes(
        rss(
            f"<item><title>{'Harbour ' * 200}</title><link>https://e.org/a</link></item>",
            "<item><title>Fine</title><link>https://e.org/b</link></item>",
        )
    )
    config = write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "Huge Wire"\nurl = "{feed}"\n'
    )
    env = {**os.environ, "COLUMNS": "400", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from digest.cli import main; main()",
            "collect",
            "--config",
            str(config),
            "--at",
            NOW.isoformat(),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if "Huge Wire" in line]
    assert "'Harbour Harbour Harbour Harbour Harbour…' (https://e.org/a): title cut" in line
    assert "title cut from 1,599 to 300 characters" in line
