"""Reconciling published figures, and snapshots that never change."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import World
from tests.factories import add_population, add_record, add_volunteer, held
from volunteers.checkin.tables import ServiceRecord

AS_OF = "2026-06-30"


async def small_district(world: World) -> None:
    """1,000 residents, 40 registered (one more withdrawn), 30 of them active."""
    await add_population("D1", 2026, 1000)
    place = await held("C11", date(2026, 5, 1))
    for n in range(40):
        someone = await add_volunteer("C11" if n % 2 else "C21", date(2025, 1, 1))
        if n < 30:
            await add_record(someone, place, date(2026, 5, 1), 60)
    await add_volunteer("C12", date(2025, 1, 1), withdrawn_on=date(2026, 1, 1))


async def reconcile(world: World, reported: dict[str, Any], user: str = "official_d1") -> dict[str, Any]:
    response = await world.post(user, "/api/v1/stats/reconcile", {"area": "D1", "as_of": AS_OF, "reported": reported})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_reported_figures_against_records(world: World) -> None:
    await small_district(world)
    body = await reconcile(
        world,
        {"registration_rate": 4.0, "active_rate": 80.0, "registered": 40, "active": 32, "resident_population": 1000},
    )
    by = {c["figure"]: c for c in body["comparisons"]}
    assert by["registered"] == {
        "figure": "registered",
        "reported": 40,
        "computed": 40,
        "difference": 0,
        "agrees": True,
        "tolerance": 0,
    }
    assert by["active"]["computed"] == 30 and by["active"]["difference"] == 2 and by["active"]["agrees"] is False
    assert by["registration_rate"]["computed"] == 4.0 and by["registration_rate"]["agrees"] is True
    assert by["active_rate"]["computed"] == 75.0 and by["active_rate"]["agrees"] is False
    # 80 % of the reported 40 registered is 32 active; 32 active at 80 % means 40 registered
    assert by["active_rate"]["implied"] == {"active": 32, "registered": 40}
    assert all(c["agrees"] for c in body["consistency"])


async def test_a_reported_rate_its_own_counts_do_not_produce_is_flagged(world: World) -> None:
    await small_district(world)
    body = await reconcile(world, {"registered": 35632, "active": 22466, "active_rate": 64.89})
    check = body["consistency"][0]
    assert check["check"] == "active_rate"
    assert check["rate_from_reported_counts"] == 63.05 and check["agrees"] is False
    assert "63.05" in check["note"]
    implied = next(c for c in body["comparisons"] if c["figure"] == "active_rate")["implied"]
    assert implied["registered"] == 34622  # the denominator that makes 22,466 come out as 64.89 %


async def test_the_published_registration_rate_rounds(world: World) -> None:
    await small_district(world)
    body = await reconcile(world, {"registered": 35632, "resident_population": 207646, "registration_rate": 17.16})
    check = body["consistency"][0]
    assert check["rate_from_reported_counts"] == 17.16 and check["agrees"] is True


async def test_reconcile_is_scoped_and_validated(world: World) -> None:
    denied = await world.post(
        "official_s1", "/api/v1/stats/reconcile", {"area": "D1", "as_of": AS_OF, "reported": {"registered": 1}}
    )
    assert denied.status_code == 404
    bad = await world.post(
        "official_d1", "/api/v1/stats/reconcile", {"area": "D1", "as_of": AS_OF, "reported": {"registered": -5}}
    )
    assert bad.status_code == 400
    unknown = await world.post(
        "official_d1", "/api/v1/stats/reconcile", {"area": "D1", "as_of": AS_OF, "reported": {"volunteers": 5}}
    )
    assert unknown.status_code == 400


async def test_officials_read_snapshots_but_cannot_create_them(world: World) -> None:
    await small_district(world)
    body = {"title": "2026年上半年志愿服务统计", "area": "D1", "as_of": AS_OF}
    refused = await world.post("official_d1", "/api/v1/stats/snapshots", body)
    assert refused.status_code == 403 and refused.json()["code"] == "read_only"
    assert (await world.get("official_d1", "/api/v1/stats/snapshots")).json()["total"] == 0
    created = await world.post("root", "/api/v1/stats/snapshots", body)
    assert created.status_code == 201, created.text
    assert (await world.get("official_d1", "/api/v1/stats/snapshots")).json()["total"] == 1


async def test_snapshot_never_changes(world: World) -> None:
    await small_district(world)
    created = await world.post(
        "root",
        "/api/v1/stats/snapshots",
        {"title": "2026年上半年志愿服务统计", "area": "D1", "as_of": AS_OF, "breakdown": True},
    )
    assert created.status_code == 201, created.text
    snapshot = created.json()
    assert snapshot["participation"]["figures"]["active"]["value"] == 30
    await ServiceRecord.update({ServiceRecord.status: "rejected"}).where(ServiceRecord.id > 0)
    live = await world.get("official_d1", "/api/v1/stats/participation", params={"area": "D1", "as_of": AS_OF})
    assert live.json()["figures"]["active"]["value"] == 0
    again = (await world.get("official_d1", f"/api/v1/stats/snapshots/{snapshot['id']}")).json()
    assert again == snapshot
    listed = (await world.get("official_d1", "/api/v1/stats/snapshots")).json()
    assert listed["total"] == 1 and listed["items"][0]["title"] == "2026年上半年志愿服务统计"
    assert (await world.get("official_s1", f"/api/v1/stats/snapshots/{snapshot['id']}")).status_code == 404
    assert (await world.get("official_s1", "/api/v1/stats/snapshots")).json()["total"] == 0
