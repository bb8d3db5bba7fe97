"""`digest approve, unapprove: an edition's editorial status`."""

from __future__ import annotations
