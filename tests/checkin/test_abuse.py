"""What one party can do to others through the public check-in path (issue 10): occupy someone's number, learn
who checked in, close check-in for everyone, fill the database, or be handed another phone's answer."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx

from tests.checkin.conftest import Clock, issue_code, nonce, scan
from tests.conftest import World
from tests.factories import START, add_activity_row, volunteer_row
from volunteers.areas.tables import Area
from volunteers.checkin.tables import Scan, ScanRefusalTally, ServiceRecord
from volunteers.people.tables import Volunteer

PUBLIC_KEYS = {"result", "action", "at", "minutes", "hours", "replayed"}
_junk = itertools.count(1)


def junk_phone() -> str:
    return f"170{next(_junk):08d}"


@asynccontextmanager
async def from_address(app: Any, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from `host`."""
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def register(http: httpx.AsyncClient, code: str, **fields: Any) -> httpx.Response:
    body = {"name": "李四", "area_code": "C11", "birth_date": "1990-01-01", "nonce": nonce(), "consent": True, **fields}
    return await http.post(f"/api/v1/checkin/{code}/register", json=body)


async def another_district() -> None:
    """D2 ─ S3 ─ C31, beside the small world's D1."""
    district = await Area.insert(Area(code="D2", name="南区", level="district", path="/D2/")).returning(Area.id)
    street = await Area.insert(
        Area(code="S3", name="南街道", level="street", parent=district[0]["id"], path="/D2/S3/")
    ).returning(Area.id)
    await Area.insert(Area(code="C31", name="南一社区", level="community", parent=street[0]["id"], path="/D2/S3/C31/"))


async def records_of(volunteer_id: int) -> int:
    return int(await ServiceRecord.count().where(ServiceRecord.volunteer == volunteer_id))


# ---- item 3: registration occupies nobody's number; answers name nobody --------------------------------------


async def test_an_existing_phone_gets_the_neutral_answer_and_nobody_is_checked_in(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    owner = await volunteer_row(name="张三丰")
    taken = await register(world.http, code, phone=owner["phone"], name="李四")
    fresh = await register(world.http, code, phone="13612345670", name="王五")
    assert taken.status_code == fresh.status_code == 200, (taken.text, fresh.text)
    assert set(taken.json()) == set(fresh.json()) == {"result", "action", "at"}
    assert taken.json()["result"] == fresh.json()["result"] == "ok"
    # one new volunteer (the fresh phone), and the owner is neither renamed nor checked in
    assert await Volunteer.count() == 2
    assert await Volunteer.select(Volunteer.name).where(Volunteer.id == owner["id"]).first() == {"name": "张三丰"}
    assert await records_of(owner["id"]) == 0
    # a phone-only scan of the owner still works: the attempt above did not touch their day
    assert (await scan(world, code, owner["phone"])).status_code == 200
    assert await records_of(owner["id"]) == 1


async def test_a_registration_answer_does_not_tell_whether_a_phone_is_registered(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    owner = await volunteer_row()
    bodies: list[dict[str, Any]] = [
        {"birth_date": "2015-01-01"},  # a minor without a guardian
        {"birth_date": "1800-01-01"},
        {"area_code": "S1"},
        {"consent": False},
        {"name": " "},
        {},
    ]
    for extra in bodies:
        taken = await register(world.http, code, phone=owner["phone"], **extra)
        fresh = await register(world.http, code, phone="13612345671", **extra)
        assert taken.status_code == fresh.status_code, (extra, taken.text, fresh.text)
        assert set(taken.json()) == set(fresh.json()), extra
        assert taken.json().get("code") == fresh.json().get("code"), extra
        assert taken.json().get("field") == fresh.json().get("field"), extra
    assert await records_of(owner["id"]) == 0


async def test_a_registration_refused_at_the_door_registers_nobody(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    owner = await volunteer_row()
    frozen.set(START - timedelta(hours=1))  # check-in opens at 13:30
    fresh = await register(world.http, code, phone="13612345675")
    taken = await register(world.http, code, phone=owner["phone"])
    for refused in (fresh, taken):
        assert refused.status_code == 409 and refused.json()["code"] == "not_open_yet", refused.text
    assert set(fresh.json()) == set(taken.json())
    assert await Volunteer.count() == 1  # the owner only: the refused registration was taken back
    assert await Scan.count().where(Scan.result == "not_open_yet") == 2  # and both attempts are logged


async def test_self_registration_only_into_a_community_of_the_activitys_district(world: World, frozen: Clock) -> None:
    await another_district()
    code = await issue_code(world, await add_activity_row())  # in C11, district D1
    for area in ("D1", "S1", "S2", "D2", "S3", "C31", "NOPE"):
        refused = await register(world.http, code, phone="13612345672", area_code=area)
        assert refused.status_code == 422, (area, refused.text)
        assert refused.json()["field"] == "area_code", area
    assert await Volunteer.count() == 0
    # any community of the district will do, in another street too
    assert (await register(world.http, code, phone="13612345672", area_code="C21")).status_code == 200
    row = await Volunteer.select(Volunteer.area.code).where(Volunteer.phone == "13612345672").first()
    assert row == {"area.code": "C21"}


async def test_no_public_answer_names_the_volunteer(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row(name="张三丰")
    answers: list[httpx.Response] = []
    same = nonce()
    answers.append(await scan(world, code, volunteer["phone"], with_nonce=same))
    answers.append(await scan(world, code, volunteer["phone"], with_nonce=same))  # replayed
    answers.append(await scan(world, code, volunteer["phone"]))  # already_checked_in
    frozen.set(START + timedelta(hours=1))
    answers.append(await scan(world, code, volunteer["phone"], "out"))
    answers.append(await scan(world, code, volunteer["phone"], "out"))  # not_checked_in
    answers.append(await register(world.http, code, phone="13612345673", name="王小明"))
    answers.append(await register(world.http, code, phone=volunteer["phone"], name="王小明"))
    assert [a.status_code for a in answers] == [200, 200, 409, 200, 409, 200, 200]
    for answer in answers:
        if answer.status_code == 200:
            assert set(answer.json()) <= PUBLIC_KEYS, answer.text
        for secret in ("张", "王", volunteer["volunteer_no"], "ZY", "读书分享会", '"volunteer_', "activity"):
            assert secret not in answer.text, (secret, answer.text)
    assert answers[1].json()["replayed"] is True
    assert {"minutes", "hours"} <= set(answers[3].json())
    # the pages likewise: the activity's title (known from the code), nothing about the person
    page = await world.http.get(f"/c/{code}")
    assert "读书分享会" in page.text
    frozen.set(START + timedelta(hours=1, minutes=5))
    for action in ("in", "out"):
        form = {"phone": volunteer["phone"], "nonce": nonce(), "action": action}
        shown = await world.http.post(f"/c/{code}", data=form)
        assert shown.status_code in (200, 409)
        for secret in ("张", volunteer["volunteer_no"], "志愿者编号"):
            assert secret not in shown.text, (secret, shown.text)


# ---- item 4: junk cannot close check-in for others, nor fill the database ------------------------------------


async def test_junk_from_many_addresses_does_not_turn_away_a_volunteer(app: Any, world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    arriving, registered = await volunteer_row(), await volunteer_row()
    per_client = app.state.scan_limits.clients.limit
    attackers = [f"10.0.{i}.1" for i in range(41)]
    for host in attackers:  # each address sends more than its own budget: 41 × (budget + 5) junk scans
        async with from_address(app, host) as http:
            for _ in range(per_client + 5):
                junk = await http.post(f"/api/v1/checkin/{code}", json={"phone": junk_phone(), "nonce": nonce()})
                assert junk.status_code in (404, 429)
            assert junk.status_code == 429  # the address itself is held back
    async with from_address(app, "192.0.2.7") as http:
        fine = await http.post(f"/api/v1/checkin/{code}", json={"phone": arriving["phone"], "nonce": nonce()})
    assert fine.status_code == 200, fine.text
    # a spent address is refused whatever it sends: a registered phone answered otherwise than a made-up
    # one would tell the sender, for free, which numbers are registered
    async with from_address(app, attackers[0]) as http:
        answers = [
            await http.post(f"/api/v1/checkin/{code}", json={"phone": phone, "nonce": nonce(), "action": "out"})
            for phone in (registered["phone"], junk_phone())
        ]
    assert [a.status_code for a in answers] == [429, 429]
    assert answers[0].json() | {"at": None} == answers[1].json() | {"at": None}


async def test_a_flood_of_refused_scans_adds_a_bounded_number_of_rows(app: Any, world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    per_client = app.state.scan_limits.clients.limit
    addresses, flood = 4, 2400
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(from_address(app, f"10.9.{i}.1")) for i in range(addresses)]
        for n in range(flood):
            target = code if n % 3 else f"zz{n:014d}"  # junk phones, and made-up codes too
            body = {"phone": junk_phone(), "nonce": nonce()}
            assert (await clients[n % addresses].post(f"/api/v1/checkin/{target}", json=body)).status_code in (404, 429)
    scans, tallies = await Scan.count(), await ScanRefusalTally.count()
    # the first refusals of each address in a minute are logged one by one, the rest counted per (code, address)
    assert scans <= addresses * per_client, scans
    assert tallies <= addresses * 2, tallies  # the live code and "no such code", per address (one minute)
    counted = await ScanRefusalTally.select(ScanRefusalTally.attempts, ScanRefusalTally.result)
    assert {t["result"] for t in counted} == {"rate_limited"}
    assert scans + sum(t["attempts"] for t in counted) == flood  # every refusal is still on record


async def test_one_phone_cannot_be_hammered_nor_kept_out_by_others(app: Any, world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    per_phone = app.state.scan_limits.phones.limit
    answers = []
    async with from_address(app, "10.7.0.1") as http:
        for n in range(per_phone + 3):  # in and out, again and again, from one place
            body = {"phone": volunteer["phone"], "nonce": nonce(), "action": "in" if n % 2 == 0 else "out"}
            answers.append((await http.post(f"/api/v1/checkin/{code}", json=body)).status_code)
    assert answers[-3:] == [429, 429, 429] and 429 not in answers[:per_phone]
    assert await Scan.count() == per_phone
    # the owner, from their own phone's address, is not held back by what another address did with the number
    async with from_address(app, "192.0.2.44") as http:
        own = await http.post(f"/api/v1/checkin/{code}", json={"phone": volunteer["phone"], "nonce": nonce()})
    assert own.status_code in (200, 409), own.text  # 409: already checked in (by the hammering), not 429
    # another volunteer at the same activity is not affected
    other = await volunteer_row()
    assert (await scan(world, code, other["phone"])).status_code == 200


# ---- item 10: a nonce is bound to its code, phone and action ----------------------------------------------------


async def test_a_reused_nonce_never_returns_someone_elses_answer(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    other_code = await issue_code(world, await add_activity_row())
    owner, stranger = await volunteer_row(), await volunteer_row()
    shared = nonce()
    first = await scan(world, code, owner["phone"], with_nonce=shared)
    assert first.status_code == 200
    frozen.set(START + timedelta(minutes=30))
    reuses = [
        (code, stranger["phone"], "in"),  # another volunteer
        (code, "13799999999", "in"),  # an unknown phone
        (code, owner["phone"], "out"),  # another action
        (other_code, owner["phone"], "in"),  # another activity
    ]
    for target, phone, action in reuses:
        refused = await scan(world, target, phone, action, with_nonce=shared)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "nonce_reused" and "replayed" not in refused.json()
    reused_for_registration = await register(world.http, code, phone="13612345674", nonce=shared)
    assert reused_for_registration.status_code == 409 and reused_for_registration.json()["code"] == "nonce_reused"
    # nobody was checked in or out, nobody registered; each refusal is logged
    assert await records_of(stranger["id"]) == 0
    inside = await ServiceRecord.select(ServiceRecord.inside_since).where(ServiceRecord.volunteer == owner["id"])
    assert inside == [{"inside_since": START}]
    assert await Volunteer.count() == 2
    assert await Scan.count().where(Scan.result == "nonce_reused") == len(reuses) + 1
    # the same code, phone and action still get their own first answer back
    again = await scan(world, code, owner["phone"], with_nonce=shared)
    assert again.status_code == 200 and again.json()["replayed"] is True and again.json()["at"] == first.json()["at"]
