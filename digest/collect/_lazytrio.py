"""httpcore imported without importing trio, which it loads only to probe for it.

httpcore's synchronisation module runs ``import trio`` when it is imported (if trio is
installed), and uses it only for requests made under ``trio.run``. Importing trio costs
about a fifth of an unchanged `digest collect` of 100 feeds (callgrind). While
:func:`trio_deferred` holds, ``trio`` in ``sys.modules`` is a stand-in whose first
attribute looked up imports the real trio, so a request under trio still gets it; the
stand-in leaves ``sys.modules`` when the block ends, and a later ``import trio``
anywhere loads the real module. This module must not import httpcore or httpx itself.
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
    """A stand-in for ``trio``: any attribute but a dunder is the real module's."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # module probes (__file__, __path__) need no trio
            raise AttributeError(name)
        if sys.modules.get("trio") is self:  # looked up inside the block: the real one now
            del sys.modules["trio"]
        return getattr(importlib.import_module("trio"), name)


@contextmanager
def trio_deferred() -> Iterator[None]:
    """Imports in this block that run ``import trio`` get the stand-in (if trio is
    installed and not yet imported; otherwise nothing changes)."""
    if "trio" in sys.modules or importlib.util.find_spec("trio") is None:
        yield
        return
    stand_in = _Deferred("trio", "trio, imported on first use")
    sys.modules["trio"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("trio") is stand_in:
            del sys.modules["trio"]
