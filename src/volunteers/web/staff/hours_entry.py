"""The 补录 entry form (/staff/hours/new): a volunteer picked by name or phone search, an activity from the list,
local times and a reason, posted with the API's field names (ManualRecordIn) to `checkin.records.create_manual`,
the rule POST /service-records follows. The record waits in the queue; the queue names who entered it.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from volunteers.access import Caller
from volunteers.checkin import records
from volunteers.checkin.schemas import ManualRecordIn
from volunteers.errors import DomainError
from volunteers.fields import LOCAL_TZ
from volunteers.people.service import get_volunteer, list_volunteers
from volunteers.web.session import HEADERS
from volunteers.web.staff.frame import Form, StaffPages, fields_of, render, struct_from
from volunteers.web.staff.hours import activity_choices

FIELDS = ("volunteer_id", "activity_id", "started_at", "ended_at", "reason")
FOUND_AT_MOST = 20
STATUS_LABELS = {"active": "在册", "suspended": "暂停", "withdrawn": "已退出"}


def with_district_time(data: dict[str, Any]) -> dict[str, Any]:
    """A form's `started_at`/`ended_at` as the browser sends them (2026-03-05T14:00, the district's clock) made
    aware (+08:00), as the API takes them; what does not read as a time is left for the API's own message."""
    timed = dict(data)
    for field in ("started_at", "ended_at"):
        try:
            moment = datetime.fromisoformat(timed[field])
        except (KeyError, ValueError):
            continue
        if moment.tzinfo is None:
            timed[field] = moment.replace(tzinfo=LOCAL_TZ).isoformat()
    return timed


def _int(text: Any) -> int | None:
    value = str(text or "").strip()
    return int(value) if value.isascii() and value.isdigit() and 1 <= int(value) <= 2**31 - 1 else None


async def entry_context(caller: Caller, typed: dict[str, Any], q: str) -> dict[str, Any]:
    """The form: volunteers matching `q` (and the one already chosen), the activities to pick, what was typed."""
    found: list[Any] = []
    more = False
    if q:
        found, total = await list_volunteers(caller, q=q, area=None, status=None, limit=FOUND_AT_MOST, offset=0)
        more = total > FOUND_AT_MOST
    chosen_id = _int(typed.get("volunteer_id"))
    if chosen_id is not None and all(v.id != chosen_id for v in found):
        with contextlib.suppress(DomainError):  # not one the caller may see: nothing to keep checked
            found.insert(0, await get_volunteer(caller, chosen_id))
    return {
        "typed": typed,
        "q": q,
        "found": found,
        "more": more,
        "at_most": FOUND_AT_MOST,
        "status_labels": STATUS_LABELS,
        "activities": await activity_choices(caller, cancelled_too=False, keep=_int(typed.get("activity_id"))),
    }


class HoursEntryPages(StaffPages):
    path = "/staff/hours/new"

    @get("/")
    async def entry(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        params = request.query_params
        typed = {name: params.get(name, "") for name in FIELDS}
        q = str(params.get("q", "")).strip()[:100]
        return render(request, caller, "hours_new.html", **await entry_context(caller, typed, q))

    @post("/", status_code=303)
    async def create(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template | Redirect:
        typed = {name: str(form.get(name, ""))[:500] for name in FIELDS}
        q = str(form.get("q", "")).strip()[:100]
        try:
            data = struct_from(with_district_time(fields_of(form, FIELDS)), ManualRecordIn)
            record = await records.create_manual(caller, data)
        except DomainError as exc:
            context = await entry_context(caller, typed, q)
            return render(
                request, caller, "hours_new.html", status=exc.status, **context, error=exc.message, field=exc.field
            )
        return Redirect(f"/staff/hours?created={record.id}", status_code=303, headers=HEADERS)
