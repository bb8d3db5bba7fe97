"""Scheduler state: one row per list x slot x action (built, sent, skipped, missed)."""

from __future__ import annotations

from digest.store._base import Base


class ScheduleMixin(Base):
    pass
