"""Does a change to the collect stage keep what it makes of every document bit for bit?

Reads every feed of ``benchmarks/pipeline.py``'s corpus (100 feeds of 50 items) and,
where the folder is there, every feed and article page of ``../shared/corpus``, with the
parsers `digest collect` uses (:func:`digest.collect.feeds.read_feed` for a feed,
:func:`digest.collect.folder.read_folder` for a folder of pages), and records each
article (every field, ``repr`` of each) and each warning. ``save`` writes them to a file
(pickle); ``check`` compares a run with a saved file and names the first differences.
A field at its default is not recorded: a field added to the records, with a default,
compares the same where no document sets it (a file saved before that rule did record
them, so save again).

Run ``python benchmarks/parse_same.py save /tmp/before.pickle`` before a change, then
``python benchmarks/parse_same.py check /tmp/before.pickle`` after it. A change meant to
make parsing cheaper must print ``same``; one meant to change what readers see prints
what changed, for review.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _plain import plain  # noqa: E402

from digest.collect.feeds import read_feed  # noqa: E402
from digest.collect.folder import read_folder  # noqa: E402
from digest.errors import DigestError  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _feed(name: str, body: bytes, url: str | None) -> Any:
    try:
        parsed = read_feed(body, source=name, url=url, now=NOW)
    except DigestError as exc:
        return f"error: {exc}"
    return {"articles": plain(parsed.articles), "warnings": list(parsed.warnings)}


def outcome() -> dict[str, Any]:
    """What the parsers make of each document, by the document's name."""
    from pipeline import make_feeds

    found: dict[str, Any] = {}
    for path, body in make_feeds(100, 50).items():
        found[f"bench:{path}"] = _feed(f"bench {path}", body, f"http://127.0.0.1/{path}")
    if not CORPUS.is_dir():
        print(f"note: {CORPUS} is not there; only the benchmark's feeds were read")
        return found
    for path in sorted((CORPUS / "feeds").iterdir()):
        if path.is_file():
            url = f"https://{path.stem}.example/feed"
            found[f"feed:{path.name}"] = _feed(path.stem, path.read_bytes(), url)
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        for path in sorted((CORPUS / "articles").glob("*.html")):
            shutil.copy(path, pages / path.name)
        try:
            parsed = read_folder(pages, source="corpus pages", now=NOW, section=None)
            found["pages"] = {
                "articles": plain(parsed.articles),
                "warnings": list(parsed.warnings),
            }
        except DigestError as exc:
            found["pages"] = f"error: {exc}"
    return found


def differences(before: Any, after: Any, where: str = "") -> list[str]:
    """Where two outcomes differ, as paths into them (the first few)."""
    if type(before) is not type(after):
        return [f"{where}: {before!r:.200} -> {after!r:.200}"]
    if isinstance(before, dict):
        found = []
        for key in sorted(set(before) | set(after)):
            if key not in before or key not in after:
                found.append(f"{where}/{key}: only {'after' if key in after else 'before'}")
            else:
                found.extend(differences(before[key], after[key], f"{where}/{key}"))
        return found
    if isinstance(before, list):
        if len(before) != len(after):
            return [f"{where}: {len(before)} items -> {len(after)}"]
        return [
            d
            for n, (b, a) in enumerate(zip(before, after, strict=True))
            for d in differences(b, a, f"{where}[{n}]")
        ]
    return [] if before == after else [f"{where}: {before!r:.200} -> {after!r:.200}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("action", choices=["save", "check"])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    now = outcome()
    documents = len(now)
    articles = sum(len(v["articles"]) for v in now.values() if isinstance(v, dict))
    print(f"read {documents} documents, {articles} articles")
    if args.action == "save":
        args.file.write_bytes(pickle.dumps(now))
        print(f"saved to {args.file}")
        return
    saved = pickle.loads(args.file.read_bytes())
    found = differences(saved, now)
    if not found:
        print("same")
        return
    print(f"{len(found)} differences; the first:")
    for line in found[:20]:
        print(f"  {line}")
    sys.exit(1)


if __name__ == "__main__":
    main()
