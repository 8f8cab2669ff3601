"""Staff side: attendance, hand check-in, closing an activity, manual records, approval; scope."""

from __future__ import annotations

from datetime import timedelta

from tests.checkin.conftest import END, START, Clock, issue_code, make_activity, make_volunteer, scan
from tests.conftest import World
from volunteers.audit.tables import AuditEntry
from volunteers.checkin.tables import Scan, ServiceRecord


async def test_attendance_counters_and_rows(world: World, frozen: Clock) -> None:
    activity = await make_activity(capacity=30)
    code = await issue_code(world, activity)
    a, b, c = await make_volunteer(), await make_volunteer(), await make_volunteer()
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
    activity = await make_activity()
    volunteer = await make_volunteer()
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
    activity = await make_activity("C11")
    theirs = await make_volunteer("C21")
    mine = await make_volunteer("C11")
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
    activity = await make_activity()
    code = await issue_code(world, activity)
    stayed, left = await make_volunteer(), await make_volunteer()
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
    activity = await make_activity()
    code = await issue_code(world, activity)
    volunteer = await make_volunteer()
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
    activity = await make_activity(approval="staff")
    code = await issue_code(world, activity)
    volunteer = await make_volunteer()
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
    activity = await make_activity()
    code = await issue_code(world, activity)
    volunteer = await make_volunteer()
    await scan(world, code, volunteer["phone"])
    record = (await world.get("staff_c11", "/api/v1/service-records")).json()["items"][0]
    response = await world.post("staff_c11", f"/api/v1/service-records/{record['id']}/approve")
    assert response.status_code == 409 and response.json()["code"] == "still_inside"


async def test_manual_record_validation_and_scope(world: World, frozen: Clock) -> None:
    activity = await make_activity()
    volunteer = await make_volunteer()
    outsider = await make_volunteer("C21")
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
    activity = await make_activity()
    code = await issue_code(world, activity)
    volunteer = await make_volunteer()
    await scan(world, code, volunteer["phone"])
    frozen.set(END + timedelta(hours=2))
    assert (await world.post("staff_c11", f"/api/v1/activities/{activity}/complete")).status_code == 200
    record = await ServiceRecord.select().first()
    assert record is not None and record["auto_closed"] is True and record["minutes"] == 180
