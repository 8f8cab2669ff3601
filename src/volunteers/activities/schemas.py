"""Request and response bodies for activities and their categories."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from volunteers.fields import AreaCode, Id, Reason

Status = Literal["draft", "published", "completed", "cancelled"]
Approval = Literal["auto", "staff"]

# No control characters (NUL above all): PostgreSQL text cannot hold NUL, and titles are printed on posters.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
Title = Annotated[str, Meta(min_length=1, max_length=200, pattern=_PRINTABLE)]
CategoryCode = Annotated[str, Meta(pattern=r"^[a-z0-9_]{1,40}$")]
CategoryName = Annotated[str, Meta(min_length=1, max_length=50, pattern=_PRINTABLE)]
CategoryRef = Annotated[str, Meta(min_length=1, max_length=50, pattern=_PRINTABLE)]
# Whole int32 range here; the service refuses values outside the table's CHECK ranges with a 422.
Int32 = Annotated[int, Meta(ge=-(2**31), le=2**31 - 1)]
# ISO 8601, parsed by the service: "2026-05-01T09:00:00+08:00", or "2026-05-01T09:00" (an HTML datetime-local
# value) which is taken as Beijing time. A string here, so impossible dates get a 422 naming the field.
LocalDateTime = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=40,
        description="ISO 8601 date and time; without a timezone it is Beijing time (UTC+8)",
        examples=["2026-05-01T09:00:00+08:00", "2026-05-01T09:00"],
        extra_json_schema={"format": "date-time"},
    ),
]
TeamIds = Annotated[list[Id], Meta(max_length=200)]


class CategoryIn(Struct, forbid_unknown_fields=True):
    code: CategoryCode
    name: CategoryName
    sort_order: Int32 = 0


class CategoryPatch(Struct, forbid_unknown_fields=True):
    name: CategoryName | UnsetType = UNSET
    is_active: bool | UnsetType = UNSET
    sort_order: Int32 | UnsetType = UNSET


class CategoryOut(Struct):
    id: int
    code: str
    name: str
    is_active: bool
    sort_order: int


class ActivityIn(Struct, forbid_unknown_fields=True):
    title: Title
    category: CategoryRef
    area_code: AreaCode
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    team_ids: TeamIds = []
    venue_id: Id | None = None
    capacity: Int32 | None = None
    opens_before_minutes: Int32 = 30
    closes_after_minutes: Int32 = 30
    rounding_minutes: Int32 = 1
    daily_cap_minutes: Int32 = 720
    reentry_allowed: bool = False
    approval: Approval = "auto"


class ActivityPatch(Struct, forbid_unknown_fields=True):
    title: Title | UnsetType = UNSET
    category: CategoryRef | UnsetType = UNSET
    area_code: AreaCode | UnsetType = UNSET
    starts_at: LocalDateTime | UnsetType = UNSET
    ends_at: LocalDateTime | UnsetType = UNSET
    team_ids: TeamIds | UnsetType = UNSET
    venue_id: Id | UnsetType | None = UNSET
    capacity: Int32 | UnsetType | None = UNSET
    opens_before_minutes: Int32 | UnsetType = UNSET
    closes_after_minutes: Int32 | UnsetType = UNSET
    rounding_minutes: Int32 | UnsetType = UNSET
    daily_cap_minutes: Int32 | UnsetType = UNSET
    reentry_allowed: bool | UnsetType = UNSET
    approval: Approval | UnsetType = UNSET


class CancelIn(Struct, forbid_unknown_fields=True):
    reason: Reason | None = None


class ActivityOut(Struct):
    id: int
    title: str
    category: str
    category_name: str
    area_code: str
    venue_id: int | None
    venue_name: str | None
    team_ids: list[int]
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    status: str
    opens_before_minutes: int
    closes_after_minutes: int
    rounding_minutes: int
    daily_cap_minutes: int
    reentry_allowed: bool
    approval: str


class ActivityPage(Struct):
    items: list[ActivityOut]
    total: int
