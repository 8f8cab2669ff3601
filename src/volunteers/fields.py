"""Constrained field types shared by the request Structs, and list paging."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from litestar.params import Parameter
from msgspec import Meta

from volunteers import clock

ShortText = Annotated[str, Meta(min_length=1, max_length=100)]
LongText = Annotated[str, Meta(max_length=500)]
Reason = Annotated[str, Meta(min_length=1, max_length=500)]
AreaCode = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")]
Phone = Annotated[str, Meta(min_length=1, max_length=20)]
Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]
Count = Annotated[int, Meta(ge=0, le=2**31 - 1)]

Limit = Annotated[int, Parameter(ge=1, le=500, default=50, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000, default=0, description="rows to skip")]
PathId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]

# The district keeps local time; dates ("today", registered_on, as_of) are Beijing dates.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in the district."""
    return clock.now().astimezone(LOCAL_TZ).date()
