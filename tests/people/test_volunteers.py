"""Registering, reading, changing and finding volunteers."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.conftest import World
from tests.factories import (
    VOLUNTEERS_URL,
    id_number_ending_in_x,
    make_id_number,
    register,
    volunteer_body,
    volunteer_count,
)
from volunteers import db
from volunteers.fields import today
from volunteers.people import find_by_phone, register_volunteer
from volunteers.people.identity import decrypt_id_number, id_number_hash
from volunteers.people.schemas import VolunteerIn


async def test_register_with_id_number_fills_birth_and_gender(world: World) -> None:
    number = make_id_number(date(1990, 3, 7), male=False)
    response = await world.post(
        "staff_c11", VOLUNTEERS_URL, volunteer_body(phone="+86 138-0013-8000", id_number=number)
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert re.fullmatch(r"ZY\d{10}", created["volunteer_no"])
    assert created == {
        "id": created["id"],
        "volunteer_no": created["volunteer_no"],
        "name": "张三",
        "phone": "13800138000",
        "has_id_number": True,
        "gender": "female",
        "birth_date": "1990-03-07",
        "age_band": "35–59岁" if today() >= date(2025, 3, 7) else "18–34岁",
        "area_code": "C11",
        "registered_on": today().isoformat(),
        "status": "active",
        "suspended_on": None,
        "withdrawn_on": None,
        "consent_on": today().isoformat(),
        "guardian": None,
        "self_registered": False,
    }
    shown = await world.get("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}")
    assert shown.status_code == 200 and shown.json() == created


async def test_volunteer_numbers_are_unique_and_increasing(world: World) -> None:
    first = await register(world, phone="13800138001")
    second = await register(world, phone="13800138002")
    assert int(second["volunteer_no"][2:]) > int(first["volunteer_no"][2:])


async def test_registration_without_id_number_and_with_dates(world: World) -> None:
    created = await register(
        world, gender="male", birth_date="1980-01-02", registered_on="2024-05-01", consent_on="2024-04-30"
    )
    assert (created["has_id_number"], created["gender"], created["birth_date"]) == (False, "male", "1980-01-02")
    assert (created["registered_on"], created["consent_on"]) == ("2024-05-01", "2024-04-30")


async def test_registration_is_audited(world: World) -> None:
    created = await register(world, id_number=make_id_number())
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "volunteer"})).json()
    [entry] = trail["items"]
    assert (entry["action"], entry["entity_id"], entry["username"]) == ("create", str(created["id"]), "staff_c11")
    assert entry["after"]["volunteer_no"] == created["volunteer_no"]
    assert entry["after"]["has_id_number"] is True and "id_number" not in entry["after"]  # not even masked


async def test_id_number_is_encrypted_at_rest(world: World) -> None:
    number = id_number_ending_in_x()
    created = await register(world, id_number=number.lower())
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT id_number_cipher, id_number_hash FROM volunteer WHERE id = $1", created["id"])
    cipher = bytes(row["id_number_cipher"])
    assert number.encode() not in cipher and number.lower().encode() not in cipher
    assert decrypt_id_number(cipher) == number
    assert row["id_number_hash"] == id_number_hash(number)
    # no masked form either (beside the stored birth date it would be the number in clear): no column holds any of it
    async with db.connection() as conn:
        whole_row = str(await conn.fetchrow("SELECT * FROM volunteer WHERE id = $1", created["id"]))
    assert number not in whole_row and number[-4:] not in whole_row


async def test_minor_with_guardian_is_registered(world: World) -> None:
    born = today().replace(year=today().year - 12) - timedelta(days=3)
    guardian = {"name": "张父", "phone": "139 0013 9000", "consent_on": today().isoformat()}
    created = await register(world, id_number=make_id_number(born), guardian=guardian)
    assert created["guardian"] == {"name": "张父", "phone": "13900139000", "consent_on": today().isoformat()}


async def test_patch_changes_only_what_is_sent_and_is_audited(world: World) -> None:
    created = await register(world, gender="male", birth_date="1980-01-02")
    response = await world.patch(
        "staff_c11",
        f"{VOLUNTEERS_URL}/{created['id']}",
        {"name": "张三丰", "phone": "8613900139000", "area_code": "C11"},
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["name"], changed["phone"], changed["birth_date"]) == ("张三丰", "13900139000", "1980-01-02")
    assert changed["volunteer_no"] == created["volunteer_no"]
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "volunteer"})).json()
    assert trail["items"][0]["action"] == "update"
    assert trail["items"][0]["before"]["name"] == "张三" and trail["items"][0]["after"]["name"] == "张三丰"


async def test_patch_adding_an_id_number_replaces_birth_and_gender(world: World) -> None:
    created = await register(world, gender="male", birth_date="1980-01-02")
    number = make_id_number(date(1985, 6, 1), male=False)
    response = await world.patch("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}", {"id_number": number})
    assert response.status_code == 200, response.text
    assert response.json()["gender"] == "female" and response.json()["birth_date"] == "1985-06-01"
    assert response.json()["has_id_number"] is True
    # with the ID unchanged, a different birth date is refused
    mismatch = await world.patch("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}", {"birth_date": "1985-06-02"})
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "birth_date_mismatch"
    # and it can be removed again
    cleared = await world.patch("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}", {"id_number": None})
    assert cleared.status_code == 200 and cleared.json()["has_id_number"] is False
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT id_number_cipher, id_number_hash FROM volunteer WHERE id = $1", created["id"])
    assert (row["id_number_cipher"], row["id_number_hash"]) == (None, None)


async def test_patch_moves_between_writable_areas(world: World) -> None:
    created = await register(world)
    moved = await world.patch("staff_s1", f"{VOLUNTEERS_URL}/{created['id']}", {"area_code": "C12"})
    assert moved.status_code == 200 and moved.json()["area_code"] == "C12"
    # C12 is no longer staff_c11's, so it reads as absent to them
    assert (await world.get("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}")).status_code == 404


async def test_patch_duplicate_phone_is_409(world: World) -> None:
    await register(world, phone="13800138001")
    other = await register(world, phone="13800138002")
    response = await world.patch("staff_c11", f"{VOLUNTEERS_URL}/{other['id']}", {"phone": "13800138001"})
    assert response.status_code == 409 and response.json()["code"] == "duplicate_phone"
    assert response.json()["field"] == "phone"


async def test_patch_validation_matches_create(world: World) -> None:
    created = await register(world)
    url = f"{VOLUNTEERS_URL}/{created['id']}"
    assert (await world.patch("staff_c11", url, {"phone": "12345"})).json()["code"] == "invalid_phone"
    bad_id = await world.patch("staff_c11", url, {"id_number": "123456789012345678"})
    assert bad_id.status_code == 422 and bad_id.json()["code"] == "invalid_id_number"
    minor = today().replace(year=today().year - 10)
    young = await world.patch("staff_c11", url, {"birth_date": minor.isoformat()})
    assert young.status_code == 422 and young.json()["code"] == "guardian_required"
    unknown = await world.patch("staff_c11", url, {"area_code": "NOPE"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_area"
    assert (await world.get("staff_c11", url)).json() == created


async def test_patch_unknown_id_is_404(world: World) -> None:
    assert (await world.patch("staff_c11", f"{VOLUNTEERS_URL}/4242", {"name": "x"})).status_code == 404


async def test_list_is_paged(world: World) -> None:
    for n in range(3):
        await register(world, phone=f"1380013800{n}", name=f"志愿者{n}")
    page = (await world.get("staff_c11", VOLUNTEERS_URL, params={"limit": 2, "offset": 1})).json()
    assert page["total"] == 3 and [v["name"] for v in page["items"]] == ["志愿者1", "志愿者2"]


async def test_list_filters_by_area_subtree_and_status(world: World) -> None:
    in_c11 = await register(world, phone="13800138001")
    in_c12 = await register(world, "staff_c12", phone="13800138002", area_code="C12")
    in_c21 = await register(world, "staff_c21", phone="13800138003", area_code="C21")
    s1 = (await world.get("root", VOLUNTEERS_URL, params={"area": "S1"})).json()
    assert {v["id"] for v in s1["items"]} == {in_c11["id"], in_c12["id"]} and s1["total"] == 2
    c21 = (await world.get("root", VOLUNTEERS_URL, params={"area": "C21"})).json()
    assert [v["id"] for v in c21["items"]] == [in_c21["id"]]
    assert (await world.get("root", VOLUNTEERS_URL, params={"area": "NOPE"})).json() == {"items": [], "total": 0}
    await world.post("staff_c11", f"{VOLUNTEERS_URL}/{in_c11['id']}/suspend", {"on": today().isoformat()})
    suspended = (await world.get("root", VOLUNTEERS_URL, params={"status": "suspended"})).json()
    assert [v["id"] for v in suspended["items"]] == [in_c11["id"]]


async def test_search_by_name_phone_number_and_id_number(world: World) -> None:
    number = id_number_ending_in_x()
    zhang = await register(world, name="张三", phone="13800138000", id_number=number)
    li = await register(world, name="李四", phone="13912345678")
    percent = await register(world, name="百分%号", phone="13700137000")

    async def found(q: str) -> list[int]:
        page = (await world.get("staff_c11", VOLUNTEERS_URL, params={"q": q})).json()
        return [v["id"] for v in page["items"]]

    assert await found("三") == [zhang["id"]]
    assert await found("%") == [percent["id"]]  # % is a literal, not a wildcard
    assert await found("_") == []
    assert await found("139123") == [li["id"]]  # phone prefix
    assert await found("139-1234-5678") == [li["id"]]
    assert await found("+86 13912345678") == [li["id"]]
    assert await found(zhang["volunteer_no"]) == [zhang["id"]]
    assert await found(zhang["volunteer_no"].lower()) == [zhang["id"]]
    assert await found(number) == [zhang["id"]]
    assert await found(number.lower()) == [zhang["id"]]
    assert await found(number[:17] + "0") == []
    assert await found(number[:6] + "********" + number[-4:]) == []  # the masked form finds nothing
    assert await found("  ") == [zhang["id"], li["id"], percent["id"]]


async def test_self_registration_and_lookup_by_phone(world: World) -> None:
    out = await register_volunteer(
        None, VolunteerIn(name="自助", phone="13700137000", area_code="C21"), self_registered=True
    )
    assert out.self_registered and out.phone == "13700137000" and out.area_code == "C21"
    found = await find_by_phone("137-0013-7000")
    assert found is not None and found["id"] == out.id and found["volunteer_no"] == out.volunteer_no
    assert found["area_code"] == "C21" and "id_number_cipher" not in found
    assert await find_by_phone("13700137001") is None
    assert await find_by_phone("not a phone") is None
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "volunteer"})).json()
    assert trail["items"][0]["username"] == "system"
    assert await volunteer_count() == 1
