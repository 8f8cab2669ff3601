"""What each role can read of a volunteer's ID number, birth date and phone, answers and searches together."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import pytest

from tests.conftest import World
from tests.factories import VOLUNTEERS_URL, make_id_number, register, volunteer_body, volunteer_count
from volunteers import db
from volunteers.access import age_band
from volunteers.fields import today
from volunteers.people import search
from volunteers.people.identity import id_number_hash

BORN = date(1990, 3, 7)
# Area 430421 and sequence 75x appear nowhere else in these answers (phones are 138…/139…, numbers ZY…).
NUMBER = make_id_number(BORN, n=377)


def id_fragments(number: str) -> list[str]:
    """Any of these in an answer would narrow the number below what birth date and gender leave."""
    return [number[:6], number[-4:], number[:6] + "*", "*" + number[-4:]]


async def lookups(action: str | None = None) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT username, action, entity_id, after FROM audit_entry WHERE action LIKE 'lookup_%' ORDER BY id"
        )
    return [dict(r) for r in rows if action is None or r["action"] == action]


def test_age_bands_follow_the_minor_youth_and_elderly_edges() -> None:
    on = date(2026, 6, 1)

    def band(years: int, days: int = 0) -> str | None:
        return age_band(date(on.year - years, on.month, on.day + days), on)

    assert [band(13), band(14, 1), band(14), band(17)] == ["未满14岁", "未满14岁", "14–17岁", "14–17岁"]
    assert [band(18, 1), band(18), band(34), band(35)] == ["14–17岁", "18–34岁", "18–34岁", "35–59岁"]
    assert [band(59), band(60, 1), band(60), band(101)] == ["35–59岁", "35–59岁", "60岁及以上", "60岁及以上"]
    assert age_band(None, on) is None


async def test_no_role_reads_an_id_digit_and_officials_read_an_age_band_not_a_birth_date(world: World) -> None:
    mine = await register(world, phone="13800138000", id_number=NUMBER)
    url = f"{VOLUNTEERS_URL}/{mine['id']}"
    await world.patch("staff_c11", url, {"name": "张三三"})
    await world.post("staff_c11", f"{url}/suspend", {"on": today().isoformat()})
    band = age_band(BORN)
    assert band in ("18–34岁", "35–59岁")

    for user in ("staff_c11", "admin_s1", "root", "official_s1", "official_d1"):
        shown = (await world.get(user, url)).json()
        listed = (await world.get(user, VOLUNTEERS_URL)).json()["items"]
        assert listed == [shown]
        assert shown["has_id_number"] is True and "id_number" not in shown
        assert (shown["gender"], shown["age_band"]) == ("male", band)
        official = user.startswith("official")
        assert shown["birth_date"] == (None if official else BORN.isoformat())
        text = json.dumps(shown, ensure_ascii=False)
        assert not [f for f in id_fragments(NUMBER) if f in text], (user, text)
        if official:
            assert BORN.isoformat() not in text and f"{BORN:%Y%m%d}" not in text
    # the audit trail keeps what staff see: no ID digits either
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "volunteer"})).text
    assert not [f for f in id_fragments(NUMBER) if f in trail]


async def test_officials_find_a_phone_only_by_the_whole_number(world: World) -> None:
    li = await register(world, name="李四", phone="13912345678")
    for length in range(3, 11):
        prefix = "13912345678"[:length]
        page = (await world.get("official_s1", VOLUNTEERS_URL, params={"q": prefix})).json()
        assert page == {"items": [], "total": 0}, prefix
        exported = await world.get("official_s1", "/api/v1/exports/volunteers", params={"q": prefix, "format": "csv"})
        assert "李四" not in exported.content.decode("utf-8-sig"), prefix
    for whole in ("13912345678", "139-1234-5678", "+86 139 1234 5678"):
        page = (await world.get("official_d1", VOLUNTEERS_URL, params={"q": whole})).json()
        assert [v["id"] for v in page["items"]] == [li["id"]] and page["items"][0]["phone"] == "139****5678"
    # staff, who see the whole number anyway, still find it by its first digits
    assert (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": "139123"})).json()["total"] == 1
    # an official's whole-number search is a lookup: audited, no number kept
    entries = await lookups("lookup_phone")
    assert [e["username"] for e in entries] == ["official_d1"] * 3  # prefixes look nothing up: they find nothing
    assert all("13912345678" not in str(e) for e in entries)
    assert json.loads(entries[-1]["after"]) == {"found": [li["id"]]}


async def test_exact_id_search_is_for_staff_audited_and_not_for_officials(world: World) -> None:
    mine = await register(world, phone="13800138000", id_number=NUMBER)
    for user in ("official_s1", "official_d1"):
        assert (await world.get(user, VOLUNTEERS_URL, params={"q": NUMBER})).json()["total"] == 0
        assert (await world.get(user, VOLUNTEERS_URL, params={"q": NUMBER.lower()})).json()["total"] == 0
    assert await lookups() == []  # nothing was looked up
    found = (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": NUMBER})).json()
    assert [v["id"] for v in found["items"]] == [mine["id"]]
    [entry] = await lookups()
    assert (entry["username"], entry["action"], entry["entity_id"]) == (
        "staff_c11",
        "lookup_id_number",
        str(mine["id"]),
    )
    assert json.loads(entry["after"]) == {"id_number_hash": id_number_hash(NUMBER), "found": [mine["id"]]}
    assert not [f for f in id_fragments(NUMBER) if f in entry["after"]]
    # a miss is audited too (that is what guessing looks like); a term that is no valid ID number is not a lookup
    other = make_id_number(BORN, n=378)
    assert (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": other})).json()["total"] == 0
    assert (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": "123456789012345678"})).json()["total"] == 0
    assert [(e["entity_id"], json.loads(e["after"])["found"]) for e in await lookups()][1:] == [("-", [])]
    # admins see the lookups in the trail of their area
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "volunteer"})).json()["items"]
    assert [e["action"] for e in trail[:2]] == ["lookup_id_number", "lookup_id_number"]


async def test_lookups_are_limited_per_user_and_hour(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "LOOKUPS_PER_HOUR", 3)
    mine = await register(world, name="张三", phone="13800138000", id_number=NUMBER)
    guesses = [make_id_number(BORN, n=n) for n in range(300, 305)]
    for guess in guesses[:3]:
        assert (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": guess})).status_code == 200
    refused = await world.get("staff_c11", VOLUNTEERS_URL, params={"q": NUMBER})
    assert refused.status_code == 429
    assert (refused.json()["code"], refused.json()["field"]) == ("too_many_lookups", "q")
    export = await world.get("staff_c11", "/api/v1/exports/volunteers", params={"q": NUMBER})
    assert export.status_code == 429
    assert len(await lookups()) == 3  # refused lookups leave no entry and look nothing up
    # names and volunteer numbers stay searchable; other users have their own budget
    assert (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": "张三"})).json()["total"] == 1
    assert (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": mine["volunteer_no"]})).json()["total"] == 1
    assert (await world.get("staff_s1", VOLUNTEERS_URL, params={"q": NUMBER})).json()["total"] == 1
    # officials' whole-phone lookups are counted the same way
    for _ in range(3):
        assert (await world.get("official_s1", VOLUNTEERS_URL, params={"q": "13800138000"})).status_code == 200
    assert (await world.get("official_s1", VOLUNTEERS_URL, params={"q": "13800138000"})).status_code == 429
    # an hour later the budget is back
    async with db.connection() as conn:
        await conn.execute("UPDATE audit_entry SET at = at - interval '61 minutes' WHERE username = 'staff_c11'")
    assert (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": NUMBER})).json()["total"] == 1


async def on_file(world: World, count: int, *, user: str = "staff_c21", area_code: str = "C21") -> list[dict[str, Any]]:
    """`count` volunteers with ID numbers, registered by someone else, elsewhere."""
    made = []
    for n in range(count):
        number = make_id_number(date(1985, 1, 1), n=n + 1)
        created = await register(world, user, phone=f"139{n:08d}", area_code=area_code, id_number=number)
        made.append({**created, "number": number})
    return made


async def test_a_duplicate_id_number_answer_is_a_counted_lookup(world: World) -> None:
    """Refusing an ID number as already registered confirms it: audited, counted, and 429 past the budget."""
    others = await on_file(world, search.LOOKUPS_PER_HOUR + 1)
    for n, other in enumerate(others[: search.LOOKUPS_PER_HOUR]):
        refused = await world.post(
            "staff_c11", VOLUNTEERS_URL, {**volunteer_body(phone=f"138{n:08d}"), "id_number": other["number"]}
        )
        assert refused.status_code == 409, refused.text
        assert (refused.json()["code"], refused.json()["field"]) == ("duplicate_id_number", "id_number")
    entries = await lookups()
    assert [(e["username"], e["action"]) for e in entries] == [("staff_c11", "lookup_id_number")] * 20
    assert [json.loads(e["after"]) for e in entries] == [
        {"id_number_hash": id_number_hash(o["number"]), "found": [o["id"]]} for o in others[:20]
    ]
    assert not [f for e in entries for f in id_fragments(others[0]["number"]) if f in str(e)]
    last = await world.post(
        "staff_c11", VOLUNTEERS_URL, {**volunteer_body(phone="13700000000"), "id_number": others[20]["number"]}
    )
    assert last.status_code == 429
    assert (last.json()["code"], last.json()["field"]) == ("too_many_lookups", "id_number")
    # past the budget an ID number not on file is refused alike (a 201 beside the 429 would answer), and nothing
    # is written; a registration without one, and other users, go on
    fresh = await world.post("staff_c11", VOLUNTEERS_URL, {**volunteer_body(phone="13700000001"), "id_number": NUMBER})
    assert fresh.status_code == 429 and fresh.json()["code"] == "too_many_lookups"
    assert await volunteer_count() == 21
    assert (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": NUMBER})).status_code == 429
    assert (await world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(phone="13700000002"))).status_code == 201
    assert (
        await world.post("staff_s1", VOLUNTEERS_URL, {**volunteer_body(phone="13700000003"), "id_number": NUMBER})
    ).status_code == 201
    assert len(await lookups()) == 20


async def test_a_change_to_another_volunteers_id_number_is_a_lookup_but_ones_own_is_not(world: World) -> None:
    [other] = await on_file(world, 1)
    mine = await register(world, phone="13800138000", id_number=NUMBER)
    url = f"{VOLUNTEERS_URL}/{mine['id']}"
    assert (await world.patch("staff_c11", url, {"id_number": NUMBER, "name": "张三三"})).status_code == 200
    assert await lookups() == []
    clash = await world.patch("staff_c11", url, {"id_number": other["number"]})
    assert (clash.status_code, clash.json()["code"]) == (409, "duplicate_id_number")
    [entry] = await lookups()
    assert (entry["username"], json.loads(entry["after"])) == (
        "staff_c11",
        {"id_number_hash": id_number_hash(other["number"]), "found": [other["id"]]},
    )


async def test_a_duplicate_id_number_found_by_the_constraint_is_counted_too(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A race the friendly check cannot see ends in the unique constraint: the same 409, the same lookup."""
    from volunteers.people import service

    async def no_check(*_: object, **__: object) -> None:
        return None

    [other] = await on_file(world, 1)
    monkeypatch.setattr(service, "_refuse_duplicates", no_check)
    clash = await world.post("staff_c11", VOLUNTEERS_URL, {**volunteer_body(), "id_number": other["number"]})
    assert (clash.status_code, clash.json()["code"]) == (409, "duplicate_id_number")
    [entry] = await lookups()
    assert json.loads(entry["after"]) == {"id_number_hash": id_number_hash(other["number"]), "found": [other["id"]]}
    assert await volunteer_count() == 1


async def test_simultaneous_duplicate_answers_cannot_overspend_the_budget(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "LOOKUPS_PER_HOUR", 3)
    others = await on_file(world, 10)
    await world.login("staff_c11")
    answers = await asyncio.gather(
        *(
            world.post(
                "staff_c11", VOLUNTEERS_URL, {**volunteer_body(phone=f"138{n:08d}"), "id_number": other["number"]}
            )
            for n, other in enumerate(others)
        )
    )
    codes = sorted((r.status_code, r.json()["code"]) for r in answers)
    assert codes == [(409, "duplicate_id_number")] * 3 + [(429, "too_many_lookups")] * 7
    assert len(await lookups()) == 3
