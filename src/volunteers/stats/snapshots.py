"""Snapshots: figures frozen with their parameters, inputs and definitions, never recomputed."""

from __future__ import annotations

from typing import Any

import msgspec

from volunteers import access, audit
from volunteers.access import Caller
from volunteers.stats.definitions import DEFINITIONS
from volunteers.stats.figures import participation
from volunteers.stats.schemas import (
    ParticipationOut,
    ReconcileParameters,
    SnapshotIn,
    SnapshotOut,
    SnapshotPage,
    SnapshotSummary,
)
from volunteers.stats.tables import StatsSnapshot
from volunteers.stats.targets import readable_area


async def create(caller: Caller, data: SnapshotIn) -> SnapshotOut:
    """Compute the figures now and store them, with the definitions' texts, for good."""
    area = await readable_area(caller, data.area)
    p = data.parameters or ReconcileParameters()
    figures = await participation(caller, p.query(data.area, data.as_of, breakdown=data.breakdown))
    body = {
        "participation": msgspec.to_builtins(figures),
        "definitions": msgspec.to_builtins(list(DEFINITIONS.values())),
    }
    async with StatsSnapshot._meta.db.transaction():
        rows = await StatsSnapshot.insert(
            StatsSnapshot(
                title=data.title,
                area_code=area.code,
                area_path=area.path,
                as_of=data.as_of,
                created_by=caller.user_id,
                body=msgspec.json.encode(body).decode(),
            )
        ).returning(StatsSnapshot.id)
        snapshot_id = rows[0]["id"]
        await audit.record(
            caller,
            "create",
            "stats_snapshot",
            snapshot_id,
            area_id=area.id,
            after={"title": data.title, "as_of": data.as_of.isoformat(), "area": area.code},
        )
    return await fetch(caller, snapshot_id)


def _out(row: dict[str, Any]) -> SnapshotOut:
    body = row["body"] if isinstance(row["body"], dict) else msgspec.json.decode(row["body"])
    return SnapshotOut(
        id=row["id"],
        title=row["title"],
        area_code=row["area_code"],
        as_of=row["as_of"],
        created_at=row["created_at"],
        created_by=row["username"],
        participation=msgspec.convert(body["participation"], ParticipationOut),
    )


async def fetch(caller: Caller, snapshot_id: int) -> SnapshotOut:
    """One snapshot of an area in the caller's subtree."""
    row = await (
        StatsSnapshot.select(*StatsSnapshot.all_columns(), StatsSnapshot.created_by.username.as_alias("username"))
        .where(StatsSnapshot.id == snapshot_id)
        .first()
    )
    return _out(access.readable(caller, row, "快照不存在"))


async def listing(caller: Caller, limit: int, offset: int) -> SnapshotPage:
    """Snapshots in the caller's subtree, newest first."""
    where = StatsSnapshot.area_path.like(caller.scope_prefix)
    rows = (
        await StatsSnapshot.select(
            StatsSnapshot.id,
            StatsSnapshot.title,
            StatsSnapshot.area_code,
            StatsSnapshot.as_of,
            StatsSnapshot.created_at,
        )
        .where(where)
        .order_by(StatsSnapshot.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return SnapshotPage(items=[SnapshotSummary(**r) for r in rows], total=await StatsSnapshot.count().where(where))


__all__ = ["create", "fetch", "listing"]
