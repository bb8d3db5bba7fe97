"""Benchmark of the render and message stages: what a variant costs, what a message costs.

Prints, for the sample edition of tests/test_render_golden.py (3 leads, 6 teasers) and for
150- and 400-teaser editions that have to drop teasers to stay under Gmail's clipping
size (the number to drop is estimated from measured sizes, so 1-3 inlining passes):

- render + inline per variant (median of ``--runs``), the inlining passes and the size;
- `prepare` per variant;
- `personalise` per message, without and with a DKIM signature (RSA 2048), and a
  lower bound on messages per second per process that follows from it;
- `digest lint` per message.

Run: ``python benchmarks/render.py`` (from the repository root).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from digest.lint import lint_message
from digest.message import DkimSigner, Prepared, personalise, prepare
from digest.records import Edition
from digest.render import Rendered, Renderer
from tests.test_render_golden import sample_edition, sample_settings

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)


def timed(work: Callable[[], object], runs: int) -> float:
    """Median seconds of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_message(prepared: Prepared, count: int) -> float:
    """Mean seconds per personalised message over `count` subscribers."""
    start = time.perf_counter()
    for n in range(count):
        personalise(
            prepared,
            edition_id=1,
            subscriber_id=n,
            email=f"reader{n}@example.com",
            name=f"Reader {n}",
            unsubscribe_url=f"https://brief.example.org/u/MA.{n:08d}abcdefghijklmnopqrs",
            preferences_url=f"https://brief.example.org/p/MA.{n:08d}abcdefghijklmnopqrs",
        )
    return (time.perf_counter() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="renders per edition (median)")
    parser.add_argument("--messages", type=int, default=500, help="messages personalised")
    args = parser.parse_args()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = DkimSigner("bench", "example.org", pem, origin="benchmark key")

    with tempfile.TemporaryDirectory() as folder:
        renderer = Renderer(sample_settings(Path(folder)))
        editions: list[tuple[str, Edition]] = [
            ("sample (3 leads, 6 teasers)", sample_edition()),
            ("150 teasers", sample_edition(teasers=150)),
            ("400 teasers", sample_edition(teasers=400)),
        ]
        for label, edition in editions:
            seconds = timed(lambda e=edition: renderer.render(e), args.runs)  # type: ignore[misc]
            rendered = renderer.render(edition)
            print(f"{label}:")
            print(
                f"  render + inline per variant: {seconds * 1000:7.1f} ms "
                f"({rendered.inline_passes} inlining pass(es), {rendered.dropped_teasers} "
                f"teasers dropped, HTML {len(rendered.html.encode()):,} bytes)"
            )

            def make(dkim: DkimSigner | None = None, r: Rendered = rendered) -> Prepared:
                return prepare(
                    r,
                    sender="The Sample Brief <brief@example.org>",
                    list_name="daily",
                    list_title="The Sample Brief",
                    edition_id=1,
                    date=NOW,
                    dkim=dkim,
                )

            print(f"  prepare per variant:         {timed(make, args.runs) * 1000:7.1f} ms")
            plain = per_message(make(), args.messages)
            signed = per_message(make(signer), max(50, args.messages // 5))
            print(
                f"  personalise per message:     {plain * 1000:7.3f} ms "
                f"(~{1 / plain:,.0f} messages/s per process)"
            )
            print(
                f"  personalise + DKIM sign:     {signed * 1000:7.3f} ms "
                f"(~{1 / signed:,.0f} messages/s per process; signing "
                f"{(signed - plain) * 1000:.2f} ms)"
            )
            message = personalise(
                make(),
                edition_id=1,
                subscriber_id=1,
                email="reader@example.com",
                name="Reader",
                unsubscribe_url="https://brief.example.org/u/x",
                preferences_url="https://brief.example.org/p/x",
            )
            lint = timed(lambda m=message: lint_message(m), args.runs)  # type: ignore[misc]
            print(f"  lint per message:            {lint * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
