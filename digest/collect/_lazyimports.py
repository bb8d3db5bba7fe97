"""httpx and httpcore imported without the modules they import only just in case.

httpcore runs ``import trio`` when it is imported (if trio is installed), to use it only
for requests made under ``trio.run``; httpx imports its command-line client
(``httpx._main``: click, rich's syntax and progress, pygments) to offer ``httpx.main``.
In an unchanged `digest collect` of 100 feeds they cost about 230M and 70M instructions
(callgrind), a sixth of what the whole command costs without them.
While :func:`deferred_imports` holds, each of them in ``sys.modules`` is a stand-in:
its first attribute looked up imports the real module (a request under trio gets real
trio), and ``httpx.main`` imports the client when called. The stand-ins leave
``sys.modules`` when the block ends: a later import anywhere loads the real module.
This module must not import httpx or httpcore itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from digest.lazy import Deferred, standing_in

_Deferred = Deferred  # the stand-ins' type, as tests look for it


def _httpx_main() -> None:
    """``httpx.main``, httpx's command-line client: its module imported when it runs."""
    importlib.import_module("httpx._main").main()


@contextmanager
def deferred_imports() -> Iterator[None]:
    """Imports in this block of trio (when installed and not yet imported) and of
    ``httpx._main`` (when httpx is not yet imported) get a stand-in."""
    stand_ins: dict[str, _Deferred] = {}
    if "trio" not in sys.modules and importlib.util.find_spec("trio") is not None:
        stand_ins["trio"] = Deferred("trio", "trio, imported on first use")
    if "httpx" not in sys.modules:
        client = Deferred("httpx._main", "httpx's command line, imported on first use")
        client.__dict__["main"] = _httpx_main  # what httpx imports from it
        stand_ins["httpx._main"] = client
    with standing_in(stand_ins):
        yield
