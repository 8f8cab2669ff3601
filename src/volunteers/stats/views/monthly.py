"""A monthly series: new registrations, registered and active at month end, hours, activities."""

from __future__ import annotations

import re
from datetime import date

from volunteers import db
from volunteers.access import Caller
from volunteers.errors import Invalid
from volunteers.stats.definitions import DEFAULT_MIN_HOURS, DEFAULT_WINDOW_DAYS, SOURCES, used
from volunteers.stats.figures import figure, hours, percent
from volunteers.stats.refresh import refresh
from volunteers.stats.schemas import MonthlyOut, MonthRow
from volunteers.stats.targets import readable_area
from volunteers.stats.views.activities import LATEST

MAX_MONTHS = 120
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str, field: str) -> date:
    """`2026-05` → 2026-05-01."""
    found = _MONTH.match(text)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise Invalid(f"{field} 应为年月，格式 YYYY-MM，例如 2026-05", field=field, code="invalid_month")
    first = date(int(found.group(1)), int(found.group(2)), 1)
    if not date(1949, 10, 1) <= first <= LATEST:
        raise Invalid(f"{field} 应在 1949-10 到 2100-12 之间", field=field, code="invalid_month")
    return first


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


async def monthly_series(caller: Caller, area_code: str, start: str, end: str) -> MonthlyOut:
    """Per month: new registrations, registered and active at month end, hours, activities."""
    area = await readable_area(caller, area_code)
    first, last = parse_month(start, "from"), parse_month(end, "to")
    if last < first:
        raise Invalid("结束月份（to）不能早于开始月份（from）", field="to", code="invalid_range")
    if months_between(first, last) > MAX_MONTHS:
        raise Invalid(f"最多查询 {MAX_MONTHS} 个月", field="to", code="range_too_long")
    await refresh()
    rows = await db.fetch("stats/views/monthly", area.subtree, first, last)
    out = []
    for r in rows:
        registered, active, minutes = int(r["registered"]), int(r["active"]), int(r["minutes"])
        out.append(
            MonthRow(
                month=r["month"],
                month_end=r["month_end"],
                figures={
                    "new_registrations": figure("new_registrations", int(r["new_registrations"])),
                    "registered": figure("registered", registered),
                    "active": figure("active", active),
                    "active_rate": figure("active_rate", percent(active, registered), active, registered),
                    "hours": figure("monthly_hours", hours(minutes), note=f"{minutes} 分钟"),
                    "activities": figure("monthly_activities", int(r["activities"])),
                },
            )
        )
    return MonthlyOut(
        area=area.ref,
        start=f"{first:%Y-%m}",
        end=f"{last:%Y-%m}",
        parameters={
            "window_days": DEFAULT_WINDOW_DAYS,
            "min_hours": DEFAULT_MIN_HOURS,
            "sources": list(SOURCES),
            "as_of": "每月最后一天（registered、active 按该日计算）",
        },
        rows=out,
        definitions=used(
            "new_registrations", "registered", "active", "active_rate", "monthly_hours", "monthly_activities"
        ),
    )
