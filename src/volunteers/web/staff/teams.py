"""Teams on the workbench (/staff/teams): list, register, edit, and the members: add by searching volunteers,
make a leader or a member, record a leave.

The pages call what /api/v1/teams calls (`teams.service`), and the member search is the volunteer search of
GET /api/v1/volunteers (`people.service.list_volunteers`). A member's row is named by its membership id in
the path (`…/members/{membership_id}/leave`); the page finds the volunteer it belongs to in this team, and the
service does the rest as for `…/members/{volunteer_id}` in the API.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from litestar import Request, get, post
from litestar.response import Redirect, Template
from msgspec import Struct

from volunteers import db
from volunteers.access import Caller
from volunteers.errors import Conflict, NotFound
from volunteers.fields import PathId, today
from volunteers.people import service as people
from volunteers.teams import service as teams
from volunteers.teams.schemas import LeaveIn, MembershipIn, RolePatch, TeamIn, TeamOut, TeamPatch
from volunteers.teams.tables import Membership
from volunteers.web.staff.frame import Form, StaffPages, fields_of, render, struct_from
from volunteers.web.staff.lists import (
    FORM_REFUSALS,
    PAGE_SIZE,
    AreaFilter,
    Offset,
    Refusal,
    SearchText,
    area_choices,
    paging,
    parse_filters,
    registry_list,
    typed_values,
)
from volunteers.web.staff.volunteers import STATUS_LABELS

TEAM_STATUS_LABELS = {"active": "活动中", "dissolved": "已解散"}
ROLE_LABELS = {"member": "队员", "leader": "队长"}
DONE = {
    "created": "服务队已登记。",
    "saved": "修改已保存。",
    "joined": "已加入服务队。",
    "role": "角色已调整。",
    "left": "已登记退出服务队。",
}
TEAM_FIELDS = ("name", "area_code", "sponsor", "founded_on", "categories")
EDIT_FIELDS = (*TEAM_FIELDS, "status")
MEMBER_FIELDS = ("volunteer_id", "role", "joined_on")
FOUND_AT_MOST = 20  # volunteers a member search shows: enough to pick from, few enough to read
# Categories may be typed several to a box, separated as people write lists.
CATEGORY_SEPARATORS = re.compile(r"[,，、;；\n]+")


class TeamFilters(Struct, forbid_unknown_fields=True):
    """GET /api/v1/teams's query parameters, with its limits."""

    q: SearchText | None = None
    area: AreaFilter | None = None
    status: Literal["active", "dissolved"] | None = None
    offset: Offset = 0


class TeamPageQuery(Struct, forbid_unknown_fields=True):
    """A team page's own query: the member search (`q`, as GET /api/v1/volunteers) and the members' page."""

    q: SearchText | None = None
    offset: Offset = 0


def categories_of(form: Form) -> list[str]:
    """Every category the form names: ticked boxes and typed ones (several to a box), in order, each once."""
    named = [part.strip() for value in form.getall("categories", []) for part in CATEGORY_SEPARATORS.split(str(value))]
    return list(dict.fromkeys(part for part in named if part))


def team_body(form: Form, names: tuple[str, ...]) -> dict[str, Any]:
    """The API's team body from a form: blank fields left out, `categories` as a list."""
    return {**fields_of(form, names), "categories": categories_of(form)}


def team_values(team: TeamOut) -> dict[str, Any]:
    return {
        "name": team.name,
        "area_code": team.area_code,
        "sponsor": team.sponsor,
        "founded_on": team.founded_on.isoformat() if team.founded_on else "",
        "categories": list(team.categories),
        "status": team.status,
    }


def typed_team(form: Form, names: tuple[str, ...]) -> dict[str, Any]:
    return {**typed_values(form, names), "categories": categories_of(form)}


async def category_choices(caller: Caller, chosen: list[str]) -> list[str]:
    """The categories teams of the caller's subtree use, and those chosen: what the form offers to tick."""
    used = [r["category"] for r in await db.fetch("web/team_categories", caller.scope_prefix)]
    return list(dict.fromkeys([*used, *chosen]))


# ---- what the pages show -------------------------------------------------------------------------------


async def form_context(caller: Caller, values: dict[str, Any], error: Refusal | None) -> dict[str, Any]:
    return {
        "values": values,
        "error": error,
        "areas": await area_choices(caller),
        "category_options": await category_choices(caller, values.get("categories", [])),
        "team_statuses": TEAM_STATUS_LABELS,
    }


async def team_context(request: Request[Any, Any, Any], caller: Caller, team_id: int) -> dict[str, Any]:
    """A team's page: its details, a page of its current members, its former ones, and a member search."""
    team = await teams.get_team(caller, team_id)
    query, typed, refusal = parse_filters(request, TeamPageQuery)
    members, total = await teams.list_members(caller, team_id, status="current", limit=PAGE_SIZE, offset=query.offset)
    former, former_total = await teams.list_members(caller, team_id, status="former", limit=PAGE_SIZE, offset=0)
    found: list[Any] = []
    error = Refusal.of(refusal, "search") if refusal else None
    if query.q and error is None:
        try:
            found, _ = await people.list_volunteers(
                caller, q=query.q, area=None, status=None, limit=FOUND_AT_MOST, offset=0
            )
        except FORM_REFUSALS as spent:
            error = Refusal.of(spent, "search")
    joined = {
        r["volunteer"]
        for r in await Membership.select(Membership.volunteer).where(
            (Membership.team == team_id)
            & Membership.left_on.is_null()
            & Membership.volunteer.is_in([v.id for v in found] or [0])
        )
    }
    return {
        "team": team,
        **await form_context(caller, team_values(team), None),
        "members": members,
        "paging": paging(f"/staff/teams/{team_id}", typed, query.offset, len(members), total),
        "former": former,
        "former_total": former_total,
        "q": query.q or "",
        "found": found,
        "joined": joined,
        "volunteer_statuses": STATUS_LABELS,
        "roles": ROLE_LABELS,
        "today": today().isoformat(),
        "error": error,
        "member_values": {},
        "done": None,
    }


async def team_page(request: Request[Any, Any, Any], caller: Caller, team_id: int, **changes: Any) -> Template:
    """The team's page, with `changes` (a refusal and what was typed, a done message) over what it shows."""
    context = {**await team_context(request, caller, team_id), **changes}
    error: Refusal | None = context["error"]
    shown = {"edit", "search"}
    shown |= {f"add{v.id}" for v in context["found"] if v.id not in context["joined"]}
    shown |= {f"m{m.id}" for m in context["members"]}
    # a refusal for a form the page does not show (a member who left meanwhile…) is said at the top
    context["error_at_top"] = error if error is not None and error.form not in shown else None
    return render(request, caller, "team.html", status=error.status if error else 200, **context)


async def open_member(caller: Caller, team_id: int, membership_id: int) -> int:
    """The volunteer whose open membership of this team `membership_id` is; the team must be the caller's to see."""
    await teams.get_team(caller, team_id)  # outside the subtree: 404, before anything about its members
    row = await (
        Membership.select(Membership.volunteer, Membership.left_on)
        .where((Membership.id == membership_id) & (Membership.team == team_id))
        .first()
    )
    if row is None:
        raise NotFound("该服务队没有这条成员记录")
    if row["left_on"] is not None:
        raise Conflict(f"该志愿者已于 {row['left_on']} 退出本队", field="left_on", code="already_left")
    volunteer_id: int = row["volunteer"]
    return volunteer_id


# ---- the pages ------------------------------------------------------------------------------------------


class TeamPages(StaffPages):
    path = "/staff/teams"

    @get("/")
    async def index(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        filters, typed, refusal = parse_filters(request, TeamFilters)
        found: tuple[list[TeamOut], int] = ([], 0)
        if refusal is None:
            found = await teams.list_teams(
                caller, area=filters.area, q=filters.q, status=filters.status, limit=PAGE_SIZE, offset=filters.offset
            )
        error = Refusal.of(refusal) if refusal else None
        context = await registry_list(caller, "/staff/teams", typed, filters.offset, found, error)
        context.update(teams=found[0], team_statuses=TEAM_STATUS_LABELS)
        return render(request, caller, "teams.html", status=refusal.status if refusal else 200, **context)

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        context = await form_context(caller, {"categories": []}, None)
        return render(request, caller, "team_new.html", **context)

    @post("/", status_code=303)
    async def create(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template | Redirect:
        try:
            created = await teams.create_team(caller, struct_from(team_body(form, TEAM_FIELDS), TeamIn))
        except FORM_REFUSALS as refused:
            error = Refusal.of(refused)
            context = await form_context(caller, typed_team(form, TEAM_FIELDS), error)
            return render(request, caller, "team_new.html", status=error.status, **context)
        return Redirect(f"/staff/teams/{created.id}?done=created", status_code=303)

    @get("/{team_id:int}")
    async def show(self, request: Request[Any, Any, Any], caller: Caller, team_id: PathId) -> Template:
        return await team_page(request, caller, team_id, done=DONE.get(request.query_params.get("done") or ""))

    @post("/{team_id:int}", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, team_id: PathId
    ) -> Template | Redirect:
        body = team_body(form, EDIT_FIELDS)
        body.setdefault("founded_on", None)  # an emptied founding date is cleared, as `null` in the API
        for required in ("name", "sponsor", "area_code", "status"):
            body.setdefault(required, "")  # an emptied required field is refused, not left as it was
        try:
            await teams.update_team(caller, team_id, struct_from(body, TeamPatch))
        except FORM_REFUSALS as refused:
            error = Refusal.of(refused, "edit")
            return await team_page(request, caller, team_id, error=error, values=typed_team(form, EDIT_FIELDS))
        return Redirect(f"/staff/teams/{team_id}?done=saved", status_code=303)

    @post("/{team_id:int}/members/add", status_code=303)
    async def add_member(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, team_id: PathId
    ) -> Template | Redirect:
        try:
            await teams.add_member(caller, team_id, struct_from(fields_of(form, MEMBER_FIELDS), MembershipIn))
        except FORM_REFUSALS as refused:
            typed = typed_values(form, MEMBER_FIELDS)
            error = Refusal.of(refused, f"add{typed['volunteer_id']}")
            return await team_page(request, caller, team_id, error=error, member_values=typed)
        return Redirect(f"/staff/teams/{team_id}?done=joined", status_code=303)

    @post("/{team_id:int}/members/{membership_id:int}/role", status_code=303)
    async def change_role(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, team_id: PathId, membership_id: PathId
    ) -> Template | Redirect:
        try:
            volunteer_id = await open_member(caller, team_id, membership_id)
            role = struct_from(fields_of(form, ("role",)), RolePatch)
            await teams.change_role(caller, team_id, volunteer_id, role)
        except FORM_REFUSALS as refused:
            error = Refusal.of(refused, f"m{membership_id}")
            return await team_page(request, caller, team_id, error=error)
        return Redirect(f"/staff/teams/{team_id}?done=role", status_code=303)

    @post("/{team_id:int}/members/{membership_id:int}/leave", status_code=303)
    async def leave(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, team_id: PathId, membership_id: PathId
    ) -> Template | Redirect:
        try:
            volunteer_id = await open_member(caller, team_id, membership_id)
            leave = struct_from(fields_of(form, ("left_on",)), LeaveIn)
            await teams.remove_member(caller, team_id, volunteer_id, leave)
        except FORM_REFUSALS as refused:
            error = Refusal.of(refused, f"m{membership_id}")
            typed = typed_values(form, ("left_on",))
            return await team_page(request, caller, team_id, error=error, member_values=typed)
        return Redirect(f"/staff/teams/{team_id}?done=left", status_code=303)
