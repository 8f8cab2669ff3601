"""Hand-built worlds for statistics tests: rows written straight to the tables."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from volunteers.activities.tables import Activity, ActivityCategory
from volunteers.areas.tables import Area, AreaPopulation
from volunteers.checkin.tables import ServiceRecord
from volunteers.people.tables import Volunteer
from volunteers.teams.tables import Team

_numbers = itertools.count(1)


async def area_id(code: str) -> int:
    row = await Area.select(Area.id).where(Area.code == code).first()
    assert row is not None
    return int(row["id"])


async def population(code: str, year: int, people: int) -> None:
    await AreaPopulation.insert(
        AreaPopulation(
            area=await area_id(code), year=year, resident_population=people, source="统计公报", as_of=date(year, 12, 31)
        )
    )


async def volunteer(code: str, registered_on: date, withdrawn_on: date | None = None) -> int:
    n = next(_numbers)
    rows = await Volunteer.insert(
        Volunteer(
            volunteer_no=f"ZYS{n:08d}",
            name=f"志愿者{n}",
            phone=f"137{n:08d}",
            area=await area_id(code),
            registered_on=registered_on,
            consent_on=registered_on,
            status="withdrawn" if withdrawn_on else "active",
            withdrawn_on=withdrawn_on,
        )
    ).returning(Volunteer.id)
    return int(rows[0]["id"])


async def activity(code: str, day: date, status: str = "completed") -> int:
    category = await ActivityCategory.select(ActivityCategory.id).first()
    assert category is not None
    starts = datetime.combine(day, time(6, 0), tzinfo=UTC)  # 14:00 Beijing
    rows = await Activity.insert(
        Activity(
            title=f"活动{day}",
            category=category["id"],
            area=await area_id(code),
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            status=status,
        )
    ).returning(Activity.id)
    return int(rows[0]["id"])


async def record(
    volunteer_id: int, activity_id: int, day: date, minutes: int, *, status: str = "approved", source: str = "checkin"
) -> int:
    row = await Activity.select(Activity.area).where(Activity.id == activity_id).first()
    assert row is not None
    starts = datetime.combine(day, time(6, 0), tzinfo=UTC)
    rows = await ServiceRecord.insert(
        ServiceRecord(
            volunteer=volunteer_id,
            activity=activity_id,
            area=row["area"],
            service_date=day,
            source=source,
            status=status,
            started_at=starts,
            ended_at=starts + timedelta(minutes=minutes),
            seconds=minutes * 60,
            minutes=minutes,
        )
    ).returning(ServiceRecord.id)
    return int(rows[0]["id"])


async def team(code: str, name: str, founded_on: date | None = date(2024, 1, 1), status: str = "active") -> int:
    rows = await Team.insert(
        Team(name=name, area=await area_id(code), sponsor="社区", founded_on=founded_on, status=status)
    ).returning(Team.id)
    return int(rows[0]["id"])


def value(body: dict[str, Any], figure: str) -> Any:
    return body["figures"][figure]["value"]
