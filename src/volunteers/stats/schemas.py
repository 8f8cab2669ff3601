"""Statistics in and out: the figure query, figures, every view's answer, reconciliation and snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

from volunteers.fields import AreaCode, ShortText
from volunteers.stats.definitions import DEFAULT_MIN_HOURS, DEFAULT_WINDOW_DAYS, Definition

Number = int | float


class FigureQuery(Struct, frozen=True, kw_only=True):
    """What figures are asked for: an area as of a date, the definition's parameters, and the breakdown.

    Routes, pages, the command line, reconciliation and snapshots each build one; the figures
    check it (`figures.parameters`). `sources` None means every source.
    """

    area: str
    as_of: date
    window_days: int = DEFAULT_WINDOW_DAYS
    min_hours: float = DEFAULT_MIN_HOURS
    sources: list[str] | None = None
    breakdown: bool = False


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


# The other views: activities grouped, per team, star levels, the monthly series.


class GroupRow(Struct):
    key: str | None
    label: str
    figures: dict[str, Figure]


class ActivityGroupsOut(Struct):
    area: AreaRef
    group: str
    start: date = msgspec.field(name="from")
    end: date = msgspec.field(name="to")
    sources: list[str]
    rows: list[GroupRow]
    total: dict[str, Figure]
    note: str
    definitions: list[Definition]


class TeamRow(Struct):
    id: int
    name: str
    sponsor: str
    area: AreaRef
    figures: dict[str, Figure]


class TeamsOut(Struct):
    area: AreaRef
    as_of: date
    parameters: Parameters
    items: list[TeamRow]
    total: int
    listed: str
    definitions: list[Definition]


class StarLevel(Struct):
    stars: int
    threshold_hours: float | None
    figures: dict[str, Figure]


class AreaStars(Struct):
    area: AreaRef
    registered: Figure
    levels: list[StarLevel]


class StarsOut(Struct):
    area: AreaRef
    as_of: date
    thresholds: list[float]
    sources: list[str]
    registered: Figure
    levels: list[StarLevel]
    definitions: list[Definition]
    children: list[AreaStars] | None = None


class MonthRow(Struct):
    month: str
    month_end: date
    figures: dict[str, Figure]


class MonthlyOut(Struct):
    area: AreaRef
    start: str = msgspec.field(name="from")
    end: str = msgspec.field(name="to")
    parameters: dict[str, Any]
    rows: list[MonthRow]
    definitions: list[Definition]


class ReconcileParameters(Struct, forbid_unknown_fields=True):
    window_days: Annotated[int, Meta(ge=1, le=3660)] = 365
    min_hours: Annotated[float, Meta(ge=0, le=24)] = 0.0
    sources: list[str] | None = None

    def query(self, area: str, as_of: date, *, breakdown: bool = False) -> FigureQuery:
        """The figure query these parameters ask, for an area as of a date."""
        return FigureQuery(
            area=area,
            as_of=as_of,
            window_days=self.window_days,
            min_hours=self.min_hours,
            sources=self.sources,
            breakdown=breakdown,
        )


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
