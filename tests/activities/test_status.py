"""The status machine: draft → published → completed, draft|published → cancelled; nothing else."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.factories import ACTIVITIES_URL, add_activity

# How to reach each status from a fresh draft.
ROUTES = {
    "draft": [],
    "published": ["publish"],
    "completed": ["publish", "complete"],
    "cancelled": ["cancel"],
}
ALLOWED = {
    ("draft", "publish"): "published",
    ("draft", "cancel"): "cancelled",
    ("published", "cancel"): "cancelled",
    ("published", "complete"): "completed",
}


async def activity_in(world: World, status: str) -> int:
    activity_id: int = (await add_activity(world))["id"]
    for action in ROUTES[status]:
        response = await world.post("staff_c11", f"{ACTIVITIES_URL}/{activity_id}/{action}")
        assert response.status_code == 200, response.text
    return activity_id


@pytest.mark.parametrize("start", list(ROUTES))
@pytest.mark.parametrize("action", ["publish", "cancel", "complete"])
async def test_every_transition(world: World, start: str, action: str) -> None:
    activity_id = await activity_in(world, start)
    response = await world.post("staff_c11", f"{ACTIVITIES_URL}/{activity_id}/{action}")
    shown = (await world.get("staff_c11", f"{ACTIVITIES_URL}/{activity_id}")).json()
    trail = await world.get("root", "/api/v1/audit", params={"entity": "activity", "entity_id": str(activity_id)})
    latest = trail.json()["items"][0]
    if (start, action) in ALLOWED:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == shown["status"] == ALLOWED[start, action]
        assert response.json() == shown
        assert latest["action"] == action and latest["username"] == "staff_c11"
        assert (latest["before"]["status"], latest["after"]["status"]) == (start, ALLOWED[start, action])
    else:
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["code"] == "invalid_transition"
        assert problem["current_status"] == start and start in problem["detail"]
        assert shown["status"] == start
        assert latest["action"] == (ROUTES[start][-1] if ROUTES[start] else "create")


async def test_cancel_records_the_reason(world: World) -> None:
    activity_id = await activity_in(world, "published")
    response = await world.post("staff_c11", f"{ACTIVITIES_URL}/{activity_id}/cancel", {"reason": "暴雨预警，改期"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "activity"})).json()
    assert trail["items"][0]["after"]["reason"] == "暴雨预警，改期"
    assert trail["items"][0]["after"]["status"] == "cancelled"


@pytest.mark.parametrize(
    "payload", [{"reason": ""}, {"reason": "长" * 501}, {"reason": 5}, {"why": "x"}, {"reason": "a\u0000b"}, []]
)
async def test_bad_cancel_bodies_change_nothing(world: World, payload: object) -> None:
    activity_id = await activity_in(world, "draft")
    response = await world.post("staff_c11", f"{ACTIVITIES_URL}/{activity_id}/cancel", payload)
    assert 400 <= response.status_code < 500, response.text
    assert (await world.get("staff_c11", f"{ACTIVITIES_URL}/{activity_id}")).json()["status"] == "draft"


async def test_transitions_of_missing_activities_are_404(world: World) -> None:
    for action in ("publish", "cancel", "complete"):
        assert (await world.post("root", f"{ACTIVITIES_URL}/424242/{action}")).status_code == 404
        assert (await world.post("root", f"{ACTIVITIES_URL}/2147483648/{action}")).status_code == 400


async def test_street_staff_manage_their_communities_activities(world: World) -> None:
    activity_id = await activity_in(world, "draft")
    assert (await world.post("staff_s1", f"{ACTIVITIES_URL}/{activity_id}/publish")).json()["status"] == "published"
    assert (await world.post("staff_c12", f"{ACTIVITIES_URL}/{activity_id}/complete")).status_code == 404
    assert (await world.post("admin_s1", f"{ACTIVITIES_URL}/{activity_id}/complete")).json()["status"] == "completed"
