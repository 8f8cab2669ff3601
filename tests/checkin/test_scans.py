"""The check-in rules of docs/architecture.md, one by one, through the public scan endpoint."""

from __future__ import annotations

from datetime import timedelta

from tests.checkin.conftest import Clock, issue_code, nonce, scan
from tests.conftest import World
from tests.factories import END, START, add_activity_row, volunteer_row
from volunteers.checkin.service import CODE_ALPHABET
from volunteers.checkin.tables import Scan, ScanRefusalTally, ServiceRecord


async def test_code_links_and_alphabet(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    response = await world.post("staff_c11", f"/api/v1/activities/{activity}/checkin-code")
    body = response.json()
    code = body["code"]
    assert len(code) == 16 and set(code) <= set(CODE_ALPHABET)
    assert body["url"].endswith(f"/c/{code}")
    assert body["qr_svg_url"].endswith(f"/c/{code}/qr.svg") and body["poster_url"].endswith(f"/c/{code}/poster")
    assert body["opens_at"].startswith("2026-03-05T05:30") and body["closes_at"].startswith("2026-03-05T09:30")
    shown = await world.get("official_s1", f"/api/v1/activities/{activity}/checkin-code")
    assert shown.json()["code"] == code


async def test_check_in_then_out_records_hours(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    code = await issue_code(world, activity)
    volunteer = await volunteer_row()
    frozen.set(START + timedelta(minutes=2))
    checked_in = await scan(world, code, volunteer["phone"])
    assert checked_in.status_code == 200, checked_in.text
    body = checked_in.json()
    assert body == {"result": "ok", "action": "in", "at": "2026-03-05T06:02:00Z"}  # and nothing about who
    frozen.set(START + timedelta(hours=2, minutes=17))
    out = (await scan(world, code, volunteer["phone"], "out")).json()
    assert (out["action"], out["minutes"], out["hours"]) == ("out", 135, 2.25)
    record = await ServiceRecord.select().where(ServiceRecord.volunteer == volunteer["id"]).first()
    assert record is not None
    assert (record["source"], record["status"], record["minutes"]) == ("checkin", "approved", 135)


async def test_phone_formats_are_normalised(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row(phone="13912345678")
    response = await scan(world, code, "+86 139-1234-5678")
    assert response.status_code == 200
    assert await ServiceRecord.count().where(ServiceRecord.volunteer == volunteer["id"]) == 1
    bad = await scan(world, code, "12345")
    assert bad.status_code == 422 and bad.json()["field"] == "phone"


async def test_window_edges(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    early, on_time, late = await volunteer_row(), await volunteer_row(), await volunteer_row()
    frozen.set(START - timedelta(minutes=30, seconds=1))
    refused = await scan(world, code, early["phone"])
    assert refused.status_code == 409 and refused.json()["code"] == "not_open_yet"
    assert refused.json()["opens_at"].startswith("2026-03-05T05:30:00")
    frozen.set(START - timedelta(minutes=30))
    assert (await scan(world, code, on_time["phone"])).status_code == 200
    frozen.set(END + timedelta(minutes=30))
    assert (await scan(world, code, late["phone"])).status_code == 200
    frozen.set(END + timedelta(minutes=30, seconds=1))
    closed = await scan(world, code, early["phone"])
    assert closed.status_code == 409 and closed.json()["code"] == "closed"


async def test_configured_window(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row(opens_before_minutes=0, closes_after_minutes=0))
    volunteer = await volunteer_row()
    frozen.set(START - timedelta(seconds=1))
    assert (await scan(world, code, volunteer["phone"])).json()["code"] == "not_open_yet"
    frozen.set(END + timedelta(seconds=1))
    assert (await scan(world, code, volunteer["phone"])).json()["code"] == "closed"


async def test_nonce_replay_returns_first_answer_and_writes_nothing(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    same = nonce()
    first = await scan(world, code, volunteer["phone"], with_nonce=same)
    frozen.set(START + timedelta(minutes=5))
    second = await scan(world, code, volunteer["phone"], with_nonce=same)
    assert first.status_code == second.status_code == 200
    assert second.json()["at"] == first.json()["at"] and second.json()["replayed"] is True
    assert await Scan.count() == 1
    # a refusal is replayed the same way
    again = nonce()
    refused = await scan(world, code, volunteer["phone"], with_nonce=again)
    replayed = await scan(world, code, volunteer["phone"], with_nonce=again)
    assert refused.json()["code"] == replayed.json()["code"] == "already_checked_in"
    assert await Scan.count() == 2


async def test_second_entry_is_refused_with_its_time(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    frozen.set(START + timedelta(minutes=2))
    await scan(world, code, volunteer["phone"])
    frozen.set(START + timedelta(minutes=40))
    refused = await scan(world, code, volunteer["phone"])
    assert refused.status_code == 409
    assert refused.json()["code"] == "already_checked_in"
    assert refused.json()["at"].startswith("2026-03-05T06:02:00")
    frozen.set(START + timedelta(minutes=50))
    await scan(world, code, volunteer["phone"], "out")
    frozen.set(START + timedelta(minutes=55))
    assert (await scan(world, code, volunteer["phone"])).json()["code"] == "already_checked_in"


async def test_reentry_when_allowed_adds_up(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row(reentry_allowed=True))
    volunteer = await volunteer_row()
    for enter, leave in [(0, 30), (60, 100)]:
        frozen.set(START + timedelta(minutes=enter))
        assert (await scan(world, code, volunteer["phone"])).status_code == 200
        frozen.set(START + timedelta(minutes=leave))
        out = (await scan(world, code, volunteer["phone"], "out")).json()
    assert out["minutes"] == 70
    assert await ServiceRecord.count() == 1


async def test_exit_without_entry_is_refused(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    refused = await scan(world, code, volunteer["phone"], "out")
    assert refused.status_code == 409 and refused.json()["code"] == "not_checked_in"
    assert await ServiceRecord.count() == 0


async def test_rounding_clipping_and_cap(world: World, frozen: Clock) -> None:
    rounded = await issue_code(world, await add_activity_row(rounding_minutes=15))
    clipped = await issue_code(world, await add_activity_row())
    capped = await issue_code(world, await add_activity_row(daily_cap_minutes=120))
    a, b, c = await volunteer_row(), await volunteer_row(), await volunteer_row()
    frozen.set(START - timedelta(minutes=20))  # before the start: counted from the start
    for code, volunteer in [(rounded, a), (clipped, b), (capped, c)]:
        await scan(world, code, volunteer["phone"])
    frozen.set(START + timedelta(minutes=74))
    assert (await scan(world, rounded, a["phone"], "out")).json()["minutes"] == 60
    frozen.set(END + timedelta(minutes=25))  # after the end: counted until the end
    assert (await scan(world, clipped, b["phone"], "out")).json()["minutes"] == 180
    assert (await scan(world, capped, c["phone"], "out")).json()["minutes"] == 120


async def test_rotation_revokes_the_old_code_at_once(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    old = await issue_code(world, activity)
    new = await issue_code(world, activity)
    volunteer = await volunteer_row()
    refused = await scan(world, old, volunteer["phone"])
    assert refused.status_code == 410 and refused.json()["code"] == "revoked"
    assert (await scan(world, new, volunteer["phone"])).status_code == 200


async def test_unknown_code_cancelled_and_draft(world: World, frozen: Clock) -> None:
    volunteer = await volunteer_row()
    unknown = await scan(world, "zzzzzzzzzzzzzzzz", volunteer["phone"])
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_code"
    cancelled_activity = await add_activity_row()
    code = await issue_code(world, cancelled_activity)
    await world.post("staff_c11", f"/api/v1/activities/{cancelled_activity}/cancel", {"reason": "下雨"})
    assert (await scan(world, code, volunteer["phone"])).json()["code"] == "cancelled"
    draft = await issue_code(world, await add_activity_row(status="draft"))
    assert (await scan(world, draft, volunteer["phone"])).json()["code"] == "not_open_yet"


async def test_unknown_and_withdrawn_volunteers(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    unknown = await scan(world, code, "13700000000")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_volunteer"
    gone = await volunteer_row(status="withdrawn")
    assert (await scan(world, code, gone["phone"])).json()["code"] == "unknown_volunteer"
    assert "volunteer_name" not in unknown.json()


async def test_every_attempt_is_logged_with_its_reason(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    await scan(world, code, volunteer["phone"])
    await scan(world, code, volunteer["phone"])
    await scan(world, code, "13700000000")
    await scan(world, "zzzzzzzzzzzzzzzz", volunteer["phone"])
    rows = await Scan.select(Scan.result, Scan.method).order_by(Scan.id)
    assert [r["result"] for r in rows] == ["ok", "already_checked_in", "unknown_volunteer", "unknown_code"]
    assert {r["method"] for r in rows} == {"link"}


async def test_rate_limit_per_client(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    world.http._transport.app.state.scan_limits.clients.limit = 3  # type: ignore[attr-defined]
    answers = [(await scan(world, code, "13700000000")).status_code for _ in range(5)]
    assert answers == [404, 404, 404, 429, 429]
    limited = await scan(world, code, "13700000000")
    assert limited.json()["code"] == "rate_limited"
    # the three refusals are logged one by one; the three refused over the limit are counted in the tally
    assert await Scan.count() == 3
    tally = await ScanRefusalTally.select(ScanRefusalTally.code, ScanRefusalTally.result, ScanRefusalTally.attempts)
    assert tally == [{"code": code, "result": "rate_limited", "attempts": 3}]


async def test_hostile_scan_bodies(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    bodies = [
        {"phone": "13900000000", "nonce": "short", "action": "in"},
        {"phone": "13900000000", "nonce": "x" * 65, "action": "in"},
        {"phone": "13900000000", "nonce": "bad nonce!!", "action": "in"},
        {"phone": "13900000000", "nonce": nonce(), "action": "sideways"},
        {"phone": "1" * 5000, "nonce": nonce(), "action": "in"},
        {"phone": "139\u00000000000", "nonce": nonce(), "action": "in"},
        {"phone": 13900000000, "nonce": nonce()},
        {"nonce": nonce()},
    ]
    for body in bodies:
        response = await world.http.post(f"/api/v1/checkin/{code}", json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
    long_code = await world.http.post("/api/v1/checkin/" + "a" * 100, json={"phone": "13900000000", "nonce": nonce()})
    assert long_code.status_code == 400
    assert await ServiceRecord.count() == 0
