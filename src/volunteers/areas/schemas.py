"""Request and response bodies for areas and populations."""

from __future__ import annotations

from datetime import date
from typing import Literal

from msgspec import Struct

from volunteers.fields import AreaCode, Count, LongText, ShortText

Level = Literal["district", "street", "community"]


class AreaIn(Struct, forbid_unknown_fields=True):
    code: AreaCode
    name: ShortText
    level: Level
    parent_code: AreaCode | None = None


class AreaPatch(Struct, forbid_unknown_fields=True):
    name: ShortText


class AreaOut(Struct):
    id: int
    code: str
    name: str
    level: str
    parent_code: str | None
    path: str


class AreaPage(Struct):
    items: list[AreaOut]
    total: int


class PopulationIn(Struct, forbid_unknown_fields=True):
    resident_population: Count
    source: LongText
    as_of: date


class PopulationOut(Struct):
    area_code: str
    year: int
    resident_population: int
    source: str
    as_of: date
