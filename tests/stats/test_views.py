"""Activity groupings, per team, star levels and the monthly series, against hand counts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import World
from tests.factories import add_member, add_record, add_team, add_venue, add_volunteer, held
from tests.stats.figures import figures

AS_OF = date(2026, 6, 30)


async def view(world: World, user: str, name: str, **params: Any) -> dict[str, Any]:
    response = await world.get(user, f"/api/v1/stats/{name}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def rows(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(r["key"], r["label"], *figures(r).values()) for r in body["rows"]]


async def activity_world() -> None:
    """Three activities of S1 in March–April 2026 and the records around them (hand counts in the tests)."""
    t1, t2 = await add_team("C11", "甲队"), await add_team("C12", "乙队")
    v1 = await add_venue("C11", "书屋")
    a1 = await held("C11", date(2026, 3, 5), venue_id=v1, teams=(t1,))
    a2 = await held("C11", date(2026, 3, 20), category="party_micro_lecture", venue_id=v1, teams=(t1, t2))
    a2_status = await held("C11", date(2026, 3, 25), status="cancelled", teams=(t1,))
    a3 = await held("C12", date(2026, 4, 2))
    a4 = await held("C21", date(2026, 3, 10))  # the other street
    a6 = await held("C11", date(2026, 2, 28), venue_id=v1)  # starts before the range
    a7 = await held("C12", date(2026, 4, 30), category="family_education", hour=17)  # 05-01 01:00 Beijing
    await held("C11", date(2026, 4, 3), status="draft")
    p1, p2, p3, p4 = [await add_volunteer("C11", date(2025, 1, 1)) for _ in range(4)]
    await add_record(p1, a1, date(2026, 3, 5), 60)
    await add_record(p2, a1, date(2026, 3, 5), 90, source="manual")
    await add_record(p3, a1, date(2026, 3, 5), 30, status="pending")
    await add_record(p1, a2, date(2026, 3, 20), 120)
    await add_record(p2, a2, date(2026, 3, 20), 45, status="rejected")
    await add_record(p4, a3, date(2026, 4, 2), 60)
    await add_record(p1, a6, date(2026, 3, 1), 30)  # activity before the range, record inside: counts
    await add_record(p2, a6, date(2026, 2, 28), 30)  # record before the range
    await add_record(p4, a4, date(2026, 3, 10), 60)
    await add_record(p3, a7, date(2026, 5, 1), 60)
    assert a2_status


RANGE = {"area": "S1", "from": "2026-03-01", "to": "2026-04-30"}
DEFINED = {"activities": "activity_count@2026.1", "participants": "activity_participants@2026.1"}


async def test_activities_by_category_venue_team_and_month(world: World) -> None:
    await activity_world()
    body = await view(world, "official_s1", "activities", group="category", **RANGE)
    assert rows(body) == [
        ("reading_salon", "读书分享会", 2, 4, 4.0),
        ("party_micro_lecture", "党建微课堂", 1, 1, 2.0),
    ]
    assert figures({"figures": body["total"]}) == {"activities": 3, "participants": 5, "hours": 6.0}
    assert body["total"]["hours"]["note"] == "360 分钟"
    assert {k: body["rows"][0]["figures"][k]["definition"] for k in DEFINED} == DEFINED
    assert [d["id"] for d in body["definitions"]] == ["activity_count", "activity_participants", "activity_hours"]
    assert body["from"] == "2026-03-01" and body["to"] == "2026-04-30" and body["sources"] == ["checkin", "manual"]

    by_venue = await view(world, "official_s1", "activities", group="venue", **RANGE)
    assert [r[1:] for r in rows(by_venue)] == [("书屋（东一社区）", 2, 4, 5.0), ("未指定阵地", 1, 1, 1.0)]
    assert by_venue["rows"][1]["key"] is None

    by_team = await view(world, "official_s1", "activities", group="team", **RANGE)
    assert [r[1:] for r in rows(by_team)] == [("甲队", 2, 3, 4.5), ("乙队", 1, 1, 2.0), ("未登记组织队伍", 1, 2, 1.5)]
    assert figures({"figures": by_team["total"]})["activities"] == 3  # a joint activity counts once in the total
    assert "各计一次" in by_team["note"]

    by_month = await view(world, "official_s1", "activities", group="month", **RANGE)
    assert rows(by_month) == [("2026-03", "2026年3月", 2, 4, 5.0), ("2026-04", "2026年4月", 1, 1, 1.0)]


async def test_activity_groupings_follow_sources_area_and_edges(world: World) -> None:
    await activity_world()
    manual = await view(world, "official_s1", "activities", group="category", sources="manual", **RANGE)
    assert rows(manual) == [
        ("reading_salon", "读书分享会", 2, 1, 1.5),
        ("party_micro_lecture", "党建微课堂", 1, 0, 0.0),
    ]
    district = await view(world, "official_d1", "activities", group="category", **{**RANGE, "area": "D1"})
    assert rows(district)[0] == ("reading_salon", "读书分享会", 3, 5, 5.0)
    may = await view(world, "official_s1", "activities", group="category", **{**RANGE, "to": "2026-05-01"})
    assert ("family_education", "家庭教育讲座", 1, 1, 1.0) in rows(may)  # starts 1 May, Beijing time
    one_day = await view(
        world, "official_s1", "activities", group="month", area="S1", **{"from": "2026-03-05"}, to="2026-03-05"
    )
    assert rows(one_day) == [("2026-03", "2026年3月", 1, 2, 2.5)]


async def test_activity_totals_match_participation(world: World) -> None:
    await activity_world()
    window = {"area": "S1", "from": "2025-07-01", "to": "2026-06-30"}
    body = await view(world, "official_s1", "activities", group="category", **window)
    participation = await view(world, "official_s1", "participation", area="S1", as_of="2026-06-30")
    total = figures({"figures": body["total"]})
    assert total["activities"] == participation["figures"]["activities"]["value"]
    assert total["participants"] == participation["figures"]["participants"]["value"]
    assert sum(figures(r)["participants"] for r in body["rows"]) == total["participants"]


async def team_world() -> dict[str, int]:
    t1, t2 = await add_team("C11", "甲队"), await add_team("C12", "乙队")
    await add_team("C11", "丙队", founded_on=AS_OF + timedelta(days=1))
    await add_team("C11", "丁队", status="dissolved")
    t5 = await add_team("C21", "戊队")
    place = await held("C11", date(2026, 1, 1))
    registered = date(2025, 1, 1)
    a, b, c, d, e, g = [await add_volunteer("C11", registered) for _ in range(6)]
    e_gone = await add_volunteer("C11", registered, withdrawn_on=AS_OF)
    late = await add_volunteer("C11", AS_OF + timedelta(days=1))
    h = await add_volunteer("C21", registered)
    for who in (a, d, g, h, e_gone, late):
        await add_member(t1, who, registered)
    await add_member(t1, b, date(2025, 6, 1), left_on=AS_OF)  # left on the day: no longer a member
    await add_member(t1, c, AS_OF)  # joined on the day: a member
    await add_member(t2, c, registered)
    await add_member(t5, h, registered)
    await add_record(a, place, AS_OF, 60)
    await add_record(b, place, AS_OF, 60)
    await add_record(c, place, AS_OF - timedelta(days=364), 30)  # first day of the window
    await add_record(d, place, AS_OF - timedelta(days=365), 120)  # the day before
    await add_record(e_gone, place, date(2026, 5, 1), 60)
    await add_record(g, place, date(2026, 5, 1), 60, status="pending")
    await add_record(g, place, date(2026, 5, 2), 60, status="rejected")
    await add_record(h, place, date(2026, 1, 1), 90, source="manual")
    assert e
    return {"甲队": t1, "乙队": t2}


async def test_per_team_figures(world: World) -> None:
    ids = await team_world()
    body = await view(world, "official_s1", "teams", area="S1", as_of=AS_OF.isoformat())
    assert body["total"] == 2
    assert [(t["id"], t["name"], t["area"]["code"]) for t in body["items"]] == [
        (ids["甲队"], "甲队", "C11"),
        (ids["乙队"], "乙队", "C12"),
    ]
    first = body["items"][0]["figures"]
    assert figures(body["items"][0]) == {
        "registered_members": 5,
        "active_members": 3,
        "active_rate": 60.0,
        "hours": 3.0,
    }
    assert first["active_rate"] == {
        "value": 60.0,
        "numerator": 3,
        "denominator": 5,
        "unit": "percent",
        "definition": "team_active_rate@2026.1",
    }
    assert figures(body["items"][1]) == {
        "registered_members": 1,
        "active_members": 1,
        "active_rate": 100.0,
        "hours": 0.5,
    }
    assert body["parameters"]["window_start"] == "2025-07-01"
    assert {d["id"] for d in body["definitions"]} >= {"teams", "team_active_members", "team_member_hours"}
    participation = await view(world, "official_s1", "participation", area="S1", as_of=AS_OF.isoformat())
    assert participation["figures"]["teams"]["value"] == body["total"]


async def test_per_team_parameters_and_paging(world: World) -> None:
    await team_world()
    base = {"area": "S1", "as_of": AS_OF.isoformat()}
    scans = await view(world, "official_s1", "teams", sources="checkin", **base)
    assert figures(scans["items"][0]) == {
        "registered_members": 5,
        "active_members": 2,
        "active_rate": 40.0,
        "hours": 1.5,
    }
    an_hour = await view(world, "official_s1", "teams", min_hours="1", **base)
    assert figures(an_hour["items"][0])["active_members"] == 2
    page = await view(world, "official_s1", "teams", limit="1", offset="1", **base)
    assert [t["name"] for t in page["items"]] == ["乙队"] and page["total"] == 2
    district = await view(world, "official_d1", "teams", area="D1", as_of=AS_OF.isoformat())
    assert [t["name"] for t in district["items"]] == ["甲队", "乙队", "戊队"]
    empty = await view(world, "official_s1", "teams", area="C12", as_of="2023-01-01")
    assert empty["items"] == [] and empty["total"] == 0


async def star_world() -> None:
    place = await held("C11", date(2026, 1, 1))
    registered = date(2024, 1, 1)
    p0, p1, p2 = [await add_volunteer("C11", registered) for _ in range(3)]
    p3, p4, p5 = [await add_volunteer("C12", registered) for _ in range(3)]
    p6 = await add_volunteer("C11", registered, withdrawn_on=date(2026, 6, 1))
    p7, p8 = await add_volunteer("C21", registered), await add_volunteer("S1", registered)
    await add_record(p1, place, date(2025, 1, 1), 5999)  # 99.98 h: no star
    await add_record(p2, place, date(2025, 1, 1), 6000)  # exactly 100 h: one star
    await add_record(p2, place, date(2025, 1, 2), 100000, status="pending")
    await add_record(p3, place, date(2026, 1, 1), 17000)
    await add_record(p3, place, AS_OF, 1000)  # as_of counts: 300 h, two stars
    await add_record(p4, place, date(2026, 1, 1), 17999)
    await add_record(p4, place, AS_OF + timedelta(days=1), 1)  # after as_of: still one star
    await add_record(p5, place, date(2025, 1, 1), 90000, source="manual")  # 1500 h: five stars
    await add_record(p6, place, date(2025, 1, 1), 90000)  # withdrawn
    await add_record(p7, place, date(2025, 1, 1), 90000)  # other street
    await add_record(p8, place, date(2025, 1, 1), 36000)  # 600 h, the street itself
    assert p0


def levels(levels: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(lv["stars"], lv["threshold_hours"], *figures(lv).values()) for lv in levels]


async def test_star_levels(world: World) -> None:
    await star_world()
    body = await view(world, "official_s1", "stars", area="S1", as_of=AS_OF.isoformat())
    assert body["registered"]["value"] == 7 and body["thresholds"] == [100.0, 300.0, 600.0, 1000.0, 1500.0]
    assert levels(body["levels"]) == [
        (0, None, 2, 7, 28.57),
        (1, 100.0, 2, 5, 28.57),
        (2, 300.0, 1, 3, 14.29),
        (3, 600.0, 1, 2, 14.29),
        (4, 1000.0, 0, 1, 0.0),
        (5, 1500.0, 1, 1, 14.29),
    ]
    share = body["levels"][1]["figures"]["share"]
    assert (share["numerator"], share["denominator"], share["definition"]) == (2, 7, "star_share@2026.1")
    assert body["children"] is None


async def test_star_levels_per_child_thresholds_and_sources(world: World) -> None:
    await star_world()
    base = {"area": "S1", "as_of": AS_OF.isoformat()}
    split = await view(world, "official_s1", "stars", breakdown="children", **base)
    counts = {c["area"]["code"]: [figures(lv)["volunteers"] for lv in c["levels"]] for c in split["children"]}
    assert counts == {"C11": [2, 1, 0, 0, 0, 0], "C12": [0, 1, 1, 0, 0, 1], "S1": [0, 0, 0, 1, 0, 0]}
    assert split["children"][-1]["area"]["own_only"] is True
    custom = await view(world, "official_s1", "stars", thresholds="50, 100", **base)
    assert custom["thresholds"] == [50.0, 100.0]
    assert [figures(lv)["volunteers"] for lv in custom["levels"]] == [1, 1, 5]
    scans = await view(world, "official_s1", "stars", sources="checkin", **base)
    assert [figures(lv)["volunteers"] for lv in scans["levels"]] == [3, 2, 1, 1, 0, 0]
    earlier = await view(world, "official_s1", "stars", area="S1", as_of="2023-12-31")
    assert earlier["registered"]["value"] == 0 and earlier["levels"][0]["figures"]["share"]["value"] is None


async def month_world() -> None:
    r1 = await add_volunteer("C11", date(2025, 7, 15))
    r2 = await add_volunteer("C11", date(2026, 1, 31), withdrawn_on=date(2026, 3, 1))
    r3 = await add_volunteer("C11", date(2024, 1, 1))
    r4 = await add_volunteer("C11", date(2026, 6, 1))
    august = await held("C11", date(2025, 8, 10))
    february = await held("C11", date(2026, 2, 1), status="published")
    await held("C11", date(2026, 2, 2), status="cancelled")
    await add_record(r3, august, date(2025, 8, 10), 60)
    await add_record(r1, february, date(2026, 2, 1), 30)
    await add_record(r2, february, date(2026, 2, 15), 120)
    await add_record(r4, february, date(2026, 6, 10), 60, status="pending")


async def test_monthly_series(world: World) -> None:
    await month_world()
    body = await view(world, "official_s1", "monthly", area="S1", **{"from": "2025-07"}, to="2026-06")
    series = {r["month"]: figures(r) for r in body["rows"]}
    assert list(series) == [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
    column = {name: [f[name] for f in series.values()] for name in series["2025-07"]}
    assert column["new_registrations"] == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert column["registered"] == [2, 2, 2, 2, 2, 2, 3, 3, 2, 2, 2, 3]
    assert column["active"] == [0, 1, 1, 1, 1, 1, 1, 3, 2, 2, 2, 2]
    assert column["hours"] == [0, 1.0, 0, 0, 0, 0, 0, 2.5, 0, 0, 0, 0]
    assert column["activities"] == [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert series["2026-02"]["active_rate"] == 100.0 and body["rows"][7]["month_end"] == "2026-02-28"
    assert body["rows"][7]["figures"]["active"]["definition"] == "active@2026.1"
    # every month end reads the same as participation as of that day
    for row in body["rows"][6:9]:
        p = await view(world, "official_s1", "participation", area="S1", as_of=row["month_end"])
        assert (p["figures"]["active"]["value"], p["figures"]["registered"]["value"]) == (
            row["figures"]["active"]["value"],
            row["figures"]["registered"]["value"],
        )
    whole_year = await view(world, "official_s1", "participation", area="S1", as_of="2026-06-30")
    assert sum(column["hours"]) == whole_year["figures"]["hours_total"]["value"]


@pytest.mark.parametrize("name", ["activities", "teams", "stars", "monthly"])
async def test_views_answer_404_outside_the_subtree(world: World, name: str) -> None:
    params = {"as_of": "2026-06-30", "from": "2026-01-01", "to": "2026-06-30", "group": "category"}
    if name == "monthly":
        params = {"from": "2026-01", "to": "2026-06"}
    for user, area in (("official_s1", "S2"), ("official_s1", "D1"), ("official_s1", "C21"), ("staff_c11", "S1")):
        response = await world.get(user, f"/api/v1/stats/{name}", params={**params, "area": area})
        assert response.status_code == 404, (user, area, response.text)
    for area in ("S1", "C11"):
        assert (
            await world.get("official_s1", f"/api/v1/stats/{name}", params={**params, "area": area})
        ).status_code == 200
    assert (await world.http.get(f"/api/v1/stats/{name}", params={**params, "area": "S1"})).status_code == 401


HOSTILE = [
    ("activities", {"from": "2026-06-30", "to": "2026-01-01"}),
    ("activities", {"from": "2026-13-01"}),
    ("activities", {"from": "1900-01-01"}),
    ("activities", {"from": "2000-01-01", "to": "2026-01-01"}),
    ("activities", {"group": "everything"}),
    ("activities", {"group": None}),
    ("activities", {"sources": "scan"}),
    ("activities", {"sources": "x" * 100}),
    ("activities", {"area": "S1\u0000"}),
    ("activities", {"area": "' OR 1=1 --"}),
    ("activities", {"area": "S%"}),
    ("activities", {"area": "长" * 40}),
    ("teams", {"as_of": "2026-02-30"}),
    ("teams", {"as_of": "9999-01-01"}),
    ("teams", {"window_days": "0"}),
    ("teams", {"window_days": "99999999999999999999"}),
    ("teams", {"min_hours": "nan"}),
    ("teams", {"limit": "100000"}),
    ("teams", {"offset": "-1"}),
    ("stars", {"thresholds": "abc"}),
    ("stars", {"thresholds": "300,100"}),
    ("stars", {"thresholds": "0,100"}),
    ("stars", {"thresholds": "1,,2"}),
    ("stars", {"thresholds": "nan"}),
    ("stars", {"thresholds": "inf"}),
    ("stars", {"thresholds": "1e999"}),
    ("stars", {"thresholds": "100,100.001"}),
    ("stars", {"thresholds": ",".join(str(i) for i in range(1, 12))}),
    ("stars", {"thresholds": "1" * 500}),
    ("stars", {"breakdown": "all"}),
    ("monthly", {"from": "2026-13"}),
    ("monthly", {"from": "2026-1"}),
    ("monthly", {"from": "26-01"}),
    ("monthly", {"from": "2026-06", "to": "2026-01"}),
    ("monthly", {"from": "2000-01", "to": "2026-01"}),
    ("monthly", {"from": "1900-01"}),
    ("monthly", {"from": "2026-05'; --"}),
    ("monthly", {"to": "\u0000"}),
]


@pytest.mark.parametrize(("name", "bad"), HOSTILE)
async def test_hostile_parameters_are_4xx(world: World, name: str, bad: dict[str, Any]) -> None:
    params: dict[str, Any] = {"area": "S1", "as_of": "2026-06-30", "group": "category"}
    params.update(
        {"from": "2026-01", "to": "2026-06"} if name == "monthly" else {"from": "2026-01-01", "to": "2026-06-30"}
    )
    params.update(bad)
    params = {k: v for k, v in params.items() if v is not None}
    response = await world.get("root", f"/api/v1/stats/{name}", params=params)
    assert 400 <= response.status_code < 500, (name, bad, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    if not {"limit", "offset"} & set(bad):  # the export takes the same parameters, but no paging
        response = await world.get("root", f"/api/v1/stats/{name}/export", params=params)
        assert 400 <= response.status_code < 500, (name, bad, response.status_code)
