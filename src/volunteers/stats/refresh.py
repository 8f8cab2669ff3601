"""Keeping the derived tables fresh, and which queries they answer.

Triggers mark every volunteer a write touches (sql/stats/triggers.sql); `stats_refresh()`
recomputes what the marked volunteers contribute to the per-area tables. Every read that
uses those tables refreshes first, so an answer never misses a write committed before it.
"""

from __future__ import annotations

from volunteers import db
from volunteers.stats.definitions import DEFAULT_MIN_HOURS, DEFAULT_WINDOW_DAYS, SOURCES
from volunteers.stats.schemas import Parameters

# Volunteers recomputed per transaction: after a bulk import the refresh commits as it goes, each
# batch well inside the command timeout, and other readers take their turn between batches.
REFRESH_BATCH = 10_000


async def refresh() -> int:
    """Bring the derived tables up to date with every write so far; returns volunteers refreshed."""
    total = 0
    async with db.connection() as conn:
        while True:
            refreshed: int = await conn.fetchval(db.sql("stats/refresh"), REFRESH_BATCH)
            total += refreshed
            if refreshed < REFRESH_BATCH:  # it took every mark there was: writes made meanwhile are not waited for
                return total


def precomputed(p: Parameters) -> bool:
    """Whether the derived tables answer these parameters (the default definition of active)."""
    return p.window_days == DEFAULT_WINDOW_DAYS and p.min_hours == DEFAULT_MIN_HOURS and p.sources == sorted(SOURCES)
