"""Activities on the workbench: the list (/staff/activities), a new one (/staff/activities/new), and each one's
page (/staff/activities/{id}) with its form, its actions (publish, cancel, complete) and its check-in code (the
link, the QR, the poster, rotating it). Every change is the API's service call; this module only reads forms."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from volunteers import db
from volunteers.access import Caller
from volunteers.activities import service
from volunteers.activities.schemas import ActivityIn, CancelIn
from volunteers.checkin import service as checkin
from volunteers.errors import Conflict, Invalid
from volunteers.fields import PathId
from volunteers.web.staff.activity_form import blank, choices, create_request, patch_request, shown, typed
from volunteers.web.staff.activity_list import list_context, span
from volunteers.web.staff.frame import Form, StaffPages, fields_of, local, render, struct_from

Page = Template | Redirect

# ?done=… after an action: what the activity page says happened.
DONE = {
    "created": "活动已创建（草稿）。核对无误后点“发布”，系统会生成签到码和海报。",
    "saved": "已保存。",
    "published": "活动已发布，签到码已生成：可以打印海报或把二维码发到群里了。",
    "cancelled": "活动已取消。",
    "completed": "活动已标记为完成，仍在场的人按结束时间签退，时长待审核。",
    "rotated": "已更换签到码：旧的二维码和海报已失效，请重新打印或转发新的。",
}
# action → (the status it leads to, ?done=…)
ACTIONS = {
    "publish": ("published", "published"),
    "cancel": ("cancelled", "cancelled"),
    "complete": ("completed", "completed"),
}


def _to(activity_id: int, done: str) -> Redirect:
    return Redirect(f"/staff/activities/{activity_id}?done={done}", status_code=303)


def _problem(exc: Invalid) -> dict[str, str]:
    """The refusal as the form shows it: its message, beside the field it names (`team_ids[2]` → `team_ids`)."""
    field = re.split(r"[.\[]", exc.field or "", maxsplit=1)[0]
    return {"field": field, "message": exc.message}


async def activity_page(
    request: Request[Any, Any, Any],
    caller: Caller,
    activity_id: int,
    *,
    values: dict[str, Any] | None = None,
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """One activity: its facts, actions, check-in code and form (404 outside the caller's subtree)."""
    activity = await service.get_activity(caller, activity_id)
    row = await checkin.readable_activity(caller, activity_id)  # its live code, area and venue address
    code = checkin.code_links(row["code"], row) if row["code"] else None  # reading never issues or rotates one
    editable = activity.status in service.OPEN
    done = request.query_params.get("done", "") if status == 200 else ""
    context = {
        "activity": activity,
        "area_name": row["area_name"],
        "venue_address": row["venue_address"],
        "status_label": service.STATUS_LABELS[activity.status],
        "when": span(activity.starts_at, activity.ends_at),
        "organisers": [dict(t) for t in await db.fetch("web/activity_teams", activity_id)],
        "code": code,
        "opens": local(code.opens_at) if code else "",
        "closes": local(code.closes_at) if code else "",
        "editable": editable,
        "values": values or shown(activity),
        "error": error,
        "notice": DONE.get(done, ""),
        **(await choices(caller, activity) if editable else {}),
    }
    return render(request, caller, "activity.html", status=status, **context)


async def new_page(
    request: Request[Any, Any, Any],
    caller: Caller,
    *,
    values: dict[str, Any] | None = None,
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """The form for a new activity, blank or as typed."""
    options = await choices(caller)
    context = {"values": values or blank(caller, options), "error": error, **options}
    return render(request, caller, "activity_new.html", status=status, **context)


async def create_once(caller: Caller, data: ActivityIn) -> int:
    """Create the activity, unless this user created the same one (title, area, times) in the last minutes:
    a form sent twice makes one activity, and the second answer leads to it too."""
    starts_at = service.parse_moment(data.starts_at, "starts_at")
    ends_at = service.parse_moment(data.ends_at, "ends_at")
    async with db.engine().transaction():
        await db.execute("web/activity_form_lock", db.LockClass.NEW_ACTIVITY_FORM, caller.user_id)
        title = data.title.strip()
        twin = await db.fetchval("web/activity_twin", caller.user_id, title, data.area_code, starts_at, ends_at)
        activity_id = int(twin) if twin is not None else (await service.create_activity(caller, data)).id
    return activity_id


class ActivityPages(StaffPages):
    path = "/staff/activities"

    @get("/")
    async def index(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        context, status = await list_context(caller, request.query_params)
        return render(request, caller, "activities.html", status=status, **context)

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        return await new_page(request, caller)

    @post("/new", status_code=200)
    async def create(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Page:
        values = typed(form)
        try:
            activity_id = await create_once(caller, create_request(values))
        except Invalid as exc:
            return await new_page(request, caller, values=values, error=_problem(exc), status=422)
        return _to(activity_id, "created")

    @get("/{activity_id:int}")
    async def show(self, request: Request[Any, Any, Any], caller: Caller, activity_id: PathId) -> Template:
        return await activity_page(request, caller, activity_id)

    @post("/{activity_id:int}/edit", status_code=200)
    async def edit(self, request: Request[Any, Any, Any], caller: Caller, form: Form, activity_id: PathId) -> Page:
        current = await service.get_activity(caller, activity_id)
        values = typed(form)
        try:
            await service.update_activity(caller, activity_id, patch_request(values, current))
        except Invalid as exc:
            return await activity_page(request, caller, activity_id, values=values, error=_problem(exc), status=422)
        return _to(activity_id, "saved")

    @post("/{activity_id:int}/publish", status_code=200)
    async def publish(self, request: Request[Any, Any, Any], caller: Caller, form: Form, activity_id: PathId) -> Page:
        return await _change(caller, activity_id, "publish")

    @post("/{activity_id:int}/complete", status_code=200)
    async def complete(self, request: Request[Any, Any, Any], caller: Caller, form: Form, activity_id: PathId) -> Page:
        return await _change(caller, activity_id, "complete")

    @post("/{activity_id:int}/cancel", status_code=200)
    async def cancel(self, request: Request[Any, Any, Any], caller: Caller, form: Form, activity_id: PathId) -> Page:
        try:
            data = struct_from(fields_of(form, ["reason"]), CancelIn)
        except Invalid as exc:
            return await activity_page(request, caller, activity_id, error=_problem(exc), status=422)
        return await _change(caller, activity_id, "cancel", data.reason)

    @post("/{activity_id:int}/rotate-code", status_code=200)
    async def rotate_code(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, activity_id: PathId
    ) -> Page:
        row = await checkin.readable_activity(caller, activity_id)
        if form.get("confirm") != "yes" and row["code"] is not None:  # nothing to revoke: no need to ask
            problem = {"field": "confirm", "message": "更换签到码前请勾选确认：旧的二维码和已打印的海报会立即失效。"}
            return await activity_page(request, caller, activity_id, error=problem, status=422)
        await checkin.rotate_code(caller, activity_id)
        return _to(activity_id, "rotated")


async def _change(caller: Caller, activity_id: int, action: str, reason: str | None = None) -> Redirect:
    """Publish, complete or cancel; sent twice, the second finds it done and says so instead of refusing."""
    target, done = ACTIONS[action]
    try:
        await service.change_status(caller, activity_id, action, reason)
    except Conflict as exc:
        if exc.extra.get("current_status") != target:
            raise
    return _to(activity_id, done)
