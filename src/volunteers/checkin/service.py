"""Check-in codes, scans and attendance (DESIGN.md, "Check-in by link")."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import msgspec

from volunteers import audit, clock, db
from volunteers.access import Caller, phone_for
from volunteers.checkin.schemas import (
    AttendanceCounters,
    AttendanceOut,
    AttendanceRow,
    CloseOut,
    CodeOut,
    ScanOut,
    StaffScanOut,
)
from volunteers.errors import Conflict, DomainError, Invalid, NotFound
from volunteers.settings import get_settings

# No look-alikes (0/o, 1/l/i): codes are sometimes typed from a printed poster.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 16  # 31**16 ≈ 2**79

REFUSALS: dict[str, tuple[int, str]] = {
    "unknown_code": (404, "签到链接无效，请向工作人员确认"),
    "revoked": (410, "签到链接已失效，请扫描现场最新的二维码"),
    "cancelled": (409, "活动已取消"),
    "closed": (409, "签到已结束"),
    "not_open_yet": (409, "签到尚未开始"),
    "already_checked_in": (409, "您已签到"),
    "not_checked_in": (409, "您还没有签到，不能签退"),
    "unknown_volunteer": (404, "没有找到该手机号对应的志愿者，请先登记"),
    "rate_limited": (429, "操作过于频繁，请稍后再试"),
    "nonce_reused": (409, "这次提交已用过，请回到签到页重新提交"),
}


class ScanRefused(DomainError):
    """A scan the rules refuse; carries the answer the phone page shows."""

    def __init__(self, answer: dict[str, Any]) -> None:
        status, message = REFUSALS[answer["result"]]
        super().__init__(message, code=answer["result"], extra=_public(answer))
        self.status = status
        self.answer = answer


def _public(answer: dict[str, Any]) -> dict[str, Any]:
    """What a refusal may tell an anonymous phone: times, never names."""
    return {k: answer[k] for k in ("action", "at", "opens_at", "closes_at") if answer.get(k) is not None}


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
    row = await activity(activity_id)
    caller.require_read(row["area_path"], "活动")
    return row


async def writable_activity(caller: Caller, activity_id: int) -> dict[str, Any]:
    """An activity the caller may run check-in for (404 outside reads, 403 outside writes)."""
    row = await readable_activity(caller, activity_id)
    caller.require_write(row["area_path"], "活动")
    return row


async def activity_for_write(caller: Caller, activity_id: int) -> dict[str, Any]:
    """An activity a request body refers to: it must exist (else 422 on `activity_id`) and be writable (else 403)."""
    row = await db.fetchrow("checkin/activity", activity_id)
    if row is None:
        raise Invalid(f"活动 {activity_id} 不存在", field="activity_id", code="unknown_activity")
    caller.require_write(row["area_path"], "该活动")
    return dict(row)


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
            await conn.execute("SELECT 1 FROM activity WHERE id = $1 FOR UPDATE", activity_id)
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


async def live_code(caller: Caller, activity_id: int) -> CodeOut:
    """The activity's current code (404 if none was issued)."""
    row = await readable_activity(caller, activity_id)
    if row["code"] is None:
        raise NotFound("该活动还没有签到码，请先生成", code="no_code")
    return code_links(row["code"], row)


async def scan_answer(
    *,
    action: str,
    method: str,
    code: str | None = None,
    activity_id: int | None = None,
    phone: str | None = None,
    volunteer_id: int | None = None,
    nonce: str | None = None,
    client: str | None = None,
    staff: Caller | None = None,
    reason: str | None = None,
    registration: str | None = None,
) -> dict[str, Any]:
    """Record one attempt by the check-in rules (checkin_scan() in sql/checkin/functions.sql) and return its
    full answer, refusals included; `registration` is 'new' or 'declined' for an on-the-spot registration."""
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
    answer: dict[str, Any] = msgspec.json.decode(row[0])
    return answer


def public_answer(answer: dict[str, Any]) -> ScanOut:
    """What a phone is told: the result, the action and the time (hours on check-out), never who; anyone who
    knows a phone number can ask. A refusal raises ScanRefused (with its code, times and nothing more)."""
    if answer["result"] != "ok":
        raise ScanRefused(answer)
    minutes = answer.get("minutes")
    return ScanOut(
        result="ok",
        action=answer["action"],
        at=datetime.fromisoformat(answer["at"]),
        minutes=minutes,
        hours=round(minutes / 60, 2) if minutes is not None else None,
        replayed=bool(answer.get("replayed")),
    )


async def record_scan(*, action: str, code: str, phone: str, nonce: str, client: str | None) -> ScanOut:
    """A scan from a phone by the check-in link: the public answer; a refusal raises ScanRefused (logged)."""
    answer = await scan_answer(action=action, method="link", code=code, phone=phone, nonce=nonce, client=client)
    return public_answer(answer)


async def record_staff_scan(
    caller: Caller, activity_id: int, volunteer_id: int, action: str, reason: str, client: str | None
) -> StaffScanOut:
    """Staff checking a volunteer in or out by hand: the answer names the volunteer and the activity."""
    answer = await scan_answer(
        action=action,
        method="staff",
        activity_id=activity_id,
        volunteer_id=volunteer_id,
        client=client,
        staff=caller,
        reason=reason,
    )
    public = public_answer(answer)
    return StaffScanOut(
        result=public.result,
        action=public.action,
        at=public.at,
        minutes=public.minutes,
        hours=public.hours,
        replayed=public.replayed,
        volunteer_no=answer.get("volunteer_no"),
        volunteer_name=mask_name(answer["volunteer_name"]) if answer.get("volunteer_name") else None,
        activity_title=answer.get("activity_title"),
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
    """Apply the missing-exit policy and mark a published activity completed."""
    row = await writable_activity(caller, activity_id)
    if row["status"] == "cancelled":
        raise Conflict("活动已取消", code="activity_cancelled")
    async with db.engine().transaction():
        closed = await db.fetch("checkin/close_open_records", activity_id)
        status = "completed" if row["status"] in ("published", "completed") else row["status"]
        async with db.connection() as conn:
            await conn.execute("UPDATE activity SET status = $2 WHERE id = $1", activity_id, status)
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
