"""Registering, changing, reading and listing teams, and who may do which."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from tests.conftest import World
from tests.factories import add_volunteer
from volunteers.fields import today
from volunteers.teams.tables import Team

URL = "/api/v1/teams"


def team(name: Any = "衡州小学志愿服务队", area_code: str = "C11", **extra: Any) -> dict[str, Any]:
    return {"name": name, "area_code": area_code, "sponsor": "衡州小学", **extra}


async def create(world: World, user: str = "staff_c11", **body: Any) -> dict[str, Any]:
    response = await world.post(user, URL, team(**body))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def audit_of(world: World, entity: str, entity_id: int) -> list[dict[str, Any]]:
    response = await world.get("root", "/api/v1/audit", params={"entity": entity, "entity_id": str(entity_id)})
    assert response.status_code == 200
    return list(response.json()["items"])


async def test_create_team_returns_it_and_audits(world: World) -> None:
    response = await world.post(
        "staff_c11",
        URL,
        team(founded_on="2020-05-04", categories=["读书分享会", " 亲子阅读会 ", "读书分享会", "亲子阅读会"]),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "衡州小学志愿服务队",
        "area_code": "C11",
        "sponsor": "衡州小学",
        "founded_on": "2020-05-04",
        "categories": ["读书分享会", "亲子阅读会"],
        "status": "active",
        "members": 0,
    }
    assert (await world.get("staff_c11", f"{URL}/{body['id']}")).json() == body
    trail = await audit_of(world, "team", body["id"])
    assert [(e["action"], e["username"], e["area_code"]) for e in trail] == [("create", "staff_c11", "C11")]
    assert trail[0]["after"]["name"] == "衡州小学志愿服务队"


async def test_defaults_and_trimmed_names(world: World) -> None:
    body = await create(world, name="  金化科技青年队 ")
    assert body["name"] == "金化科技青年队"
    assert body["founded_on"] is None and body["categories"] == []


async def test_validation_failures_name_the_field(world: World) -> None:
    tomorrow = (today() + timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], int, str]] = [
        (team(founded_on=tomorrow), 422, "founded_on"),
        (team(name="   "), 422, "name"),
        (team(sponsor=" "), 422, "sponsor"),
        (team(categories=["  "]), 422, "categories"),
        (team(categories=[f"类别{i}" for i in range(21)]), 400, "categories"),
        (team(categories=["长" * 51]), 400, "categories[0]"),
        (team(categories=[""]), 400, "categories[0]"),
        (team(name="x" * 101), 400, "name"),
        (team(name=""), 400, "name"),
        (team(area_code="NOPE"), 422, "area_code"),
    ]
    for body, status, field in cases:
        response = await world.post("staff_c11", URL, body)
        assert response.status_code == status, (body, response.text)
        problem = response.json()
        fields = [problem.get("field")] + [e["field"] for e in problem.get("errors", [])]
        assert field in fields, (body, problem)
        assert problem["detail"]
    assert await Team.count() == 0


async def test_founded_today_is_accepted(world: World) -> None:
    assert (await create(world, founded_on=today().isoformat()))["founded_on"] == today().isoformat()


async def test_duplicate_name_in_the_same_area_is_409(world: World) -> None:
    await create(world)
    again = await world.post("staff_s1", URL, team())
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_team" and again.json()["field"] == "name"
    elsewhere = await world.post("staff_s1", URL, team(area_code="C12"))
    assert elsewhere.status_code == 201
    assert await Team.count() == 2


async def test_simultaneous_duplicates_leave_one_team(world: World) -> None:
    await world.login("staff_c11")
    responses = await asyncio.gather(*(world.post("staff_c11", URL, team()) for _ in range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 5, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"duplicate_team"}
    assert await Team.count() == 1


async def test_create_outside_scope_is_403_and_creates_nothing(world: World) -> None:
    for user, area in [("staff_c11", "C21"), ("staff_c11", "C12"), ("staff_c11", "S1"), ("admin_s1", "C21")]:
        response = await world.post(user, URL, team(area_code=area))
        assert response.status_code == 403, (user, area)
        assert response.json()["code"] == "outside_scope"
    response = await world.post("official_s1", URL, team())
    assert response.status_code == 403
    assert await Team.count() == 0


async def test_reads_outside_scope_are_404(world: World) -> None:
    c21 = await create(world, "staff_c21", area_code="C21")
    for user in ["staff_c11", "admin_s1", "official_s1", "staff_s1"]:
        assert (await world.get(user, f"{URL}/{c21['id']}")).status_code == 404, user
    for user in ["staff_c21", "root", "official_d1"]:
        assert (await world.get(user, f"{URL}/{c21['id']}")).status_code == 200, user
    assert (await world.get("root", f"{URL}/999999")).status_code == 404


async def test_official_reads_but_cannot_write(world: World) -> None:
    mine = await create(world)
    assert (await world.get("official_s1", f"{URL}/{mine['id']}")).status_code == 200
    assert (await world.get("official_s1", URL)).json()["total"] == 1
    assert (await world.patch("official_s1", f"{URL}/{mine['id']}", {"name": "改名"})).status_code == 403
    assert (await world.post("official_s1", URL, team(name="另一个"))).status_code == 403
    assert (await world.get("root", f"{URL}/{mine['id']}")).json()["name"] == mine["name"]


async def test_admin_of_s1_works_across_s1_only(world: World) -> None:
    c12 = await create(world, "admin_s1", area_code="C12")
    street = await create(world, "admin_s1", name="东街道巾帼队", area_code="S1")
    assert street["area_code"] == "S1"
    renamed = await world.patch("admin_s1", f"{URL}/{c12['id']}", {"name": "东二新队"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "东二新队"
    c21 = await create(world, "staff_c21", area_code="C21")
    assert (await world.get("admin_s1", f"{URL}/{c21['id']}")).status_code == 404
    assert (await world.patch("admin_s1", f"{URL}/{c21['id']}", {"name": "x"})).status_code == 403
    assert (await world.get("root", f"{URL}/{c21['id']}")).json()["name"] == c21["name"]


async def test_patch_changes_fields_and_audits_before_and_after(world: World) -> None:
    created = await create(world, founded_on="2019-01-01", categories=["读书分享会"])
    url = f"{URL}/{created['id']}"
    response = await world.patch(
        "staff_c11",
        url,
        {"name": "衡州小学红领巾队", "sponsor": "衡州小学少先队", "founded_on": None, "categories": ["党建微课堂"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["sponsor"], body["founded_on"], body["categories"]) == (
        "衡州小学红领巾队",
        "衡州小学少先队",
        None,
        ["党建微课堂"],
    )
    dissolved = await world.patch("staff_c11", url, {"status": "dissolved"})
    assert dissolved.json()["status"] == "dissolved" and dissolved.json()["name"] == "衡州小学红领巾队"
    trail = await audit_of(world, "team", created["id"])
    assert [e["action"] for e in trail] == ["update", "update", "create"]
    assert trail[1]["before"]["name"] == "衡州小学志愿服务队"
    assert trail[1]["after"]["name"] == "衡州小学红领巾队"
    assert trail[0]["before"]["status"] == "active" and trail[0]["after"]["status"] == "dissolved"


async def test_patch_validation_and_duplicates(world: World) -> None:
    first = await create(world)
    second = await create(world, name="第二队")
    url = f"{URL}/{second['id']}"
    tomorrow = (today() + timedelta(days=1)).isoformat()
    clash = await world.patch("staff_c11", url, {"name": first["name"]})
    assert clash.status_code == 409 and clash.json()["code"] == "duplicate_team"
    future = await world.patch("staff_c11", url, {"founded_on": tomorrow})
    assert future.status_code == 422 and future.json()["field"] == "founded_on"
    assert (await world.patch("staff_c11", url, {"status": "closed"})).status_code == 400
    assert (await world.patch("staff_c11", url, {"name": None})).status_code == 400
    assert (await world.patch("staff_c11", url, {"colour": "red"})).status_code == 400
    unknown_area = await world.patch("staff_c11", url, {"area_code": "ZZ9"})
    assert unknown_area.status_code == 422 and unknown_area.json()["code"] == "unknown_area"
    same = await world.patch("staff_c11", url, {"name": "第二队"})
    assert same.status_code == 200
    assert (await world.get("staff_c11", url)).json() == second
    assert [e["action"] for e in await audit_of(world, "team", second["id"])] == ["create"]


async def test_moving_a_team_needs_both_areas_writable(world: World) -> None:
    created = await create(world)
    url = f"{URL}/{created['id']}"
    denied = await world.patch("staff_c11", url, {"area_code": "C12"})
    assert denied.status_code == 403
    assert (await world.get("staff_c11", url)).json()["area_code"] == "C11"
    moved = await world.patch("staff_s1", url, {"area_code": "C12"})
    assert moved.status_code == 200 and moved.json()["area_code"] == "C12"
    assert (await world.get("staff_c11", url)).status_code == 404
    assert (await world.patch("staff_c12", url, {"area_code": "C21"})).status_code == 403
    await create(world, "staff_c11")
    clash = await world.patch("staff_s1", url, {"area_code": "C11"})
    assert clash.status_code == 409 and clash.json()["code"] == "duplicate_team"
    assert (await world.get("staff_s1", url)).json()["area_code"] == "C12"


async def test_staff_cannot_patch_a_team_of_another_community(world: World) -> None:
    c21 = await create(world, "staff_c21", area_code="C21")
    response = await world.patch("staff_c11", f"{URL}/{c21['id']}", {"name": "抢过来"})
    assert response.status_code == 403 and response.json()["code"] == "outside_scope"
    assert (await world.patch("staff_c11", f"{URL}/999999", {"name": "x"})).status_code == 404
    assert (await world.get("root", f"{URL}/{c21['id']}")).json()["name"] == c21["name"]
    assert [e["action"] for e in await audit_of(world, "team", c21["id"])] == ["create"]


async def test_list_is_scoped_and_filtered(world: World) -> None:
    a = await create(world, name="读书会100%队", sponsor="衡州小学")
    b = await create(world, "staff_c12", name="金化_科技队", area_code="C12", sponsor="金化科技")
    c = await create(world, "staff_c21", name="西一读书队", area_code="C21", sponsor="西一社区")
    d = await create(world, "admin_s1", name="东街道队", area_code="S1", sponsor="东街道办")
    await world.patch("admin_s1", f"{URL}/{d['id']}", {"status": "dissolved"})

    async def names(user: str, **params: Any) -> tuple[list[str], int]:
        response = await world.get(user, URL, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        return [t["name"] for t in page["items"]], page["total"]

    assert await names("root") == ([a["name"], b["name"], c["name"], "东街道队"], 4)
    assert await names("staff_c11") == ([a["name"]], 1)
    assert await names("staff_c11", area="C21") == ([], 0)
    assert await names("staff_c11", area="S1") == ([a["name"]], 1)
    assert await names("staff_c11", area="NOPE") == ([], 0)
    assert await names("official_s1", area="S1") == ([a["name"], b["name"], "东街道队"], 3)
    assert await names("official_s1", area="C12") == ([b["name"]], 1)
    assert await names("official_d1", q="读书") == ([a["name"], c["name"]], 2)
    assert await names("root", q="金化科技") == ([b["name"]], 1)  # sponsor
    assert await names("root", q="%") == ([a["name"]], 1)
    assert await names("root", q="_") == ([b["name"]], 1)
    assert await names("root", q="\\") == ([], 0)
    assert await names("root", status="dissolved") == (["东街道队"], 1)
    assert await names("root", status="active", limit=2) == ([a["name"], b["name"]], 3)
    assert await names("root", status="active", limit=2, offset=2) == ([c["name"]], 3)
    assert await names("root", offset=100) == ([], 4)


async def test_members_counts_open_memberships(world: World) -> None:
    created = await create(world)
    volunteers = [await add_volunteer("C11", name=f"志愿者{i}") for i in range(3)]
    for volunteer_id in volunteers:
        joined = await world.post("staff_c11", f"{URL}/{created['id']}/members", {"volunteer_id": volunteer_id})
        assert joined.status_code == 201, joined.text
    left = await world.post("staff_c11", f"{URL}/{created['id']}/members/{volunteers[0]}/leave", {})
    assert left.status_code == 200, left.text
    assert (await world.get("staff_c11", f"{URL}/{created['id']}")).json()["members"] == 2
    assert [t["members"] for t in (await world.get("staff_c11", URL)).json()["items"]] == [2]


async def test_hostile_team_inputs_never_500(world: World) -> None:
    created = await create(world)
    url = f"{URL}/{created['id']}"
    bodies: list[Any] = [
        team(name="a\u0000b"),
        team(sponsor="\u0000"),
        team(categories=["x\u0000"]),
        team(name="x" * 100_000),
        team(name=123),
        team(categories="读书"),
        team(categories=[1, 2]),
        team(founded_on="2024-02-30"),
        team(founded_on="yesterday"),
        team(founded_on="0000-01-01"),
        team(area_code="C11'; DROP TABLE team; --"),
        team(area_code="\u0000"),
        {**team(), "id": 5},
        {"name": "缺少区域"},
        [],
        "plain",
        None,
    ]
    for body in bodies:
        response = await world.post("staff_c11", URL, body)
        assert response.status_code in (400, 422), (body, response.status_code, response.text)
    headers = {**await world.login("staff_c11"), "Content-Type": "application/json"}
    raw = await world.http.post(URL, content=b"{not json", headers=headers)
    assert raw.status_code == 400
    for patch in [{"founded_on": "2024-13-01"}, {"categories": None}, {"status": 1}, {"name": "\u0000"}]:
        response = await world.patch("staff_c11", url, patch)
        assert response.status_code == 400, (patch, response.text)
    for path in [f"{URL}/2147483648", f"{URL}/-1", f"{URL}/0", f"{URL}/99999999999999999999", f"{URL}/abc"]:
        assert (await world.get("staff_c11", path)).status_code in (400, 404), path
        assert (await world.patch("staff_c11", path, {"name": "x"})).status_code in (400, 404, 405), path
    for params in [
        {"q": "\u0000"},
        {"q": "x" * 5000},
        {"q": "' OR 1=1 --"},
        {"area": "\u0000"},
        {"area": "C11' OR '1'='1"},
        {"status": "gone"},
        {"limit": "0"},
        {"limit": "100000"},
        {"offset": "-1"},
        {"limit": "x"},
        {"offset": "99999999999999999999"},
    ]:
        response = await world.get("staff_c11", URL, params=params)
        assert response.status_code in (200, 400), (params, response.text)
        if response.status_code == 200:
            assert response.json() == {"items": [], "total": 0}, params
    assert await Team.count() == 1


async def test_founding_dates_lie_between_1949_and_today(world: World) -> None:
    """Issue 10, item 7: a founding date of 1900 (or tomorrow) is a typing mistake, on creation and on change."""
    for founded_on, code in [("1900-01-01", "date_too_early"), ("1948-12-31", "date_too_early")]:
        response = await world.post("staff_c11", URL, team(founded_on=founded_on))
        assert response.status_code == 422, response.text
        assert (response.json()["code"], response.json()["field"]) == (code, "founded_on")
    tomorrow = (today() + timedelta(days=1)).isoformat()
    future = await world.post("staff_c11", URL, team(founded_on=tomorrow))
    assert future.json()["code"] == "date_in_future"
    assert await Team.count() == 0
    created = await create(world, founded_on="1949-01-01")
    changed = await world.patch("staff_c11", f"{URL}/{created['id']}", {"founded_on": "1900-01-01"})
    assert (changed.status_code, changed.json()["code"]) == (422, "date_too_early")
    assert (await world.get("staff_c11", f"{URL}/{created['id']}")).json()["founded_on"] == "1949-01-01"
