"""Exports on the workbench (/staff/exports): each of the API's exports (volunteers, teams, memberships,
activities, service records) as a plain GET form with its filters, answered by `/staff/exports/{kind}` with
the file the API's export gives for the same filters (the same `transfer.exports` functions and scope).
Query fields carry the API's names (`format`, `area`, `status`, `q`, `team`, `venue`, `category`, `from`,
`to`, `activity`, `source`); teams, venues, categories and activities are picked from lists, not typed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, get
from litestar.response import Response, Template
from msgspec import Meta, Struct

from volunteers.access import Caller
from volunteers.activities.categories import list_categories
from volunteers.activities.schemas import Status as ActivityStatus
from volunteers.activities.service import STATUS_LABELS, list_activities
from volunteers.errors import Invalid
from volunteers.fields import AreaCode, Id
from volunteers.people.schemas import Status as VolunteerStatus
from volunteers.teams.schemas import MemberStatus, TeamStatus
from volunteers.teams.service import list_teams
from volunteers.transfer import exports
from volunteers.transfer.schemas import FileFormat
from volunteers.venues.service import list_venues
from volunteers.web.staff.areas import area_options
from volunteers.web.staff.frame import StaffPages, local, render, struct_from
from volunteers.web.staff.imports import attachment

Search = Annotated[str, Meta(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
Category = Annotated[str, Meta(max_length=50)]
PICKED = 300  # teams, venues and activities offered in a picker (activities: the latest)


class Filters(Struct, forbid_unknown_fields=False):
    """Every export's filters but `status` (checked per kind): each export reads the ones the API's export
    of that kind takes."""

    format: FileFormat = "xlsx"
    area: AreaCode | None = None
    q: Search | None = None
    team: Id | None = None
    venue: Id | None = None
    activity: Id | None = None
    category: Category | None = None
    from_: date | None = msgspec.field(default=None, name="from")
    to: date | None = None
    source: Literal["checkin", "manual"] | None = None


STATUSES: dict[str, Any] = {
    "volunteers": VolunteerStatus,
    "teams": TeamStatus,
    "memberships": MemberStatus,
    "activities": ActivityStatus,
    "service-records": Literal["pending", "approved", "rejected"],
}
# The status filter of each export, as its picker offers it.
STATUS_OPTIONS = {
    "volunteers": {"active": "在册", "suspended": "暂停", "withdrawn": "退出"},
    "teams": {"active": "活跃", "dissolved": "已解散"},
    "memberships": {"all": "现任和曾任", "current": "现任", "former": "曾任（已离队）"},
    "activities": STATUS_LABELS,
    "service-records": {"pending": "待审核", "approved": "已通过", "rejected": "已驳回"},
}
FIELDS = ("format", "area", "q", "team", "venue", "activity", "category", "status", "from", "to", "source")


def _filters(query: Any, kind: str) -> tuple[Filters, str | None]:
    """The export's filters from the query string (blank ones left out), and its status checked for the kind."""
    data = {name: v.strip() for name in FIELDS if isinstance(v := query.get(name), str) and v.strip()}
    status = data.pop("status", None)
    filters = struct_from(data, Filters)
    if status is not None:
        try:
            msgspec.convert(status, STATUSES[kind])
        except msgspec.ValidationError:
            raise Invalid(
                f"状态（status）{status[:20]} 不是可选的状态", field="status", code="invalid_status"
            ) from None
    return filters, status


async def _rows(caller: Caller, kind: str, f: Filters, status: str | None) -> list[list[Any]]:
    """The rows of the API's export of `kind` for these filters."""
    if kind == "volunteers":
        return await exports.volunteer_rows(caller, area=f.area, status=status, q=f.q)
    if kind == "teams":
        return await exports.team_rows(caller, area=f.area, status=status, q=f.q)
    if kind == "memberships":
        return await exports.membership_rows(
            caller, area=f.area, team=f.team, status=None if status in (None, "all") else status
        )
    if kind == "activities":
        return await exports.activity_rows(
            caller,
            area=f.area,
            team=f.team,
            venue=f.venue,
            category=f.category,
            status=status,
            from_=f.from_,
            to=f.to,
        )
    return await exports.record_rows(
        caller, area=f.area, activity=f.activity, volunteer=None, status=status, source=f.source, from_=f.from_, to=f.to
    )


class ExportPages(StaffPages):
    @get("/staff/exports")
    async def index(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        return await self._page(request, caller)

    @get("/staff/exports/{kind:str}")
    async def download(self, request: Request[Any, Any, Any], caller: Caller, kind: str) -> Template | Response[bytes]:
        if kind not in STATUSES:
            return await self._page(request, caller, error=f"没有 {kind[:40]} 这种导出", status=404)
        try:
            filters, status = _filters(request.query_params, kind)
            rows = await _rows(caller, kind, filters, status)
            file = await exports.export_file(kind, rows, filters.format, filters.area)
        except Invalid as refused:
            typed = {name: str(request.query_params.get(name, ""))[:100] for name in FIELDS}
            return await self._page(request, caller, error=refused.message, kind=kind, typed=typed, status=422)
        return attachment(file.content, file.media_type, file.filename)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        caller: Caller,
        *,
        error: str | None = None,
        kind: str | None = None,
        typed: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        teams, _ = await list_teams(caller, area=None, q=None, status=None, limit=PICKED, offset=0)
        venues, _ = await list_venues(caller, area=None, kind=None, q=None, limit=PICKED, offset=0)
        activities, _ = await list_activities(
            caller,
            area=None,
            team=None,
            venue=None,
            category=None,
            status=None,
            from_=None,
            to=None,
            limit=PICKED,
            offset=0,
        )
        return render(
            request,
            caller,
            "exports.html",
            status=status,
            areas=await area_options(caller),
            teams=teams,
            venues=venues,
            categories=await list_categories(include_inactive=True),
            activities=[{"id": a.id, "label": f"{local(a.starts_at)[:10]} {a.title}"} for a in activities],
            statuses=STATUS_OPTIONS,
            error=error,
            failed=kind,
            typed=typed or {},
        )
