"""Volunteers joining and leaving teams, leaders, rosters, and a volunteer's teams."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from tests.conftest import World
from tests.factories import add_volunteer
from volunteers.fields import today
from volunteers.teams.tables import Membership

TEAMS = "/api/v1/teams"


async def new_team(world: World, area_code: str = "C11", name: str = "东一读书队", **extra: Any) -> int:
    user = {"C11": "staff_c11", "C12": "staff_c12", "C21": "staff_c21"}.get(area_code, "root")
    response = await world.post(user, TEAMS, {"name": name, "area_code": area_code, "sponsor": "东一社区", **extra})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def join(world: World, user: str, team_id: int, **body: Any) -> Any:
    return await world.post(user, f"{TEAMS}/{team_id}/members", body)


async def open_rows(team_id: int, volunteer_id: int) -> int:
    return int(
        await Membership.count().where(
            (Membership.team == team_id) & (Membership.volunteer == volunteer_id) & Membership.left_on.is_null()
        )
    )


async def audit_actions(world: World, membership_id: int) -> list[str]:
    response = await world.get("root", "/api/v1/audit", params={"entity": "membership", "entity_id": membership_id})
    return [e["action"] for e in response.json()["items"]]


async def test_join_returns_the_membership_and_audits(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11", name="李四")
    response = await join(world, "staff_c11", team_id, volunteer_id=volunteer_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "team_id": team_id,
        "team_name": "东一读书队",
        "volunteer_id": volunteer_id,
        "volunteer_no": body["volunteer_no"],
        "volunteer_name": "李四",
        "role": "member",
        "joined_on": today().isoformat(),
        "left_on": None,
    }
    assert body["volunteer_no"].startswith("V")
    assert await open_rows(team_id, volunteer_id) == 1
    trail = (await world.get("admin_s1", "/api/v1/audit", params={"entity": "membership"})).json()["items"]
    assert [(e["action"], e["username"], e["area_code"]) for e in trail] == [("join", "staff_c11", "C11")]
    assert trail[0]["after"]["volunteer_id"] == volunteer_id


async def test_join_as_leader_on_a_given_date(world: World) -> None:
    team_id = await new_team(world, founded_on="2023-06-01")
    volunteer_id = await add_volunteer("C11", registered_on=date(2024, 3, 1))
    response = await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, role="leader", joined_on="2024-03-01")
    assert response.status_code == 201, response.text
    assert (response.json()["role"], response.json()["joined_on"]) == ("leader", "2024-03-01")


async def test_join_date_rules(world: World) -> None:
    team_id = await new_team(world, founded_on="2023-06-01")
    volunteer_id = await add_volunteer("C11", registered_on=date(2024, 3, 1))
    tomorrow = (today() + timedelta(days=1)).isoformat()
    for joined_on, code in [
        (tomorrow, "date_in_future"),
        ("2024-02-29", "joined_before_registered"),
    ]:
        response = await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on=joined_on)
        assert response.status_code == 422, response.text
        assert (response.json()["code"], response.json()["field"]) == (code, "joined_on")
    early = await add_volunteer("C11", registered_on=date(2020, 1, 1))
    response = await join(world, "staff_c11", team_id, volunteer_id=early, joined_on="2023-05-31")
    assert response.status_code == 422 and response.json()["code"] == "joined_before_founded"
    assert await Membership.count() == 0


async def test_unknown_volunteer_is_422(world: World) -> None:
    team_id = await new_team(world)
    response = await join(world, "staff_c11", team_id, volunteer_id=987654)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("unknown_volunteer", "volunteer_id")


async def test_withdrawn_volunteer_and_dissolved_team_are_409(world: World) -> None:
    team_id = await new_team(world)
    gone = await add_volunteer("C11", status="withdrawn", withdrawn_on=date(2024, 6, 1))
    response = await join(world, "staff_c11", team_id, volunteer_id=gone)
    assert response.status_code == 409 and response.json()["code"] == "volunteer_withdrawn"
    here = await add_volunteer("C11")
    await world.patch("staff_c11", f"{TEAMS}/{team_id}", {"status": "dissolved"})
    response = await join(world, "staff_c11", team_id, volunteer_id=here)
    assert response.status_code == 409 and response.json()["code"] == "team_dissolved"
    assert await Membership.count() == 0


async def test_already_member_is_409_and_rejoining_after_leaving_works(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11")
    first = await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on="2024-05-01")
    assert first.status_code == 201
    again = await join(world, "staff_c11", team_id, volunteer_id=volunteer_id)
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["field"]) == ("already_member", "volunteer_id")
    left = await world.post("staff_c11", f"{TEAMS}/{team_id}/members/{volunteer_id}/leave", {"left_on": "2024-08-01"})
    assert left.status_code == 200
    overlapping = await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on="2024-07-01")
    assert overlapping.status_code == 422 and overlapping.json()["code"] == "joined_before_last_left"
    back = await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on="2024-08-01")
    assert back.status_code == 201, back.text
    assert await Membership.count() == 2 and await open_rows(team_id, volunteer_id) == 1


async def test_ten_simultaneous_joins_make_one_membership(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11")
    await world.login("staff_c11")
    responses = await asyncio.gather(*(join(world, "staff_c11", team_id, volunteer_id=volunteer_id) for _ in range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_member"}
    assert await open_rows(team_id, volunteer_id) == 1
    assert await Membership.count() == 1
    winner = next(r.json() for r in responses if r.status_code == 201)
    assert await audit_actions(world, winner["id"]) == ["join"]


async def test_leave_closes_the_membership(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11")
    joined = (await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on="2024-05-01")).json()
    url = f"{TEAMS}/{team_id}/members/{volunteer_id}/leave"
    tomorrow = (today() + timedelta(days=1)).isoformat()
    early = await world.post("staff_c11", url, {"left_on": "2024-04-30"})
    assert early.status_code == 422
    assert (early.json()["code"], early.json()["field"]) == ("left_before_joined", "left_on")
    future = await world.post("staff_c11", url, {"left_on": tomorrow})
    assert future.status_code == 422 and future.json()["field"] == "left_on"
    assert (await world.post("official_s1", url, {})).status_code == 403
    left = await world.post("staff_c11", url)  # no body: today
    assert left.status_code == 200, left.text
    assert left.json() == {**joined, "left_on": today().isoformat()}
    assert await open_rows(team_id, volunteer_id) == 0
    twice = await world.post("staff_c11", url, {})
    assert twice.status_code == 404
    assert (await world.post("staff_c11", f"{TEAMS}/{team_id}/members/999999/leave", {})).status_code == 404
    assert await audit_actions(world, joined["id"]) == ["leave", "join"]
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "membership"})).json()["items"]
    assert trail[0]["before"]["left_on"] is None and trail[0]["after"]["left_on"] == today().isoformat()


async def test_leave_on_the_joining_day_is_allowed(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11")
    await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on="2024-05-01")
    left = await world.post("staff_c11", f"{TEAMS}/{team_id}/members/{volunteer_id}/leave", {"left_on": "2024-05-01"})
    assert left.status_code == 200 and left.json()["left_on"] == "2024-05-01"


async def test_role_change(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11")
    joined = (await join(world, "staff_c11", team_id, volunteer_id=volunteer_id)).json()
    url = f"{TEAMS}/{team_id}/members/{volunteer_id}"
    leader = await world.patch("staff_c11", url, {"role": "leader"})
    assert leader.status_code == 200 and leader.json() == {**joined, "role": "leader"}
    same = await world.patch("staff_c11", url, {"role": "leader"})
    assert same.status_code == 200 and same.json()["role"] == "leader"
    assert (await world.patch("staff_c11", url, {"role": "captain"})).status_code == 400
    assert (await world.patch("staff_c11", url, {})).status_code == 400
    assert (await world.patch("official_s1", url, {"role": "member"})).status_code == 403
    assert (await world.patch("staff_c11", f"{TEAMS}/{team_id}/members/999999", {"role": "member"})).status_code == 404
    assert await audit_actions(world, joined["id"]) == ["change_role", "join"]
    await world.post("staff_c11", f"{url}/leave", {})
    assert (await world.patch("staff_c11", url, {"role": "member"})).status_code == 404
    rows = await Membership.select(Membership.role).where(Membership.id == joined["id"])
    assert rows == [{"role": "leader"}]


async def test_role_change_in_a_dissolved_team_is_409(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11")
    await join(world, "staff_c11", team_id, volunteer_id=volunteer_id)
    await world.patch("staff_c11", f"{TEAMS}/{team_id}", {"status": "dissolved"})
    response = await world.patch("staff_c11", f"{TEAMS}/{team_id}/members/{volunteer_id}", {"role": "leader"})
    assert response.status_code == 409 and response.json()["code"] == "team_dissolved"
    # members of a dissolved team can still be recorded as having left
    left = await world.post("staff_c11", f"{TEAMS}/{team_id}/members/{volunteer_id}/leave", {})
    assert left.status_code == 200


async def test_roster_current_former_all(world: World) -> None:
    team_id = await new_team(world)
    ids = [await add_volunteer("C11", name=f"队员{i}") for i in range(3)]
    for volunteer_id in ids:
        await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on="2024-05-01")
    await world.post("staff_c11", f"{TEAMS}/{team_id}/members/{ids[1]}/leave", {"left_on": "2024-06-01"})

    async def roster(user: str = "staff_c11", **params: Any) -> tuple[list[str], int]:
        response = await world.get(user, f"{TEAMS}/{team_id}/members", params=params)
        assert response.status_code == 200, response.text
        return [m["volunteer_name"] for m in response.json()["items"]], response.json()["total"]

    assert await roster() == (["队员0", "队员2"], 2)
    assert await roster(status="current") == (["队员0", "队员2"], 2)
    assert await roster(status="former") == (["队员1"], 1)
    assert await roster("official_s1", status="all") == (["队员0", "队员1", "队员2"], 3)
    assert await roster(status="all", limit=1, offset=1) == (["队员1"], 3)
    assert (await world.get("staff_c11", f"{TEAMS}/{team_id}/members", params={"status": "x"})).status_code == 400
    for user in ["staff_c12", "staff_c21", "official_d1"]:
        expected = 200 if user == "official_d1" else 404
        assert (await world.get(user, f"{TEAMS}/{team_id}/members")).status_code == expected, user


async def test_staff_c11_scope_denials(world: World) -> None:
    c11 = await new_team(world, "C11")
    c21 = await new_team(world, "C21", name="西一队")
    mine = await add_volunteer("C11")
    theirs = await add_volunteer("C21")
    # a C21 volunteer cannot be added to a C11 team
    response = await join(world, "staff_c11", c11, volunteer_id=theirs)
    assert response.status_code == 403 and response.json()["code"] == "outside_scope"
    # nobody can be added to a C21 team by C11 staff
    for volunteer_id in (mine, theirs):
        response = await join(world, "staff_c11", c21, volunteer_id=volunteer_id)
        assert response.status_code in (403, 404), response.text
    assert (await world.get("staff_c11", f"{TEAMS}/{c21}")).status_code == 404
    assert (await world.get("staff_c11", f"{TEAMS}/{c21}/members")).status_code == 404
    assert (await world.get("staff_c11", TEAMS, params={"area": "C21"})).json() == {"items": [], "total": 0}
    assert (await world.patch("staff_c11", f"{TEAMS}/{c21}", {"name": "x"})).status_code in (403, 404)
    # and a C21 team's roster cannot be changed
    await join(world, "staff_c21", c21, volunteer_id=theirs)
    url = f"{TEAMS}/{c21}/members/{theirs}"
    assert (await world.patch("staff_c11", url, {"role": "leader"})).status_code in (403, 404)
    assert (await world.post("staff_c11", f"{url}/leave", {})).status_code in (403, 404)
    assert await Membership.count() == 1 and await open_rows(c21, theirs) == 1
    rows = await Membership.select(Membership.role).where(Membership.team == c21)
    assert rows == [{"role": "member"}]


async def test_official_reads_memberships_but_every_write_is_403(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11")
    other = await add_volunteer("C11")
    await join(world, "staff_c11", team_id, volunteer_id=volunteer_id)
    base = f"{TEAMS}/{team_id}/members"
    assert (await world.get("official_s1", base)).json()["total"] == 1
    assert (await world.get("official_s1", f"/api/v1/volunteers/{volunteer_id}/teams")).json()["total"] == 1
    assert (await join(world, "official_s1", team_id, volunteer_id=other)).status_code == 403
    assert (await world.patch("official_s1", f"{base}/{volunteer_id}", {"role": "leader"})).status_code == 403
    assert (await world.post("official_s1", f"{base}/{volunteer_id}/leave", {})).status_code == 403
    assert await Membership.count() == 1 and await open_rows(team_id, volunteer_id) == 1


async def test_admin_of_s1_manages_s1_members_only(world: World) -> None:
    c12 = await new_team(world, "C12", name="东二队")
    c21 = await new_team(world, "C21", name="西一队")
    from_c11 = await add_volunteer("C11")
    from_c21 = await add_volunteer("C21")
    response = await join(world, "admin_s1", c12, volunteer_id=from_c11, role="leader")
    assert response.status_code == 201, response.text
    assert (await join(world, "admin_s1", c12, volunteer_id=from_c21)).json()["code"] == "outside_scope"
    assert (await join(world, "admin_s1", c21, volunteer_id=from_c11)).status_code == 403
    assert (await join(world, "root", c21, volunteer_id=from_c11)).status_code == 201


async def test_volunteer_teams_lists_only_teams_the_caller_sees(world: World) -> None:
    c11 = await new_team(world, "C11", name="东一队")
    c12 = await new_team(world, "C12", name="东二队")
    volunteer_id = await add_volunteer("C11", name="王五")
    for team_id in (c11, c12):
        assert (await join(world, "staff_s1", team_id, volunteer_id=volunteer_id)).status_code == 201
    await world.post("staff_s1", f"{TEAMS}/{c12}/members/{volunteer_id}/leave", {})
    url = f"/api/v1/volunteers/{volunteer_id}/teams"

    async def names(user: str, **params: Any) -> tuple[list[str], int]:
        response = await world.get(user, url, params=params)
        assert response.status_code == 200, response.text
        return [m["team_name"] for m in response.json()["items"]], response.json()["total"]

    assert await names("staff_s1") == (["东一队", "东二队"], 2)
    assert await names("staff_s1", status="current") == (["东一队"], 1)
    assert await names("staff_s1", status="former") == (["东二队"], 1)
    assert await names("staff_c11") == (["东一队"], 1)
    assert await names("staff_s1", limit=1, offset=1) == (["东二队"], 2)
    assert (await world.get("staff_c21", url)).status_code == 404
    assert (await world.get("staff_c12", url)).status_code == 404  # lives in C11
    assert (await world.get("root", "/api/v1/volunteers/999999/teams")).status_code == 404


async def test_hostile_membership_inputs_never_500(world: World) -> None:
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11")
    url = f"{TEAMS}/{team_id}/members"
    bodies: list[Any] = [
        {"volunteer_id": 2**31},
        {"volunteer_id": 2**63},
        {"volunteer_id": 10**30},
        {"volunteer_id": -1},
        {"volunteer_id": 0},
        {"volunteer_id": "one"},
        {"volunteer_id": 1.5},
        {"volunteer_id": None},
        {"volunteer_id": volunteer_id, "role": "\u0000"},
        {"volunteer_id": volunteer_id, "role": "x" * 100_000},
        {"volunteer_id": volunteer_id, "joined_on": "2024-02-30"},
        {"volunteer_id": volunteer_id, "joined_on": "\u0000"},
        {"volunteer_id": volunteer_id, "joined_on": "0001-01-01"},
        {"volunteer_id": volunteer_id, "joined_on": "9999-12-31"},
        {"volunteer_id": volunteer_id, "joined_on": 20240101},
        {"volunteer_id": volunteer_id, "team_id": 5},
        {"volunteer_id": volunteer_id, "role": "member", "extra": "\u0000"},
        {},
        [volunteer_id],
        "1; DROP TABLE membership",
    ]
    for body in bodies:
        response = await world.post("staff_c11", url, body)
        assert response.status_code in (400, 422), (body, response.status_code, response.text)
    for path in [
        f"{TEAMS}/2147483648/members",
        f"{TEAMS}/99999999999999999999/members",
        f"{TEAMS}/-5/members",
        f"{TEAMS}/0/members",
    ]:
        assert (await world.post("staff_c11", path, {"volunteer_id": volunteer_id})).status_code in (400, 404), path
        assert (await world.get("staff_c11", path)).status_code in (400, 404), path
    for path in [
        f"{url}/2147483648/leave",
        f"{url}/99999999999999999999/leave",
        f"{TEAMS}/2147483648/members/{volunteer_id}/leave",
    ]:
        assert (await world.post("staff_c11", path, {})).status_code in (400, 404), path
        assert (await world.patch("staff_c11", path.removesuffix("/leave"), {"role": "leader"})).status_code in (
            400,
            404,
        )
    for path in ["/api/v1/volunteers/2147483648/teams", "/api/v1/volunteers/0/teams", "/api/v1/volunteers/-1/teams"]:
        assert (await world.get("staff_c11", path)).status_code in (400, 404), path
    await join(world, "staff_c11", team_id, volunteer_id=volunteer_id)
    for body in [{"left_on": "2024-13-01"}, {"left_on": None, "x": 1}, {"left_on": "\u0000"}, [], "x"]:
        response = await world.post("staff_c11", f"{url}/{volunteer_id}/leave", body)
        assert response.status_code == 400, (body, response.text)
    for params in [{"status": "\u0000"}, {"limit": "2147483648"}, {"offset": "-1"}, {"limit": "x"}]:
        assert (await world.get("staff_c11", url, params=params)).status_code == 400, params
    assert await Membership.count() == 1 and await open_rows(team_id, volunteer_id) == 1


async def test_membership_dates_lie_between_1949_and_today(world: World) -> None:
    """Issue 10, item 7: joining and leaving dates follow the registration-date range."""
    team_id = await new_team(world)
    volunteer_id = await add_volunteer("C11", registered_on=date(1940, 1, 1))
    early = await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on="1948-12-31")
    assert early.status_code == 422
    assert (early.json()["code"], early.json()["field"]) == ("date_too_early", "joined_on")
    assert (
        await join(world, "staff_c11", team_id, volunteer_id=volunteer_id, joined_on="1949-01-01")
    ).status_code == 201
    url = f"{TEAMS}/{team_id}/members/{volunteer_id}/leave"
    tomorrow = (today() + timedelta(days=1)).isoformat()
    future = await world.post("staff_c11", url, {"left_on": tomorrow})
    assert future.status_code == 422
    assert (future.json()["code"], future.json()["field"]) == ("date_in_future", "left_on")
    assert await open_rows(team_id, volunteer_id) == 1
