"""Listing activities: scope, filters, Beijing-date overlap at its edges, order and paging."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.factories import ACTIVITIES_URL, add_activity, add_team, add_venue


async def titles(world: World, user: str = "root", **params: Any) -> list[str]:
    response = await world.get(user, ACTIVITIES_URL, params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return [a["title"] for a in page["items"]]


async def test_area_team_venue_category_and_status_filters(world: World) -> None:
    team_c11, team_s1 = await add_team("C11", "东一队"), await add_team("S1", "东街道队")
    venue_c11 = await add_venue("C11", "东一书屋")
    await add_activity(world, "staff_s1", title="一", starts_at="2026-05-01T09:00", team_ids=[team_c11, team_s1])
    await add_activity(world, "staff_s1", title="二", starts_at="2026-05-01T09:10", venue_id=venue_c11)
    await add_activity(world, "staff_s1", title="三", starts_at="2026-05-01T09:20", area_code="C12", team_ids=[team_s1])
    await add_activity(world, "staff_s1", title="四", starts_at="2026-05-01T09:30", area_code="S1", category="red_film")
    await add_activity(
        world, "staff_c21", title="五", starts_at="2026-05-01T09:40", area_code="C21", category="红色电影大家看"
    )
    published = await add_activity(world, "staff_s1", title="六", starts_at="2026-05-01T09:50", area_code="C12")
    assert (await world.post("staff_s1", f"{ACTIVITIES_URL}/{published['id']}/publish")).status_code == 200

    assert await titles(world) == ["六", "五", "四", "三", "二", "一"]
    assert await titles(world, area="S1") == ["六", "四", "三", "二", "一"]
    assert await titles(world, area="C11") == ["二", "一"]
    assert await titles(world, area="S2") == ["五"]
    assert await titles(world, area="NOPE") == []
    assert await titles(world, team=team_c11) == ["一"]
    assert await titles(world, team=team_s1) == ["三", "一"]
    assert await titles(world, team=99999) == []
    assert await titles(world, venue=venue_c11) == ["二"]
    assert await titles(world, category="red_film") == ["五", "四"]
    assert await titles(world, category="红色电影大家看") == ["五", "四"]
    assert await titles(world, category="red_film", area="S1") == ["四"]
    assert await titles(world, category="no_such") == []
    assert await titles(world, status="published") == ["六"]
    assert await titles(world, status="draft", area="C12") == ["三"]
    assert await titles(world, status="cancelled") == []

    # every list is held to the caller's subtree, whatever the filters say
    assert await titles(world, "staff_c11") == ["二", "一"]
    assert await titles(world, "staff_c11", area="C21") == []
    assert await titles(world, "staff_c11", area="S1") == ["二", "一"]
    assert await titles(world, "staff_c11", category="red_film") == []
    assert await titles(world, "staff_c11", team=team_s1) == ["一"]
    assert await titles(world, "official_s1") == ["六", "四", "三", "二", "一"]
    assert await titles(world, "official_s1", area="S2") == []
    assert await titles(world, "staff_c21") == ["五"]


async def test_date_filters_keep_activities_overlapping_beijing_days(world: World) -> None:
    async def add(title: str, starts_at: str, ends_at: str) -> None:
        await add_activity(world, title=title, starts_at=starts_at, ends_at=ends_at)

    await add("上午", "2026-05-01T09:00:00+08:00", "2026-05-01T11:00:00+08:00")
    await add("止于零点", "2026-04-30T23:00:00+08:00", "2026-05-01T00:00:00+08:00")
    await add("跨零点", "2026-05-01T23:59:00+08:00", "2026-05-02T01:00:00+08:00")
    await add("始于零点", "2026-05-02T00:00:00+08:00", "2026-05-02T02:00:00+08:00")
    await add("UTC前一天", "2026-05-01T16:30:00Z", "2026-05-01T17:00:00Z")  # 5 月 2 日 00:30 北京时间
    await add("多日", "2026-04-20T09:00:00+08:00", "2026-05-10T17:00:00+08:00")

    assert await titles(world, **{"from": "2026-05-01", "to": "2026-05-01"}) == ["跨零点", "上午", "多日"]
    assert await titles(world, **{"from": "2026-05-02"}) == ["UTC前一天", "始于零点", "跨零点", "多日"]
    assert await titles(world, to="2026-04-30") == ["止于零点", "多日"]
    assert await titles(world, **{"from": "2026-05-02", "to": "2026-05-02"}) == [
        "UTC前一天",
        "始于零点",
        "跨零点",
        "多日",
    ]
    assert await titles(world, **{"from": "2026-05-11"}) == []
    assert await titles(world, to="2026-04-19") == []
    assert await titles(world, **{"from": "2026-05-10", "to": "2026-05-10"}) == ["多日"]
    # far-off dates do not break anything
    assert len(await titles(world, **{"from": "0001-01-01", "to": "9999-12-31"})) == 6
    refused = await world.get("root", ACTIVITIES_URL, params={"from": "2026-05-02", "to": "2026-05-01"})
    assert refused.status_code == 422 and refused.json()["field"] == "to"


async def test_order_ties_and_paging(world: World) -> None:
    for title in ("甲", "乙", "丙"):
        await add_activity(world, title=title)
    await add_activity(world, title="早", starts_at="2026-04-01T09:00", ends_at="2026-04-01T10:00")
    assert await titles(world) == ["丙", "乙", "甲", "早"]
    page = (await world.get("root", ACTIVITIES_URL, params={"limit": 2, "offset": 1})).json()
    assert page["total"] == 4 and [a["title"] for a in page["items"]] == ["乙", "甲"]
    assert (await world.get("root", ACTIVITIES_URL, params={"offset": 50})).json() == {"items": [], "total": 4}
    first = (await world.get("root", ACTIVITIES_URL, params={"limit": 1})).json()["items"][0]
    assert first == (await world.get("root", f"{ACTIVITIES_URL}/{first['id']}")).json()


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2024-02-30"},
        {"to": "yesterday"},
        {"from": "2026-05-01T10:00"},
        {"team": "abc"},
        {"team": "2147483648"},
        {"team": "0"},
        {"venue": "-1"},
        {"venue": "99999999999999999999"},
        {"status": "archived"},
        {"limit": "501"},
        {"offset": "-1"},
        {"area": "x" * 33},
        {"category": "x" * 51},
        {"category": "\u0000"},
        {"area": "\u0000"},
        {"area": "'; DROP TABLE activity; --"},
        {"category": "' OR 1=1 --"},
    ],
)
async def test_bad_query_parameters_never_500(world: World, params: dict[str, str]) -> None:
    await add_activity(world)
    response = await world.get("root", ACTIVITIES_URL, params=params)
    assert 200 <= response.status_code < 500, response.text
    if response.status_code == 200:
        assert response.json() == {"items": [], "total": 0}
    assert len(await titles(world)) == 1
