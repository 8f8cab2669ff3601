"""Participation figures: each with its numerator, denominator and definition.

`participation` answers a FigureQuery for an area (and, with the breakdown, each child and the
area's own row); the arithmetic here (half-up rounding, percentages, `figure`) is shared by
every view, so a rate reads the same in every answer, export and page.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from volunteers.access import Caller
from volunteers.errors import Invalid
from volunteers.stats.counts import counts, structure
from volunteers.stats.definitions import CATALOGUE, SOURCES, VERSION, reference
from volunteers.stats.refresh import precomputed, refresh
from volunteers.stats.schemas import AreaFigures, Figure, FigureQuery, Parameters, ParticipationOut
from volunteers.stats.targets import breakdown_of, readable_area


def rounded(value: float | Decimal, places: int = 2) -> float:
    """Half-up rounding, as statistics offices publish (17.155 → 17.16); exact for values of any size."""
    exact = Decimal(str(value))
    # quantize needs a digit of precision for every digit it keeps, or it raises (an implied figure can be huge)
    context = Context(prec=max(28, exact.adjusted() + places + 2))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=context))


def percent(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator × 100 to two decimals, or None when undefined."""
    if numerator is None or not denominator:
        return None
    return rounded(Decimal(numerator) * 100 / Decimal(denominator))


def hours(minutes: int) -> float:
    """Minutes as hours to two decimals."""
    return rounded(Decimal(minutes) / 60)


def figure(key: str, value: Any, numerator: Any = None, denominator: Any = None, **extra: Any) -> Figure:
    """A figure with its definition; a count or a sum is its own numerator."""
    definition = CATALOGUE[key]
    return Figure(
        value=value,
        numerator=value if numerator is None and definition.unit != "percent" else numerator,
        denominator=denominator,
        unit=definition.unit,
        definition=reference(key),
        **extra,
    )


def checked_sources(sources: list[str] | None) -> list[str]:
    """The sources counted, sorted (every source when none is named)."""
    chosen = sorted(set(sources or SOURCES))
    if not chosen or any(s not in SOURCES for s in chosen):
        raise Invalid("sources 只能是 checkin、manual 或两者（逗号分隔）", field="sources", code="invalid_sources")
    return chosen


def parameters(query: FigureQuery) -> Parameters:
    """The query's checked, explicit parameters (the defaults spelled out)."""
    as_of = query.as_of
    if not date(1949, 10, 1) <= as_of <= date(2100, 12, 31):
        raise Invalid("统计日期应在 1949-10-01 到 2100-12-31 之间", field="as_of", code="invalid_as_of")
    chosen = checked_sources(query.sources)
    if not 1 <= query.window_days <= 3660:
        raise Invalid("统计窗口天数应在 1 到 3660 之间", field="window_days", code="invalid_window")
    if not 0 <= query.min_hours <= 24:
        raise Invalid("最低时长应在 0 到 24 小时之间", field="min_hours", code="invalid_min_hours")
    return Parameters(
        window_days=query.window_days,
        min_hours=query.min_hours,
        sources=chosen,
        window_start=as_of - timedelta(days=query.window_days - 1),
        window_end=as_of,
    )


def figures(c: dict[str, int], s: dict[str, Any]) -> dict[str, Figure]:
    """Every figure of one area from its counts and structure."""
    registered, active, minutes = int(c["registered"]), int(c["active"]), int(c["minutes"])
    hours_total = hours(minutes)
    population = s["resident_population"]
    if population is None:
        population_figure = figure(
            "resident_population", None, missing=True, note="该区域未登记统计年份的常住人口，比率无法计算"
        )
    else:
        population_figure = figure(
            "resident_population",
            population,
            numerator=population,
            year=s["population_year"],
            source=s["population_source"],
        )
    return {
        "resident_population": population_figure,
        "registered": figure("registered", registered),
        "registration_rate": figure(
            "registration_rate",
            percent(registered, population),
            registered,
            population,
            missing=population is None,
        ),
        "active": figure("active", active),
        "active_rate": figure("active_rate", percent(active, registered), active, registered),
        "hours_total": figure("hours_total", hours_total, note=f"{minutes} 分钟"),
        "hours_per_registered": figure(
            "hours_per_registered",
            rounded(Decimal(minutes) / 60 / registered) if registered else None,
            hours_total,
            registered,
        ),
        "hours_per_active": figure(
            "hours_per_active", rounded(Decimal(minutes) / 60 / active) if active else None, hours_total, active
        ),
        "teams": figure("teams", int(s["teams"])),
        "team_coverage": figure(
            "team_coverage",
            percent(s["communities_with_two_teams"], s["communities"]),
            int(s["communities_with_two_teams"]),
            int(s["communities"]),
        ),
        "activities": figure("activities", int(s["activities"])),
        "participants": figure("participants", int(c["participants"])),
    }


def _has_own_figures(c: dict[str, int], s: dict[str, Any]) -> bool:
    return any(int(c[k]) for k in ("registered", "active", "minutes", "participants")) or any(
        int(s[k]) for k in ("teams", "activities")
    )


async def participation(caller: Caller, query: FigureQuery) -> ParticipationOut:
    """The participation figures of an area as of a date, optionally for each child too."""
    area = await readable_area(caller, query.area)
    p = parameters(query)
    await refresh()
    parts = await breakdown_of(area, query.breakdown)
    targets = [area, *parts]
    c, s = await counts(targets, p), await structure(targets, p)
    children = [
        AreaFigures(area=t.ref, figures=figures(c[(t.id, t.own)], s[(t.id, t.own)]))
        for t in parts
        if not t.own or _has_own_figures(c[(t.id, t.own)], s[(t.id, t.own)])
    ]
    return ParticipationOut(
        area=area.ref,
        as_of=query.as_of,
        parameters=p,
        method="precomputed" if precomputed(p) else "direct",
        definitions_version=VERSION,
        figures=figures(c[(area.id, False)], s[(area.id, False)]),
        children=children if query.breakdown else None,
    )
