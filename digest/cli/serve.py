"""`digest serve, editors: the web desk and subscriber endpoints`."""

from __future__ import annotations
