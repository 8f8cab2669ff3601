"""Statistics API, continued: activity groupings, per team, star levels, months, and file exports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Controller, get
from litestar.params import Parameter
from litestar.response import Response

from volunteers.access import Caller
from volunteers.fields import Limit, Offset
from volunteers.stats import exports, service, views
from volunteers.stats.definitions import DEFAULT_MIN_HOURS, DEFAULT_WINDOW_DAYS
from volunteers.stats.query import AreaQuery, AsOf, MinHours, Sources, WindowDays, split_sources
from volunteers.stats.view_schemas import ActivityGroupsOut, MonthlyOut, StarsOut, TeamsOut

FromDate = Annotated[date, Parameter(query="from", description="first day, YYYY-MM-DD")]
ToDate = Annotated[date, Parameter(query="to", description="last day, YYYY-MM-DD (inclusive)")]
FromMonth = Annotated[str, Parameter(query="from", min_length=1, max_length=7, description="YYYY-MM")]
ToMonth = Annotated[str, Parameter(query="to", min_length=1, max_length=7, description="YYYY-MM")]
Group = Literal["category", "venue", "team", "month"]
Thresholds = Annotated[
    str | None, Parameter(max_length=100, description="star thresholds in hours, e.g. 100,300,600,1000,1500")
]
Breakdown = Literal["children"] | None
FileFormat = Annotated[Literal["xlsx", "csv"], Parameter(query="format")]


class StatsViewsController(Controller):
    path = "/stats"
    tags = ["statistics"]

    @get("/activities", summary="Activities, participants and hours by category, venue, team or month")
    async def activities(
        self, caller: Caller, area: AreaQuery, start: FromDate, end: ToDate, group: Group, sources: Sources = None
    ) -> ActivityGroupsOut:
        return await views.activity_groups(caller, area, start, end, group, split_sources(sources))

    @get("/teams", summary="Per team: registered and active members, active rate, members' hours")
    async def teams(
        self,
        caller: Caller,
        area: AreaQuery,
        as_of: AsOf,
        window_days: WindowDays = DEFAULT_WINDOW_DAYS,
        min_hours: MinHours = DEFAULT_MIN_HOURS,
        sources: Sources = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> TeamsOut:
        return await views.teams(
            caller,
            area,
            as_of,
            window_days=window_days,
            min_hours=min_hours,
            sources=split_sources(sources),
            limit=limit,
            offset=offset,
        )

    @get("/stars", summary="Registered volunteers by star level (cumulative approved hours)")
    async def stars(
        self,
        caller: Caller,
        area: AreaQuery,
        as_of: AsOf,
        thresholds: Thresholds = None,
        sources: Sources = None,
        breakdown: Breakdown = None,
    ) -> StarsOut:
        return await views.stars(
            caller,
            area,
            as_of,
            thresholds=views.parse_thresholds(thresholds),
            sources=split_sources(sources),
            breakdown=breakdown == "children",
        )

    @get("/monthly", summary="Monthly registrations, registered and active at month end, hours, activities")
    async def monthly(self, caller: Caller, area: AreaQuery, start: FromMonth, end: ToMonth) -> MonthlyOut:
        return await views.monthly(caller, area, start, end)


class StatsExportsController(Controller):
    path = "/stats"
    tags = ["statistics"]

    @get("/participation/export", summary="Participation figures as XLSX or CSV (same parameters)")
    async def participation(
        self,
        caller: Caller,
        area: AreaQuery,
        as_of: AsOf,
        file_format: FileFormat = "xlsx",
        window_days: WindowDays = DEFAULT_WINDOW_DAYS,
        min_hours: MinHours = DEFAULT_MIN_HOURS,
        sources: Sources = None,
        breakdown: Breakdown = None,
    ) -> Response[bytes]:
        out = await service.participation(
            caller,
            area,
            as_of,
            window_days=window_days,
            min_hours=min_hours,
            sources=split_sources(sources),
            breakdown=breakdown == "children",
        )
        return exports.download(exports.participation_table(out), file_format)

    @get("/teams/export", summary="The per-team view, every team, as XLSX or CSV")
    async def teams(
        self,
        caller: Caller,
        area: AreaQuery,
        as_of: AsOf,
        file_format: FileFormat = "xlsx",
        window_days: WindowDays = DEFAULT_WINDOW_DAYS,
        min_hours: MinHours = DEFAULT_MIN_HOURS,
        sources: Sources = None,
    ) -> Response[bytes]:
        out = await views.teams(
            caller, area, as_of, window_days=window_days, min_hours=min_hours, sources=split_sources(sources)
        )
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
        out = await views.activity_groups(caller, area, start, end, group, split_sources(sources))
        return exports.download(exports.activities_table(out), file_format)

    @get("/stars/export", summary="Star levels as XLSX or CSV")
    async def stars(
        self,
        caller: Caller,
        area: AreaQuery,
        as_of: AsOf,
        file_format: FileFormat = "xlsx",
        thresholds: Thresholds = None,
        sources: Sources = None,
        breakdown: Breakdown = None,
    ) -> Response[bytes]:
        out = await views.stars(
            caller,
            area,
            as_of,
            thresholds=views.parse_thresholds(thresholds),
            sources=split_sources(sources),
            breakdown=breakdown == "children",
        )
        return exports.download(exports.stars_table(out), file_format)

    @get("/monthly/export", summary="The monthly series as XLSX or CSV")
    async def monthly(
        self, caller: Caller, area: AreaQuery, start: FromMonth, end: ToMonth, file_format: FileFormat = "xlsx"
    ) -> Response[bytes]:
        out = await views.monthly(caller, area, start, end)
        return exports.download(exports.monthly_table(out), file_format)


CONTROLLERS = [StatsViewsController, StatsExportsController]
