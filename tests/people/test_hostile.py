"""Hostile and malformed input is refused with 400/422 (never 500) and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.factories import VOLUNTEERS_URL, register, volunteer_body, volunteer_count
from volunteers import db

BAD_BODIES: list[Any] = [
    {"name": 123, "phone": "13800138000", "area_code": "C11"},
    {"name": "张三", "phone": 13800138000, "area_code": "C11"},
    {"name": "张三", "phone": "13800138000", "area_code": ["C11"]},
    {"name": "张" * 10_000, "phone": "13800138000", "area_code": "C11"},
    volunteer_body(unexpected="field"),
    volunteer_body(name="张\u0000三"),
    volunteer_body(phone="1380013800\u0000"),
    volunteer_body(area_code="C11\u0000"),
    volunteer_body(area_code="C11'; --"),
    volunteer_body(id_number="4304211990030712\u000034"),
    volunteer_body(id_number="x" * 10_000),
    volunteer_body(gender="other"),
    volunteer_body(birth_date="2024-13-45"),
    volunteer_body(registered_on="2024-02-30"),
    volunteer_body(consent_on="yesterday"),
    volunteer_body(birth_date=19900101),
    volunteer_body(guardian="张父"),
    volunteer_body(guardian={"name": "张父", "phone": "13900139000", "consent_on": "2024-13-45"}),
    volunteer_body(guardian={"name": "张\u0000父", "phone": "13900139000", "consent_on": "2024-01-01"}),
    volunteer_body(guardian={"name": "张父", "phone": "13900139000", "extra": 1}),
    [],
    "a string",
    None,
]


@pytest.mark.parametrize("payload", BAD_BODIES)
async def test_bad_create_bodies(world: World, payload: Any) -> None:
    response = await world.post("staff_c11", VOLUNTEERS_URL, payload)
    assert response.status_code in (400, 422), response.text
    assert response.json()["detail"]
    assert await volunteer_count() == 0


async def test_malformed_json(world: World) -> None:
    headers = {**(await world.login("staff_c11")), "content-type": "application/json"}
    response = await world.http.post(VOLUNTEERS_URL, content=b'{"name": "x",', headers=headers)
    assert response.status_code == 400
    assert await volunteer_count() == 0


async def test_sql_in_a_name_is_only_a_name(world: World) -> None:
    name = "'; DROP TABLE volunteer; --"
    created = await register(world, name=name)
    assert (await world.get("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}")).json()["name"] == name
    found = (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": name})).json()
    assert [v["id"] for v in found["items"]] == [created["id"]]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM volunteer") == 1


@pytest.mark.parametrize("path", ["/99999999999", "/2147483648", "/0", "/-1", "/abc", "/1.5", "/99999999999/suspend"])
async def test_bad_ids_in_the_path(world: World, path: str) -> None:
    response = await world.post("staff_c11", VOLUNTEERS_URL + path, {"on": "2024-01-01"}) if "suspend" in path else None
    response = response or await world.get("staff_c11", VOLUNTEERS_URL + path)
    assert response.status_code in (400, 404, 405), response.text


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"q": "张\u0000"},
        {"area": "C11\u0000"},
        {"area": "x" * 5000},
        {"area": "%"},
        {"status": "deleted"},
        {"limit": 0},
        {"limit": 100_000},
        {"limit": "ten"},
        {"offset": -1},
        {"offset": 2**40},
    ],
)
async def test_bad_query_parameters(world: World, params: dict[str, Any]) -> None:
    await register(world)
    response = await world.get("staff_c11", VOLUNTEERS_URL, params=params)
    assert response.status_code in (400, 422), response.text


async def test_odd_but_harmless_queries_just_find_nothing(world: World) -> None:
    await register(world)
    for q in ["'; DROP TABLE volunteer; --", "\\", "%%", "_%_", "张三" * 40, "🙂"]:
        response = await world.get("staff_c11", VOLUNTEERS_URL, params={"q": q})
        assert response.status_code == 200 and response.json()["total"] == 0, q


async def test_bad_patch_bodies(world: World) -> None:
    created = await register(world)
    url = f"{VOLUNTEERS_URL}/{created['id']}"
    for payload in [
        {"name": None},
        {"phone": None},
        {"name": "x" * 10_000},
        {"unknown": 1},
        {"birth_date": "2024-13-45"},
        {"gender": "x"},
        {"name": "a\u0000b"},
        [],
    ]:
        response = await world.patch("staff_c11", url, payload)
        assert response.status_code in (400, 422), (payload, response.text)
    assert (await world.get("staff_c11", url)).json() == created


async def test_control_characters_in_a_reason(world: World) -> None:
    created = await register(world)
    response = await world.post(
        "staff_c11", f"{VOLUNTEERS_URL}/{created['id']}/suspend", {"on": "2025-01-01", "reason": "a\u0000"}
    )
    assert response.status_code in (400, 422)
    assert (await world.get("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}")).json()["status"] == "active"
