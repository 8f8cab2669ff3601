"""Request and response bodies for venues (阵地)."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from volunteers.fields import AreaCode

Kind = Literal["centre", "institute", "station", "book_house", "school", "market", "other"]

KIND_LABELS: dict[str, str] = {
    "centre": "实践中心",
    "institute": "实践所",
    "station": "实践站",
    "book_house": "书屋",
    "school": "学校",
    "market": "市场",
    "other": "其他",
}

# No control characters (NUL above all): PostgreSQL text cannot hold NUL, and names are printed on posters.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
VenueName = Annotated[str, Meta(min_length=1, max_length=100, pattern=_PRINTABLE)]
Address = Annotated[str, Meta(max_length=200, pattern=_PRINTABLE)]


class VenueIn(Struct, forbid_unknown_fields=True):
    name: VenueName
    kind: Kind
    area_code: AreaCode
    address: Address = ""


class VenuePatch(Struct, forbid_unknown_fields=True):
    name: VenueName | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    address: Address | UnsetType = UNSET
    area_code: AreaCode | UnsetType = UNSET


class VenueOut(Struct):
    id: int
    name: str
    kind: str
    kind_label: str
    area_code: str
    address: str


class VenuePage(Struct):
    items: list[VenueOut]
    total: int
