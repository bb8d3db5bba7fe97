"""`digest schedule, run: the scheduler`."""

from __future__ import annotations
