"""Check-in codes, scans and attendance (docs/architecture.md, "Check-in rules")."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec

from volunteers import access, audit, clock, db
from volunteers.access import Caller, phone_for
from volunteers.checkin.refusals import ScanRefused
from volunteers.checkin.schemas import (
    AttendanceCounters,
    AttendanceOut,
    AttendanceRow,
    CloseOut,
    CodeOut,
    ScanAnswer,
    ScanOut,
    StaffScanOut,
)
from volunteers.errors import Conflict, Forbidden, Invalid, NotFound
from volunteers.settings import get_settings

# No look-alikes (0/o, 1/l/i): codes are sometimes typed from a printed poster.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 16  # 31**16 ≈ 2**79
# A link scan that follows an on-the-spot registration: of a new volunteer, or declined (already registered).
Registration = Literal["new", "declined"]


def new_code() -> str:
    """A fresh random check-in code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def mask_name(name: str) -> str:
    """张三丰 → 张**: what the answer to a staff scan shows (a phone's answer shows no name at all)."""
    return name[:1] + "*" * (len(name) - 1)


async def activity(activity_id: int) -> dict[str, Any]:
    """The activity row the check-in pages and checks need, or 404."""
    row = await db.fetchrow("checkin/activity", activity_id)
    if row is None:
        raise NotFound("活动不存在")
    return dict(row)


async def activity_by_code(code: str) -> dict[str, Any] | None:
    """The activity behind a code (with `revoked_at` of that code), or None."""
    row = await db.fetchrow("checkin/activity_by_code", code)
    return dict(row) if row is not None else None


async def readable_activity(caller: Caller, activity_id: int) -> dict[str, Any]:
    """An activity in the caller's subtree (404 otherwise)."""
    return access.readable(caller, await activity(activity_id), "活动不存在")


async def writable_activity(caller: Caller, activity_id: int) -> dict[str, Any]:
    """An activity the caller may run check-in for (404 outside reads, 403 outside writes)."""
    return access.writable(caller, await activity(activity_id), "活动不存在", "活动", hide_outside=True)


async def activity_for_write(caller: Caller, activity_id: int) -> dict[str, Any]:
    """An activity a request body refers to: it must exist (else 422 on `activity_id`) and be writable (else 403)."""
    row = await db.fetchrow("checkin/activity", activity_id)
    unknown = f"活动 {activity_id} 不存在"
    return dict(access.referable(caller, row, "该活动", field="activity_id", code="unknown_activity", unknown=unknown))


def window(row: dict[str, Any]) -> tuple[datetime, datetime]:
    """When check-in opens and closes for an activity row."""
    opens = row["starts_at"] - timedelta(minutes=row["opens_before_minutes"])
    closes = row["ends_at"] + timedelta(minutes=row["closes_after_minutes"])
    return opens, closes


def code_links(code: str, row: dict[str, Any]) -> CodeOut:
    """The public links of a code."""
    base = get_settings().public_base_url
    opens, closes = window(row)
    return CodeOut(
        code=code,
        url=f"{base}/c/{code}",
        qr_svg_url=f"{base}/c/{code}/qr.svg",
        poster_url=f"{base}/c/{code}/poster",
        opens_at=opens,
        closes_at=closes,
    )


async def rotate_code(caller: Caller, activity_id: int) -> CodeOut:
    """Issue the activity's check-in code, revoking any earlier one at once."""
    row = await writable_activity(caller, activity_id)
    if row["status"] in ("cancelled", "completed"):
        raise Conflict("活动已结束或已取消，不能生成签到码", code="activity_closed")
    async with db.engine().transaction():
        async with db.connection() as conn:
            await conn.execute(db.sql("checkin/lock_activity"), activity_id)
            code = await conn.fetchval(db.sql("checkin/rotate_code"), activity_id, new_code())
        await audit.record(
            caller,
            "rotate_code",
            "activity",
            activity_id,
            area_id=row["area_id"],
            before={"code_revoked": row["code"] is not None},
            after={"code_issued": True},
        )
    return code_links(code, row)


async def issue_code_if_none(activity_id: int) -> str:
    """The activity's live code, issued now if it has none; never revokes one. Publishing calls this in its
    transaction, holding the activity's row, so that a published activity always has a live code."""
    code: str = await db.fetchval("checkin/issue_code", activity_id, new_code())
    return code


async def live_code(caller: Caller, activity_id: int) -> CodeOut:
    """The activity's current code (404 if none was issued); reading it never issues or rotates one."""
    row = await readable_activity(caller, activity_id)
    if row["code"] is None:
        raise NotFound("该活动还没有签到码，请先生成", code="no_code")
    return code_links(row["code"], row)


async def link_scan_answer(
    *, action: str, code: str, phone: str, nonce: str, client: str | None, registration: Registration | None = None
) -> ScanAnswer:
    """The full answer to a scan by the check-in link (the public page and API), refusals included;
    `registration` is 'new' or 'declined' when it follows an on-the-spot registration (self_service)."""
    return await _scan("link", action, client, code=code, phone=phone, nonce=nonce, registration=registration)


async def record_link_scan(*, action: str, code: str, phone: str, nonce: str, client: str | None) -> ScanOut:
    """A scan from a phone by the check-in link: the public answer; a refusal raises ScanRefused (logged)."""
    answer = await link_scan_answer(action=action, code=code, phone=phone, nonce=nonce, client=client)
    return public_answer(answer)


async def require_volunteer_in_scope(caller: Caller, volunteer_id: int) -> None:
    """Staff act only for volunteers of their own subtree (422 unknown, 403 outside)."""
    row = await db.fetchrow("checkin/volunteer_area_path", volunteer_id)
    access.within(
        caller,
        row,
        path="path",
        unknown=Invalid("志愿者不存在", field="volunteer_id", code="unknown_volunteer"),
        outside=Forbidden("该志愿者不在您管辖的区域内", code="outside_scope"),
    )


async def record_staff_scan(
    caller: Caller, activity_id: int, volunteer_id: int, action: str, reason: str, client: str | None
) -> StaffScanOut:
    """Staff checking a volunteer in or out by hand: the answer names the volunteer and the activity.
    The staff member must be able to run the activity's check-in and act for the volunteer (their subtree)."""
    await writable_activity(caller, activity_id)
    await require_volunteer_in_scope(caller, volunteer_id)
    answer = await _scan(
        "staff", action, client, activity_id=activity_id, volunteer_id=volunteer_id, staff=caller, reason=reason
    )
    public = public_answer(answer)
    return StaffScanOut(
        result=public.result,
        action=public.action,
        at=public.at,
        minutes=public.minutes,
        hours=public.hours,
        replayed=public.replayed,
        volunteer_no=answer.volunteer_no,
        volunteer_name=mask_name(answer.volunteer_name) if answer.volunteer_name else None,
        activity_title=answer.activity_title,
    )


async def _scan(
    method: str,
    action: str,
    client: str | None,
    *,
    code: str | None = None,
    phone: str | None = None,
    nonce: str | None = None,
    registration: Registration | None = None,
    activity_id: int | None = None,
    volunteer_id: int | None = None,
    staff: Caller | None = None,
    reason: str | None = None,
) -> ScanAnswer:
    """Record one attempt by the check-in rules (checkin_scan(), defined under sql/checkin/): a link scan names
    a code, a phone and a nonce, a staff scan an activity, a volunteer, the staff member and a reason."""
    row = await db.fetchrow(
        "checkin/scan",
        code,
        activity_id,
        phone,
        volunteer_id,
        action,
        method,
        nonce,
        (client or "")[:64] or None,
        staff.user_id if staff else None,
        reason,
        clock.now(),
        registration,
    )
    assert row is not None
    return msgspec.json.decode(row[0], type=ScanAnswer)


def public_answer(answer: ScanAnswer) -> ScanOut:
    """What a phone is told: the result, the action and the time (hours on check-out), never who; anyone who
    knows a phone number can ask. A refusal raises ScanRefused (with its code, times and nothing more)."""
    if answer.result != "ok":
        raise ScanRefused(answer)
    assert answer.at is not None, "checkin_scan() times every answer"
    minutes = answer.minutes
    return ScanOut(
        result="ok",
        action=answer.action,
        at=answer.at,
        minutes=minutes,
        hours=round(minutes / 60, 2) if minutes is not None else None,
        replayed=answer.replayed,
    )


async def tally_rate_limited(code: str, client: str) -> None:
    """Count a scan refused by a rate limit in scan_refusal_tally (one row per code, address and minute)."""
    async with db.connection() as conn:
        await conn.execute(db.sql("checkin/rate_limited"), code, client[:64], clock.now())


async def attendance(caller: Caller, activity_id: int) -> AttendanceOut:
    """Who checked in, who is inside now, and the counters staff watch."""
    row = await readable_activity(caller, activity_id)
    records = await db.fetch("checkin/attendance", activity_id)
    items = [
        AttendanceRow(
            record_id=r["record_id"],
            volunteer_id=r["volunteer_id"],
            volunteer_no=r["volunteer_no"],
            name=r["name"],
            phone=phone_for(caller, r["phone"], r["volunteer_path"]),
            checked_in_at=r["checked_in_at"],
            checked_out_at=r["checked_out_at"],
            inside=r["inside"],
            minutes=r["minutes"],
            hours=round(r["minutes"] / 60, 2),
            source=r["source"],
            status=r["status"],
            auto_closed=r["auto_closed"],
        )
        for r in records
    ]
    checkins = [i for i in items if i.source == "checkin"]
    counters = AttendanceCounters(
        checked_in=len({i.volunteer_id for i in checkins}),
        inside_now=sum(1 for i in checkins if i.inside),
        checked_out=len({i.volunteer_id for i in checkins if i.checked_out_at is not None and not i.inside}),
        capacity=row["capacity"],
    )
    return AttendanceOut(activity_id=activity_id, counters=counters, items=items)


async def close_activity(caller: Caller, activity_id: int) -> CloseOut:
    """Apply the missing-exit policy and mark a published activity completed: whoever is still inside is closed
    at the activity's end, or now if it is closed before its end, flagged and left pending for approval."""
    row = await writable_activity(caller, activity_id)
    if row["status"] == "cancelled":
        raise Conflict("活动已取消", code="activity_cancelled")
    async with db.engine().transaction():
        closed = await db.fetch("checkin/close_open_records", activity_id, clock.now())
        status = "completed" if row["status"] in ("published", "completed") else row["status"]
        async with db.connection() as conn:
            await conn.execute(db.sql("checkin/set_activity_status"), activity_id, status)
        await audit.record(
            caller,
            "close",
            "activity",
            activity_id,
            area_id=row["area_id"],
            before={"status": row["status"]},
            after={"status": status, "auto_closed_records": [r["id"] for r in closed]},
        )
    return CloseOut(activity_id=activity_id, auto_closed=len(closed), status=status)
