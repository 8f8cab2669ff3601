"""Activity categories: district-wide reference data everyone reads and only system admins change."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import World
from tests.factories import activity_body, add_activity
from volunteers.activities.tables import ActivityCategory
from volunteers.errors import CONSTRAINT_MESSAGES

URL = "/api/v1/activity-categories"
SEEDED = 12


async def codes() -> list[str]:
    return [r["code"] for r in await ActivityCategory.select(ActivityCategory.code).order_by(ActivityCategory.id)]


@pytest.mark.parametrize("user", ["root", "admin_s1", "staff_c21", "official_s1"])
async def test_everyone_reads_the_seeded_categories_in_order(world: World, user: str) -> None:
    response = await world.get(user, URL)
    assert response.status_code == 200
    items = response.json()
    assert len(items) == SEEDED
    assert items[0] == {"id": 1, "code": "reading_salon", "name": "读书分享会", "is_active": True, "sort_order": 10}
    assert [c["name"] for c in items][-5:] == ["现场恳谈会", "广场故事会", "校园思享会", "大众读书会", "音乐党史课"]
    assert [c["sort_order"] for c in items] == sorted(c["sort_order"] for c in items)


async def test_system_admin_creates_a_category_and_it_is_audited(world: World) -> None:
    response = await world.post("root", URL, {"code": "garden_day", "name": "社区花园日", "sort_order": 5})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "code": "garden_day",
        "name": "社区花园日",
        "is_active": True,
        "sort_order": 5,
    }
    assert (await world.get("staff_c11", URL)).json()[0]["code"] == "garden_day"
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "activity_category"})).json()
    assert [(e["action"], e["entity_id"], e["username"]) for e in trail["items"]] == [("create", "garden_day", "root")]
    # a new category can be used at once, by code or by name
    assert (
        await world.post("staff_c11", "/api/v1/activities", activity_body(category="社区花园日"))
    ).status_code == 201


async def test_sort_order_defaults_to_zero(world: World) -> None:
    response = await world.post("root", URL, {"code": "x1", "name": "甲"})
    assert response.status_code == 201 and response.json()["sort_order"] == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"code": "reading_salon", "name": "全新名称"}, "code"), ({"code": "brand_new", "name": "读书分享会"}, "name")],
)
async def test_duplicates_are_409(world: World, payload: dict[str, Any], field: str) -> None:
    response = await world.post("root", URL, payload)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_category" and response.json()["field"] == field
    assert len(await codes()) == SEEDED


async def test_database_duplicate_constraints_are_mapped(world: World) -> None:
    """Requests racing past the checks meet the unique constraints; those must read as the same 409."""
    for column, value in (("code", "reading_salon"), ("name", "读书分享会")):
        other: dict[str, Any] = {"code": "fresh", "name": "新名称"}
        with pytest.raises(asyncpg.UniqueViolationError) as caught:
            await ActivityCategory.insert(ActivityCategory(**{**other, column: value}))
        assert CONSTRAINT_MESSAGES[caught.value.constraint_name][:3] == (409, "duplicate_category", column)


@pytest.mark.parametrize(
    "payload",
    [
        {"code": "Upper", "name": "大写"},
        {"code": "has space", "name": "空格"},
        {"code": "x" * 41, "name": "太长"},
        {"code": "", "name": "空"},
        {"code": "横线-no", "name": "横线"},
        {"code": "ok_code", "name": "名" * 51},
        {"code": "ok_code", "name": ""},
        {"code": "ok_code", "name": "\u0000"},
        {"code": "ok_code", "name": "好", "sort_order": 2**31},
        {"code": "ok_code", "name": "好", "sort_order": "first"},
        {"code": "ok_code", "name": "好", "is_active": False},
        {"name": "无编码"},
    ],
)
async def test_malformed_categories_are_400(world: World, payload: dict[str, Any]) -> None:
    response = await world.post("root", URL, payload)
    assert response.status_code == 400, response.text
    assert len(await codes()) == SEEDED


async def test_blank_name_is_422(world: World) -> None:
    response = await world.post("root", URL, {"code": "blank", "name": "   "})
    assert response.status_code == 422 and response.json()["field"] == "name"


@pytest.mark.parametrize("user", ["admin_s1", "staff_s1", "staff_c11", "official_d1"])
async def test_only_system_admins_write(world: World, user: str) -> None:
    """A street admin's change would reach every other street's activities, so it is refused like staff's."""
    created = await world.post(user, URL, {"code": "sneaky", "name": "偷偷"})
    assert created.status_code == 403
    changed = await world.patch(user, f"{URL}/1", {"name": "改名", "is_active": False})
    assert changed.status_code == 403
    if not user.startswith("official"):
        assert created.json()["code"] == changed.json()["code"] == "system_admin_only"
    assert "sneaky" not in await codes()
    assert (await world.get("root", f"{URL}")).json()[0]["name"] == "读书分享会"


async def test_patch_renames_reorders_retires_and_restores(world: World) -> None:
    response = await world.patch("root", f"{URL}/1", {"name": "读书会", "sort_order": 999})
    assert response.status_code == 200
    assert response.json() == {"id": 1, "code": "reading_salon", "name": "读书会", "is_active": True, "sort_order": 999}
    assert (await world.get("staff_c11", URL)).json()[-1]["name"] == "读书会"

    retired = await world.patch("root", f"{URL}/1", {"is_active": False})
    assert retired.json()["is_active"] is False
    assert len((await world.get("staff_c11", URL)).json()) == SEEDED - 1
    everything = (await world.get("staff_c11", URL, params={"include_inactive": "true"})).json()
    assert len(everything) == SEEDED and everything[-1]["is_active"] is False

    refused = await world.post("staff_c11", "/api/v1/activities", activity_body(category="reading_salon"))
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_category"

    assert (await world.patch("root", f"{URL}/1", {"is_active": True})).json()["is_active"] is True
    assert (await world.post("staff_c11", "/api/v1/activities", activity_body(category="读书会"))).status_code == 201

    trail = (await world.get("root", "/api/v1/audit", params={"entity": "activity_category"})).json()
    assert [e["action"] for e in trail["items"]] == ["update", "update", "update"]
    assert trail["items"][-1]["before"]["name"] == "读书分享会"
    assert trail["items"][-1]["after"]["name"] == "读书会"


async def test_retiring_keeps_existing_activities(world: World) -> None:
    activity = await add_activity(world, category="red_film")
    assert (await world.patch("root", f"{URL}/7", {"is_active": False})).status_code == 200
    shown = (await world.get("staff_c11", f"/api/v1/activities/{activity['id']}")).json()
    assert (shown["category"], shown["category_name"]) == ("red_film", "红色电影大家看")


async def test_patch_refusals(world: World) -> None:
    taken = await world.patch("root", f"{URL}/1", {"name": "党建微课堂"})
    assert taken.status_code == 409 and taken.json()["field"] == "name"
    assert (await world.patch("root", f"{URL}/1", {"name": "读书分享会"})).status_code == 200  # its own name
    assert (await world.patch("root", f"{URL}/999", {"name": "无"})).status_code == 404
    assert (await world.patch("root", f"{URL}/1", {"code": "renamed"})).status_code == 400
    assert (await world.patch("root", f"{URL}/1", {"is_active": "yes"})).status_code == 400
    assert (await world.patch("root", f"{URL}/2147483648", {"name": "大"})).status_code == 400
    assert (await world.patch("root", f"{URL}/0", {"name": "零"})).status_code == 400
    assert (await world.get("root", URL, params={"include_inactive": "maybe"})).status_code == 400
    assert await codes() == [c["code"] for c in (await world.get("root", URL)).json()]
