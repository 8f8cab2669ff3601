"""The dashboard page's content: headline figures with their definitions, and three charts.

The page itself is in pages.py (its login session in volunteers.web.session); this module only turns
the statistics services' answers into what dashboard.html shows, so the page and the API can never disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from volunteers.access import Caller
from volunteers.areas.tables import Area
from volunteers.stats.definitions import CATALOGUE, LABELS, PARTS, SOURCE_NAMES, SOURCES
from volunteers.stats.figures import participation
from volunteers.stats.outputs import charts
from volunteers.stats.outputs.charts import Series, number
from volunteers.stats.schemas import ActivityGroupsOut, Figure, FigureQuery, MonthlyOut, Parameters, ParticipationOut
from volunteers.stats.views import activity_groups, monthly_series
from volunteers.stats.views.activities import EARLIEST, default_range
from volunteers.web.session import page_user

HEADLINES = (
    "registered",
    "registration_rate",
    "active",
    "active_rate",
    "hours_total",
    "teams",
    "activities",
    "participants",
)
TITLES = {"registration_rate": "注册率", "active_rate": "活跃率", "hours_total": "服务时长（小时）"}
# The definitions name their parameters as the API does (window_days, min_hours, sources); the page says them
# in Chinese, with the values that made the figures.


def in_words(text: str, window_days: int | None, min_hours: float | None, sources: list[str]) -> str:
    """A definition's text with its parameters (window_days, min_hours, sources) replaced by what they are."""
    named = "「" + "、".join(SOURCE_NAMES[s] for s in sources) + "」"
    text = text.replace(" sources ", named).replace("sources", named)
    text = text.replace("window_days", f"{window_days}" if window_days is not None else "统计窗口天数")
    return text.replace("min_hours", f"{min_hours:g}" if min_hours is not None else "最低时长")


async def home_area(caller: Caller) -> str | None:
    """The area a dashboard opens on: the caller's own, or (system-wide callers) the first top-level one."""
    if caller.area_code is not None:
        return caller.area_code
    row = await Area.select(Area.code).where(Area.parent.is_null()).order_by(Area.path).first()
    return None if row is None else str(row["code"])


async def parent_of(caller: Caller, code: str) -> dict[str, Any] | None:
    """The parent area, if the caller may read it (for the “up one level” link)."""
    row = (
        await Area.select(
            Area.parent.code.as_alias("code"), Area.parent.name.as_alias("name"), Area.parent.path.as_alias("path")
        )
        .where(Area.code == code)
        .first()
    )
    if row is None or row["code"] is None or not caller.covers(row["path"]):
        return None
    return {"code": row["code"], "name": row["name"]}


def _count(value: Any) -> str:
    return "—" if value is None else number(value)


def _rate(f: Figure) -> str:
    if f.value is None:
        return "缺少数据" if f.missing else "—"
    return f"{number(f.value, '%')}（{_count(f.numerator)} / {_count(f.denominator)}）"


def headline(key: str, f: Figure, window: str, p: Parameters) -> dict[str, Any]:
    """One headline card: value, numerator and denominator, and the definition behind it (in words)."""
    definition = CATALOGUE[key]
    percent = f.unit == "percent"
    plain = (LABELS[key].split("（")[0], "无（合计）" if f.unit == "hours" else "无（计数）")
    numerator_label, denominator_label = PARTS.get(key, plain)
    return {
        "key": key,
        "title": TITLES.get(key, LABELS[key]),
        "value": f.value,
        "text": "缺少数据" if f.value is None else number(f.value, "%" if percent else ""),
        "numerator": f.numerator,
        "denominator": f.denominator,
        "numerator_text": f"{numerator_label} {_count(f.numerator)}",
        "denominator_text": denominator_label
        if f.denominator is None
        else f"{denominator_label} {_count(f.denominator)}",
        "note": f.note if f.missing else None,
        "definition": in_words(definition.zh, p.window_days, p.min_hours, p.sources),
        "reference": f.definition,
        "window": window,
    }


def _short(month: str) -> str:
    year, m = month.split("-")
    return f"{int(m)}月" if m != "01" else f"{year[2:]}年1月"


def context(
    caller: Caller,
    figures: ParticipationOut,
    monthly: MonthlyOut,
    categories: ActivityGroupsOut,
    parent: dict[str, Any] | None,
) -> dict[str, Any]:
    """Everything dashboard.html shows."""
    p = figures.parameters
    window = (
        f"统计窗口 {p.window_start} 至 {p.window_end}（{p.window_days} 天）· 最低时长 {p.min_hours:g} 小时 · "
        f"来源 {'、'.join(SOURCE_NAMES[s] for s in p.sources)}"
    )
    children = figures.children or []
    if all(c.area.own_only for c in children):
        children = []  # a community: its own row alone is the whole area again
    child_rows = [
        {
            "code": c.area.code,
            "name": c.area.name,
            "own": c.area.own_only,
            "registered": _count(c.figures["registered"].value),
            "registration_rate": _rate(c.figures["registration_rate"]),
            "active": _count(c.figures["active"].value),
            "active_rate": _rate(c.figures["active_rate"]),
        }
        for c in children
    ]
    charted = [c for c in children if not c.area.own_only]  # the 本级 row is in the table, not the chart
    rates_chart = charts.bars(
        "下级区域注册率与活跃率",
        [c.area.name for c in charted],
        [
            Series("注册率", [c.figures["registration_rate"].value for c in charted], charts.PALETTE[0]),
            Series("活跃率", [c.figures["active_rate"].value for c in charted], charts.PALETTE[1]),
        ],
        unit="%",
        unit_note="%",
        missing="缺少数据",
    )
    months = [_short(r.month) for r in monthly.rows]
    activity_values = [float(r.figures["activities"].value or 0) for r in monthly.rows]
    hour_values = [float(r.figures["hours"].value or 0) for r in monthly.rows]
    category_chart = charts.bars(
        "活动类别构成",
        [r.label for r in categories.rows],
        [Series("活动数", [r.figures["activities"].value for r in categories.rows], charts.PALETTE[2])],
        unit_note="活动数，个",
    )
    return {
        "user": page_user(caller),
        "workbench": caller.role != "official",
        "area": figures.area,
        "as_of": figures.as_of.isoformat(),
        "parent": parent,
        "window": window,
        "method": "预计算表" if figures.method == "precomputed" else "直接查询",
        "version": figures.definitions_version,
        "headlines": [headline(k, figures.figures[k], window, p) for k in HEADLINES],
        "population": figures.figures["resident_population"],
        "children": child_rows,
        "rates_chart": rates_chart,
        "monthly": monthly,
        "monthly_range": f"{monthly.start} 至 {monthly.end}",
        "activities_chart": charts.columns("每月活动数", months, activity_values, unit_note="个"),
        "hours_chart": charts.line("每月服务时长", months, hour_values, unit_note="小时"),
        "categories": categories,
        "category_chart": category_chart,
        "category_range": f"{categories.start} 至 {categories.end}",
        "definitions": {
            "monthly": in_words(
                CATALOGUE["monthly_activities"].zh + " " + CATALOGUE["monthly_hours"].zh, None, None, list(SOURCES)
            ),
            "categories": in_words(CATALOGUE["activity_count"].zh, None, None, list(SOURCES)),
        },
    }


def first_month(as_of: date, months: int = 12) -> str:
    """The first month of the `months` months ending with as_of's month, as YYYY-MM."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


async def load(caller: Caller, code: str, as_of: date) -> dict[str, Any]:
    """Compute the figures (404 outside the caller's subtree, 422 for a bad date) and build the page."""
    figures = await participation(caller, FigureQuery(area=code, as_of=as_of, breakdown=True))
    monthly = await monthly_series(caller, code, max(first_month(as_of), "1949-10"), f"{as_of:%Y-%m}")
    start, end = default_range(as_of)
    categories = await activity_groups(caller, code, max(start, EARLIEST), end, "category")
    return context(caller, figures, monthly, categories, await parent_of(caller, code))
