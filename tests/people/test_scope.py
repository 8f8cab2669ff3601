"""Who may see and change which volunteers, and what officials see of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.factories import VOLUNTEERS_URL, make_id_number, register, volunteer_body, volunteer_count
from volunteers.fields import today

TODAY = today().isoformat()


async def in_c21(world: World) -> dict[str, Any]:
    return await register(world, "staff_c21", name="西区人", phone="13600136000", area_code="C21")


@pytest.mark.parametrize("user", ["admin_s1", "staff_s1", "staff_c11", "staff_c12", "official_s1"])
async def test_reads_outside_scope_are_404_and_lists_leave_it_out(world: World, user: str) -> None:
    other = await in_c21(world)
    assert (await world.get(user, f"{VOLUNTEERS_URL}/{other['id']}")).status_code == 404
    assert (await world.get(user, VOLUNTEERS_URL)).json() == {"items": [], "total": 0}
    assert (await world.get(user, VOLUNTEERS_URL, params={"area": "C21"})).json() == {"items": [], "total": 0}
    assert (await world.get(user, VOLUNTEERS_URL, params={"q": "西区人"})).json()["total"] == 0
    assert (await world.get(user, VOLUNTEERS_URL, params={"q": "13600136000"})).json()["total"] == 0


@pytest.mark.parametrize("user", ["admin_s1", "staff_s1", "staff_c11"])
async def test_writes_outside_scope_are_403_and_change_nothing(world: World, user: str) -> None:
    other = await in_c21(world)
    url = f"{VOLUNTEERS_URL}/{other['id']}"
    assert (await world.patch(user, url, {"name": "改"})).status_code == 403
    for action in ("suspend", "withdraw"):
        response = await world.post(user, f"{url}/{action}", {"on": TODAY})
        assert response.status_code == 403 and response.json()["code"] == "outside_scope"
    await world.post("staff_c21", f"{url}/suspend", {"on": TODAY})
    assert (await world.post(user, f"{url}/reinstate", {})).status_code == 403
    created = await world.post(user, VOLUNTEERS_URL, volunteer_body(phone="13900139000", area_code="C21"))
    assert created.status_code == 403
    shown = (await world.get("root", url)).json()
    assert (shown["name"], shown["status"]) == ("西区人", "suspended")
    assert await volunteer_count() == 1


async def test_moving_needs_both_areas_writable(world: World) -> None:
    mine = await register(world)
    url = f"{VOLUNTEERS_URL}/{mine['id']}"
    assert (await world.patch("staff_c11", url, {"area_code": "C12"})).status_code == 403
    assert (await world.patch("staff_s1", url, {"area_code": "C21"})).status_code == 403
    assert (await world.get("root", url)).json()["area_code"] == "C11"
    moved = await world.patch("root", url, {"area_code": "C21"})
    assert moved.status_code == 200 and moved.json()["area_code"] == "C21"


async def test_wider_scopes_see_their_subtree(world: World) -> None:
    mine = await register(world)
    other = await in_c21(world)
    assert [v["id"] for v in (await world.get("staff_s1", VOLUNTEERS_URL)).json()["items"]] == [mine["id"]]
    assert (await world.get("official_d1", VOLUNTEERS_URL)).json()["total"] == 2
    assert {v["id"] for v in (await world.get("root", VOLUNTEERS_URL)).json()["items"]} == {mine["id"], other["id"]}
    # a filter wider than the scope is clipped to the scope
    assert (await world.get("staff_s1", VOLUNTEERS_URL, params={"area": "D1"})).json()["total"] == 1


async def test_officials_only_read(world: World) -> None:
    mine = await register(world)
    url = f"{VOLUNTEERS_URL}/{mine['id']}"
    create = await world.post("official_s1", VOLUNTEERS_URL, volunteer_body(phone="13900139000"))
    assert create.status_code == 403 and create.json()["code"] == "read_only"
    assert (await world.patch("official_s1", url, {"name": "改"})).status_code == 403
    for action in ("suspend", "withdraw", "reinstate"):
        assert (await world.post("official_s1", f"{url}/{action}", {"on": TODAY})).status_code == 403
    assert (await world.get("root", url)).json() == mine
    assert await volunteer_count() == 1


async def test_officials_see_masked_phones_staff_see_them_whole(world: World) -> None:
    guardian = {"name": "张父", "phone": "13900139000", "consent_on": TODAY}
    mine = await register(world, id_number=make_id_number(today().replace(year=today().year - 10)), guardian=guardian)
    url = f"{VOLUNTEERS_URL}/{mine['id']}"

    official = (await world.get("official_s1", url)).json()
    assert official["phone"] == "138****8000" and official["guardian"]["phone"] == "139****9000"
    listed = (await world.get("official_d1", VOLUNTEERS_URL)).json()["items"][0]
    assert listed["phone"] == "138****8000" and listed["guardian"]["phone"] == "139****9000"
    # officials can still search by a full phone number, they just see it masked
    assert (await world.get("official_s1", VOLUNTEERS_URL, params={"q": "13800138000"})).json()["total"] == 1

    for user in ("staff_c11", "admin_s1", "root"):
        seen = (await world.get(user, url)).json()
        assert seen["phone"] == "13800138000" and seen["guardian"]["phone"] == "13900139000"


async def test_the_full_id_number_never_appears_in_any_response(world: World) -> None:
    number = make_id_number()
    mine = await register(world, id_number=number)
    url = f"{VOLUNTEERS_URL}/{mine['id']}"
    responses = [
        await world.get("staff_c11", url),
        await world.get("staff_c11", VOLUNTEERS_URL, params={"q": number}),
        await world.patch("staff_c11", url, {"name": "张三三"}),
        await world.post("staff_c11", f"{url}/suspend", {"on": TODAY}),
        await world.get("root", "/api/v1/audit", params={"entity": "volunteer"}),
        await world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(phone="13900139000", id_number=number)),
    ]
    for response in responses:
        assert response.status_code < 500
        assert number not in response.text and number[6:14] + number[14:] not in response.text
