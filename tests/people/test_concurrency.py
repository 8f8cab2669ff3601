"""Simultaneous registrations of one phone: the unique constraint decides, and says so kindly."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import World
from tests.factories import VOLUNTEERS_URL, make_id_number, volunteer_body, volunteer_count


async def test_twenty_simultaneous_registrations_of_one_phone(world: World) -> None:
    await world.login("staff_c11")
    responses = await asyncio.gather(
        *(world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(name=f"并发{n}")) for n in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, [r.text for r in responses if r.status_code not in (201, 409)]
    for response in responses:
        if response.status_code == 409:
            assert (response.json()["code"], response.json()["field"]) == ("duplicate_phone", "phone")
    assert await volunteer_count() == 1
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "volunteer"})).json()
    assert trail["total"] == 1


async def test_the_constraints_answer_when_the_friendly_check_is_passed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A race the pre-check cannot see ends in the unique constraint, mapped to the same 409s."""
    from volunteers.people import service

    async def no_check(*_: object, **__: object) -> None:
        return None

    monkeypatch.setattr(service, "_refuse_duplicates", no_check)
    number = make_id_number()
    first = await world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(id_number=number))
    assert first.status_code == 201
    phone = await world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(name="同号"))
    assert phone.status_code == 409
    assert (phone.json()["code"], phone.json()["field"]) == ("duplicate_phone", "phone")
    same_id = await world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(phone="13900139000", id_number=number))
    assert same_id.status_code == 409
    assert (same_id.json()["code"], same_id.json()["field"]) == ("duplicate_id_number", "id_number")
    second = await world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(phone="13900139000"))
    clash = await world.patch("staff_c11", f"{VOLUNTEERS_URL}/{second.json()['id']}", {"phone": "13800138000"})
    assert clash.status_code == 409 and clash.json()["code"] == "duplicate_phone"
    assert await volunteer_count() == 2
