"""More hand-built rows for the statistics views: venues, categorised team activities, memberships."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tests.stats.builders import area_id
from volunteers.activities.tables import Activity, ActivityCategory, ActivityTeam
from volunteers.teams.tables import Membership
from volunteers.venues.tables import Venue


async def venue(code: str, name: str) -> int:
    rows = await Venue.insert(Venue(name=name, kind="book_house", area=await area_id(code))).returning(Venue.id)
    return int(rows[0]["id"])


async def category_id(code: str) -> int:
    row = await ActivityCategory.select(ActivityCategory.id).where(ActivityCategory.code == code).first()
    assert row is not None
    return int(row["id"])


async def held(
    code: str,
    day: date,
    *,
    category: str = "reading_salon",
    venue_id: int | None = None,
    teams: tuple[int, ...] = (),
    status: str = "completed",
    hour: int = 6,
) -> int:
    """An activity in area `code` starting on `day` at `hour` UTC (14:00 Beijing by default)."""
    starts = datetime.combine(day, time(hour, 0), tzinfo=UTC)
    rows = await Activity.insert(
        Activity(
            title=f"{category}{day}",
            category=await category_id(category),
            area=await area_id(code),
            venue=venue_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            status=status,
        )
    ).returning(Activity.id)
    activity_id = int(rows[0]["id"])
    for team_id in teams:
        await ActivityTeam.insert(ActivityTeam(activity=activity_id, team=team_id))
    return activity_id


async def member(team_id: int, volunteer_id: int, joined_on: date, left_on: date | None = None) -> None:
    await Membership.insert(Membership(team=team_id, volunteer=volunteer_id, joined_on=joined_on, left_on=left_on))


def figures(row: dict[str, Any]) -> dict[str, Any]:
    """{figure: value} of a row of a view."""
    return {name: f["value"] for name, f in row["figures"].items()}
