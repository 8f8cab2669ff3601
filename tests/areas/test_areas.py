"""The area tree, populations, and who may see or change them."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import World
from volunteers.fields import today


async def test_create_and_read_area(world: World) -> None:
    response = await world.get("staff_s1", "/api/v1/areas/C11")
    assert response.status_code == 200
    assert response.json() == {
        "id": 4,
        "code": "C11",
        "name": "东一社区",
        "level": "community",
        "parent_code": "S1",
        "path": "/D1/S1/C11/",
    }


async def test_level_must_be_one_below_parent(world: World) -> None:
    response = await world.post(
        "root", "/api/v1/areas", {"code": "X1", "name": "错", "level": "community", "parent_code": "D1"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "level_mismatch" and body["field"] == "level"
    assert "street" in body["detail"]
    assert (await world.get("root", "/api/v1/areas/X1")).status_code == 404


async def test_duplicate_code_is_409(world: World) -> None:
    response = await world.post(
        "root", "/api/v1/areas", {"code": "C11", "name": "重复", "level": "community", "parent_code": "S1"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_code"


async def test_only_system_admin_creates_districts(world: World) -> None:
    response = await world.post("admin_s1", "/api/v1/areas", {"code": "D9", "name": "新区", "level": "district"})
    assert response.status_code == 403
    response = await world.post("root", "/api/v1/areas", {"code": "S9", "name": "无上级", "level": "street"})
    assert response.status_code == 422 and response.json()["field"] == "parent_code"


async def test_staff_cannot_create_outside_their_subtree(world: World) -> None:
    ok = await world.post(
        "staff_s1", "/api/v1/areas", {"code": "C13", "name": "东三社区", "level": "community", "parent_code": "S1"}
    )
    assert ok.status_code == 201
    denied = await world.post(
        "staff_s1", "/api/v1/areas", {"code": "C22", "name": "西二社区", "level": "community", "parent_code": "S2"}
    )
    assert denied.status_code == 403
    assert (await world.get("root", "/api/v1/areas/C22")).status_code == 404


async def test_reads_outside_scope_are_404(world: World) -> None:
    assert (await world.get("staff_c11", "/api/v1/areas/C12")).status_code == 404
    assert (await world.get("staff_c11", "/api/v1/areas/S1")).status_code == 404
    assert (await world.get("official_s1", "/api/v1/areas/C21")).status_code == 404
    assert (await world.get("official_s1", "/api/v1/areas/C11")).status_code == 200


async def test_list_is_scoped_and_filtered(world: World) -> None:
    everything = (await world.get("root", "/api/v1/areas")).json()
    assert everything["total"] == 6
    mine = (await world.get("staff_s1", "/api/v1/areas")).json()
    assert [a["code"] for a in mine["items"]] == ["S1", "C11", "C12"]
    # filtering by a parent outside the subtree reveals nothing
    other = (await world.get("staff_s1", "/api/v1/areas", params={"parent": "S2"})).json()
    assert other == {"items": [], "total": 0}
    communities = (await world.get("official_d1", "/api/v1/areas", params={"level": "community", "limit": 2})).json()
    assert communities["total"] == 3 and len(communities["items"]) == 2
    children = (await world.get("root", "/api/v1/areas/D1/children")).json()
    assert [a["code"] for a in children["items"]] == ["S1", "S2"]


async def test_population_is_set_corrected_and_audited(world: World) -> None:
    body = {"resident_population": 207646, "source": "第七次人口普查", "as_of": "2025-12-31"}
    response = await world.put("admin_s1", "/api/v1/areas/C11/population/2025", body)
    assert response.status_code == 200, response.text
    corrected = await world.put(
        "admin_s1", "/api/v1/areas/C11/population/2025", {**body, "resident_population": 207700}
    )
    assert corrected.json()["resident_population"] == 207700
    rows = (await world.get("official_s1", "/api/v1/areas/C11/population")).json()
    assert [(r["year"], r["resident_population"]) for r in rows] == [(2025, 207700)]
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "area_population"})).json()
    assert [e["action"] for e in trail["items"]] == ["update", "create"]
    assert trail["items"][0]["before"]["resident_population"] == 207646


async def test_population_denials_and_validation(world: World) -> None:
    body = {"resident_population": 1000, "source": "统计", "as_of": "2025-12-31"}
    assert (await world.put("official_s1", "/api/v1/areas/C11/population/2025", body)).status_code == 403
    assert (await world.put("admin_s1", "/api/v1/areas/C21/population/2025", body)).status_code == 404
    zero = await world.put("admin_s1", "/api/v1/areas/C11/population/2025", {**body, "resident_population": 0})
    assert zero.status_code == 422
    bad_year = await world.put("admin_s1", "/api/v1/areas/C11/population/99999", body)
    assert bad_year.status_code == 400
    assert (await world.get("root", "/api/v1/areas/C11/population")).json() == []


async def test_rename_is_audited_and_scoped(world: World) -> None:
    assert (await world.patch("staff_c11", "/api/v1/areas/C12", {"name": "x"})).status_code == 404
    assert (await world.patch("official_s1", "/api/v1/areas/C11", {"name": "x"})).status_code == 403
    response = await world.patch("staff_c11", "/api/v1/areas/C11", {"name": "东一新社区"})
    assert response.status_code == 200 and response.json()["name"] == "东一新社区"
    trail = (await world.get("admin_s1", "/api/v1/audit", params={"entity": "area", "entity_id": "C11"})).json()
    assert trail["items"][0]["before"]["name"] == "东一社区"
    assert trail["items"][0]["username"] == "staff_c11"


# ---- issue 10, item 10: population belongs to the admins of the area above -------------------------------


async def test_population_is_set_only_by_an_admin_of_the_area_above(world: World) -> None:
    """A staffer could set their own area's population to 1 (and its registration rate soared)."""
    body = {"resident_population": 1, "source": "自报", "as_of": "2025-12-31"}
    for user, code in [("staff_c11", "C11"), ("staff_s1", "C11"), ("staff_s1", "S1"), ("staff_c11", "C12")]:
        refused = await world.put(user, f"/api/v1/areas/{code}/population/2025", body)
        assert refused.status_code == 403, (user, code, refused.text)
        assert refused.json()["code"] == "admin_only"
    own = await world.put("admin_s1", "/api/v1/areas/S1/population/2025", body)
    assert (own.status_code, own.json()["code"]) == (403, "parent_admin_only")
    assert (await world.get("root", "/api/v1/areas/C11/population")).json() == []
    above = await world.put("admin_s1", "/api/v1/areas/C11/population/2025", {**body, "resident_population": 9000})
    assert above.status_code == 200, above.text
    street = await world.put("root", "/api/v1/areas/S1/population/2025", {**body, "resident_population": 50000})
    district = await world.put("root", "/api/v1/areas/D1/population/2025", {**body, "resident_population": 120000})
    assert (street.status_code, district.status_code) == (200, 200)
    rows = (await world.get("root", "/api/v1/areas/C11/population")).json()
    assert [r["resident_population"] for r in rows] == [9000]


async def test_population_as_of_lies_within_its_year_or_the_two_after(world: World) -> None:
    body = {"resident_population": 9000, "source": "统计年鉴"}
    for year, as_of, code in [
        (2024, "1990-12-31", "date_too_early"),
        (2024, "2023-12-31", "date_too_early"),
        (2022, "2025-01-01", "date_too_late"),
        (2026, (today() + timedelta(days=1)).isoformat(), "date_in_future"),
    ]:
        refused = await world.put("admin_s1", f"/api/v1/areas/C11/population/{year}", {**body, "as_of": as_of})
        assert refused.status_code == 422, (year, as_of, refused.text)
        assert (refused.json()["code"], refused.json()["field"]) == (code, "as_of")
    assert (await world.get("root", "/api/v1/areas/C11/population")).json() == []
    for year, as_of in [(2024, "2024-01-01"), (2022, "2024-12-31")]:
        accepted = await world.put("admin_s1", f"/api/v1/areas/C11/population/{year}", {**body, "as_of": as_of})
        assert accepted.status_code == 200, accepted.text
