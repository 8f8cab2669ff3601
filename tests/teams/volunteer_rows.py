"""Volunteer rows written straight into the table, so team tests need not go through the people API."""

from __future__ import annotations

from datetime import date
from itertools import count

from volunteers.areas.tables import Area
from volunteers.people.tables import Volunteer

_serial = count(1)


async def add_volunteer(
    area_code: str,
    name: str = "张三",
    *,
    registered_on: date = date(2024, 1, 1),
    status: str = "active",
    withdrawn_on: date | None = None,
) -> int:
    """Insert one volunteer living in `area_code` and return its id."""
    n = next(_serial)
    area = await Area.select(Area.id).where(Area.code == area_code).first()
    assert area is not None, area_code
    rows = await Volunteer.insert(
        Volunteer(
            volunteer_no=f"V{n:08d}",
            name=name,
            phone=f"139{n:08d}",
            area=area["id"],
            registered_on=registered_on,
            consent_on=registered_on,
            status=status,
            withdrawn_on=withdrawn_on,
        )
    ).returning(Volunteer.id)
    return int(rows[0]["id"])
