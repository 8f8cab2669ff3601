"""Rows the activity tests build on: teams (written straight to their table), venues, activities."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from volunteers.activities.tables import Activity, ActivityTeam
from volunteers.areas.tables import Area
from volunteers.teams.tables import Team

URL = "/api/v1/activities"


async def add_team(name: str, area: str, status: str = "active") -> int:
    """A team row in `area` (teams have their own API; these tests need only the row)."""
    area_id = (await Area.select(Area.id).where(Area.code == area).first())["id"]  # type: ignore[index]
    rows = await Team.insert(Team(name=name, area=area_id, sponsor="衡州小学", status=status)).returning(Team.id)
    team_id: int = rows[0]["id"]
    return team_id


async def add_venue(world: World, area: str, name: str) -> int:
    response = await world.post("root", "/api/v1/venues", {"name": name, "kind": "book_house", "area_code": area})
    assert response.status_code == 201, response.text
    venue_id: int = response.json()["id"]
    return venue_id


def body(**overrides: Any) -> dict[str, Any]:
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
    response = await world.post(user, URL, body(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def activity_count() -> int:
    return await Activity.count()


async def team_links() -> list[tuple[int, int]]:
    rows = await ActivityTeam.select(ActivityTeam.activity, ActivityTeam.team).order_by(ActivityTeam.id)
    return [(r["activity"], r["team"]) for r in rows]
