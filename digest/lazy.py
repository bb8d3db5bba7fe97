"""Stand-ins for modules that a library imports only just in case.

Some libraries import a heavy module at their own import for a feature digest seldom or
never uses (httpcore probes trio; premailer imports requests to fetch external style
sheets). While :func:`standing_in` holds, such a module in ``sys.modules`` is a
:class:`Deferred`: its first attribute looked up imports the real module. The stand-ins
leave ``sys.modules`` when the block ends, so a later import anywhere loads the real
module. A leaf: this module imports nothing of digest.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class Deferred(types.ModuleType):
    """A stand-in for a module: any attribute but a dunder is the real module's."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # module probes (__file__, __path__) need no import
            raise AttributeError(name)
        if sys.modules.get(self.__name__) is self:  # looked up inside the block
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


@contextmanager
def standing_in(stand_ins: Mapping[str, Deferred]) -> Iterator[None]:
    """Imports in this block of these modules (those not imported yet) get the stand-in."""
    placed = {name: mod for name, mod in stand_ins.items() if name not in sys.modules}
    sys.modules.update(placed)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
