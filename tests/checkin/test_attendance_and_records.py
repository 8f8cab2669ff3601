"""Staff side: attendance, hand check-in, closing an activity, manual records, approval; scope."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from tests.checkin.conftest import Clock, issue_code, scan
from tests.conftest import World
from tests.factories import END, START, add_activity_row, volunteer_row
from volunteers import db
from volunteers.audit.tables import AuditEntry
from volunteers.checkin.tables import Scan, ServiceRecord


async def test_attendance_counters_and_rows(world: World, frozen: Clock) -> None:
    activity = await add_activity_row(capacity=30)
    code = await issue_code(world, activity)
    a, b, c = await volunteer_row(), await volunteer_row(), await volunteer_row()
    for volunteer in (a, b, c):
        await scan(world, code, volunteer["phone"])
    frozen.set(START + timedelta(hours=1))
    await scan(world, code, a["phone"], "out")
    body = (await world.get("staff_c11", f"/api/v1/activities/{activity}/attendance")).json()
    assert body["counters"] == {"checked_in": 3, "inside_now": 2, "checked_out": 1, "capacity": 30}
    row = next(r for r in body["items"] if r["volunteer_id"] == a["id"])
    assert (row["minutes"], row["hours"], row["status"], row["inside"]) == (60, 1.0, "approved", False)
    assert row["phone"] == a["phone"]
    masked = (await world.get("official_s1", f"/api/v1/activities/{activity}/attendance")).json()
    assert masked["items"][0]["phone"].count("*") == 4


async def test_staff_check_in_by_hand_is_logged_with_reason(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    volunteer = await volunteer_row()
    response = await world.post(
        "staff_c11",
        f"/api/v1/activities/{activity}/attendance",
        {"volunteer_id": volunteer["id"], "action": "in", "reason": "手机没电"},
    )
    assert response.status_code == 200, response.text
    logged = await Scan.select(Scan.method, Scan.reason, Scan.staff).first()
    assert logged is not None and logged["method"] == "staff" and logged["reason"] == "手机没电"
    assert logged["staff"] is not None


async def test_staff_cannot_act_outside_their_area(world: World, frozen: Clock) -> None:
    activity = await add_activity_row("C11")
    theirs = await volunteer_row("C21")
    mine = await volunteer_row("C11")
    body = {"volunteer_id": theirs["id"], "action": "in", "reason": "代签"}
    assert (await world.post("staff_c11", f"/api/v1/activities/{activity}/attendance", body)).status_code == 403
    for user in ("staff_c21", "staff_c12"):
        assert (await world.post(user, f"/api/v1/activities/{activity}/checkin-code")).status_code == 404
        assert (await world.get(user, f"/api/v1/activities/{activity}/attendance")).status_code == 404
        assert (await world.post(user, f"/api/v1/activities/{activity}/close")).status_code == 404
        staff_scan = {"volunteer_id": mine["id"], "action": "in", "reason": "x"}
        assert (await world.post(user, f"/api/v1/activities/{activity}/attendance", staff_scan)).status_code == 404
    assert (await world.post("official_s1", f"/api/v1/activities/{activity}/checkin-code")).status_code == 403
    assert await Scan.count() == 0


async def test_close_applies_the_missing_exit_policy(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    code = await issue_code(world, activity)
    stayed, left = await volunteer_row(), await volunteer_row()
    frozen.set(START + timedelta(minutes=30))
    await scan(world, code, stayed["phone"])
    await scan(world, code, left["phone"])
    frozen.set(START + timedelta(hours=1))
    await scan(world, code, left["phone"], "out")
    frozen.set(END + timedelta(hours=1))
    closed = await world.post("staff_c11", f"/api/v1/activities/{activity}/close")
    assert closed.json() == {"activity_id": activity, "auto_closed": 1, "status": "completed"}
    record = await ServiceRecord.select().where(ServiceRecord.volunteer == stayed["id"]).first()
    assert record is not None
    assert (record["auto_closed"], record["status"], record["minutes"]) == (True, "pending", 150)
    assert record["ended_at"] == END
    after = await scan(world, code, stayed["phone"], "out")
    assert after.json()["code"] == "closed"


async def test_manual_record_is_pending_and_approval_supersedes_the_scan(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    code = await issue_code(world, activity)
    volunteer = await volunteer_row()
    await scan(world, code, volunteer["phone"])
    frozen.set(START + timedelta(minutes=20))
    await scan(world, code, volunteer["phone"], "out")
    frozen.set(END + timedelta(days=1))
    manual = await world.post(
        "staff_c11",
        "/api/v1/service-records",
        {
            "volunteer_id": volunteer["id"],
            "activity_id": activity,
            "started_at": START.isoformat(),
            "ended_at": (START + timedelta(hours=2, minutes=50)).isoformat(),
            "reason": "忘记签退，现场负责人确认",
        },
    )
    assert manual.status_code == 201, manual.text
    body = manual.json()
    assert (body["source"], body["status"], body["minutes"]) == ("manual", "pending", 170)
    scanned = await ServiceRecord.select().where(ServiceRecord.source == "checkin").first()
    assert scanned is not None and body["corrects"] == scanned["id"] and scanned["minutes"] == 20
    duplicate = await world.post(
        "staff_c11",
        "/api/v1/service-records",
        {
            "volunteer_id": volunteer["id"],
            "activity_id": activity,
            "started_at": START.isoformat(),
            "ended_at": END.isoformat(),
            "reason": "重复",
        },
    )
    assert duplicate.status_code == 409
    approved = await world.post("staff_c11", f"/api/v1/service-records/{body['id']}/approve")
    assert approved.json()["status"] == "approved"
    superseded = (await world.get("staff_c11", f"/api/v1/service-records/{scanned['id']}")).json()
    assert superseded["status"] == "rejected" and f"#{body['id']}" in superseded["reason"]
    assert superseded["minutes"] == 20
    actions = (
        await AuditEntry.select(AuditEntry.action).where(AuditEntry.entity == "service_record").order_by(AuditEntry.id)
    )
    assert [a["action"] for a in actions] == ["create", "reject", "approve"]


async def test_reject_needs_a_reason_and_decisions_are_one_way(world: World, frozen: Clock) -> None:
    activity = await add_activity_row(approval="staff")
    code = await issue_code(world, activity)
    volunteer = await volunteer_row()
    await scan(world, code, volunteer["phone"])
    frozen.set(START + timedelta(hours=1))
    out = (await scan(world, code, volunteer["phone"], "out")).json()
    assert out["minutes"] == 60
    record = (await world.get("staff_c11", "/api/v1/service-records", params={"activity": activity})).json()["items"][0]
    assert record["status"] == "pending"
    assert (await world.post("staff_c11", f"/api/v1/service-records/{record['id']}/reject", {})).status_code == 422
    assert (await world.post("official_s1", f"/api/v1/service-records/{record['id']}/approve")).status_code == 403
    assert (await world.post("staff_c21", f"/api/v1/service-records/{record['id']}/approve")).status_code == 404
    rejected = await world.post("staff_c11", f"/api/v1/service-records/{record['id']}/reject", {"reason": "未实际参加"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "未实际参加"
    assert (await world.post("staff_c11", f"/api/v1/service-records/{record['id']}/approve")).status_code == 409


async def test_still_inside_cannot_be_approved(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    code = await issue_code(world, activity)
    volunteer = await volunteer_row()
    await scan(world, code, volunteer["phone"])
    record = (await world.get("staff_c11", "/api/v1/service-records")).json()["items"][0]
    response = await world.post("staff_c11", f"/api/v1/service-records/{record['id']}/approve")
    assert response.status_code == 409 and response.json()["code"] == "still_inside"


async def test_manual_record_validation_and_scope(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    volunteer = await volunteer_row()
    outsider = await volunteer_row("C21")
    frozen.set(END + timedelta(days=2))
    base = {
        "volunteer_id": volunteer["id"],
        "activity_id": activity,
        "started_at": START.isoformat(),
        "ended_at": END.isoformat(),
        "reason": "补录",
    }
    backwards = await world.post("staff_c11", "/api/v1/service-records", {**base, "ended_at": START.isoformat()})
    assert backwards.status_code == 422 and backwards.json()["field"] == "ended_at"
    naive = await world.post("staff_c11", "/api/v1/service-records", {**base, "started_at": "2026-03-05T14:00:00"})
    assert naive.status_code == 422
    assert (
        await world.post("staff_c11", "/api/v1/service-records", {**base, "volunteer_id": outsider["id"]})
    ).status_code == 403
    outside = await world.post("staff_c21", "/api/v1/service-records", base)
    assert outside.status_code == 403 and outside.json()["code"] == "outside_scope"
    assert (await world.post("official_s1", "/api/v1/service-records", base)).status_code == 403
    missing = await world.post("staff_c11", "/api/v1/service-records", {**base, "volunteer_id": 999999})
    assert missing.status_code == 422 and missing.json()["field"] == "volunteer_id"
    no_activity = await world.post("staff_c11", "/api/v1/service-records", {**base, "activity_id": 999999})
    assert no_activity.status_code == 422 and no_activity.json()["field"] == "activity_id"
    assert await ServiceRecord.count() == 0
    listed = (await world.get("staff_c21", "/api/v1/service-records")).json()
    assert listed == {"items": [], "total": 0}


async def test_completing_an_activity_closes_open_records(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    code = await issue_code(world, activity)
    volunteer = await volunteer_row()
    await scan(world, code, volunteer["phone"])
    frozen.set(END + timedelta(hours=2))
    assert (await world.post("staff_c11", f"/api/v1/activities/{activity}/complete")).status_code == 200
    record = await ServiceRecord.select().first()
    assert record is not None and record["auto_closed"] is True and record["minutes"] == 180


# ---- issue 10, item 7: manual records cannot multiply hours; approved time never overlaps -----------------


def manual(volunteer: dict[str, Any], activity: int, started: Any, ended: Any, reason: str = "补录") -> dict[str, Any]:
    return {
        "volunteer_id": volunteer["id"],
        "activity_id": activity,
        "started_at": started if isinstance(started, str) else started.isoformat(),
        "ended_at": ended if isinstance(ended, str) else ended.isoformat(),
        "reason": reason,
    }


async def approved_minutes(volunteer: dict[str, Any]) -> int:
    rows = await ServiceRecord.select(ServiceRecord.minutes).where(
        (ServiceRecord.volunteer == volunteer["id"]) & (ServiceRecord.status == "approved")
    )
    return sum(r["minutes"] for r in rows)


async def test_manual_records_starting_on_earlier_days_cannot_multiply_hours(world: World, frozen: Clock) -> None:
    """Three 补录 records for one 3-hour activity, each starting a day earlier, used to get 180 minutes each."""
    activity = await add_activity_row()
    volunteer = await volunteer_row()
    frozen.set(END + timedelta(days=3))
    for days in (1, 2, 3):
        response = await world.post(
            "staff_c11", "/api/v1/service-records", manual(volunteer, activity, START - timedelta(days=days), END)
        )
        assert response.status_code == 422, response.text
        assert (response.json()["code"], response.json()["field"]) == ("outside_activity_days", "started_at")
    # ending on a later day than the activity's last is refused likewise
    late = await world.post(
        "staff_c11", "/api/v1/service-records", manual(volunteer, activity, START, END + timedelta(days=1))
    )
    assert (late.status_code, late.json()["code"], late.json()["field"]) == (422, "outside_activity_days", "ended_at")
    assert await ServiceRecord.count() == 0
    # on the activity's day, from morning to night: clipped to the activity, 180 minutes, and only once
    day_start = START - timedelta(hours=6)  # 08:00 Beijing
    whole_day = await world.post(
        "staff_c11", "/api/v1/service-records", manual(volunteer, activity, day_start, END + timedelta(hours=4))
    )
    assert whole_day.status_code == 201, whole_day.text
    assert whole_day.json()["minutes"] == 180
    again = await world.post(
        "staff_c11", "/api/v1/service-records", manual(volunteer, activity, START, START + timedelta(hours=1))
    )
    assert again.status_code == 409
    approved = await world.post("staff_c11", f"/api/v1/service-records/{whole_day.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert await approved_minutes(volunteer) == 180


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"started_at": "0001-01-01T00:00:00+08:00"}, "date_too_early", "started_at"),
        ({"started_at": "0001-01-01T00:00:00+14:00"}, "date_too_early", "started_at"),  # before year 1 in Beijing
        ({"started_at": "1948-12-31T09:00:00+08:00"}, "date_too_early", "started_at"),
        ({"ended_at": "9999-12-31T23:59:59-12:00"}, "date_in_future", "ended_at"),  # after year 9999 in Beijing
        ({"ended_at": "2026-03-06T01:00:00+08:00"}, "date_in_future", "ended_at"),  # later today
    ],
)
async def test_manual_record_times_have_a_sane_range(
    world: World, frozen: Clock, change: dict[str, str], code: str, field: str
) -> None:
    activity = await add_activity_row()
    volunteer = await volunteer_row()
    frozen.set(START + timedelta(hours=8))  # 22:00 Beijing on the activity's day
    body = {**manual(volunteer, activity, START, END), **change}
    response = await world.post("staff_c11", "/api/v1/service-records", body)
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert await ServiceRecord.count() == 0


async def overlapping_pending_records(world: World, frozen: Clock) -> tuple[dict[str, Any], int, int]:
    """One volunteer checked in at two activities whose times overlap (14:00–15:30 and 15:00–16:00), both pending."""
    first = await add_activity_row(approval="staff")
    second = await add_activity_row(approval="staff")
    volunteer = await volunteer_row()
    codes = [await issue_code(world, first), await issue_code(world, second)]
    await scan(world, codes[0], volunteer["phone"])
    frozen.set(START + timedelta(hours=1))
    await scan(world, codes[1], volunteer["phone"])
    frozen.set(START + timedelta(hours=1, minutes=30))
    await scan(world, codes[0], volunteer["phone"], "out")
    frozen.set(START + timedelta(hours=2))
    await scan(world, codes[1], volunteer["phone"], "out")
    records = await ServiceRecord.select(ServiceRecord.id, ServiceRecord.status).order_by(ServiceRecord.activity)
    assert [r["status"] for r in records] == ["pending", "pending"]
    return volunteer, records[0]["id"], records[1]["id"]


async def test_overlapping_approval_is_refused_naming_the_other_record(world: World, frozen: Clock) -> None:
    volunteer, first, second = await overlapping_pending_records(world, frozen)
    assert (await world.post("staff_c11", f"/api/v1/service-records/{first}/approve")).status_code == 200
    refused = await world.post("staff_c11", f"/api/v1/service-records/{second}/approve")
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "overlapping_record" and body["overlaps"] == first and f"#{first}" in body["detail"]
    assert (await world.get("staff_c11", f"/api/v1/service-records/{second}")).json()["status"] == "pending"
    assert await approved_minutes(volunteer) == 90
    # once the first is rejected, the second may be approved
    await world.post("staff_c11", f"/api/v1/service-records/{first}/reject", {"reason": "重复签到"})
    assert (await world.post("staff_c11", f"/api/v1/service-records/{second}/approve")).status_code == 200


async def test_two_overlapping_approvals_at_once_do_not_both_pass(world: World, frozen: Clock) -> None:
    _, first, second = await overlapping_pending_records(world, frozen)
    await world.login("staff_c11")
    await world.login("staff_s1")
    answers = await asyncio.gather(
        world.post("staff_c11", f"/api/v1/service-records/{first}/approve"),
        world.post("staff_s1", f"/api/v1/service-records/{second}/approve"),
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    assert next(a for a in answers if a.status_code == 409).json()["code"] == "overlapping_record"
    assert await ServiceRecord.count().where(ServiceRecord.status == "approved") == 1


async def test_the_database_refuses_overlapping_approved_time_from_any_writer(world: World, frozen: Clock) -> None:
    """Two connections approving overlapping records at once, past the service: the constraint lets one through."""
    _, first, second = await overlapping_pending_records(world, frozen)
    pool = db.engine().pool
    assert pool is not None
    async with pool.acquire() as one, pool.acquire() as other:
        writing = one.transaction()
        await writing.start()
        approve = "UPDATE service_record SET status = 'approved', decided_by = (SELECT min(id) FROM staff_user)"
        await one.execute(f"{approve} WHERE id = $1", first)
        blocked = asyncio.ensure_future(other.execute(f"{approve} WHERE id = $1", second))
        await asyncio.sleep(0.3)
        assert not blocked.done()  # waits for the first writer's outcome
        await writing.commit()
        with pytest.raises(asyncpg.ExclusionViolationError):
            await blocked
    assert await ServiceRecord.count().where(ServiceRecord.status == "approved") == 1


async def test_an_automatic_approval_that_would_overlap_stays_pending(world: World, frozen: Clock) -> None:
    """Check-outs approve themselves (approval auto); one overlapping approved time is left for staff instead."""
    first, second = await add_activity_row(), await add_activity_row()
    volunteer = await volunteer_row()
    codes = [await issue_code(world, first), await issue_code(world, second)]
    await scan(world, codes[0], volunteer["phone"])
    await scan(world, codes[1], volunteer["phone"])
    frozen.set(START + timedelta(hours=1))
    assert (await scan(world, codes[0], volunteer["phone"], "out")).status_code == 200
    out = await scan(world, codes[1], volunteer["phone"], "out")
    assert out.status_code == 200, out.text
    statuses = await ServiceRecord.select(ServiceRecord.status).order_by(ServiceRecord.activity)
    assert [r["status"] for r in statuses] == ["approved", "pending"]
    assert await approved_minutes(volunteer) == 60


async def test_manual_record_overlapping_another_live_record_is_refused(world: World, frozen: Clock) -> None:
    """A 补录 for one activity at a time the volunteer already has on record at another is a 409 naming it."""
    scanned, other = await add_activity_row(), await add_activity_row()
    volunteer = await volunteer_row()
    code = await issue_code(world, scanned)
    await scan(world, code, volunteer["phone"])
    frozen.set(START + timedelta(hours=1))
    await scan(world, code, volunteer["phone"], "out")
    record = await ServiceRecord.select(ServiceRecord.id).first()
    assert record is not None
    frozen.set(END + timedelta(days=1))
    response = await world.post(
        "staff_c11", "/api/v1/service-records", manual(volunteer, other, START + timedelta(minutes=30), END)
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "overlapping_record" and response.json()["overlaps"] == record["id"]
    # the same activity's check-in record is corrected, not counted beside: 180 minutes in all once approved
    correction = await world.post("staff_c11", "/api/v1/service-records", manual(volunteer, scanned, START, END))
    assert correction.status_code == 201 and correction.json()["corrects"] == record["id"]
    assert (
        await world.post("staff_c11", f"/api/v1/service-records/{correction.json()['id']}/approve")
    ).status_code == 200
    assert await approved_minutes(volunteer) == 180


# ---- issue 10, item 10: the list's total does not depend on the page ------------------------------------------


async def test_record_list_total_is_the_count_past_the_last_page(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    code = await issue_code(world, activity)
    for _ in range(3):
        await scan(world, code, (await volunteer_row())["phone"])
    page = (await world.get("staff_c11", "/api/v1/service-records", params={"limit": 2, "offset": 2})).json()
    assert (len(page["items"]), page["total"]) == (1, 3)
    past = (await world.get("staff_c11", "/api/v1/service-records", params={"offset": 10})).json()
    assert past == {"items": [], "total": 3}
    assert (await world.get("staff_c11", "/api/v1/service-records/999999")).status_code == 404
