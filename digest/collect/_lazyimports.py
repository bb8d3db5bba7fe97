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
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Deferred(types.ModuleType):
    """A stand-in for a module: any attribute but a dunder is the real module's."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # module probes (__file__, __path__) need no import
            raise AttributeError(name)
        if sys.modules.get(self.__name__) is self:  # looked up inside the block
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _httpx_main() -> None:
    """``httpx.main``, httpx's command-line client: its module imported when it runs."""
    importlib.import_module("httpx._main").main()


@contextmanager
def deferred_imports() -> Iterator[None]:
    """Imports in this block of trio (when installed and not yet imported) and of
    ``httpx._main`` (when httpx is not yet imported) get a stand-in."""
    stand_ins: dict[str, _Deferred] = {}
    if "trio" not in sys.modules and importlib.util.find_spec("trio") is not None:
        stand_ins["trio"] = _Deferred("trio", "trio, imported on first use")
    if "httpx" not in sys.modules:
        client = _Deferred("httpx._main", "httpx's command line, imported on first use")
        client.__dict__["main"] = _httpx_main  # what httpx imports from it
        stand_ins["httpx._main"] = client
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
