"""Malformed and hostile activity input gets a 4xx problem, never a 500, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.factories import ACTIVITIES_URL, activity_body, activity_count, add_activity, add_team, team_links

HOSTILE: list[tuple[str, Any]] = [
    ("title", 5),
    ("title", "长" * 201),
    ("title", "\u0000"),
    ("title", "读书\u0000会"),
    ("title", ""),
    ("category", ["reading_salon"]),
    ("category", "x" * 51),
    ("category", "\u0000"),
    ("category", "' OR 1=1 --"),
    ("area_code", "'; DROP TABLE activity; --"),
    ("area_code", "C11\u0000"),
    ("starts_at", "2024-02-30T10:00"),
    ("starts_at", "2026-13-01T10:00"),
    ("starts_at", "2026-05-01T25:00"),
    ("starts_at", "tomorrow"),
    ("starts_at", ""),
    ("starts_at", "0001-01-01T00:00:00+08:00"),
    ("ends_at", "9999-12-31T23:59:59-12:00"),
    ("ends_at", "2026-05-01T11:00:00+99:00"),
    ("ends_at", "2026-05-01T11:00\u0000"),
    ("ends_at", "20260501T1100"),
    ("ends_at", "2026-05-01"),
    ("ends_at", 1714550400),
    ("ends_at", "9" * 1000),
    ("venue_id", 2**31),
    ("venue_id", -1),
    ("venue_id", 0),
    ("venue_id", "1; DROP TABLE venue"),
    ("venue_id", 10**40),
    ("team_ids", ["one", "two"]),
    ("team_ids", [2**31]),
    ("team_ids", [0]),
    ("team_ids", 1),
    ("team_ids", [1.5]),
    ("team_ids", list(range(1, 202))),
    ("team_ids", [None]),
    ("capacity", 2**31),
    ("capacity", 10**30),
    ("capacity", "many"),
    ("capacity", 1.5),
    ("opens_before_minutes", -(2**31) - 1),
    ("rounding_minutes", None),
    ("reentry_allowed", "perhaps"),
    ("approval", "nobody"),
    ("status", "published"),
    ("id", 7),
    ("unexpected", True),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE)
async def test_hostile_create_and_patch_bodies(world: World, field: str, value: Any) -> None:
    team = await add_team("C11", "东一服务队")
    created = await add_activity(world, team_ids=[team])
    response = await world.post("staff_c11", ACTIVITIES_URL, activity_body(**{field: value}))
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == response.status_code
    patched = await world.patch("staff_c11", f"{ACTIVITIES_URL}/{created['id']}", {field: value})
    assert 400 <= patched.status_code < 500, patched.text
    assert await activity_count() == 1
    assert await team_links() == [(created["id"], team)]
    assert (await world.get("staff_c11", f"{ACTIVITIES_URL}/{created['id']}")).json() == created


@pytest.mark.parametrize("value", ["2024-02-30T10:00", "tomorrow", "2026-05-01T10:00\u0000", "2026-05-01T10:00+99:00"])
async def test_impossible_dates_name_the_field(world: World, value: str) -> None:
    response = await world.post("staff_c11", ACTIVITIES_URL, activity_body(starts_at=value))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_datetime" and response.json()["field"] == "starts_at"
    assert "开始时间" in response.json()["detail"]
    assert await activity_count() == 0


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-05-01 09:00", "2026-05-01T09:00:00+08:00"),
        ("2026-05-01T09:00:30.5", "2026-05-01T09:00:30.500000+08:00"),
        ("2026-05-01T02:00:00+01:00", "2026-05-01T09:00:00+08:00"),
    ],
)
async def test_accepted_datetime_shapes(world: World, value: str, shown: str) -> None:
    created = await add_activity(world, starts_at=value)
    assert created["starts_at"] == shown


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[]",
        b"null",
        b'"activity"',
        b"\xff\xfe\x00garbage",
        b'{"title": "a", "title": 5}',
        ('{"title": "' + "长" * 300_000 + '"}').encode(),
    ],
)
async def test_malformed_json_is_refused(world: World, raw: bytes) -> None:
    created = await add_activity(world)
    headers = {**await world.login("staff_c11"), "content-type": "application/json"}
    targets = [("POST", ACTIVITIES_URL), ("PATCH", f"{ACTIVITIES_URL}/{created['id']}")]
    if raw != b"null":  # no body at all is a valid cancel
        targets.append(("POST", f"{ACTIVITIES_URL}/{created['id']}/cancel"))
    for method, url in targets:
        response = await world.http.request(method, url, content=raw, headers=headers)
        assert 400 <= response.status_code < 500, (method, url, response.text)
    assert await activity_count() == 1
    assert (await world.get("staff_c11", f"{ACTIVITIES_URL}/{created['id']}")).json() == created


@pytest.mark.parametrize("ident", ["0", "-1", "2147483648", "99999999999999999999999", "abc", "1.5", "%00"])
async def test_bad_ids_in_the_path(world: World, ident: str) -> None:
    for method in ("GET", "PATCH"):
        response = await world.call("root", method, f"{ACTIVITIES_URL}/{ident}", json={"title": "x"})
        assert 400 <= response.status_code < 500, response.text
    for action in ("publish", "cancel", "complete"):
        assert 400 <= (await world.post("root", f"{ACTIVITIES_URL}/{ident}/{action}")).status_code < 500
    assert (await world.get("root", f"{ACTIVITIES_URL}/2147483647")).status_code == 404
