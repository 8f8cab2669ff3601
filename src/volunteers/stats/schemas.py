"""Response bodies for statistics."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from msgspec import Meta, Struct

from volunteers.fields import AreaCode, ShortText
from volunteers.stats.definitions import Definition

Number = int | float


class Figure(Struct, omit_defaults=True):
    value: Number | None
    numerator: Number | None
    denominator: Number | None
    unit: str
    definition: str
    missing: bool = False
    note: str | None = None
    year: int | None = None
    source: str | None = None


class AreaRef(Struct):
    code: str
    name: str
    level: str
    own_only: bool = False


class Parameters(Struct):
    window_days: int
    min_hours: float
    sources: list[str]
    window_start: date
    window_end: date


class AreaFigures(Struct):
    area: AreaRef
    figures: dict[str, Figure]


class ParticipationOut(Struct):
    area: AreaRef
    as_of: date
    parameters: Parameters
    method: str
    definitions_version: str
    figures: dict[str, Figure]
    children: list[AreaFigures] | None = None


class DefinitionsOut(Struct):
    version: str
    parameters: dict[str, Any]
    definitions: list[Definition]


class ReconcileParameters(Struct, forbid_unknown_fields=True):
    window_days: Annotated[int, Meta(ge=1, le=3660)] = 365
    min_hours: Annotated[float, Meta(ge=0, le=24)] = 0.0
    sources: list[str] | None = None


class Reported(Struct, forbid_unknown_fields=True):
    registration_rate: Annotated[float, Meta(ge=0, le=1000)] | None = None
    active_rate: Annotated[float, Meta(ge=0, le=1000)] | None = None
    registered: Annotated[int, Meta(ge=0, le=10**9)] | None = None
    active: Annotated[int, Meta(ge=0, le=10**9)] | None = None
    resident_population: Annotated[int, Meta(ge=0, le=10**10)] | None = None
    teams: Annotated[int, Meta(ge=0, le=10**7)] | None = None


class ReconcileIn(Struct, forbid_unknown_fields=True):
    area: AreaCode
    as_of: date
    reported: Reported
    parameters: ReconcileParameters | None = None


class Comparison(Struct, omit_defaults=True):
    figure: str
    reported: Number
    computed: Number | None
    difference: Number | None
    agrees: bool | None
    tolerance: float
    implied: dict[str, Number] | None = None
    note: str | None = None


class Consistency(Struct):
    check: str
    reported_rate: float
    rate_from_reported_counts: float
    agrees: bool
    note: str


class ReconcileOut(Struct):
    area: AreaRef
    as_of: date
    parameters: Parameters
    comparisons: list[Comparison]
    consistency: list[Consistency]


class SnapshotIn(Struct, forbid_unknown_fields=True):
    title: ShortText
    area: AreaCode
    as_of: date
    breakdown: bool = False
    parameters: ReconcileParameters | None = None


class SnapshotOut(Struct):
    id: int
    title: str
    area_code: str
    as_of: date
    created_at: datetime
    created_by: str | None
    participation: ParticipationOut


class SnapshotSummary(Struct):
    id: int
    title: str
    area_code: str
    as_of: date
    created_at: datetime


class SnapshotPage(Struct):
    items: list[SnapshotSummary]
    total: int
