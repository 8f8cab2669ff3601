"""Rules for venues: unique names per area, scoped reads and writes."""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from volunteers import access, audit
from volunteers.access import Caller
from volunteers.areas import area_for_write
from volunteers.areas.tables import Area
from volunteers.errors import Conflict, NotFound, register_constraint
from volunteers.fields import like_literal, required_text
from volunteers.venues.schemas import KIND_LABELS, VenueIn, VenueOut, VenuePatch
from volunteers.venues.tables import Venue

_DUPLICATE = "该区域已有同名阵地"
register_constraint("venue_name_area_unique", 409, "duplicate_venue", "name", _DUPLICATE)

_COLUMNS = (
    Venue.id,
    Venue.name,
    Venue.kind,
    Venue.address,
    Venue.area.as_alias("area_id"),
    Venue.area.code.as_alias("area_code"),
    Venue.area.path.as_alias("area_path"),
)


def _out(row: dict[str, Any]) -> VenueOut:
    return VenueOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        kind_label=KIND_LABELS.get(row["kind"], row["kind"]),
        area_code=row["area_code"],
        address=row["address"],
    )


async def venue_row(venue_id: int) -> dict[str, Any] | None:
    """The venue with its area id, code and path, or None."""
    return await Venue.select(*_COLUMNS).where(Venue.id == venue_id).first()


async def venue_for_write(caller: Caller, venue_id: int, field: str = "venue_id") -> dict[str, Any]:
    """A venue another record may refer to: it must exist (else 422) and be writable (else 403)."""
    row = await venue_row(venue_id)
    return access.referable(caller, row, "该阵地", field=field, code="unknown_venue", unknown=f"阵地 {venue_id} 不存在")


async def _readable(caller: Caller, venue_id: int) -> dict[str, Any]:
    return access.readable(caller, await venue_row(venue_id), f"阵地 {venue_id} 不存在")


async def get_venue(caller: Caller, venue_id: int) -> VenueOut:
    """One venue in the caller's subtree."""
    return _out(await _readable(caller, venue_id))


async def _refuse_duplicate(area_id: int, name: str, venue_id: int | None = None) -> None:
    where: Combinable = (Venue.area == area_id) & (Venue.name == name)
    if venue_id is not None:
        where = where & (Venue.id != venue_id)
    if await Venue.exists().where(where):
        raise Conflict(f"{_DUPLICATE}：{name}", field="name", code="duplicate_venue")


async def create_venue(caller: Caller, data: VenueIn) -> VenueOut:
    """Register a venue in an area the caller may write."""
    name, address = required_text(data.name, "name", "阵地名称"), data.address.strip()
    area = await area_for_write(caller, data.area_code)
    await _refuse_duplicate(area["id"], name)
    async with Venue._meta.db.transaction():
        rows = await Venue.insert(Venue(name=name, kind=data.kind, area=area["id"], address=address)).returning(
            Venue.id
        )
        out = VenueOut(
            id=rows[0]["id"],
            name=name,
            kind=data.kind,
            kind_label=KIND_LABELS[data.kind],
            area_code=area["code"],
            address=address,
        )
        await audit.record(caller, "create", "venue", out.id, area_id=area["id"], after=out)
    return out


async def update_venue(caller: Caller, venue_id: int, data: VenuePatch) -> VenueOut:
    """Change a venue; moving it needs write access to both areas."""
    row = access.writable(caller, await venue_row(venue_id), f"阵地 {venue_id} 不存在", "该阵地", hide_outside=True)
    before = _out(row)
    changes: dict[Any, Any] = {}
    name, area_id = row["name"], row["area_id"]
    if data.name is not msgspec.UNSET:
        name = changes[Venue.name] = required_text(data.name, "name", "阵地名称")
    if data.kind is not msgspec.UNSET:
        changes[Venue.kind] = data.kind
    if data.address is not msgspec.UNSET:
        changes[Venue.address] = data.address.strip()
    if data.area_code is not msgspec.UNSET:
        area_id = changes[Venue.area] = (await area_for_write(caller, data.area_code))["id"]
    if not changes:
        return before
    await _refuse_duplicate(area_id, name, venue_id)
    async with Venue._meta.db.transaction():
        await Venue.update(changes).where(Venue.id == venue_id)
        after = _out(await _fresh(venue_id))
        await audit.record(caller, "update", "venue", venue_id, area_id=area_id, before=before, after=after)
    return after


async def _fresh(venue_id: int) -> dict[str, Any]:
    row = await venue_row(venue_id)
    if row is None:  # venues are never deleted; kept for the type checker
        raise NotFound(f"阵地 {venue_id} 不存在")
    return row


async def list_venues(
    caller: Caller, *, area: str | None, kind: str | None, q: str | None, limit: int, offset: int
) -> tuple[list[VenueOut], int]:
    """Venues in the caller's subtree, optionally in one area's subtree, of one kind, or matching `q`."""
    where: Combinable = Venue.area.path.like(caller.scope_prefix)
    if area is not None:
        path = await Area.select(Area.path).where(Area.code == area).first()
        if path is None:
            return [], 0
        where = where & Venue.area.path.like(f"{path['path']}%")
    if kind is not None:
        where = where & (Venue.kind == kind)
    if q:
        pattern = f"%{like_literal(q.strip())}%"
        where = where & (Venue.name.ilike(pattern) | Venue.address.ilike(pattern))
    rows = (
        await Venue.select(*_COLUMNS)
        .where(where)
        .order_by(Venue.area.path, Venue.name, Venue.id)
        .limit(limit)
        .offset(offset)
    )
    return [_out(r) for r in rows], await Venue.count().where(where)
