"""Service records: staff entries (补录), approval and rejection, one record or many at once.

Each manual record keeps who entered it (`entered_by`); with four eyes on (`VOLUNTEERS_FOUR_EYES`) nobody
approves a manual record they entered themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg

from volunteers import audit, clock, db
from volunteers.access import Caller
from volunteers.checkin.schemas import DecisionIn, ManualRecordIn, RecordOut
from volunteers.checkin.service import activity_for_write, require_volunteer_in_scope
from volunteers.errors import Conflict, DomainError, Invalid, NotFound, register_constraint
from volunteers.fields import LOCAL_TZ, check_day, local_day, local_time, working_days_before
from volunteers.settings import get_settings

# The database's own guard (an exclusion constraint, checkin baseline migration) for writers that skip the check below.
register_constraint(
    "service_record_no_overlap",
    409,
    "overlapping_record",
    None,
    "该志愿者在这段时间已有审核通过的服务记录，时间不能重叠",
)
# Decisions and entries for one volunteer take turns under this advisory lock, so two at once
# cannot both pass the overlap check.
_VOLUNTEER_TIME = db.LockClass.VOLUNTEER_TIME
STATUS_LABELS = {"pending": "待审核", "approved": "已通过", "rejected": "已驳回"}
MOST_AT_ONCE = 200  # records one bulk decision may name: a page of the queue, and then some


# 《志愿服务记录与证明出具办法（试行）》(2020): service is recorded within 10 working days of the activity.
RECORD_WITHIN_WORKING_DAYS = 10


def overdue_before(day: date) -> date:
    """Records of service before this date and still pending on `day` are past the recording deadline."""
    return working_days_before(day, RECORD_WITHIN_WORKING_DAYS)


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
        entered_by=row["entered_by"],
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
    return [_out(r) for r in rows if r["id"] is not None], rows[0]["total"]


async def _record(caller: Caller, record_id: int) -> Any:
    rows = await db.fetch("checkin/record", caller.scope_prefix, record_id, None, None, None, None, 1, 0)
    if rows[0]["id"] is None:
        raise NotFound("服务记录不存在")
    return rows[0]


async def get_record(caller: Caller, record_id: int) -> RecordOut:
    """One record in the caller's subtree."""
    return _out(await _record(caller, record_id))


def check_manual_times(activity: dict[str, Any], started_at: datetime, ended_at: datetime) -> None:
    """A staff-entered (补录) stint: not before 1949, never in the future, and inside its activity's days.

    The same rule for POST /service-records and for imported records. Hours are clipped to the activity's
    window in SQL; that the stint also lies on the activity's (Beijing) days keeps a record from being
    filed under a day the activity did not take place.
    """
    for field, value, label in (("started_at", started_at, "开始时间"), ("ended_at", ended_at, "结束时间")):
        check_day(local_day(value), field, label)
    if ended_at <= started_at:
        raise Invalid("结束时间必须晚于开始时间", field="ended_at", code="ends_before_start")
    now = clock.now()
    for field, value in (("started_at", started_at), ("ended_at", ended_at)):
        if value > now:
            raise Invalid("不能补录未来的服务时间", field=field, code="date_in_future")
    first, last = local_day(activity["starts_at"]), local_day(activity["ends_at"])
    days = f"{first}" if first == last else f"{first} 至 {last}"
    if not first <= local_day(started_at) <= last:
        raise Invalid(
            f"开始时间 {local_time(started_at)} 不在活动举办的日期（{days}）之内",
            field="started_at",
            code="outside_activity_days",
        )
    if ended_at > datetime.combine(last + timedelta(days=1), time(), LOCAL_TZ):
        raise Invalid(
            f"结束时间 {local_time(ended_at)} 不在活动举办的日期（{days}）之内",
            field="ended_at",
            code="outside_activity_days",
        )


async def _hold_volunteer_time(volunteer_id: int) -> None:
    """Wait for, then hold until the transaction ends, the right to change this volunteer's service time."""
    async with db.connection() as conn:
        await conn.execute(db.sql("checkin/hold_volunteer_time"), _VOLUNTEER_TIME, volunteer_id)


async def _refuse_overlap(
    volunteer_id: int, started_at: datetime, ended_at: datetime | None, *, leaving_out: list[int], pending_too: bool
) -> None:
    """409 naming the volunteer's approved (or, with `pending_too`, pending) record that shares time with this one."""
    other = await db.fetchrow(
        "checkin/overlapping_record", volunteer_id, started_at, ended_at, leaving_out, pending_too
    )
    if other is None:
        return
    status = "已通过" if other["status"] == "approved" else "待审核"
    until = local_time(other["ended_at"]) if other["ended_at"] is not None else "（仍在场内）"
    when = f"活动 {other['activity']}，{local_time(other['started_at'])} 至 {until}"
    raise Conflict(
        f"该志愿者{status}的服务记录 #{other['id']}（{when}）与这段时间重叠；"
        "同一志愿者的服务时间不能重复计算，请先更正或驳回那条记录",
        code="overlapping_record",
        extra={"overlaps": other["id"]},
    )


async def create_manual(caller: Caller, data: ManualRecordIn) -> RecordOut:
    """Enter service hours by hand (pending until approved); never replaces a scan-derived record.

    The stint must lie on the activity's days and may not overlap another live (pending or approved)
    record of the volunteer, except the same day's check-in record of this activity, which it corrects.
    """
    activity = await activity_for_write(caller, data.activity_id)
    await require_volunteer_in_scope(caller, data.volunteer_id)
    if data.started_at.tzinfo is None or data.ended_at.tzinfo is None:
        raise Invalid("时间需要带时区，例如 2026-03-05T09:00:00+08:00", field="started_at", code="naive_datetime")
    check_manual_times(activity, data.started_at, data.ended_at)
    if activity["status"] == "cancelled":
        raise Conflict("活动已取消，不能补录", code="activity_cancelled")
    async with db.engine().transaction():
        await _hold_volunteer_time(data.volunteer_id)
        async with db.connection() as conn:
            corrected = await conn.fetchval(
                db.sql("checkin/checkin_record_of_day"),
                data.volunteer_id,
                data.activity_id,
                local_day(data.started_at),
            )
        await _refuse_overlap(
            data.volunteer_id,
            data.started_at,
            data.ended_at,
            leaving_out=[corrected] if corrected is not None else [],
            pending_too=True,
        )
        try:
            row = await db.fetchrow(
                "checkin/insert_manual_record",
                data.volunteer_id,
                data.activity_id,
                data.started_at,
                data.ended_at,
                data.reason,
                caller.user_id,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict("该志愿者当天在此活动已有待审或已通过的补录记录", code="duplicate_manual_record") from None
        assert row is not None
        out = await get_record(caller, row["id"])
        await audit.record(caller, "create", "service_record", out.id, area_id=activity["area_id"], after=out)
    return out


async def approve(caller: Caller, record_id: int) -> RecordOut:
    """Approve a pending record; an approved correction rejects the record it corrects.

    Refused (409) when the record shares time with another approved record of the same volunteer;
    decisions on one volunteer take turns, and the database's exclusion constraint backs the check.
    """
    row = await _record(caller, record_id)
    caller.require_write(row["area_path"], "服务记录")
    async with db.engine().transaction():
        await _hold_volunteer_time(row["volunteer_id"])
        row = await _record(caller, record_id)  # as it stands now that no other decision on this volunteer runs
        if row["status"] != "pending":
            current = STATUS_LABELS.get(row["status"], row["status"])
            raise Conflict(f"只有待审核的记录可以通过（当前：{current}）", code="invalid_transition")
        if row["inside_since"] is not None:
            raise Conflict("志愿者仍在场内，请先签退或关闭活动", code="still_inside")
        _refuse_own_entry(caller, row)
        corrected = await _record(caller, row["corrects"]) if row["corrects"] is not None else None
        replaced = [corrected["id"]] if corrected is not None else []
        await _refuse_overlap(
            row["volunteer_id"],
            row["started_at"],
            row["ended_at"],
            leaving_out=[record_id, *replaced],
            pending_too=False,
        )
        before = _out(row)
        # the corrected record gives way first, so the two never stand approved side by side
        if corrected is not None and corrected["status"] != "rejected":
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
        await _decide(record_id, "approved", caller, None)
        after = await get_record(caller, record_id)
        await audit.record(
            caller, "approve", "service_record", record_id, area_id=row["area_id"], before=before, after=after
        )
    return after


def _refuse_own_entry(caller: Caller, row: Any) -> None:
    """Four eyes (when on): a manual record is approved by someone other than the one who entered it."""
    if get_settings().four_eyes and row["source"] == "manual" and row["entered_by_id"] == caller.user_id:
        raise Conflict(
            "本区已启用“四眼原则”：补录记录不能由录入人本人审核通过，请由另一位工作人员审核",
            code="four_eyes",
        )


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
            db.sql("checkin/decide_record"),
            record_id,
            status,
            caller.user_id,
            reason,
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one record of a bulk decision: the record as it now stands, or why it was refused."""

    record_id: int
    record: RecordOut | None = None
    refused: str | None = None
    status: int | None = None  # the refusal's HTTP status, as the API would answer it


def _chosen(record_ids: Iterable[int]) -> list[int]:
    """The ids of a bulk decision, each once, in the order given; at most MOST_AT_ONCE of them."""
    chosen = list(dict.fromkeys(record_ids))
    if not chosen:
        raise Invalid("请先勾选要处理的记录", field="id", code="nothing_chosen")
    if len(chosen) > MOST_AT_ONCE:
        raise Invalid(f"一次最多处理 {MOST_AT_ONCE} 条记录（选了 {len(chosen)} 条）", field="id", code="too_many")
    return chosen


async def _each(record_ids: list[int], decide: Callable[[int], Awaitable[RecordOut]]) -> list[Outcome]:
    """Decide each record on its own (its own transaction), so one refusal holds back no other record."""
    outcomes = []
    for record_id in record_ids:
        try:
            outcomes.append(Outcome(record_id, record=await decide(record_id)))
        except DomainError as refusal:
            outcomes.append(Outcome(record_id, refused=refusal.message, status=refusal.status))
    return outcomes


async def approve_many(caller: Caller, record_ids: Iterable[int]) -> list[Outcome]:
    """Approve each record by the rules of `approve`, each in its own transaction; refusals are reported per record."""
    return await _each(_chosen(record_ids), lambda record_id: approve(caller, record_id))


async def reject_many(caller: Caller, record_ids: Iterable[int], data: DecisionIn) -> list[Outcome]:
    """Reject each record with one reason by the rules of `reject`, each in its own transaction."""
    chosen = _chosen(record_ids)
    if not data.reason:
        raise Invalid("驳回需要填写原因", field="reason", code="reason_required")
    return await _each(chosen, lambda record_id: reject(caller, record_id, data))
