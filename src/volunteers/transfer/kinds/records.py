"""Importing historic service records (补录): source `manual`, pending, reason "导入：<file>".

Upsert by volunteer + activity + day, as the API's live-manual-record index has it: a
pending record is corrected, an approved one is never changed by an import. Times follow the
API's rule (checkin.records.check_manual_times: not before 1949, never in the future, on the
activity's days); hours follow the check-in rules (clipped to the activity, rounded down,
capped) in the same SQL the API uses. Overlaps with the volunteer's other records are settled
when staff approve (an overlapping approval is refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from volunteers import db
from volunteers.checkin.records import check_manual_times
from volunteers.fields import LOCAL_TZ, local_day
from volunteers.transfer import cells
from volunteers.transfer.checks import RowCheck, volunteer_of, volunteers_named
from volunteers.transfer.columns import SERVICE_RECORDS
from volunteers.transfer.kinds.base import KindImport, Plan, claim

_SLACK = timedelta(minutes=1)  # how far written hours may differ from the written start and end


@dataclass(slots=True)
class RecordRow:
    row: RowCheck
    activity: dict[str, Any]
    started_at: datetime
    ended_at: datetime
    service_date: date


class ServiceRecordImport(KindImport):
    spec = SERVICE_RECORDS
    staging = "record"
    columns = ("row_no", "volunteer", "activity", "service_date", "started_at", "ended_at")
    # no `keys`: the volunteer is known only in `resolve`, which refuses duplicate rows itself

    async def prepare(self) -> None:
        self.activities: dict[str, list[dict[str, Any]]] = {}
        for record in await db.fetch("transfer/activities_in_area", f"{self.scope.area['path']}%"):
            self.activities.setdefault(record["title"], []).append(dict(record))

    def check(self, row: RowCheck) -> RecordRow | None:
        title = row.read("activity", cells.text)
        area = self.scope.area_of(row) if row.raw("area_name") is not None else None
        on = row.read("service_date", cells.day)
        started = row.read("started_at", cells.moment, on if isinstance(on, date) else None)
        ended_on = on if isinstance(on, date) else local_day(started) if isinstance(started, datetime) else None
        ended = row.read("ended_at", cells.moment, ended_on)
        hours = row.read("hours", cells.hours)
        if title is None:
            row.error("activity", "required", "活动名称不能为空")
        if row.raw("phone") is None and row.raw("volunteer_no") is None:
            row.error("phone", "volunteer_required", "请填写手机号或志愿者编号")
        if started is None and ended is None and hours is None:
            row.error("hours", "hours_required", "请填写服务时长，或开始时间和结束时间")
        elif ended is not None and started is None:
            row.error("started_at", "started_required", "填写了结束时间时，也要填写开始时间")
        if not row.ok:
            return None
        activity = self._activity(row, title, area, on or (local_day(started) if started else None))
        if activity is None:
            return None
        if activity["status"] == "cancelled":
            row.error("activity", "activity_cancelled", "活动已取消，不能补录")
            return None
        started_at = started or self._start_on(activity, on)
        if ended is not None:
            ended_at = ended
            if hours is not None and abs((ended_at - started_at) - timedelta(hours=float(hours))) > _SLACK:
                row.error("hours", "hours_mismatch", f"服务时长 {hours} 小时与开始、结束时间不符")
        else:
            ended_at = started_at + timedelta(hours=float(hours))
            if ended_at > activity["ends_at"]:
                end = activity["ends_at"].astimezone(LOCAL_TZ)
                row.error(
                    "hours", "hours_exceed_activity", f"服务时长 {hours} 小时超出活动结束时间 {end:%Y-%m-%d %H:%M}"
                )
        # the same refusals as POST /api/v1/service-records
        row.attempt(check_manual_times, activity, started_at, ended_at, default="service_date")
        service_date = local_day(started_at)
        if on is not None and on != service_date:
            row.error("service_date", "date_mismatch", f"服务日期 {on} 与开始时间的日期 {service_date} 不一致")
        if not row.ok:
            return None
        return RecordRow(row, activity, started_at, ended_at, service_date)

    def _activity(
        self, row: RowCheck, title: str, area: dict[str, Any] | None, on: date | None
    ) -> dict[str, Any] | None:
        """The one activity of that title (in the row's area, if named) whose days include `on`."""
        named = [a for a in self.activities.get(title, []) if area is None or a["area_id"] == area["id"]]
        if on is not None:
            named = [a for a in named if local_day(a["starts_at"]) <= on <= local_day(a["ends_at"])]
        if len(named) == 1:
            return named[0]
        when = f"在 {on} " if on else ""
        if named:
            row.error(
                "activity",
                "ambiguous_activity",
                f"{when}有 {len(named)} 个名为「{title}」的活动，请填写服务日期或活动所属社区来区分",
            )
        else:
            row.error(
                "activity",
                "unknown_activity",
                f"找不到{when}举行的活动「{title}」（须在本次导入的区域之内），请先导入活动",
            )
        return None

    @staticmethod
    def _start_on(activity: dict[str, Any], on: date | None) -> datetime:
        """Where hours alone start: the activity's start, on the row's day for a multi-day activity."""
        starts_at: datetime = activity["starts_at"].astimezone(LOCAL_TZ)
        if on is None or on == starts_at.date():
            return starts_at
        return datetime.combine(on, starts_at.timetz())

    async def resolve(self, conn: asyncpg.Connection[Any], candidates: list[RecordRow]) -> Plan:
        named = await volunteers_named(conn, [c.row for c in candidates])
        keyed = []
        for c in candidates:
            volunteer = volunteer_of(c.row, named, self.scope)
            if volunteer is not None:
                keyed.append((c, (volunteer["id"], c.activity["id"], c.service_date)))
        stored = await conn.fetch(
            db.sql("transfer/record_existing"),
            [k[0] for _, k in keyed],
            [k[1] for _, k in keyed],
            [k[2] for _, k in keyed],
        )
        by_key = {(r["volunteer"], r["activity"], r["service_date"]): dict(r) for r in stored}
        plan = Plan()
        for c, key in keyed:
            if not claim(c.row, self.claimed, key, "activity", "志愿者当天在此活动的服务记录"):
                continue
            values = (c.row.number, key[0], key[1], c.service_date, c.started_at, c.ended_at)
            current = by_key.get(key)
            if current is None:
                plan.inserts.append(values)
            elif (current["started_at"], current["ended_at"]) == (c.started_at, c.ended_at):
                plan.unchanged += 1
            elif current["status"] != "pending":
                c.row.error("activity", "record_decided", "该志愿者当天在此活动已有审核通过的补录记录，导入不能修改")
            else:
                plan.updates.append((current["id"], *values))
        return plan

    def insert_arguments(self) -> tuple[Any, ...]:
        return (self.reason, self.entered_by)

    def update_arguments(self) -> tuple[Any, ...]:
        return (self.reason, self.entered_by)

    @property
    def entered_by(self) -> int | None:
        """The staff user importing, who entered these records (None: the command line)."""
        return self.scope.caller.user_id if self.scope.caller is not None else None

    @property
    def reason(self) -> str:
        return f"导入：{self.scope.filename}"
