"""Volunteers on the workbench (/staff/volunteers): find, register, view, edit, suspend, withdraw, reinstate.

Every page calls what GET/POST/PATCH /api/v1/volunteers call (`people.service`), so a search finds, masks and
audits exactly as the API does for the caller, and a form is refused with the API's message. Forms post to
the paths the API uses, under /staff: the list takes a new volunteer, a volunteer's page takes their changes,
and each status change has its own action (`…/suspend`, `…/withdraw`, `…/reinstate`). No page shows any
character of an ID-card number: only whether one is on file (已登记 / 未登记).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from litestar import Request, get, post
from litestar.response import Redirect, Template
from msgspec import Struct

from volunteers import db
from volunteers.access import Caller
from volunteers.errors import TooManyAttempts
from volunteers.fields import PathId, today
from volunteers.people import service as people
from volunteers.people.schemas import ReinstateIn, StatusChangeIn, VolunteerIn, VolunteerOut, VolunteerPatch
from volunteers.teams import teams_of_volunteer
from volunteers.web.staff.frame import Form, StaffPages, fields_of, local, render, struct_from
from volunteers.web.staff.lists import (
    FORM_REFUSALS,
    PAGE_SIZE,
    AreaFilter,
    Offset,
    Refusal,
    SearchText,
    area_choices,
    area_names,
    nested,
    parse_filters,
    registry_list,
    typed_values,
)

STATUS_LABELS = {"active": "在册", "suspended": "暂停", "withdrawn": "已退出"}
GENDER_LABELS = {"male": "男", "female": "女"}
SOURCE_LABELS = {"checkin": "扫码签到", "manual": "补录"}
RECORD_STATUS_LABELS = {"pending": "待审核", "approved": "已通过", "rejected": "未通过"}
DONE = {
    "created": "志愿者已登记。",
    "saved": "修改已保存。",
    "unchanged": "没有修改任何内容。",
    "suspend": "已暂停该志愿者。",
    "withdraw": "已登记该志愿者退出。",
    "reinstate": "该志愿者已恢复在册。",
}
# Actions each status allows (the service refuses the others with its own message).
ACTIONS = {"active": ("suspend", "withdraw"), "suspended": ("reinstate", "withdraw"), "withdrawn": ("reinstate",)}
RECENT_RECORDS = 10

NEW_FIELDS = (
    "name",
    "phone",
    "area_code",
    "id_number",
    "gender",
    "birth_date",
    "registered_on",
    "consent_on",
    "guardian.name",
    "guardian.phone",
    "guardian.consent_on",
)
EDIT_FIELDS = tuple(f for f in NEW_FIELDS if f not in ("registered_on", "consent_on"))  # fixed once registered
STATUS_FIELDS = ("on", "reason")


class VolunteerFilters(Struct, forbid_unknown_fields=True):
    """GET /api/v1/volunteers's query parameters, with its limits."""

    q: SearchText | None = None
    area: AreaFilter | None = None
    status: Literal["active", "suspended", "withdrawn"] | None = None
    offset: Offset = 0


# ---- what the pages show -------------------------------------------------------------------------------


async def volunteer_list(request: Request[Any, Any, Any], caller: Caller) -> tuple[dict[str, Any], int]:
    """The list page for the query string's filters, and its status (a refused filter or lookup: not 200)."""
    filters, typed, refusal = parse_filters(request, VolunteerFilters)
    found: tuple[list[VolunteerOut], int] = ([], 0)
    error = Refusal.of(refusal) if refusal else None
    if error is None:
        try:
            found = await people.list_volunteers(
                caller,
                q=filters.q,
                area=filters.area,
                status=filters.status,
                limit=PAGE_SIZE,
                offset=filters.offset,
            )
        except TooManyAttempts as spent:
            error = Refusal.of(spent)
    shown = dict(typed)
    if looks_like_id_number(shown.get("q", "")):
        shown["q"] = ""  # searched by, never shown back: no page shows an ID number, not even the one typed
    context = {
        **await registry_list(caller, "/staff/volunteers", typed, filters.offset, found, error),
        "typed": shown,
        "id_search": shown != typed,
        "volunteers": found[0],
        "statuses": STATUS_LABELS,
    }
    return context, error.status if error else 200


def looks_like_id_number(term: str) -> bool:
    """18 characters of digits (the last may be X): an ID-card number's shape, whether or not it is valid."""
    return len(term) == 18 and term[:17].isdigit() and (term[17].isdigit() or term[17] in "xX")


def form_values(volunteer: VolunteerOut) -> dict[str, str]:
    """A volunteer as the edit form shows them (every value as typed text; never any ID number)."""
    guardian = volunteer.guardian
    return {
        "name": volunteer.name,
        "phone": volunteer.phone,
        "area_code": volunteer.area_code,
        "id_number": "",
        "gender": volunteer.gender or "",
        "birth_date": volunteer.birth_date.isoformat() if volunteer.birth_date else "",
        "guardian.name": guardian.name if guardian else "",
        "guardian.phone": guardian.phone if guardian else "",
        "guardian.consent_on": guardian.consent_on.isoformat() if guardian and guardian.consent_on else "",
    }


async def volunteer_context(caller: Caller, volunteer_id: int) -> dict[str, Any]:
    """A volunteer's page: who they are, their teams and their hours, as the caller may see them."""
    volunteer = await people.get_volunteer(caller, volunteer_id)
    teams, _ = await teams_of_volunteer(caller, volunteer_id, status="all", limit=50, offset=0)
    hours = {r["status"]: r for r in await db.fetch("web/volunteer_hours", caller.scope_prefix, volunteer_id)}
    records = await db.fetch("web/volunteer_records", caller.scope_prefix, volunteer_id, RECENT_RECORDS)
    areas = await area_choices(caller)
    return {
        "v": volunteer,
        "teams": teams,
        "hours": {status: {"records": row["records"], "hours": row["minutes"] / 60} for status, row in hours.items()},
        "records": [{**dict(r), "started": local(r["started_at"])} for r in records],
        "areas": areas,
        "area_names": area_names(areas),
        "actions": ACTIONS[volunteer.status],
        "today": today().isoformat(),
        "values": form_values(volunteer),
        "action_values": {},
        "statuses": STATUS_LABELS,
        "genders": GENDER_LABELS,
        "sources": SOURCE_LABELS,
        "record_statuses": RECORD_STATUS_LABELS,
        "error": None,
        "done": None,
    }


async def volunteer_page(
    request: Request[Any, Any, Any], caller: Caller, volunteer_id: int, status: int = 200, **changes: Any
) -> Template:
    context = await volunteer_context(caller, volunteer_id)
    return render(request, caller, "volunteer.html", status=status, **{**context, **changes})


async def new_page(
    request: Request[Any, Any, Any], caller: Caller, values: dict[str, str], error: Refusal | None = None
) -> Template:
    context = {"values": values, "areas": await area_choices(caller), "genders": GENDER_LABELS, "error": error}
    return render(request, caller, "volunteer_new.html", status=error.status if error else 200, **context)


# ---- what a form asks for, as the API's request body ------------------------------------------------------


def new_volunteer(form: Form) -> VolunteerIn:
    """POST /api/v1/volunteers's body from the registration form (blank fields left out, as the API allows)."""
    return struct_from(nested(fields_of(form, NEW_FIELDS), "guardian"), VolunteerIn)


def volunteer_changes(typed: dict[str, str], current: dict[str, str]) -> dict[str, Any]:
    """PATCH /api/v1/volunteers/{id}'s body: only what differs from the volunteer as they are now.

    An emptied gender, birth date or guardian is cleared (null); an empty ID-number field keeps the one on file
    (the page never shows it, so empty means "not changing it"); an emptied name, phone or area is refused.
    """
    changed = {name: value for name, value in typed.items() if value != current.get(name, "")}
    body: dict[str, Any] = {}
    for name, value in changed.items():
        if name == "id_number":
            if value:
                body[name] = value
        elif name in ("gender", "birth_date"):
            body[name] = value or None
        elif not name.startswith("guardian."):
            body[name] = value
    guardian = {k: v for k, v in typed.items() if k.startswith("guardian.")}
    if any(k.startswith("guardian.") for k in changed):
        filled = {k.removeprefix("guardian."): v for k, v in guardian.items() if v}
        body["guardian"] = filled or None
    return body


# ---- the pages ------------------------------------------------------------------------------------------


class VolunteerPages(StaffPages):
    path = "/staff/volunteers"

    @get("/")
    async def index(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        context, status = await volunteer_list(request, caller)
        return render(request, caller, "volunteers.html", status=status, **context)

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        values = {"registered_on": today().isoformat(), "consent_on": today().isoformat()}
        return await new_page(request, caller, values)

    @post("/", status_code=303)
    async def create(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template | Redirect:
        try:
            created = await people.register_volunteer(caller, new_volunteer(form))
        except FORM_REFUSALS as refused:
            return await new_page(request, caller, typed_values(form, NEW_FIELDS), Refusal.of(refused))
        return Redirect(f"/staff/volunteers/{created.id}?done=created", status_code=303)

    @get("/{volunteer_id:int}")
    async def show(self, request: Request[Any, Any, Any], caller: Caller, volunteer_id: PathId) -> Template:
        done = DONE.get(request.query_params.get("done") or "")
        return await volunteer_page(request, caller, volunteer_id, done=done)

    @post("/{volunteer_id:int}", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, volunteer_id: PathId
    ) -> Template | Redirect:
        typed = typed_values(form, EDIT_FIELDS)
        current = form_values(await people.get_volunteer(caller, volunteer_id))
        body = volunteer_changes(typed, current)
        if not body:
            return Redirect(f"/staff/volunteers/{volunteer_id}?done=unchanged", status_code=303)
        try:
            await people.update_volunteer(caller, volunteer_id, struct_from(body, VolunteerPatch))
        except FORM_REFUSALS as refused:
            error = Refusal.of(refused, "edit")
            return await volunteer_page(request, caller, volunteer_id, error.status, error=error, values=typed)
        return Redirect(f"/staff/volunteers/{volunteer_id}?done=saved", status_code=303)

    @post("/{volunteer_id:int}/suspend", status_code=303)
    async def suspend(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, volunteer_id: PathId
    ) -> Template | Redirect:
        return await status_action(request, caller, form, volunteer_id, "suspend")

    @post("/{volunteer_id:int}/withdraw", status_code=303)
    async def withdraw(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, volunteer_id: PathId
    ) -> Template | Redirect:
        return await status_action(request, caller, form, volunteer_id, "withdraw")

    @post("/{volunteer_id:int}/reinstate", status_code=303)
    async def reinstate(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, volunteer_id: PathId
    ) -> Template | Redirect:
        return await status_action(request, caller, form, volunteer_id, "reinstate")


async def status_action(
    request: Request[Any, Any, Any],
    caller: Caller,
    form: Form,
    volunteer_id: int,
    action: Literal["suspend", "withdraw", "reinstate"],
) -> Template | Redirect:
    """Suspend, withdraw or reinstate with the API's body (`on`, and `reason` for the first two)."""
    try:
        on: date | None
        if action == "reinstate":
            on = struct_from(fields_of(form, ("on",)), ReinstateIn).on
            await people.change_status(caller, volunteer_id, action, on)
        else:
            change = struct_from(fields_of(form, STATUS_FIELDS), StatusChangeIn)
            await people.change_status(caller, volunteer_id, action, change.on, change.reason)
    except FORM_REFUSALS as refused:
        error = Refusal.of(refused, action)
        typed = typed_values(form, STATUS_FIELDS)
        return await volunteer_page(request, caller, volunteer_id, error.status, error=error, action_values=typed)
    return Redirect(f"/staff/volunteers/{volunteer_id}?done={action}", status_code=303)
