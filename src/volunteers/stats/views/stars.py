"""Registered volunteers by star level: cumulative approved hours up to as_of against thresholds."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from volunteers import db
from volunteers.access import Caller
from volunteers.errors import Invalid
from volunteers.stats.definitions import used
from volunteers.stats.figures import figure, parameters, percent, rounded
from volunteers.stats.schemas import AreaStars, FigureQuery, StarLevel, StarsOut
from volunteers.stats.targets import Target, breakdown_of, readable_area

DEFAULT_THRESHOLDS = (100.0, 300.0, 600.0, 1000.0, 1500.0)


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


async def star_levels(caller: Caller, query: FigureQuery, thresholds: list[float] | None = None) -> StarsOut:
    """Registered volunteers by star level (cumulative hours, so no window), optionally per child."""
    area = await readable_area(caller, query.area)
    chosen = parameters(query).sources  # checks as_of and sources
    levels_at = list(thresholds or DEFAULT_THRESHOLDS)
    parts = await breakdown_of(area, query.breakdown)
    targets = [area, *parts]
    rows = await db.fetch(
        "stats/views/stars",
        [t.id for t in targets],
        [t.own for t in targets],
        query.as_of,
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
    return StarsOut(
        area=area.ref,
        as_of=query.as_of,
        thresholds=levels_at,
        sources=chosen,
        registered=whole.registered,
        levels=whole.levels,
        definitions=used("registered", "star_volunteers", "star_at_least", "star_share"),
        children=[block(t) for t in parts if not t.own or counts[(t.id, True)]] if query.breakdown else None,
    )
