"""Request and response bodies for teams and memberships."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from volunteers.fields import AreaCode, Id

TeamStatus = Literal["active", "dissolved"]
Role = Literal["member", "leader"]
MemberStatus = Literal["current", "former", "all"]

# No control characters (NUL above all): PostgreSQL text cannot hold NUL, and names are printed.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
TeamName = Annotated[str, Meta(min_length=1, max_length=100, pattern=_PRINTABLE)]
Sponsor = Annotated[str, Meta(min_length=1, max_length=100, pattern=_PRINTABLE)]
Category = Annotated[str, Meta(min_length=1, max_length=50, pattern=_PRINTABLE)]
Categories = Annotated[list[Category], Meta(max_length=20)]


class TeamIn(Struct, forbid_unknown_fields=True):
    name: TeamName
    area_code: AreaCode
    sponsor: Sponsor
    founded_on: date | None = None
    categories: Categories = []


class TeamPatch(Struct, forbid_unknown_fields=True):
    name: TeamName | UnsetType = UNSET
    sponsor: Sponsor | UnsetType = UNSET
    founded_on: date | UnsetType | None = UNSET
    categories: Categories | UnsetType = UNSET
    status: TeamStatus | UnsetType = UNSET
    area_code: AreaCode | UnsetType = UNSET


class TeamOut(Struct):
    id: int
    name: str
    area_code: str
    sponsor: str
    founded_on: date | None
    categories: list[str]
    status: str
    members: int


class TeamPage(Struct):
    items: list[TeamOut]
    total: int


class MembershipIn(Struct, forbid_unknown_fields=True):
    volunteer_id: Id
    role: Role = "member"
    joined_on: date | None = None


class LeaveIn(Struct, forbid_unknown_fields=True):
    left_on: date | None = None


class RolePatch(Struct, forbid_unknown_fields=True):
    role: Role


class MembershipOut(Struct):
    id: int
    team_id: int
    team_name: str
    volunteer_id: int
    volunteer_no: str
    volunteer_name: str
    role: str
    joined_on: date
    left_on: date | None


class MembershipPage(Struct):
    items: list[MembershipOut]
    total: int
