"""The approval queue (/staff/hours): service records of the caller's subtree with name, activity, day, hours,
source, age and an overdue badge past the 10 working days for recording, who entered a manual record; filters;
many records approved, or rejected with one reason, at once (`…/approve`, `…/reject`, each taking many `id`s).

Each record of a bulk decision is decided by `checkin.records.approve` / `reject` in its own transaction, so a
record the rules refuse (another area's, already decided, four eyes) holds back no other, and the page says
for each refused record why. The 补录 entry form is `hours_entry.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.response import Template

from volunteers import clock, db
from volunteers.access import Caller
from volunteers.checkin import records
from volunteers.checkin.records import RECORD_WITHIN_WORKING_DAYS, Outcome, overdue_before
from volunteers.checkin.schemas import DecisionIn
from volunteers.errors import DomainError, Invalid
from volunteers.fields import LOCAL_TZ, today
from volunteers.web.staff.frame import Form, StaffPages, fields_of, local, render, struct_from

PAGE_SIZE = 50
STATUSES = {"pending": "待审核", "approved": "已通过", "rejected": "已驳回", "all": "全部"}
SOURCES = {"checkin": "扫码", "manual": "补录"}
_LARGEST_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue shows, as its query string says (`from`/`to` are service days; `status=all`: any)."""

    status: str = "pending"
    source: str = ""
    activity: int | None = None
    start: date | None = None
    end: date | None = None
    overdue: bool = False
    offset: int = 0

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> QueueFilter:
        """The filter a query string asks for, or a 422 naming the field that does not read."""
        status = params.get("status") or "pending"
        if status not in STATUSES:
            raise Invalid("状态（status）只能是 pending、approved、rejected 或 all", field="status")
        source = params.get("source") or ""
        if source and source not in SOURCES:
            raise Invalid("来源（source）只能是 checkin（扫码）或 manual（补录）", field="source")
        return cls(
            status=status,
            source=source,
            activity=_number(params.get("activity"), "activity", "活动"),
            start=_day(params.get("from"), "from", "起始日期"),
            end=_day(params.get("to"), "to", "截止日期"),
            overdue=params.get("overdue") in ("1", "on", "true"),
            offset=min(_number(params.get("offset"), "offset", "翻页位置", least=0) or 0, 10**6),
        )

    def query(self, **changes: Any) -> str:
        """This filter (with `changes`) as a query string, leaving out what is at its default."""
        values = asdict(replace(self, **changes))
        pairs = {
            "status": values["status"] if values["status"] != "pending" else None,
            "source": values["source"] or None,
            "activity": values["activity"],
            "from": values["start"],
            "to": values["end"],
            "overdue": "1" if values["overdue"] else None,
            "offset": values["offset"] or None,
        }
        return urlencode({k: v for k, v in pairs.items() if v is not None})


def _number(text: str | None, field: str, label: str, least: int = 1) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not least <= int(text) <= _LARGEST_ID:
        raise Invalid(f"{label}（{field}）应为编号数字", field=field)
    return int(text)


def _day(text: str | None, field: str, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{label}（{field}）应为日期，例如 2026-03-05", field=field) from None


async def activity_choices(caller: Caller, *, cancelled_too: bool, keep: int | None) -> list[dict[str, Any]]:
    """Activities of the caller's subtree that have begun, latest first, for a picker (and `keep` if chosen)."""
    rows = await db.fetch("web/hours_activities", caller.scope_prefix, clock.now(), cancelled_too, keep)
    return [{**dict(r), "label": f"{r['starts_at'].astimezone(LOCAL_TZ):%Y-%m-%d} {r['title']}"} for r in rows]


def _row(r: Any) -> dict[str, Any]:
    ended = r["ended_at"].astimezone(LOCAL_TZ).strftime("%H:%M") if r["ended_at"] is not None else "…"
    return {
        **dict(r),
        "when": f"{local(r['started_at'])[11:]}–{ended}",
        "hours": round(r["minutes"] / 60, 2),
        "source_label": SOURCES.get(r["source"], r["source"]),
        "status_label": STATUSES.get(r["status"], r["status"]),
    }


async def queue_context(caller: Caller, chosen: QueueFilter) -> dict[str, Any]:
    """One page of the queue for the caller's subtree: one query (with the count of all that match)."""
    day = today()
    cutoff = overdue_before(day)
    rows = await db.fetch(
        "web/hours_queue",
        caller.scope_prefix,
        None if chosen.status == "all" else chosen.status,
        chosen.source or None,
        chosen.activity,
        chosen.start,
        chosen.end,
        cutoff,
        chosen.overdue,
        day,
        PAGE_SIZE,
        chosen.offset,
    )
    total = rows[0]["total"]
    offset = chosen.offset
    return {
        "filter": chosen,
        "rows": [_row(r) for r in rows if r["id"] is not None],
        "total": total,
        "first": offset + 1,
        "previous": chosen.query(offset=max(offset - PAGE_SIZE, 0)) if offset > 0 else None,
        "next": chosen.query(offset=offset + PAGE_SIZE) if offset + PAGE_SIZE < total else None,
        "here_query": chosen.query(),
        "filtered": bool(chosen.query(offset=0)),
        "activities": await activity_choices(caller, cancelled_too=True, keep=chosen.activity),
        "statuses": STATUSES,
        "sources": SOURCES,
        "within_days": RECORD_WITHIN_WORKING_DAYS,
        "cutoff": cutoff,
    }


def chosen_ids(form: Form) -> list[int]:
    """The ticked records (`id`, many), or a 422 on `id`."""
    ids = []
    for value in form.getall("id", []):
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= _LARGEST_ID:
            raise Invalid("所选记录的编号（id）无效，请刷新页面后重新勾选", field="id", code="invalid_field")
        ids.append(int(text))
    return ids


def summary(outcomes: list[Outcome], verb: str) -> dict[str, Any]:
    """What a bulk decision did: how many went through, and each refused record with why."""
    return {
        "verb": verb,
        "done": [o.record_id for o in outcomes if o.record is not None],
        "refused": [o for o in outcomes if o.record is None],
    }


def decision_status(outcomes: list[Outcome]) -> int:
    """200 if any record went through; when none did and all were refused alike, that refusal's status (as the
    API answers one record), so a script deciding one record reads the same status either way."""
    refused = {o.status for o in outcomes if o.record is None}
    if any(o.record is not None for o in outcomes) or len(refused) != 1:
        return 200
    return refused.pop() or 200


class HoursPages(StaffPages):
    path = "/staff/hours"

    async def _queue(
        self, request: Request[Any, Any, Any], caller: Caller, status: int = 200, **extra: Any
    ) -> Template:
        params = dict(request.query_params)
        try:
            chosen = QueueFilter.parse(params)
        except Invalid as exc:
            context = await queue_context(caller, QueueFilter())
            return render(
                request, caller, "hours.html", status=422, **context, raw=params, error=exc.message, field=exc.field
            )
        context = await queue_context(caller, chosen)
        return render(request, caller, "hours.html", status=status, **context, raw=params, **extra)

    @get("/")
    async def queue(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        created = request.query_params.get("created")
        notice = f"已补录记录 #{created}，等待审核" if created and created.isdigit() else None
        all_ticked = request.query_params.get("all") == "1"  # 全选本页, without a script
        return await self._queue(request, caller, notice=notice, all_ticked=all_ticked)

    @post("/approve", status_code=200)
    async def approve(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template:
        try:
            outcomes = await records.approve_many(caller, chosen_ids(form))
        except DomainError as exc:
            return await self._failed(request, caller, form, exc)
        return await self._queue(request, caller, decision_status(outcomes), result=summary(outcomes, "通过"))

    @post("/reject", status_code=200)
    async def reject(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template:
        try:
            ids = chosen_ids(form)
            decision = struct_from(fields_of(form, ["reason"]), DecisionIn)
            outcomes = await records.reject_many(caller, ids, decision)
        except DomainError as exc:
            return await self._failed(request, caller, form, exc)
        return await self._queue(request, caller, decision_status(outcomes), result=summary(outcomes, "驳回"))

    async def _failed(self, request: Request[Any, Any, Any], caller: Caller, form: Form, exc: DomainError) -> Template:
        """The queue again with why nothing was decided, the ticks and the reason as they were."""
        ticked = {str(v) for v in form.getall("id", [])}
        reason = str(form.get("reason", ""))[:500]
        return await self._queue(
            request, caller, exc.status, error=exc.message, field=exc.field, ticked=ticked, reason=reason
        )
