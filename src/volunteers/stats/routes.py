"""Statistics API: definitions, participation, reconciliation, snapshots."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, post

from volunteers.access import Caller
from volunteers.fields import Limit, Offset, PathId
from volunteers.stats import reconcile, service, snapshots, views_routes
from volunteers.stats.definitions import DEFAULT_MIN_HOURS, DEFAULT_WINDOW_DAYS, DEFINITIONS, SOURCES, VERSION
from volunteers.stats.query import AreaQuery, AsOf, MinHours, Sources, WindowDays, split_sources
from volunteers.stats.schemas import (
    DefinitionsOut,
    ParticipationOut,
    ReconcileIn,
    ReconcileOut,
    SnapshotIn,
    SnapshotOut,
    SnapshotPage,
)


class StatsController(Controller):
    path = "/stats"
    tags = ["statistics"]

    @get("/definitions", summary="Every figure's definition, version and default parameters")
    async def definitions(self) -> DefinitionsOut:
        return DefinitionsOut(
            version=VERSION,
            parameters={"window_days": DEFAULT_WINDOW_DAYS, "min_hours": DEFAULT_MIN_HOURS, "sources": list(SOURCES)},
            definitions=list(DEFINITIONS.values()),
        )

    @get("/participation", summary="Participation figures of an area as of a date (optionally per child area)")
    async def participation(
        self,
        caller: Caller,
        area: AreaQuery,
        as_of: AsOf,
        window_days: WindowDays = DEFAULT_WINDOW_DAYS,
        min_hours: MinHours = DEFAULT_MIN_HOURS,
        sources: Sources = None,
        breakdown: Literal["children"] | None = None,
    ) -> ParticipationOut:
        return await service.participation(
            caller,
            area,
            as_of,
            window_days=window_days,
            min_hours=min_hours,
            sources=split_sources(sources),
            breakdown=breakdown == "children",
        )

    @post("/reconcile", status_code=200, opt={"any_role": True}, summary="Compare published figures with records")
    async def reconcile(self, caller: Caller, data: ReconcileIn) -> ReconcileOut:
        return await reconcile.reconcile(caller, data)

    @post("/snapshots", summary="Freeze figures, parameters and definitions under a title (staff and admins)")
    async def create_snapshot(self, caller: Caller, data: SnapshotIn) -> SnapshotOut:
        return await snapshots.create(caller, data)

    @get("/snapshots", summary="Snapshots of areas in your subtree")
    async def list_snapshots(self, caller: Caller, limit: Limit = 50, offset: Offset = 0) -> SnapshotPage:
        return await snapshots.listing(caller, limit, offset)

    @get("/snapshots/{snapshot_id:int}", summary="One snapshot, exactly as frozen")
    async def show_snapshot(self, caller: Caller, snapshot_id: PathId) -> SnapshotOut:
        return await snapshots.fetch(caller, snapshot_id)


CONTROLLERS = [StatsController, *views_routes.CONTROLLERS]
