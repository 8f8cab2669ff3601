"""Malformed, oversized and hostile input gets a 4xx problem, never a 500, and changes nothing."""

from __future__ import annotations

import pytest

from tests.conftest import World

AREA = {"code": "C13", "name": "东三社区", "level": "community", "parent_code": "S1"}

BAD_BODIES = [
    b"{not json",
    b"[]",
    b"null",
    b'"a string"',
    b'{"code": 1, "name": "x", "level": "community", "parent_code": "S1"}',
    b'{"code": "C13", "name": "x", "level": "village", "parent_code": "S1"}',
    b'{"code": "C13", "name": "x", "level": "community", "parent_code": "S1", "extra": true}',
    b'{"code": "C 13", "name": "x", "level": "community", "parent_code": "S1"}',
    b'{"code": "C13_%", "name": "x", "level": "community", "parent_code": "S1"}',
    ('{"code": "C13", "name": "' + "长" * 10_000 + '", "level": "community", "parent_code": "S1"}').encode(),
    b'{"code": "C13", "name": "\\u0000", "level": "community", "parent_code": "S1"}',
    b'{"code": "C13", "name": "x", "level": "community", "parent_code": "\'; DROP TABLE area; --"}',
    b"\xff\xfe\x00garbage",
]


@pytest.mark.parametrize("body", BAD_BODIES)
async def test_bad_bodies_are_refused_cleanly(world: World, body: bytes) -> None:
    headers = {**await world.login("staff_s1"), "content-type": "application/json"}
    response = await world.http.post("/api/v1/areas", content=body, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == response.status_code
    assert (await world.get("root", "/api/v1/areas")).json()["total"] == 6


async def test_field_errors_name_the_field(world: World) -> None:
    response = await world.post("staff_s1", "/api/v1/areas", {**AREA, "name": 5})
    body = response.json()
    assert response.status_code == 400
    assert body["errors"][0]["field"] == "name"
    assert "名称" in body["errors"][0]["message"]


async def test_oversized_body_is_413(world: World) -> None:
    headers = {**await world.login("staff_s1"), "content-type": "application/json"}
    huge = b'{"code": "C13", "name": "' + b"x" * 2_000_000 + b'"}'
    response = await world.http.post("/api/v1/areas", content=huge, headers=headers)
    assert response.status_code == 413


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/areas/" + "x" * 5000,
        "/api/v1/areas?limit=-1",
        "/api/v1/areas?limit=abc",
        "/api/v1/areas?limit=100000000000000000000",
        "/api/v1/areas?offset=-5",
        "/api/v1/areas?level=village",
        "/api/v1/areas?parent=%00",
        "/api/v1/areas/%00",
        "/api/v1/users/99999999999",
        "/api/v1/users/-1",
        "/api/v1/users/abc",
        "/api/v1/audit?entity_id=" + "9" * 500,
    ],
)
async def test_bad_paths_and_queries_are_4xx(world: World, url: str) -> None:
    response = await world.get("root", url)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text)


async def test_population_with_nul_source_is_refused(world: World) -> None:
    body = {"resident_population": 100, "source": "a\u0000b", "as_of": "2025-12-31"}
    response = await world.put("root", "/api/v1/areas/S1/population/2025", body)
    assert response.status_code == 400
    assert (await world.get("root", "/api/v1/areas/S1/population")).json() == []


LISTS_WITH_FILTERS = [
    "/api/v1/volunteers",
    "/api/v1/teams",
    "/api/v1/venues",
    "/api/v1/exports/volunteers",
    "/api/v1/exports/teams",
]


@pytest.mark.parametrize("url", LISTS_WITH_FILTERS)
@pytest.mark.parametrize(("name", "value"), [("q", "赵\x01六"), ("q", "\x7f"), ("area", "C1 1"), ("area", "C11%")])
async def test_list_filters_are_refused_alike(world: World, url: str, name: str, value: str) -> None:
    """Every list and export reads its search text and area the same way: a bad one is a 400 naming it."""
    response = await world.get("staff_s1", url, params={name: value})
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == [name]


async def test_search_text_with_ordinary_punctuation_is_accepted(world: World) -> None:
    for url in LISTS_WITH_FILTERS:
        response = await world.get("staff_s1", url, params={"q": "赵 六_%'\"\\"})
        assert response.status_code == 200, (url, response.text)


DEEP = 100_000


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/areas", b"[" * DEEP + b"]" * DEEP),
        ("/api/v1/areas", b'{"code": "C13", "name": ' + b"{" * DEEP),
        ("/api/v1/auth/token", b'{"username": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
        ("/api/v1/checkin/somecode", b"[" * 1000 + b"]" * 1000),
    ],
)
async def test_deeply_nested_json_is_400_before_decoding(world: World, url: str, body: bytes) -> None:
    headers = {**await world.login("staff_s1"), "content-type": "application/json"}
    response = await world.http.post(url, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "too_deeply_nested"
    assert (await world.get("root", "/api/v1/areas")).json()["total"] == 6


async def test_brackets_inside_strings_do_not_count_as_nesting(world: World) -> None:
    name = "[" * 40 + '{"' + "}" * 3
    response = await world.post("staff_s1", "/api/v1/areas", {**AREA, "name": name})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name


@pytest.mark.parametrize("hidden", ["\u200b", "\ufeff", "\u202e", "\u200b\u200b"])
@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/teams", {"name": "{}", "area_code": "C11", "sponsor": "东一社区居委会"}),
        ("/api/v1/venues", {"name": "{}", "area_code": "C11", "kind": "station"}),
    ],
)
async def test_invisible_or_direction_changing_names_are_refused(
    world: World, hidden: str, url: str, body: dict[str, str]
) -> None:
    for name in (hidden, f"读书{hidden}会"):
        response = await world.post("staff_c11", url, {**body, "name": name})
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "name"
    assert (await world.get("staff_c11", url)).json()["total"] == 0


async def test_an_unterminated_string_of_escaped_quotes_is_scanned_in_one_pass(world: World) -> None:
    # Re-trying the string match from every later quote made this body take about an hour to scan.
    headers = {**await world.login("staff_s1"), "content-type": "application/json"}
    body = b'{"name": "' + b'\\"' * 500_000
    response = await world.http.post("/api/v1/areas", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request"
