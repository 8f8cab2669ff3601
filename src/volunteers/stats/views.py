"""The other statistics views: activities grouped, per team, star levels, a monthly series.

Every view is limited to an area the caller may read (404 otherwise, as participation is),
and every figure carries its definition; the SQL lives in sql/stats/views/.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from volunteers import db
from volunteers.access import Caller
from volunteers.errors import Invalid
from volunteers.stats import service
from volunteers.stats.catalogue import figure, used
from volunteers.stats.definitions import DEFAULT_MIN_HOURS, DEFAULT_WINDOW_DAYS, SOURCES
from volunteers.stats.schemas import AreaRef
from volunteers.stats.service import Target, percent, rounded
from volunteers.stats.view_schemas import (
    ActivityGroupsOut,
    AreaStars,
    GroupRow,
    MonthlyOut,
    MonthRow,
    StarLevel,
    StarsOut,
    TeamRow,
    TeamsOut,
)

GROUPS = ("category", "venue", "team", "month")
GROUP_NAMES = {"category": "活动类别", "venue": "阵地", "team": "组织服务队", "month": "月份"}
DEFAULT_THRESHOLDS = (100.0, 300.0, 600.0, 1000.0, 1500.0)
MAX_RANGE_DAYS = 3660
MAX_MONTHS = 120
EARLIEST, LATEST = date(1949, 10, 1), date(2100, 12, 31)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _hours(minutes: int) -> float:
    return rounded(Decimal(minutes) / 60)


def _subtree(area: Target) -> str:
    return f"{area.path}%"


def check_range(start: date, end: date) -> None:
    """A date range the views accept: ordered, within the calendar we serve, at most ten years."""
    for name, day in (("from", start), ("to", end)):
        if not EARLIEST <= day <= LATEST:
            raise Invalid(f"{name} 日期应在 1949-10-01 到 2100-12-31 之间", field=name, code="invalid_date")
    if end < start:
        raise Invalid("结束日期（to）不能早于开始日期（from）", field="to", code="invalid_range")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise Invalid(f"起止日期最多相隔 {MAX_RANGE_DAYS} 天", field="to", code="range_too_long")


def check_sources(sources: list[str] | None) -> list[str]:
    chosen = sorted(set(sources or SOURCES))
    if not chosen or any(s not in SOURCES for s in chosen):
        raise Invalid("sources 只能是 checkin、manual 或两者（逗号分隔）", field="sources", code="invalid_sources")
    return chosen


def _activity_figures(row: Any) -> dict[str, Any]:
    minutes = int(row["minutes"])
    return {
        "activities": figure("activity_count", int(row["activities"])),
        "participants": figure("activity_participants", int(row["participants"])),
        "hours": figure("activity_hours", _hours(minutes), note=f"{minutes} 分钟"),
    }


async def activity_groups(
    caller: Caller, area_code: str, start: date, end: date, group: str, sources: list[str] | None = None
) -> ActivityGroupsOut:
    """Activities, participants and hours of an area's subtree by category, venue, team or month."""
    area = await service.readable_area(caller, area_code)
    if group not in GROUPS:
        raise Invalid("group 只能是 category、venue、team 或 month", field="group", code="invalid_group")
    check_range(start, end)
    chosen = check_sources(sources)
    args = (_subtree(area), start, end, chosen)
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


async def teams(
    caller: Caller,
    area_code: str,
    as_of: date,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    min_hours: float = DEFAULT_MIN_HOURS,
    sources: list[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> TeamsOut:
    """Per team of an area's subtree: registered and active members, their active rate and hours."""
    area = await service.readable_area(caller, area_code)
    p = service.parameters(as_of, window_days, min_hours, sources)
    min_minutes = int(Decimal(str(p.min_hours)) * 60)
    pattern = _subtree(area)
    rows = await db.fetch("stats/views/teams", pattern, as_of, p.window_start, min_minutes, p.sources, limit, offset)
    total = await db.fetchrow("stats/views/teams_total", pattern, as_of)
    assert total is not None
    items = []
    for r in rows:
        registered, active, minutes = int(r["registered"]), int(r["active"]), int(r["minutes"])
        items.append(
            TeamRow(
                id=r["id"],
                name=r["name"],
                sponsor=r["sponsor"],
                area=AreaRef(code=r["area_code"], name=r["area_name"], level=r["area_level"]),
                figures={
                    "registered_members": figure("team_registered_members", registered),
                    "active_members": figure("team_active_members", active),
                    "active_rate": figure("team_active_rate", percent(active, registered), active, registered),
                    "hours": figure("team_member_hours", _hours(minutes), note=f"{minutes} 分钟"),
                },
            )
        )
    return TeamsOut(
        area=area.ref,
        as_of=as_of,
        parameters=p,
        items=items,
        total=int(total["total"]),
        listed="列出的服务队与「志愿服务队数」（teams）口径相同：该区域（含下级）状态为正常且成立日期不晚于统计日期。",
        definitions=used(
            "teams", "team_registered_members", "team_active_members", "team_active_rate", "team_member_hours"
        ),
    )


def parse_thresholds(text: str | None) -> list[float]:
    """`100,300,600` → [100.0, 300.0, 600.0]: 1–10 increasing positive hours."""
    if text is None or not text.strip():
        return list(DEFAULT_THRESHOLDS)
    problem = Invalid(
        "thresholds 应为 1 到 10 个严格递增的正数小时（逗号分隔），例如 100,300,600,1000,1500",
        field="thresholds",
        code="invalid_thresholds",
    )
    parts = text.split(",")
    if len(parts) > 10:
        raise problem
    try:
        values = [rounded(float(Decimal(part.strip()))) for part in parts]
    except (ArithmeticError, ValueError) as exc:
        raise problem from exc
    if any(not 0 < v <= 100_000 for v in values) or any(b <= a for a, b in pairwise(values)):
        raise problem
    return values


def _levels(counts: dict[int, int], thresholds: list[float], registered: int) -> list[StarLevel]:
    at_least = registered
    levels = []
    for stars in range(len(thresholds) + 1):
        n = counts.get(stars, 0)
        level = StarLevel(
            stars=stars,
            threshold_hours=thresholds[stars - 1] if stars else None,
            figures={
                "volunteers": figure("star_volunteers", n),
                "at_least": figure("star_at_least", at_least),
                "share": figure("star_share", percent(n, registered), n, registered),
            },
        )
        levels.append(level)
        at_least -= n
    return levels


async def stars(
    caller: Caller,
    area_code: str,
    as_of: date,
    *,
    thresholds: list[float] | None = None,
    sources: list[str] | None = None,
    breakdown: bool = False,
) -> StarsOut:
    """Registered volunteers by star level (cumulative approved hours up to as_of), optionally per child."""
    area = await service.readable_area(caller, area_code)
    service.parameters(as_of, DEFAULT_WINDOW_DAYS, DEFAULT_MIN_HOURS, sources)  # checks as_of and sources
    chosen = check_sources(sources)
    levels_at = list(thresholds or DEFAULT_THRESHOLDS)
    children = await service.children_of(area) if breakdown else []
    own = Target(area.id, area.code, area.name, area.level, area.path, own=True)
    targets = [area, *children, *([own] if breakdown else [])]
    rows = await db.fetch(
        "stats/views/stars",
        [t.id for t in targets],
        [t.own for t in targets],
        as_of,
        chosen,
        [Decimal(str(h)) * 60 for h in levels_at],
    )
    counts: dict[tuple[int, bool], dict[int, int]] = {(t.id, t.own): {} for t in targets}
    for r in rows:
        counts[(r["area_id"], r["own"])][r["stars"]] = int(r["volunteers"])

    def block(t: Target) -> AreaStars:
        registered = sum(counts[(t.id, t.own)].values())
        levels = _levels(counts[(t.id, t.own)], levels_at, registered)
        return AreaStars(area=t.ref, registered=figure("registered", registered), levels=levels)

    whole = block(area)
    parts = [block(t) for t in children]
    if breakdown and counts[(own.id, True)]:
        parts.append(block(own))
    return StarsOut(
        area=area.ref,
        as_of=as_of,
        thresholds=levels_at,
        sources=chosen,
        registered=whole.registered,
        levels=whole.levels,
        definitions=used("registered", "star_volunteers", "star_at_least", "star_share"),
        children=parts if breakdown else None,
    )


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


async def monthly(caller: Caller, area_code: str, start: str, end: str) -> MonthlyOut:
    """Per month: new registrations, registered and active at month end, hours, activities."""
    area = await service.readable_area(caller, area_code)
    first, last = parse_month(start, "from"), parse_month(end, "to")
    if last < first:
        raise Invalid("结束月份（to）不能早于开始月份（from）", field="to", code="invalid_range")
    if months_between(first, last) > MAX_MONTHS:
        raise Invalid(f"最多查询 {MAX_MONTHS} 个月", field="to", code="range_too_long")
    await service.refresh()
    rows = await db.fetch("stats/views/monthly", _subtree(area), first, last)
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
                    "hours": figure("monthly_hours", _hours(minutes), note=f"{minutes} 分钟"),
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


def default_range(as_of: date) -> tuple[date, date]:
    """The participation window's default dates for an as-of date."""
    return as_of - timedelta(days=DEFAULT_WINDOW_DAYS - 1), as_of
