"""Every participation figure against a hand count, including the edges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.conftest import World
from tests.factories import add_population, add_record, add_team, add_volunteer, held
from tests.stats.figures import value
from volunteers.checkin.tables import ServiceRecord

AS_OF = date(2026, 6, 30)
WINDOW_START = AS_OF - timedelta(days=364)


async def participation(world: World, user: str = "official_d1", **params: Any) -> dict[str, Any]:
    response = await world.get(
        user, "/api/v1/stats/participation", params={"area": "D1", "as_of": AS_OF.isoformat(), **params}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_registered_at_the_edges(world: World) -> None:
    await add_volunteer("C11", AS_OF)  # registered that day: counts
    await add_volunteer("C11", AS_OF + timedelta(days=1))  # the day after: not yet
    await add_volunteer("C12", date(2020, 1, 1), withdrawn_on=AS_OF)  # withdrawn that day: no longer
    await add_volunteer("C21", date(2020, 1, 1), withdrawn_on=AS_OF + timedelta(days=1))  # withdrawn later: still
    await add_volunteer("C21", date(2025, 1, 1))
    body = await participation(world)
    assert body["figures"]["registered"] == {
        "value": 3,
        "numerator": 3,
        "denominator": None,
        "unit": "persons",
        "definition": "registered@2026.1",
    }
    assert body["method"] == "precomputed"
    assert body["parameters"] == {
        "window_days": 365,
        "min_hours": 0.0,
        "sources": ["checkin", "manual"],
        "window_start": WINDOW_START.isoformat(),
        "window_end": AS_OF.isoformat(),
    }


async def test_active_at_the_window_edges_and_by_status(world: World) -> None:
    place = await held("C11", date(2026, 1, 10))
    at_start, before_start, at_end, after_end = [await add_volunteer("C11", date(2020, 1, 1)) for _ in range(4)]
    pending, rejected, zero, withdrawn = [await add_volunteer("C12", date(2020, 1, 1)) for _ in range(4)]
    await add_record(at_start, place, WINDOW_START, 60)
    await add_record(before_start, place, WINDOW_START - timedelta(days=1), 60)
    await add_record(at_end, place, AS_OF, 30)
    await add_record(after_end, place, AS_OF + timedelta(days=1), 30)
    await add_record(pending, place, AS_OF, 60, status="pending")
    await add_record(rejected, place, AS_OF, 60, status="rejected")
    await add_record(zero, place, AS_OF, 0)
    gone = await add_volunteer("C21", date(2020, 1, 1), withdrawn_on=AS_OF)
    await add_record(gone, place, AS_OF - timedelta(days=10), 60)
    assert withdrawn  # a registered volunteer without records
    body = await participation(world)
    f = body["figures"]
    assert f["registered"]["value"] == 8
    assert f["active"]["value"] == 2  # at_start and at_end
    assert f["active_rate"] == {
        "value": 25.0,
        "numerator": 2,
        "denominator": 8,
        "unit": "percent",
        "definition": "active_rate@2026.1",
    }
    # hours: every approved record in the window by residents, withdrawn ones included (60 + 30 + 0 + 60)
    assert f["hours_total"]["value"] == 2.5
    assert f["hours_per_registered"] == {
        "value": 0.31,
        "numerator": 2.5,
        "denominator": 8,
        "unit": "hours",
        "definition": "hours_per_registered@2026.1",
    }
    assert f["hours_per_active"]["value"] == 1.25
    assert f["participants"]["value"] == 4


async def test_sources_and_min_hours_are_parameters(world: World) -> None:
    place = await held("C11", date(2026, 3, 1))
    scanned, entered, brief = [await add_volunteer("C11", date(2024, 1, 1)) for _ in range(3)]
    await add_record(scanned, place, date(2026, 3, 1), 120)
    await add_record(entered, place, date(2026, 3, 1), 180, source="manual")
    await add_record(brief, place, date(2026, 3, 1), 20)
    everything = await participation(world)
    assert value(everything, "active") == 3 and value(everything, "hours_total") == 5.33
    scans_only = await participation(world, sources="checkin")
    assert scans_only["method"] == "direct"
    assert value(scans_only, "active") == 2 and value(scans_only, "hours_total") == 2.33
    assert value(scans_only, "participants") == 2
    an_hour = await participation(world, min_hours="1")
    assert value(an_hour, "active") == 2 and an_hour["parameters"]["min_hours"] == 1.0
    short_window = await participation(world, window_days="30")
    assert value(short_window, "active") == 0


async def test_population_and_rates(world: World) -> None:
    await add_population("D1", 2025, 1000)
    await add_population("D1", 2026, 2000)
    await add_population("D1", 2027, 9999)  # a later year is not used for an earlier as-of
    for _ in range(3):
        await add_volunteer("C11", date(2025, 1, 1))
    f = (await participation(world))["figures"]
    assert f["resident_population"] == {
        "value": 2000,
        "numerator": 2000,
        "denominator": None,
        "unit": "persons",
        "definition": "resident_population@2026.1",
        "year": 2026,
        "source": "统计公报",
    }
    assert f["registration_rate"]["value"] == 0.15
    assert (f["registration_rate"]["numerator"], f["registration_rate"]["denominator"]) == (3, 2000)


async def test_missing_population_is_reported_missing(world: World) -> None:
    await add_volunteer("C11", date(2025, 1, 1))
    f = (await participation(world))["figures"]
    assert f["resident_population"]["value"] is None and f["resident_population"]["missing"] is True
    assert f["registration_rate"]["value"] is None and f["registration_rate"]["missing"] is True


async def test_children_add_up_and_the_parents_own_row(world: World) -> None:
    place = await held("S1", date(2026, 5, 1))
    for code in ("C11", "C11", "C12", "C21", "S1"):
        await add_record(await add_volunteer(code, date(2025, 1, 1)), place, date(2026, 5, 1), 90)
    await add_team("C11", "甲队")
    await add_team("C11", "乙队")
    await add_team("S2", "街道队")
    body = await participation(world, breakdown="children")
    assert [c["area"]["code"] for c in body["children"]] == ["S1", "S2"]
    for figure in ("registered", "active", "hours_total", "participants", "teams", "activities"):
        assert sum(c["figures"][figure]["value"] for c in body["children"]) == value(body, figure), figure
    street = await world.get(
        "official_s1",
        "/api/v1/stats/participation",
        params={"area": "S1", "as_of": AS_OF.isoformat(), "breakdown": "children"},
    )
    children = street.json()["children"]
    assert [(c["area"]["code"], c["area"]["own_only"]) for c in children] == [
        ("C11", False),
        ("C12", False),
        ("S1", True),
    ]
    assert children[-1]["area"]["name"] == "东街道（本级）"
    for figure in ("registered", "active", "hours_total", "participants", "teams"):
        assert sum(c["figures"][figure]["value"] for c in children) == street.json()["figures"][figure]["value"], figure


async def test_teams_and_coverage(world: World) -> None:
    await add_team("C11", "一队")
    await add_team("C11", "二队")
    await add_team("C12", "三队")
    await add_team("C21", "四队", founded_on=AS_OF + timedelta(days=1))  # founded later: not yet
    await add_team("C21", "五队", status="dissolved")
    f = (await participation(world))["figures"]
    assert f["teams"]["value"] == 3
    assert f["team_coverage"] == {
        "value": 33.33,
        "numerator": 1,
        "denominator": 3,
        "unit": "percent",
        "definition": "team_coverage@2026.1",
    }


async def test_activities_in_the_window(world: World) -> None:
    await held("C11", AS_OF)
    await held("C11", WINDOW_START)
    await held("C11", WINDOW_START - timedelta(days=1))
    await held("C21", date(2026, 1, 1), status="cancelled")
    await held("C21", date(2026, 1, 1), status="draft")
    await held("C21", date(2026, 1, 2), status="published")
    assert value(await participation(world), "activities") == 3


async def test_figures_follow_writes_at_once(world: World) -> None:
    place = await held("C11", date(2026, 6, 1))
    someone = await add_volunteer("C11", date(2025, 1, 1))
    pending = await add_record(someone, place, date(2026, 6, 1), 60, status="pending")
    assert value(await participation(world), "active") == 0
    await ServiceRecord.update({ServiceRecord.status: "approved"}).where(ServiceRecord.id == pending)
    assert value(await participation(world), "active") == 1
    await ServiceRecord.update({ServiceRecord.status: "rejected"}).where(ServiceRecord.id == pending)
    body = await participation(world)
    assert value(body, "active") == 0 and value(body, "hours_total") == 0


async def test_scope(world: World) -> None:
    await add_volunteer("C21", date(2025, 1, 1))
    for area in ("D1", "S2", "C21"):
        response = await world.get(
            "official_s1", "/api/v1/stats/participation", params={"area": area, "as_of": "2026-06-30"}
        )
        assert response.status_code == 404, area
    mine = await world.get("official_s1", "/api/v1/stats/participation", params={"area": "S1", "as_of": "2026-06-30"})
    assert mine.status_code == 200 and mine.json()["figures"]["registered"]["value"] == 0
    assert (
        await world.get("staff_c11", "/api/v1/stats/participation", params={"area": "S1", "as_of": "2026-06-30"})
    ).status_code == 404


async def test_bad_parameters_are_refused(world: World) -> None:
    base = {"area": "D1", "as_of": "2026-06-30"}
    for extra in (
        {"as_of": "2026-13-01"},
        {"window_days": "0"},
        {"min_hours": "-1"},
        {"sources": "scan"},
        {"breakdown": "everything"},
        {"area": "x" * 40},
        {"window_days": "abc"},
    ):
        response = await world.get("root", "/api/v1/stats/participation", params={**base, **extra})
        assert 400 <= response.status_code < 500, extra
    assert (await world.get("root", "/api/v1/stats/participation", params={"as_of": "2026-06-30"})).status_code == 400


async def test_definitions_are_listed(world: World) -> None:
    body = (await world.get("official_s1", "/api/v1/stats/definitions")).json()
    ids = {d["id"] for d in body["definitions"]}
    assert {"registered", "active", "registration_rate", "active_rate", "team_coverage", "participants"} <= ids
    assert body["parameters"] == {"window_days": 365, "min_hours": 0.0, "sources": ["checkin", "manual"]}
    assert all(d["zh"] and d["en"] and d["version"] == body["version"] for d in body["definitions"])
