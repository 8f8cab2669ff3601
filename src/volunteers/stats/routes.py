"""Statistics API: definitions, participation, the other views, reconciliation, snapshots, and file exports.

Handlers parse and call: the figure query's parameters come from query.py as one FigureQuery.
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.response import Response

from volunteers.access import Caller
from volunteers.fields import Limit, Offset, PathId
from volunteers.stats import figures, reconcile, snapshots
from volunteers.stats.definitions import DEFAULT_MIN_HOURS, DEFAULT_WINDOW_DAYS, DEFINITIONS, SOURCES, VERSION
from volunteers.stats.outputs import exports
from volunteers.stats.query import (
    DEPENDENCIES,
    AreaQuery,
    FileFormat,
    FromDate,
    FromMonth,
    Group,
    Sources,
    Thresholds,
    ToDate,
    ToMonth,
    split_sources,
)
from volunteers.stats.schemas import (
    ActivityGroupsOut,
    DefinitionsOut,
    FigureQuery,
    MonthlyOut,
    ParticipationOut,
    ReconcileIn,
    ReconcileOut,
    SnapshotIn,
    SnapshotOut,
    SnapshotPage,
    StarsOut,
    TeamsOut,
)
from volunteers.stats.views import activity_groups, monthly_series, parse_thresholds, star_levels, team_figures


class StatsController(Controller):
    path = "/stats"
    tags = ["statistics"]
    dependencies = DEPENDENCIES

    @get("/definitions", summary="Every figure's definition, version and default parameters")
    async def definitions(self) -> DefinitionsOut:
        return DefinitionsOut(
            version=VERSION,
            parameters={"window_days": DEFAULT_WINDOW_DAYS, "min_hours": DEFAULT_MIN_HOURS, "sources": list(SOURCES)},
            definitions=list(DEFINITIONS.values()),
        )

    @get("/participation", summary="Participation figures of an area as of a date (optionally per child area)")
    async def participation(self, caller: Caller, breakdown_query: FigureQuery) -> ParticipationOut:
        return await figures.participation(caller, breakdown_query)

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


class StatsViewsController(Controller):
    path = "/stats"
    tags = ["statistics"]
    dependencies = DEPENDENCIES

    @get("/activities", summary="Activities, participants and hours by category, venue, team or month")
    async def activities(
        self, caller: Caller, area: AreaQuery, start: FromDate, end: ToDate, group: Group, sources: Sources = None
    ) -> ActivityGroupsOut:
        return await activity_groups(caller, area, start, end, group, split_sources(sources))

    @get("/teams", summary="Per team: registered and active members, active rate, members' hours")
    async def teams(self, caller: Caller, figure_query: FigureQuery, limit: Limit = 50, offset: Offset = 0) -> TeamsOut:
        return await team_figures(caller, figure_query, limit, offset)

    @get("/stars", summary="Registered volunteers by star level (cumulative approved hours)")
    async def stars(self, caller: Caller, star_query: FigureQuery, thresholds: Thresholds = None) -> StarsOut:
        return await star_levels(caller, star_query, parse_thresholds(thresholds))

    @get("/monthly", summary="Monthly registrations, registered and active at month end, hours, activities")
    async def monthly(self, caller: Caller, area: AreaQuery, start: FromMonth, end: ToMonth) -> MonthlyOut:
        return await monthly_series(caller, area, start, end)


class StatsExportsController(Controller):
    path = "/stats"
    tags = ["statistics"]
    dependencies = DEPENDENCIES

    @get("/participation/export", summary="Participation figures as XLSX or CSV (same parameters)")
    async def participation(
        self, caller: Caller, breakdown_query: FigureQuery, file_format: FileFormat = "xlsx"
    ) -> Response[bytes]:
        out = await figures.participation(caller, breakdown_query)
        return exports.download(exports.participation_table(out), file_format)

    @get("/teams/export", summary="The per-team view, every team, as XLSX or CSV")
    async def teams(
        self, caller: Caller, figure_query: FigureQuery, file_format: FileFormat = "xlsx"
    ) -> Response[bytes]:
        out = await team_figures(caller, figure_query)
        return exports.download(exports.teams_table(out), file_format)

    @get("/activities/export", summary="An activity grouping as XLSX or CSV")
    async def activities(
        self,
        caller: Caller,
        area: AreaQuery,
        start: FromDate,
        end: ToDate,
        group: Group,
        file_format: FileFormat = "xlsx",
        sources: Sources = None,
    ) -> Response[bytes]:
        out = await activity_groups(caller, area, start, end, group, split_sources(sources))
        return exports.download(exports.activities_table(out), file_format)

    @get("/stars/export", summary="Star levels as XLSX or CSV")
    async def stars(
        self, caller: Caller, star_query: FigureQuery, file_format: FileFormat = "xlsx", thresholds: Thresholds = None
    ) -> Response[bytes]:
        out = await star_levels(caller, star_query, parse_thresholds(thresholds))
        return exports.download(exports.stars_table(out), file_format)

    @get("/monthly/export", summary="The monthly series as XLSX or CSV")
    async def monthly(
        self, caller: Caller, area: AreaQuery, start: FromMonth, end: ToMonth, file_format: FileFormat = "xlsx"
    ) -> Response[bytes]:
        out = await monthly_series(caller, area, start, end)
        return exports.download(exports.monthly_table(out), file_format)


CONTROLLERS = [StatsController, StatsViewsController, StatsExportsController]
