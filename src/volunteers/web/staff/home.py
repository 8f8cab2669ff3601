"""The workbench home (/staff): today's and the coming week's activities with their live counters, the
hours waiting for a decision (with those past the 10 working days for recording), and the latest imports."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from litestar import Request, get
from litestar.response import Template

from volunteers import db
from volunteers.access import Caller
from volunteers.checkin.records import RECORD_WITHIN_WORKING_DAYS, overdue_before
from volunteers.fields import LOCAL_TZ, today
from volunteers.web.staff.frame import StaffPages, local, render

AHEAD_DAYS = 7


async def home_context(caller: Caller) -> dict[str, Any]:
    """What the home page shows, for the caller's subtree."""
    day = today()
    start = datetime.combine(day, time(), LOCAL_TZ)
    rows = await db.fetch("web/staff_ahead", caller.scope_prefix, start, start + timedelta(days=AHEAD_DAYS + 1))
    tomorrow = start + timedelta(days=1)
    activities = [
        {
            **dict(r),
            "when": f"{local(r['starts_at'])}–{r['ends_at'].astimezone(LOCAL_TZ):%H:%M}",
            "today": r["starts_at"] < tomorrow,
        }
        for r in rows
    ]
    pending = await db.fetchrow("web/staff_pending", caller.scope_prefix, overdue_before(day))
    imports = [{**dict(r), "at": local(r["at"])} for r in await db.fetch("web/staff_imports", caller.scope_prefix)]
    return {
        "today_activities": [a for a in activities if a["today"]],
        "coming_activities": [a for a in activities if not a["today"]],
        "pending": pending["pending"] if pending else 0,
        "overdue": pending["overdue"] if pending else 0,
        "within_days": RECORD_WITHIN_WORKING_DAYS,
        "imports": imports,
    }


class HomePages(StaffPages):
    @get("/staff")
    async def home(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        return render(request, caller, "home.html", **await home_context(caller))
