"""The counts behind the participation figures: from the derived tables when they answer, else the records.

Both paths give the same numbers (tests/stats/test_fast_path.py); the derived tables are the
fast one, the direct query (COUNT DISTINCT over the records) answers any parameters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from volunteers import db
from volunteers.stats.refresh import precomputed
from volunteers.stats.schemas import Parameters
from volunteers.stats.targets import Target


def min_minutes(p: Parameters) -> int:
    """The minimum hours of an active volunteer's record, in whole minutes as the records store them."""
    return int(Decimal(str(p.min_hours)) * 60)


async def counts(targets: list[Target], p: Parameters) -> dict[tuple[int, bool], dict[str, int]]:
    """registered, active, minutes, participants per target: precomputed when the parameters allow."""
    if precomputed(p):
        rows = await db.fetch(
            "stats/participation",
            [t.id for t in targets],
            p.window_end,
            p.window_start,
            p.sources,
            [t.own for t in targets],
        )
        return {(r["area_id"], r["own"]): dict(r) for r in rows}
    return {(t.id, t.own): await reference_counts(t, p) for t in targets}


async def reference_counts(target: Target, p: Parameters) -> dict[str, int]:
    """The four record-based figures straight from the records (COUNT DISTINCT)."""
    pattern = target.path if target.own else target.subtree
    row = await db.fetchrow("stats/reference", pattern, p.window_end, p.window_start, min_minutes(p), p.sources)
    assert row is not None
    return dict(row)


async def structure(targets: list[Target], p: Parameters) -> dict[tuple[int, bool], dict[str, Any]]:
    """Population, teams, team coverage and activities per target."""
    rows = await db.fetch(
        "stats/structure", [t.id for t in targets], p.window_end, p.window_start, [t.own for t in targets]
    )
    return {(r["area_id"], r["own"]): dict(r) for r in rows}
