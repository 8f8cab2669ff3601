"""The one place the app reads the time, so tests can stand at a window's edge."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current instant (timezone-aware, UTC)."""
    return datetime.now(UTC)
