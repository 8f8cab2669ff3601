"""Query-string parameters shared by the statistics routes (figures, views, exports)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar.params import Parameter

from volunteers.fields import AREA_CODE_PATTERN

AreaQuery = Annotated[
    str, Parameter(query="area", min_length=1, max_length=32, pattern=AREA_CODE_PATTERN, description="区域编码")
]
AsOf = Annotated[date, Parameter(query="as_of")]
WindowDays = Annotated[int, Parameter(ge=1, le=3660)]
MinHours = Annotated[float, Parameter(ge=0, le=24)]
Sources = Annotated[str | None, Parameter(max_length=40, description="checkin,manual (comma-separated)")]


def split_sources(sources: str | None) -> list[str] | None:
    """`checkin,manual` as a list; None (every source) when not given."""
    return [s.strip() for s in sources.split(",") if s.strip()] if sources else None
