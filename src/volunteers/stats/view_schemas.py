"""Response bodies of the other statistics views: activity groupings, teams, star levels, months."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from msgspec import Struct

from volunteers.stats.definitions import Definition
from volunteers.stats.schemas import AreaRef, Figure, Parameters


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
