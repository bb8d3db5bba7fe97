"""Where the shared real-world corpus (and the seed example) live, and how tests ask.

They sit beside the repository (``../shared/corpus``, ``../shared/seed``). Without them
a test is skipped with the reason, except on CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS: Path = Path(
    os.environ.get("DIGEST_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus"
)

SEED: Path = CORPUS.parent / "seed"


def require_corpus() -> Path:
    """The corpus folder; skip the calling test (fail on CI) when it is not there."""
    if not (CORPUS / "MANIFEST.tsv").is_file():
        _missing(f"the shared test corpus is not at {CORPUS} (set DIGEST_CORPUS to its folder)")
    return CORPUS


def require_seed() -> Path:
    """The seed example folder; skip (fail on CI) when it is not there."""
    if not SEED.is_dir():
        _missing(f"the seed example folder is not at {SEED}")
    return SEED


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)
