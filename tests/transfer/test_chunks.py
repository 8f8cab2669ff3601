"""Big files are checked and written in chunks: the outcome must not depend on where a chunk ends."""

from __future__ import annotations

import anyio
import pytest

from tests.conftest import World
from tests.factories import register, volunteer_count
from tests.transfer.files import csv, errors_by_row, upload
from volunteers import db
from volunteers.transfer import imports


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "CHUNK", 2)


def people(count: int) -> list[list[str]]:
    return [["姓名", "手机号"]] + [[f"志愿者{n}", f"138{n:08d}"] for n in range(count)]


async def test_an_error_in_the_last_chunk_undoes_the_first(world: World, small_chunks: None) -> None:
    rows = [*people(5), ["坏号码", "123"]]
    response = await upload(world, "staff_c11", "volunteers", csv(rows), filename="a.csv")
    assert response.status_code == 422
    assert errors_by_row(response.json()) == {7: [("手机号", "123", "invalid_phone")]}
    assert await volunteer_count() == 0


async def test_partial_writes_every_chunk(world: World, small_chunks: None) -> None:
    rows = [*people(3), ["坏号码", "123"], *people(6)[4:]]
    report = (await upload(world, "staff_c11", "volunteers", csv(rows), filename="a.csv", partial=True)).json()
    assert (report["rows"], report["created"], report["error_count"]) == (7, 6, 1)
    assert await volunteer_count() == 6


async def test_duplicates_across_chunks(world: World, small_chunks: None) -> None:
    rows = [*people(4), ["重复", "13800000001"]]
    response = await upload(world, "staff_c11", "volunteers", csv(rows), filename="a.csv")
    assert errors_by_row(response.json()) == {6: [("手机号", "13800000001", "duplicate_in_file")]}


async def test_memberships_repeated_in_a_later_chunk(world: World, small_chunks: None) -> None:
    await register(world, phone="13800138000", registered_on="2024-01-01")
    team = await world.post("staff_c11", "/api/v1/teams", {"name": "东一队", "area_code": "C11", "sponsor": "社区"})
    assert team.status_code == 201
    rows = [["服务队", "手机号", "加入日期"]] + [["东一队", "13800138000", f"2024-02-0{n}"] for n in (1, 2, 3)]
    response = await upload(world, "staff_c11", "memberships", csv(rows), filename="a.csv")
    assert response.status_code == 422
    assert [(e["row"], e["code"]) for e in response.json()["errors"]] == [
        (3, "duplicate_in_file"),
        (4, "duplicate_in_file"),
    ]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM membership") == 0


async def test_two_imports_of_the_same_people_at_once(world: World) -> None:
    content = csv(people(50))
    answers = []

    async def send() -> None:
        answers.append(await upload(world, "staff_c11", "volunteers", content, filename="a.csv"))

    async with anyio.create_task_group() as group:
        group.start_soon(send)
        group.start_soon(send)
    statuses = sorted(a.status_code for a in answers)
    assert statuses in ([200, 200], [200, 409])
    if statuses == [200, 409]:
        assert next(a for a in answers if a.status_code == 409).json()["code"] == "import_conflict"
    assert await volunteer_count() == 50
