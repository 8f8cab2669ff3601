"""Participation figures: each with its numerator, denominator and definition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from volunteers import db
from volunteers.access import Caller
from volunteers.areas.tables import Area
from volunteers.errors import Invalid, NotFound
from volunteers.stats.definitions import (
    DEFAULT_MIN_HOURS,
    DEFAULT_WINDOW_DAYS,
    DEFINITIONS,
    SOURCES,
    VERSION,
)
from volunteers.stats.schemas import AreaFigures, AreaRef, Figure, Parameters, ParticipationOut


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


def parameters(as_of: date, window_days: int, min_hours: float, sources: list[str] | None) -> Parameters:
    """Checked, explicit parameters (the defaults spelled out)."""
    if not date(1949, 10, 1) <= as_of <= date(2100, 12, 31):
        raise Invalid("统计日期应在 1949-10-01 到 2100-12-31 之间", field="as_of", code="invalid_as_of")
    chosen = sorted(set(sources or SOURCES))
    if not chosen or any(s not in SOURCES for s in chosen):
        raise Invalid("sources 只能是 checkin、manual 或两者（逗号分隔）", field="sources", code="invalid_sources")
    if not 1 <= window_days <= 3660:
        raise Invalid("统计窗口天数应在 1 到 3660 之间", field="window_days", code="invalid_window")
    if not 0 <= min_hours <= 24:
        raise Invalid("最低时长应在 0 到 24 小时之间", field="min_hours", code="invalid_min_hours")
    return Parameters(
        window_days=window_days,
        min_hours=min_hours,
        sources=chosen,
        window_start=as_of - timedelta(days=window_days - 1),
        window_end=as_of,
    )


def is_default(p: Parameters) -> bool:
    """Whether the precomputed tables answer these parameters."""
    return p.window_days == DEFAULT_WINDOW_DAYS and p.min_hours == DEFAULT_MIN_HOURS and p.sources == sorted(SOURCES)


# Volunteers recomputed per transaction: after a bulk import the refresh commits as it goes, each
# batch well inside the command timeout, and other readers take their turn between batches.
REFRESH_BATCH = 10_000


async def refresh() -> int:
    """Bring the derived tables up to date with every write so far; returns volunteers refreshed."""
    total = 0
    async with db.connection() as conn:
        while True:
            refreshed: int = await conn.fetchval(db.sql("stats/refresh"), REFRESH_BATCH)
            total += refreshed
            if refreshed < REFRESH_BATCH:  # it took every mark there was: writes made meanwhile are not waited for
                return total


@dataclass(frozen=True)
class Target:
    id: int
    code: str
    name: str
    level: str
    path: str
    own: bool = False

    @property
    def ref(self) -> AreaRef:
        name = f"{self.name}（本级）" if self.own else self.name
        return AreaRef(code=self.code, name=name, level=self.level, own_only=self.own)


async def readable_area(caller: Caller, code: str) -> Target:
    """The area named by `code`, if the caller may read it."""
    row = await Area.select(Area.id, Area.code, Area.name, Area.level, Area.path).where(Area.code == code).first()
    if row is None or not caller.covers(row["path"]):
        raise NotFound(f"区域 {code} 不存在", field="area")
    return Target(**row)


async def children_of(target: Target) -> list[Target]:
    rows = (
        await Area.select(Area.id, Area.code, Area.name, Area.level, Area.path)
        .where(Area.parent == target.id)
        .order_by(Area.path)
    )
    return [Target(**r) for r in rows]


async def counts(targets: list[Target], p: Parameters) -> dict[tuple[int, bool], dict[str, int]]:
    """registered, active, minutes, participants per target: precomputed when the parameters allow."""
    if is_default(p):
        rows = await db.fetch(
            "stats/participation",
            [t.id for t in targets],
            p.window_end,
            p.window_start,
            p.sources,
            [t.own for t in targets],
        )
        return {(r["area_id"], r["own"]): dict(r) for r in rows}
    return {(t.id, t.own): await reference_counts(t, p) for t in targets}


async def reference_counts(target: Target, p: Parameters) -> dict[str, int]:
    """The four record-based figures straight from the records (COUNT DISTINCT)."""
    pattern = target.path if target.own else f"{target.path}%"
    min_minutes = int(Decimal(str(p.min_hours)) * 60)
    row = await db.fetchrow("stats/reference", pattern, p.window_end, p.window_start, min_minutes, p.sources)
    assert row is not None
    return dict(row)


async def structure(targets: list[Target], p: Parameters) -> dict[tuple[int, bool], dict[str, Any]]:
    rows = await db.fetch(
        "stats/structure", [t.id for t in targets], p.window_end, p.window_start, [t.own for t in targets]
    )
    return {(r["area_id"], r["own"]): dict(r) for r in rows}


def _figure(key: str, value: Any, numerator: Any = None, denominator: Any = None, **extra: Any) -> Figure:
    definition = DEFINITIONS[key]
    return Figure(
        value=value,
        numerator=value if numerator is None and definition.additive else numerator,
        denominator=denominator,
        unit=definition.unit,
        definition=f"{definition.id}@{definition.version}",
        **extra,
    )


def figures(c: dict[str, int], s: dict[str, Any]) -> dict[str, Figure]:
    """Every figure of one area from its counts and structure."""
    registered, active, minutes = int(c["registered"]), int(c["active"]), int(c["minutes"])
    hours = rounded(Decimal(minutes) / 60)
    population = s["resident_population"]
    if population is None:
        population_figure = _figure(
            "resident_population", None, missing=True, note="该区域未登记统计年份的常住人口，比率无法计算"
        )
    else:
        population_figure = _figure(
            "resident_population",
            population,
            numerator=population,
            year=s["population_year"],
            source=s["population_source"],
        )
    return {
        "resident_population": population_figure,
        "registered": _figure("registered", registered),
        "registration_rate": _figure(
            "registration_rate",
            percent(registered, population),
            registered,
            population,
            missing=population is None,
        ),
        "active": _figure("active", active),
        "active_rate": _figure("active_rate", percent(active, registered), active, registered),
        "hours_total": _figure("hours_total", hours, note=f"{minutes} 分钟"),
        "hours_per_registered": _figure(
            "hours_per_registered",
            rounded(Decimal(minutes) / 60 / registered) if registered else None,
            hours,
            registered,
        ),
        "hours_per_active": _figure(
            "hours_per_active", rounded(Decimal(minutes) / 60 / active) if active else None, hours, active
        ),
        "teams": _figure("teams", int(s["teams"])),
        "team_coverage": _figure(
            "team_coverage",
            percent(s["communities_with_two_teams"], s["communities"]),
            int(s["communities_with_two_teams"]),
            int(s["communities"]),
        ),
        "activities": _figure("activities", int(s["activities"])),
        "participants": _figure("participants", int(c["participants"])),
    }


def _has_own_figures(c: dict[str, int], s: dict[str, Any]) -> bool:
    return any(int(c[k]) for k in ("registered", "active", "minutes", "participants")) or any(
        int(s[k]) for k in ("teams", "activities")
    )


async def participation(
    caller: Caller,
    area_code: str,
    as_of: date,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    min_hours: float = DEFAULT_MIN_HOURS,
    sources: list[str] | None = None,
    breakdown: bool = False,
) -> ParticipationOut:
    """The participation figures of an area as of a date, optionally for each child too."""
    area = await readable_area(caller, area_code)
    p = parameters(as_of, window_days, min_hours, sources)
    await refresh()
    children = await children_of(area) if breakdown else []
    own = Target(area.id, area.code, area.name, area.level, area.path, own=True)
    targets = [area, *children, *([own] if breakdown else [])]
    c, s = await counts(targets, p), await structure(targets, p)
    parts = [AreaFigures(area=t.ref, figures=figures(c[(t.id, t.own)], s[(t.id, t.own)])) for t in children]
    if breakdown and _has_own_figures(c[(own.id, True)], s[(own.id, True)]):
        parts.append(AreaFigures(area=own.ref, figures=figures(c[(own.id, True)], s[(own.id, True)])))
    return ParticipationOut(
        area=area.ref,
        as_of=as_of,
        parameters=p,
        method="precomputed" if is_default(p) else "direct",
        definitions_version=VERSION,
        figures=figures(c[(area.id, False)], s[(area.id, False)]),
        children=parts if breakdown else None,
    )
