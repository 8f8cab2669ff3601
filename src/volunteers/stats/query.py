"""Query-string parameters of the statistics routes, and the FigureQuery built from them.

Declared once here: a route asks for `figure_query`, `breakdown_query` or `star_query` (see
DEPENDENCIES) and receives a FigureQuery; the parameters are documented as plain query parameters.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from litestar.di import Provide
from litestar.params import Parameter

from volunteers.fields import AREA_CODE_PATTERN
from volunteers.stats.definitions import DEFAULT_MIN_HOURS, DEFAULT_WINDOW_DAYS
from volunteers.stats.schemas import FigureQuery

AreaQuery = Annotated[
    str, Parameter(query="area", min_length=1, max_length=32, pattern=AREA_CODE_PATTERN, description="区域编码")
]
AsOf = Annotated[date, Parameter(query="as_of")]
WindowDays = Annotated[int, Parameter(ge=1, le=3660)]
MinHours = Annotated[float, Parameter(ge=0, le=24)]
Sources = Annotated[str | None, Parameter(max_length=40, description="checkin,manual (comma-separated)")]
Breakdown = Literal["children"] | None
FromDate = Annotated[date, Parameter(query="from", description="first day, YYYY-MM-DD")]
ToDate = Annotated[date, Parameter(query="to", description="last day, YYYY-MM-DD (inclusive)")]
FromMonth = Annotated[str, Parameter(query="from", min_length=1, max_length=7, description="YYYY-MM")]
ToMonth = Annotated[str, Parameter(query="to", min_length=1, max_length=7, description="YYYY-MM")]
Group = Literal["category", "venue", "team", "month"]
Thresholds = Annotated[
    str | None, Parameter(max_length=100, description="star thresholds in hours, e.g. 100,300,600,1000,1500")
]
FileFormat = Annotated[Literal["xlsx", "csv"], Parameter(query="format")]


def split_sources(sources: str | None) -> list[str] | None:
    """`checkin,manual` as a list; None (every source) when not given."""
    return [s.strip() for s in sources.split(",") if s.strip()] if sources else None


def figure_query(
    area: AreaQuery,
    as_of: AsOf,
    window_days: WindowDays = DEFAULT_WINDOW_DAYS,
    min_hours: MinHours = DEFAULT_MIN_HOURS,
    sources: Sources = None,
) -> FigureQuery:
    """An area as of a date with the definition's parameters (no breakdown)."""
    return FigureQuery(
        area=area, as_of=as_of, window_days=window_days, min_hours=min_hours, sources=split_sources(sources)
    )


def breakdown_query(figure_query: FigureQuery, breakdown: Breakdown = None) -> FigureQuery:
    """The same, and `breakdown=children` for each child area too."""
    return msgspec.structs.replace(figure_query, breakdown=breakdown == "children")


def star_query(area: AreaQuery, as_of: AsOf, sources: Sources = None, breakdown: Breakdown = None) -> FigureQuery:
    """Star levels count cumulative hours: no window, no minimum, only the sources."""
    return FigureQuery(area=area, as_of=as_of, sources=split_sources(sources), breakdown=breakdown == "children")


DEPENDENCIES = {
    "figure_query": Provide(figure_query, sync_to_thread=False),
    "breakdown_query": Provide(breakdown_query, sync_to_thread=False),
    "star_query": Provide(star_query, sync_to_thread=False),
}
