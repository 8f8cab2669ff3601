"""Who may import into which area, and whose rows an export holds."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.factories import register, volunteer_count
from tests.transfer.files import csv, errors_by_row, read_xlsx, upload, xlsx

ROWS = [["姓名", "手机号", "所属社区"], ["张三", "13800138000", "C11"], ["李四", "13800138001", "东二社区"]]


async def test_staff_import_into_their_own_subtree(world: World) -> None:
    response = await upload(world, "staff_s1", "volunteers", xlsx(ROWS), area="S1")
    assert response.status_code == 200 and response.json()["created"] == 2
    areas = {v["phone"]: v["area_code"] for v in (await world.get("staff_s1", "/api/v1/volunteers")).json()["items"]}
    assert areas == {"13800138000": "C11", "13800138001": "C12"}


async def test_rows_for_an_area_outside_the_import_are_errors(world: World) -> None:
    rows = [*ROWS, ["王五", "13800138002", "C21"], ["赵六", "13800138003", "西一社区"]]
    response = await upload(world, "staff_c11", "volunteers", xlsx(rows))
    assert response.status_code == 422
    assert errors_by_row(response.json()) == {
        3: [("所属社区", "东二社区", "unknown_area")],
        4: [("所属社区", "C21", "unknown_area")],
        5: [("所属社区", "西一社区", "unknown_area")],
    }
    assert await volunteer_count() == 0


@pytest.mark.parametrize("area", ["C21", "S1", "D1"])
async def test_importing_into_an_area_one_may_not_write_is_403(world: World, area: str) -> None:
    response = await upload(world, "staff_c11", "volunteers", xlsx(ROWS), area=area)
    assert response.status_code == 403 and response.json()["code"] == "outside_scope"
    assert await volunteer_count() == 0


@pytest.mark.parametrize("kind", ["volunteers", "teams", "memberships", "activities", "service-records"])
async def test_officials_cannot_import(world: World, kind: str) -> None:
    response = await upload(world, "official_s1", kind, xlsx(ROWS), area="C11")
    assert response.status_code == 403 and response.json()["code"] == "read_only"
    assert await volunteer_count() == 0


async def test_without_a_token_nothing_happens(world: World) -> None:
    response = await world.http.post(
        "/api/v1/imports/volunteers", files={"file": ("a.xlsx", xlsx(ROWS))}, data={"area": "C11"}
    )
    assert response.status_code == 401
    assert await volunteer_count() == 0


async def test_an_export_holds_nothing_outside_the_callers_subtree(world: World) -> None:
    await register(world, "staff_c11", phone="13800138000", name="东一人")
    await register(world, "staff_c21", phone="13900139000", name="西一人", area_code="C21")
    mine = read_xlsx((await world.get("staff_c21", "/api/v1/exports/volunteers")).content)
    assert [r[1] for r in mine[1:]] == ["西一人"]
    theirs = await world.get("staff_c21", "/api/v1/exports/volunteers", params={"area": "C11"})
    assert theirs.status_code == 200 and read_xlsx(theirs.content)[1:] == []
    district = read_xlsx((await world.get("official_d1", "/api/v1/exports/volunteers")).content)
    assert sorted(r[1] for r in district[1:]) == ["东一人", "西一人"]


async def test_officials_export_masked_phones(world: World) -> None:
    await register(world, "staff_c11", phone="13800138000", name="张三")
    staff = read_xlsx((await world.get("staff_s1", "/api/v1/exports/volunteers")).content)
    official = read_xlsx((await world.get("official_s1", "/api/v1/exports/volunteers")).content)
    assert staff[1][2] == "13800138000"
    assert official[1][2] == "138****8000"
    csv_export = (await world.get("official_s1", "/api/v1/exports/volunteers", params={"format": "csv"})).content
    assert b"13800138000" not in csv_export and b"138****8000" in csv_export


async def test_officials_may_download_templates_and_export(world: World) -> None:
    assert (await world.get("official_d1", "/api/v1/imports/teams/template")).status_code == 200
    assert (await world.get("official_d1", "/api/v1/exports/teams", params={"format": "csv"})).status_code == 200


async def test_memberships_and_records_import_only_for_volunteers_in_scope(world: World) -> None:
    await register(world, "staff_c21", phone="13900139000", name="西一人", area_code="C21")
    team = await world.post("staff_c11", "/api/v1/teams", {"name": "东一队", "area_code": "C11", "sponsor": "东一社区"})
    assert team.status_code == 201
    content = csv([["服务队", "手机号", "姓名"], ["东一队", "13900139000", "西一人"]])
    response = await upload(world, "staff_c11", "memberships", content, filename="a.csv")
    assert response.status_code == 422
    assert errors_by_row(response.json()) == {2: [("手机号", "13900139000", "outside_scope")]}
