"""Suspending, withdrawing and reinstating volunteers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import World
from tests.factories import VOLUNTEERS_URL, register
from volunteers.fields import today

REGISTERED = (today() - timedelta(days=100)).isoformat()
DAY = (today() - timedelta(days=10)).isoformat()


async def registered(world: World) -> dict[str, Any]:
    return await register(world, registered_on=REGISTERED)


async def change(world: World, volunteer: dict[str, Any], action: str, payload: Any, user: str = "staff_c11") -> Any:
    return await world.post(user, f"{VOLUNTEERS_URL}/{volunteer['id']}/{action}", payload)


async def test_suspend_and_reinstate(world: World) -> None:
    volunteer = await registered(world)
    suspended = await change(world, volunteer, "suspend", {"on": DAY, "reason": "长期联系不上"})
    assert suspended.status_code == 200, suspended.text
    assert (suspended.json()["status"], suspended.json()["suspended_on"]) == ("suspended", DAY)
    again = await change(world, volunteer, "suspend", {"on": DAY})
    assert again.status_code == 409 and again.json()["code"] == "already_suspended"
    back = await change(world, volunteer, "reinstate", {})
    assert back.status_code == 200, back.text
    assert (back.json()["status"], back.json()["suspended_on"]) == ("active", None)
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "volunteer"})).json()
    assert [e["action"] for e in trail["items"]] == ["reinstate", "suspend", "create"]
    assert trail["items"][1]["after"]["reason"] == "长期联系不上"
    assert trail["items"][1]["before"]["status"] == "active"
    assert trail["items"][0]["after"]["on"] == today().isoformat()


async def test_reinstate_accepts_no_body(world: World) -> None:
    volunteer = await registered(world)
    await change(world, volunteer, "suspend", {"on": DAY})
    response = await world.call("staff_c11", "POST", f"{VOLUNTEERS_URL}/{volunteer['id']}/reinstate")
    assert response.status_code == 200 and response.json()["status"] == "active"


async def test_withdraw_is_final_until_reinstated(world: World) -> None:
    volunteer = await registered(world)
    await change(world, volunteer, "suspend", {"on": DAY})
    withdrawn = await change(world, volunteer, "withdraw", {"on": DAY, "reason": "本人申请"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert (withdrawn.json()["withdrawn_on"], withdrawn.json()["suspended_on"]) == (DAY, None)
    url = f"{VOLUNTEERS_URL}/{volunteer['id']}"
    for action, code in [("withdraw", "already_withdrawn"), ("suspend", "volunteer_withdrawn")]:
        response = await change(world, volunteer, action, {"on": DAY})
        assert response.status_code == 409 and response.json()["code"] == code
    edit = await world.patch("staff_c11", url, {"name": "改名"})
    assert edit.status_code == 409 and edit.json()["code"] == "volunteer_withdrawn"
    assert (await world.get("staff_c11", url)).json()["name"] == "张三"
    back = await change(world, volunteer, "reinstate", {"on": today().isoformat()})
    assert back.json()["status"] == "active" and back.json()["withdrawn_on"] is None
    assert (await world.patch("staff_c11", url, {"name": "改名"})).status_code == 200


async def test_reinstating_an_active_volunteer_is_409(world: World) -> None:
    volunteer = await registered(world)
    response = await change(world, volunteer, "reinstate", {})
    assert response.status_code == 409 and response.json()["code"] == "already_active"


async def test_status_dates_are_checked(world: World) -> None:
    volunteer = await registered(world)
    future = await change(world, volunteer, "suspend", {"on": (today() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and (future.json()["code"], future.json()["field"]) == ("date_in_future", "on")
    early = await change(world, volunteer, "withdraw", {"on": "2000-01-01"})
    assert early.status_code == 422 and early.json()["code"] == "before_registration"
    await change(world, volunteer, "suspend", {"on": DAY})
    before_suspension = (today() - timedelta(days=20)).isoformat()
    response = await change(world, volunteer, "reinstate", {"on": before_suspension})
    assert response.status_code == 422 and response.json()["code"] == "before_current_status"
    assert (await world.get("staff_c11", f"{VOLUNTEERS_URL}/{volunteer['id']}")).json()["status"] == "suspended"


async def test_status_dates_before_1949_are_refused(world: World) -> None:
    volunteer = await register(world, registered_on="1949-01-01")
    for action in ("suspend", "withdraw"):
        response = await change(world, volunteer, action, {"on": "0001-01-01"})
        assert response.status_code == 422
        assert (response.json()["code"], response.json()["field"]) == ("date_too_early", "on")
    assert (await change(world, volunteer, "suspend", {"on": "1949-01-01"})).status_code == 200
    response = await change(world, volunteer, "reinstate", {"on": "1948-12-31"})
    assert (response.json()["code"], response.json()["field"]) == ("date_too_early", "on")


async def test_status_change_needs_a_date(world: World) -> None:
    volunteer = await registered(world)
    assert (await change(world, volunteer, "suspend", {})).status_code == 400
    assert (await change(world, volunteer, "withdraw", {"on": "2024-13-45"})).status_code == 400
    assert (await change(world, volunteer, "suspend", {"on": DAY, "reason": "x" * 501})).status_code == 400


async def test_unknown_volunteer_is_404(world: World) -> None:
    response = await world.post("staff_c11", f"{VOLUNTEERS_URL}/4242/suspend", {"on": DAY})
    assert response.status_code == 404
