"""What tests stand on, built in one place: rows, request bodies and valid ID numbers.

A thing is made one of two ways. Through the API as a user would (`register`, `add_activity`),
when the test is about what the API accepts or its rules must have run; or written straight to
its table (`add_volunteer`, `add_activity_row`, `add_record`, …), when the test needs only the row.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tests.conftest import World
from volunteers.activities.tables import Activity, ActivityCategory, ActivityTeam
from volunteers.areas.tables import Area, AreaPopulation
from volunteers.checkin.tables import ServiceRecord
from volunteers.people.tables import Volunteer
from volunteers.teams.tables import Membership, Team
from volunteers.venues.tables import Venue

VOLUNTEERS_URL = "/api/v1/volunteers"
ACTIVITIES_URL = "/api/v1/activities"

START = datetime(2026, 3, 5, 6, 0, tzinfo=UTC)  # 14:00 Beijing, Lei Feng Day
END = START + timedelta(hours=3)
DAY = START.date()

_numbers = itertools.count(1)


# ---- areas ---------------------------------------------------------------------------------


async def area_id(code: str) -> int:
    row = await Area.select(Area.id).where(Area.code == code).first()
    assert row is not None, code
    return int(row["id"])


async def add_population(code: str, year: int, people: int) -> None:
    """The resident population of area `code` in `year`, as the statistics bulletin gives it."""
    await AreaPopulation.insert(
        AreaPopulation(
            area=await area_id(code), year=year, resident_population=people, source="统计公报", as_of=date(year, 12, 31)
        )
    )


# ---- ID numbers ----------------------------------------------------------------------------

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(body: str) -> str:
    """The GB 11643 check character of an ID number's first 17 digits."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def make_id_number(born: date = date(1990, 3, 7), *, male: bool = True, region: str = "430421", n: int = 1) -> str:
    """A valid ID number; `n` picks among holders with the same region, birth date and gender."""
    sequence = 2 * n + (1 if male else 0)  # the 17th digit's parity is the gender
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + check_digit(body)


def id_number_ending_in_x() -> str:
    """A valid ID number whose check character is X."""
    for n in range(1, 400):
        number = make_id_number(n=n)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit found")


def with_wrong_check_digit(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


# ---- volunteers ----------------------------------------------------------------------------


def volunteer_body(**overrides: Any) -> dict[str, Any]:
    """A valid registration body for an adult in C11, without an ID number."""
    return {"name": "张三", "phone": "13800138000", "area_code": "C11", **overrides}


async def register(world: World, username: str = "staff_c11", **overrides: Any) -> dict[str, Any]:
    """Register through the API and return the created volunteer."""
    response = await world.post(username, VOLUNTEERS_URL, volunteer_body(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def volunteer_count() -> int:
    return int(await Volunteer.count())


async def volunteer_row(
    area: str = "C11",
    registered_on: date = date(2024, 1, 1),
    withdrawn_on: date | None = None,
    *,
    name: str = "张三丰",
    phone: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """A volunteer living in `area`, written straight to the table: its id, volunteer_no and phone.

    The status follows the dates unless given: withdrawn when `withdrawn_on` is set; a withdrawn
    volunteer without a date left on 2026-01-02.
    """
    n = next(_numbers)
    status = status or ("withdrawn" if withdrawn_on else "active")
    if status == "withdrawn" and withdrawn_on is None:
        withdrawn_on = date(2026, 1, 2)
    rows = await Volunteer.insert(
        Volunteer(
            volunteer_no=f"V{n:08d}",
            name=name,
            phone=phone or f"139{n:08d}",
            area=await area_id(area),
            registered_on=registered_on,
            consent_on=registered_on,
            status=status,
            withdrawn_on=withdrawn_on,
        )
    ).returning(Volunteer.id, Volunteer.volunteer_no, Volunteer.phone)
    return dict(rows[0])


async def add_volunteer(
    area: str = "C11",
    registered_on: date = date(2024, 1, 1),
    withdrawn_on: date | None = None,
    *,
    name: str = "张三丰",
    status: str | None = None,
) -> int:
    """The id of a fresh volunteer_row."""
    row = await volunteer_row(area, registered_on, withdrawn_on, name=name, status=status)
    return int(row["id"])


# ---- teams and venues ----------------------------------------------------------------------


async def add_team(area: str, name: str, *, founded_on: date | None = date(2024, 1, 1), status: str = "active") -> int:
    """A team row in `area` (teams have their own API; most tests need only the row)."""
    rows = await Team.insert(
        Team(name=name, area=await area_id(area), sponsor="社区", founded_on=founded_on, status=status)
    ).returning(Team.id)
    return int(rows[0]["id"])


async def add_member(team_id: int, volunteer_id: int, joined_on: date, left_on: date | None = None) -> None:
    await Membership.insert(Membership(team=team_id, volunteer=volunteer_id, joined_on=joined_on, left_on=left_on))


async def add_venue(area: str, name: str) -> int:
    """A book house in `area`."""
    rows = await Venue.insert(Venue(name=name, kind="book_house", area=await area_id(area))).returning(Venue.id)
    return int(rows[0]["id"])


# ---- activities ----------------------------------------------------------------------------


def activity_body(**overrides: Any) -> dict[str, Any]:
    """A valid activity body in C11, changed by `overrides`."""
    return {
        "title": "亲子阅读会",
        "category": "parent_child_reading",
        "area_code": "C11",
        "starts_at": "2026-05-01T09:00:00+08:00",
        "ends_at": "2026-05-01T11:30:00+08:00",
        **overrides,
    }


async def add_activity(world: World, user: str = "staff_c11", **overrides: Any) -> dict[str, Any]:
    """Create an activity through the API and return it."""
    response = await world.post(user, ACTIVITIES_URL, activity_body(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def category_id(code: str) -> int:
    row = await ActivityCategory.select(ActivityCategory.id).where(ActivityCategory.code == code).first()
    assert row is not None, code
    return int(row["id"])


async def add_activity_row(
    area: str = "C11",
    day: date = DAY,
    *,
    status: str = "published",
    title: str = "读书分享会：雷锋日特别场",
    category: str | None = None,
    venue_id: int | None = None,
    teams: tuple[int, ...] = (),
    hour: int = START.hour,
    hours: int = 3,
    **columns: Any,
) -> int:
    """An activity written straight to the table, from `hour` UTC on `day` for `hours` hours.

    By default the published 14:00–17:00 (Beijing) activity at START, in the first category;
    `columns` set any other column (check-in settings, or starts_at/ends_at themselves).
    """
    starts = datetime.combine(day, time(hour, 0), tzinfo=UTC)
    if category is None:
        first = await ActivityCategory.select(ActivityCategory.id).first()
        assert first is not None
        category_ref = int(first["id"])
    else:
        category_ref = await category_id(category)
    values: dict[str, Any] = {"starts_at": starts, "ends_at": starts + timedelta(hours=hours), **columns}
    rows = await Activity.insert(
        Activity(title=title, category=category_ref, area=await area_id(area), venue=venue_id, status=status, **values)
    ).returning(Activity.id)
    activity_id = int(rows[0]["id"])
    for team_id in teams:
        await ActivityTeam.insert(ActivityTeam(activity=activity_id, team=team_id))
    return activity_id


async def held(
    area: str,
    day: date,
    *,
    category: str = "reading_salon",
    venue_id: int | None = None,
    teams: tuple[int, ...] = (),
    status: str = "completed",
    hour: int = START.hour,
) -> int:
    """A two-hour activity held in `area` on `day` (completed unless `status` says otherwise), for statistics."""
    return await add_activity_row(
        area,
        day,
        status=status,
        title=f"{category}{day}",
        category=category,
        venue_id=venue_id,
        teams=teams,
        hour=hour,
        hours=2,
    )


async def activity_count() -> int:
    return int(await Activity.count())


async def team_links() -> list[tuple[int, int]]:
    """(activity, team) of every link, oldest first."""
    rows = await ActivityTeam.select(ActivityTeam.activity, ActivityTeam.team).order_by(ActivityTeam.id)
    return [(r["activity"], r["team"]) for r in rows]


# ---- service records -----------------------------------------------------------------------


async def add_record(
    volunteer_id: int, activity_id: int, day: date, minutes: int, *, status: str = "approved", source: str = "checkin"
) -> int:
    """A service record of `minutes` from 14:00 Beijing on `day`, in the activity's area."""
    row = await Activity.select(Activity.area).where(Activity.id == activity_id).first()
    assert row is not None
    starts = datetime.combine(day, time(START.hour, 0), tzinfo=UTC)
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
