"""The attendance screen staff keep open at the door (/staff/activities/{id}/attendance): the counters (checked
in, inside now, checked out, capacity) and the rows of `checkin.service.attendance`, refreshing by themselves
(a meta refresh: pages carry no script; paused while staff search for a volunteer or fix a refused form);
hand check-in and check-out of a volunteer found by name or phone, with a reason (`…/checkin`, the API's
StaffScanIn); and closing with the missing-exit policy (`…/close`, after a confirmation: `?close=1`).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template

from volunteers import clock
from volunteers.access import Caller
from volunteers.checkin import service
from volunteers.checkin.pages import span
from volunteers.checkin.routes import client_of
from volunteers.checkin.schemas import AttendanceRow, StaffScanIn
from volunteers.errors import DomainError, NotFound
from volunteers.fields import LOCAL_TZ, local_time
from volunteers.people.service import list_volunteers
from volunteers.web.staff.frame import Form, StaffPages, fields_of, render, struct_from

REFRESH_SECONDS = 15
FOUND_AT_MOST = 10
ACTIVITY_STATUS = {"draft": "未发布", "published": "进行中", "completed": "已结束", "cancelled": "已取消"}
# What staff read when a hand scan is refused; the refusals table words them for the volunteer's phone ("您…").
STAFF_WORDS = {
    "already_checked_in": "该志愿者已经签到，无需重复签到",
    "not_checked_in": "该志愿者还没有签到（或已签退），不能签退",
    "unknown_volunteer": "该志愿者不在册（已暂停或已退出），不能签到",
}


def _clock(moment: Any) -> str:
    return local_time(moment, "%H:%M")


def _row(item: AttendanceRow) -> dict[str, Any]:
    return {
        "item": item,
        "in_at": _clock(item.checked_in_at),
        "out_at": _clock(item.checked_out_at),
        "source_label": "扫码" if item.source == "checkin" else "补录",
    }


def _activity_id(activity_id: int) -> int:
    """An id in a path that no row can have reads as absent, like any unknown id."""
    if not 1 <= activity_id <= 2**31 - 1:
        raise NotFound("活动不存在")
    return activity_id


async def attendance_context(caller: Caller, activity_id: int, q: str = "") -> dict[str, Any]:
    """The screen for an activity in the caller's subtree (404 outside): counters, rows, and the volunteers a
    search for `q` finds (the caller's subtree only, as the volunteer list finds them)."""
    activity = await service.readable_activity(caller, activity_id)
    live = await service.attendance(caller, activity_id)
    found: list[Any] = []
    more = False
    if q:
        found, total = await list_volunteers(caller, q=q, area=None, status="active", limit=FOUND_AT_MOST, offset=0)
        more = total > FOUND_AT_MOST
    inside = {i.volunteer_id for i in live.items if i.inside}
    return {
        "activity": activity,
        "when": span(activity["starts_at"], activity["ends_at"]),
        "status_label": ACTIVITY_STATUS.get(activity["status"], activity["status"]),
        "counters": live.counters,
        "rows": [_row(i) for i in live.items],
        "q": q,
        "found": [{"volunteer": v, "inside": v.id in inside} for v in found],
        "more": more,
        "refresh": REFRESH_SECONDS,
        "ends_at": _clock(activity["ends_at"]),
        "updated": clock.now().astimezone(LOCAL_TZ).strftime("%H:%M:%S"),
    }


class AttendancePages(StaffPages):
    path = "/staff/activities/{activity_id:int}/attendance"

    @get("/")
    async def screen(self, request: Request[Any, Any, Any], caller: Caller, activity_id: int) -> Template:
        q = str(request.query_params.get("q", "")).strip()[:100]
        context = await attendance_context(caller, _activity_id(activity_id), q)
        closing = request.query_params.get("close") == "1"  # the confirmation before closing, without a script
        return render(request, caller, "attendance.html", **context, closing=closing)

    @post("/checkin", status_code=200)
    async def check_in(self, request: Request[Any, Any, Any], caller: Caller, form: Form, activity_id: int) -> Template:
        activity_id = _activity_id(activity_id)
        await service.readable_activity(caller, activity_id)  # another area's activity: 404, nothing done
        q = str(form.get("q", "")).strip()[:100]
        typed = {"volunteer_id": str(form.get("volunteer_id", "")), "reason": str(form.get("reason", ""))[:500]}
        try:
            data = struct_from(fields_of(form, ["volunteer_id", "action", "reason"]), StaffScanIn)
            done = await service.record_staff_scan(
                caller, activity_id, data.volunteer_id, data.action, data.reason, client_of(request)
            )
        except DomainError as exc:
            context = await attendance_context(caller, activity_id, q)
            message = STAFF_WORDS.get(exc.code, exc.message)
            return render(
                request,
                caller,
                "attendance.html",
                status=exc.status,
                **context,
                error=message,
                field=exc.field,
                typed=typed,
            )
        verb = "签到" if done.action == "in" else "签退"
        hours = f"，计 {done.hours} 小时" if done.hours is not None else ""
        notice = f"已为 {done.volunteer_name}（{done.volunteer_no}）{verb}：{_clock(done.at)}{hours}"
        context = await attendance_context(caller, activity_id)
        return render(request, caller, "attendance.html", **context, notice=notice)

    @post("/close", status_code=200)
    async def close(self, request: Request[Any, Any, Any], caller: Caller, form: Form, activity_id: int) -> Template:
        closed = await service.close_activity(caller, _activity_id(activity_id))
        context = await attendance_context(caller, activity_id)
        notice = "活动已结束，签到已关闭。"
        if closed.auto_closed:
            at = _clock(min(clock.now(), context["activity"]["ends_at"]))  # early: now; else the planned end
            notice += f"仍在场的 {closed.auto_closed} 人已按 {at} 自动签退（标记“自动签退”），记录进入工时审核。"
        return render(request, caller, "attendance.html", **context, notice=notice)
