"""Activities, participants and hours of an area's subtree, by category, venue, team or month."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from volunteers import db
from volunteers.access import Caller
from volunteers.errors import Invalid
from volunteers.stats.definitions import DEFAULT_WINDOW_DAYS, used
from volunteers.stats.figures import checked_sources, figure, hours
from volunteers.stats.schemas import ActivityGroupsOut, GroupRow
from volunteers.stats.targets import readable_area

GROUPS = ("category", "venue", "team", "month")
GROUP_NAMES = {"category": "活动类别", "venue": "阵地", "team": "组织服务队", "month": "月份"}
MAX_RANGE_DAYS = 3660
EARLIEST, LATEST = date(1949, 10, 1), date(2100, 12, 31)


def check_range(start: date, end: date) -> None:
    """A date range the views accept: ordered, within the calendar we serve, at most ten years."""
    for name, day in (("from", start), ("to", end)):
        if not EARLIEST <= day <= LATEST:
            raise Invalid(f"{name} 日期应在 1949-10-01 到 2100-12-31 之间", field=name, code="invalid_date")
    if end < start:
        raise Invalid("结束日期（to）不能早于开始日期（from）", field="to", code="invalid_range")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise Invalid(f"起止日期最多相隔 {MAX_RANGE_DAYS} 天", field="to", code="range_too_long")


def default_range(as_of: date) -> tuple[date, date]:
    """The participation window's default dates for an as-of date."""
    return as_of - timedelta(days=DEFAULT_WINDOW_DAYS - 1), as_of


def _activity_figures(row: Any) -> dict[str, Any]:
    minutes = int(row["minutes"])
    return {
        "activities": figure("activity_count", int(row["activities"])),
        "participants": figure("activity_participants", int(row["participants"])),
        "hours": figure("activity_hours", hours(minutes), note=f"{minutes} 分钟"),
    }


async def activity_groups(
    caller: Caller, area_code: str, start: date, end: date, group: str, sources: list[str] | None = None
) -> ActivityGroupsOut:
    """Activities, participants and hours of an area's subtree by category, venue, team or month."""
    area = await readable_area(caller, area_code)
    if group not in GROUPS:
        raise Invalid("group 只能是 category、venue、team 或 month", field="group", code="invalid_group")
    check_range(start, end)
    chosen = checked_sources(sources)
    args = (area.subtree, start, end, chosen)
    rows = await db.fetch(f"stats/views/activities_by_{group}", *args)
    total = await db.fetchrow("stats/views/activities_total", *args)
    assert total is not None
    note = (
        "多支服务队联合组织的活动在每支队伍下各计一次，各行之和可能大于合计。"
        if group == "team"
        else "各行之和等于合计。"
    )
    return ActivityGroupsOut(
        area=area.ref,
        group=group,
        start=start,
        end=end,
        sources=chosen,
        rows=[GroupRow(key=r["key"], label=r["label"], figures=_activity_figures(r)) for r in rows],
        total=_activity_figures(total),
        note=note,
        definitions=used("activity_count", "activity_participants", "activity_hours"),
    )
