"""Service records: staff entries (补录), approval and rejection."""

from __future__ import annotations

from typing import Any

import asyncpg

from volunteers import audit, clock, db
from volunteers.auth.access import Caller
from volunteers.checkin.schemas import DecisionIn, ManualRecordIn, RecordOut
from volunteers.checkin.service import activity_for_write
from volunteers.errors import Conflict, Forbidden, Invalid, NotFound


def _out(row: Any) -> RecordOut:
    return RecordOut(
        id=row["id"],
        volunteer_id=row["volunteer_id"],
        volunteer_no=row["volunteer_no"],
        activity_id=row["activity_id"],
        area_code=row["area_code"],
        service_date=row["service_date"],
        source=row["source"],
        status=row["status"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        minutes=row["minutes"],
        hours=round(row["minutes"] / 60, 2),
        auto_closed=row["auto_closed"],
        corrects=row["corrects"],
        reason=row["reason"],
    )


async def list_records(
    caller: Caller,
    *,
    record_id: int | None = None,
    activity_id: int | None = None,
    volunteer_id: int | None = None,
    status: str | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[RecordOut], int]:
    """Records in the caller's subtree, newest first."""
    rows = await db.fetch(
        "checkin/record", caller.scope_prefix, record_id, activity_id, volunteer_id, status, source, limit, offset
    )
    return [_out(r) for r in rows], (rows[0]["total"] if rows else 0)


async def _record(caller: Caller, record_id: int) -> Any:
    rows = await db.fetch("checkin/record", caller.scope_prefix, record_id, None, None, None, None, 1, 0)
    if not rows:
        raise NotFound("服务记录不存在")
    return rows[0]


async def get_record(caller: Caller, record_id: int) -> RecordOut:
    """One record in the caller's subtree."""
    return _out(await _record(caller, record_id))


async def require_volunteer_in_scope(caller: Caller, volunteer_id: int) -> None:
    """Staff act only for volunteers of their own subtree (422 unknown, 403 outside)."""
    async with db.connection() as conn:
        path = await conn.fetchval(
            "SELECT a.path FROM volunteer v JOIN area a ON a.id = v.area WHERE v.id = $1", volunteer_id
        )
    if path is None:
        raise Invalid("志愿者不存在", field="volunteer_id", code="unknown_volunteer")
    if not caller.covers(path):
        raise Forbidden("该志愿者不在您管辖的区域内", code="outside_scope")


async def create_manual(caller: Caller, data: ManualRecordIn) -> RecordOut:
    """Enter service hours by hand (pending until approved); never replaces a scan-derived record."""
    activity = await activity_for_write(caller, data.activity_id)
    await require_volunteer_in_scope(caller, data.volunteer_id)
    if data.started_at.tzinfo is None or data.ended_at.tzinfo is None:
        raise Invalid("时间需要带时区，例如 2026-03-05T09:00:00+08:00", field="started_at", code="naive_datetime")
    if data.ended_at <= data.started_at:
        raise Invalid("结束时间必须晚于开始时间", field="ended_at", code="ends_before_start")
    if data.started_at > clock.now():
        raise Invalid("不能补录未来的服务时间", field="started_at", code="in_future")
    if activity["status"] == "cancelled":
        raise Conflict("活动已取消，不能补录", code="activity_cancelled")
    async with db.engine().transaction():
        try:
            row = await db.fetchrow(
                "checkin/insert_manual_record",
                data.volunteer_id,
                data.activity_id,
                data.started_at,
                data.ended_at,
                data.reason,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict("该志愿者当天在此活动已有待审或已通过的补录记录", code="duplicate_manual_record") from None
        assert row is not None
        out = await get_record(caller, row["id"])
        await audit.record(caller, "create", "service_record", out.id, area_id=activity["area_id"], after=out)
    return out


async def approve(caller: Caller, record_id: int) -> RecordOut:
    """Approve a pending record; an approved correction rejects the record it corrects."""
    row = await _record(caller, record_id)
    caller.require_write(row["area_path"], "服务记录")
    if row["status"] != "pending":
        raise Conflict(f"只有待审核的记录可以通过（当前：{row['status']}）", code="invalid_transition")
    if row["inside_since"] is not None:
        raise Conflict("志愿者仍在场内，请先签退或关闭活动", code="still_inside")
    before = _out(row)
    async with db.engine().transaction():
        await _decide(record_id, "approved", caller, None)
        if row["corrects"] is not None:
            corrected = await _record(caller, row["corrects"])
            if corrected["status"] != "rejected":
                reason = f"由补录记录 #{record_id} 更正"
                await _decide(corrected["id"], "rejected", caller, reason)
                await audit.record(
                    caller,
                    "reject",
                    "service_record",
                    corrected["id"],
                    area_id=row["area_id"],
                    before=_out(corrected),
                    after=await get_record(caller, corrected["id"]),
                )
        after = await get_record(caller, record_id)
        await audit.record(
            caller, "approve", "service_record", record_id, area_id=row["area_id"], before=before, after=after
        )
    return after


async def reject(caller: Caller, record_id: int, data: DecisionIn) -> RecordOut:
    """Reject a pending or approved record, with a reason."""
    row = await _record(caller, record_id)
    caller.require_write(row["area_path"], "服务记录")
    if not data.reason:
        raise Invalid("驳回需要填写原因", field="reason", code="reason_required")
    if row["status"] == "rejected":
        raise Conflict("该记录已被驳回", code="invalid_transition")
    if row["inside_since"] is not None:
        raise Conflict("志愿者仍在场内，请先签退或关闭活动", code="still_inside")
    before = _out(row)
    async with db.engine().transaction():
        await _decide(record_id, "rejected", caller, data.reason)
        after = await get_record(caller, record_id)
        await audit.record(
            caller, "reject", "service_record", record_id, area_id=row["area_id"], before=before, after=after
        )
    return after


async def _decide(record_id: int, status: str, caller: Caller, reason: str | None) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE service_record SET status = $2, decided_by = $3, decided_at = now(),"
            " reason = COALESCE($4, reason) WHERE id = $1",
            record_id,
            status,
            caller.user_id,
            reason,
        )
