"""Venues (阵地): registering, changing, listing, and who may see or change them."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import World
from volunteers.errors import CONSTRAINT_MESSAGES
from volunteers.venues.tables import Venue

URL = "/api/v1/venues"


async def add_venue(world: World, user: str, area: str, name: str, kind: str = "station", **more: Any) -> int:
    response = await world.post(user, URL, {"name": name, "kind": kind, "area_code": area, **more})
    assert response.status_code == 201, response.text
    venue_id: int = response.json()["id"]
    return venue_id


async def venue_names() -> list[str]:
    return sorted(r["name"] for r in await Venue.select(Venue.name))


async def test_create_and_read(world: World) -> None:
    response = await world.post(
        "staff_c11", URL, {"name": "东一书屋", "kind": "book_house", "area_code": "C11", "address": "东一路 1 号"}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "name": "东一书屋",
        "kind": "book_house",
        "kind_label": "书屋",
        "area_code": "C11",
        "address": "东一路 1 号",
    }
    assert (await world.get("official_s1", f"{URL}/{created['id']}")).json() == created
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "venue"})).json()
    assert [(e["action"], e["username"], e["after"]["name"]) for e in trail["items"]] == [
        ("create", "staff_c11", "东一书屋")
    ]


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("centre", "实践中心"),
        ("institute", "实践所"),
        ("station", "实践站"),
        ("book_house", "书屋"),
        ("school", "学校"),
        ("market", "市场"),
        ("other", "其他"),
    ],
)
async def test_every_kind_has_its_chinese_label(world: World, kind: str, label: str) -> None:
    response = await world.post("staff_s1", URL, {"name": f"{kind} 阵地", "kind": kind, "area_code": "S1"})
    assert response.status_code == 201
    assert response.json()["kind_label"] == label
    assert response.json()["address"] == ""


async def test_unknown_kind_is_refused(world: World) -> None:
    response = await world.post("staff_s1", URL, {"name": "庙", "kind": "temple", "area_code": "S1"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind"
    assert await venue_names() == []


async def test_duplicate_name_in_one_area_is_409_but_other_areas_may_reuse_it(world: World) -> None:
    await add_venue(world, "staff_s1", "C11", "文明实践站")
    again = await world.post("staff_s1", URL, {"name": " 文明实践站 ", "kind": "station", "area_code": "C11"})
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_venue" and again.json()["field"] == "name"
    assert (
        await world.post("staff_s1", URL, {"name": "文明实践站", "kind": "station", "area_code": "C12"})
    ).status_code == 201
    assert await venue_names() == ["文明实践站", "文明实践站"]


async def test_database_constraint_duplicate_reads_as_duplicate_venue(world: World) -> None:
    """Two requests racing past the check meet the unique constraint; it must read as the same 409."""
    venue_id = await add_venue(world, "staff_s1", "C11", "文明实践站")
    area = (await Venue.select(Venue.area).where(Venue.id == venue_id).first()) or {}
    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        await Venue.insert(Venue(name="文明实践站", kind="station", area=area["area"]))
    assert CONSTRAINT_MESSAGES[caught.value.constraint_name][:3] == (409, "duplicate_venue", "name")


async def test_missing_name_is_400(world: World) -> None:
    response = await world.post("staff_s1", URL, {"kind": "station", "area_code": "C11"})
    assert response.status_code == 400, response.text
    assert "name" in response.json()["detail"]


async def test_unknown_area_is_422_and_blank_name_refused(world: World) -> None:
    unknown = await world.post("root", URL, {"name": "某站", "kind": "station", "area_code": "C99"})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_area" and unknown.json()["field"] == "area_code"
    blank = await world.post("root", URL, {"name": "   ", "kind": "station", "area_code": "C11"})
    assert blank.status_code == 422 and blank.json()["field"] == "name"
    assert await venue_names() == []


async def test_patch_changes_fields_and_is_audited(world: World) -> None:
    venue_id = await add_venue(world, "staff_s1", "C11", "东一站", address="旧址")
    response = await world.patch(
        "staff_s1", f"{URL}/{venue_id}", {"name": "东一中心", "kind": "centre", "address": "新址", "area_code": "C12"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": venue_id,
        "name": "东一中心",
        "kind": "centre",
        "kind_label": "实践中心",
        "area_code": "C12",
        "address": "新址",
    }
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "venue", "entity_id": str(venue_id)})).json()
    latest = trail["items"][0]
    assert latest["action"] == "update"
    assert (latest["before"]["area_code"], latest["after"]["area_code"]) == ("C11", "C12")
    assert (latest["before"]["name"], latest["after"]["name"]) == ("东一站", "东一中心")


async def test_patch_into_a_taken_name_is_409(world: World) -> None:
    await add_venue(world, "staff_s1", "C12", "书屋")
    venue_id = await add_venue(world, "staff_s1", "C11", "书屋")
    moved = await world.patch("staff_s1", f"{URL}/{venue_id}", {"area_code": "C12"})
    assert moved.status_code == 409 and moved.json()["code"] == "duplicate_venue"
    assert (await world.get("staff_s1", f"{URL}/{venue_id}")).json()["area_code"] == "C11"
    # renaming to its own name is not a duplicate of itself
    assert (await world.patch("staff_s1", f"{URL}/{venue_id}", {"name": "书屋"})).status_code == 200


async def test_patch_needs_both_areas_writable(world: World) -> None:
    venue_id = await add_venue(world, "staff_c11", "C11", "东一站")
    away = await world.patch("staff_c11", f"{URL}/{venue_id}", {"area_code": "C21"})
    assert away.status_code == 403 and away.json()["code"] == "outside_scope"
    up = await world.patch("staff_c11", f"{URL}/{venue_id}", {"area_code": "S1"})
    assert up.status_code == 403
    unknown = await world.patch("staff_c11", f"{URL}/{venue_id}", {"area_code": "NOPE"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_area"
    assert (await world.get("root", f"{URL}/{venue_id}")).json()["area_code"] == "C11"


async def test_scope_denials(world: World) -> None:
    c21 = await add_venue(world, "staff_c21", "C21", "西一站")
    assert (await world.get("staff_c11", f"{URL}/{c21}")).status_code == 404
    assert (await world.patch("staff_c11", f"{URL}/{c21}", {"name": "偷改"})).status_code == 404
    assert (await world.get("official_s1", f"{URL}/{c21}")).status_code == 404
    assert (await world.get("official_d1", f"{URL}/{c21}")).status_code == 200
    create = await world.post("staff_c11", URL, {"name": "越界", "kind": "station", "area_code": "C21"})
    assert create.status_code == 403 and create.json()["code"] == "outside_scope"
    assert (
        await world.post("staff_c11", URL, {"name": "上级", "kind": "station", "area_code": "S1"})
    ).status_code == 403
    assert await venue_names() == ["西一站"]
    assert (await world.get("root", f"{URL}/{c21}")).json()["name"] == "西一站"


async def test_officials_read_but_never_write(world: World) -> None:
    venue_id = await add_venue(world, "staff_c11", "C11", "东一站")
    assert (await world.get("official_s1", f"{URL}/{venue_id}")).status_code == 200
    assert (await world.get("official_s1", URL)).json()["total"] == 1
    create = await world.post("official_s1", URL, {"name": "查看者", "kind": "station", "area_code": "C11"})
    assert create.status_code == 403
    change = await world.patch("official_s1", f"{URL}/{venue_id}", {"name": "改名"})
    assert change.status_code == 403
    assert await venue_names() == ["东一站"]


async def test_list_is_scoped_and_filtered(world: World) -> None:
    await add_venue(world, "root", "S1", "东街道实践所", "institute", address="东大街")
    await add_venue(world, "root", "C11", "东一书屋", "book_house", address="东一路 100% 号")
    await add_venue(world, "root", "C12", "东二学校", "school")
    await add_venue(world, "root", "C21", "西一书屋", "book_house")

    def names(page: dict[str, Any]) -> list[str]:
        return [v["name"] for v in page["items"]]

    everything = (await world.get("root", URL)).json()
    assert everything["total"] == 4
    assert names(everything) == ["东街道实践所", "东一书屋", "东二学校", "西一书屋"]
    assert names((await world.get("staff_c11", URL)).json()) == ["东一书屋"]
    assert names((await world.get("staff_s1", URL, params={"area": "S1"})).json()) == [
        "东街道实践所",
        "东一书屋",
        "东二学校",
    ]
    assert names((await world.get("root", URL, params={"area": "C12"})).json()) == ["东二学校"]
    assert (await world.get("staff_c11", URL, params={"area": "C21"})).json() == {"items": [], "total": 0}
    assert (await world.get("staff_c11", URL, params={"area": "S1"})).json()["total"] == 1
    assert (await world.get("root", URL, params={"area": "NOPE"})).json() == {"items": [], "total": 0}
    assert names((await world.get("root", URL, params={"kind": "book_house"})).json()) == ["东一书屋", "西一书屋"]
    assert names((await world.get("staff_s1", URL, params={"kind": "book_house"})).json()) == ["东一书屋"]
    assert names((await world.get("root", URL, params={"q": "书屋"})).json()) == ["东一书屋", "西一书屋"]
    assert names((await world.get("root", URL, params={"q": "东大"})).json()) == ["东街道实践所"]
    # LIKE wildcards in q match only themselves
    assert names((await world.get("root", URL, params={"q": "100%"})).json()) == ["东一书屋"]
    assert (await world.get("root", URL, params={"q": "%"})).json()["total"] == 1
    assert (await world.get("root", URL, params={"q": "_"})).json()["total"] == 0
    page = (await world.get("root", URL, params={"limit": 2, "offset": 1})).json()
    assert page["total"] == 4 and names(page) == ["东一书屋", "东二学校"]
    assert (await world.get("root", URL, params={"offset": 100})).json() == {"items": [], "total": 4}


HOSTILE_BODIES: list[Any] = [
    {"name": 5, "kind": "station", "area_code": "C11"},
    {"name": "x" * 101, "kind": "station", "area_code": "C11"},
    {"name": "站", "kind": "station", "area_code": "C11", "address": "长" * 201},
    {"name": "站", "kind": "station", "area_code": "C11", "owner": "me"},
    {"name": "\u0000", "kind": "station", "area_code": "C11"},
    {"name": "站", "kind": "station", "area_code": "C11", "address": "a\u0000b"},
    {"name": "站", "kind": "station", "area_code": "'; DROP TABLE venue; --"},
    {"name": "站", "kind": ["station"], "area_code": "C11"},
    [],
    None,
    "venue",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
async def test_hostile_bodies_are_4xx_and_write_nothing(world: World, body: Any) -> None:
    response = await world.post("staff_s1", URL, body)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    venue_id = await add_venue(world, "staff_s1", "C11", "真站")
    patched = await world.patch("staff_s1", f"{URL}/{venue_id}", body)
    assert 400 <= patched.status_code < 500, patched.text
    assert await venue_names() == ["真站"]


@pytest.mark.parametrize(
    "path",
    [f"{URL}/0", f"{URL}/-1", f"{URL}/2147483648", f"{URL}/99999999999999999999999", f"{URL}/abc", f"{URL}/1.5"],
)
async def test_bad_ids_in_path_are_4xx(world: World, path: str) -> None:
    assert 400 <= (await world.get("root", path)).status_code < 500
    assert 400 <= (await world.patch("root", path, {"name": "x"})).status_code < 500


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "temple"},
        {"q": "\u0000"},
        {"q": "x" * 1000},
        {"area": "x" * 1000},
        {"limit": "0"},
        {"limit": "100000"},
        {"offset": "-1"},
        {"limit": "abc"},
        {"area": "'; DROP TABLE venue; --"},
    ],
)
async def test_bad_query_parameters_are_handled(world: World, params: dict[str, str]) -> None:
    response = await world.get("root", URL, params=params)
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert response.json()["total"] == 0
