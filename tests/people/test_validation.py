"""Each registration rule refuses with a 422 (or 409) that names the field and a stable code."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import World
from tests.factories import (
    VOLUNTEERS_URL,
    check_digit,
    id_number_ending_in_x,
    make_id_number,
    register,
    volunteer_body,
    volunteer_count,
    with_wrong_check_digit,
)
from volunteers.fields import today


def years_ago(years: int, days: int = 0) -> date:
    now = today()
    return now.replace(year=now.year - years) - timedelta(days=days)


async def refused(world: World, status: int = 422, **overrides: Any) -> dict[str, Any]:
    response = await world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(**overrides))
    assert response.status_code == status, response.text
    assert await volunteer_count() == 0
    problem: dict[str, Any] = response.json()
    assert problem["detail"]
    return problem


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "138001380000", "021-87654321", "+1 4155550100"])
async def test_invalid_phone(world: World, phone: str) -> None:
    problem = await refused(world, phone=phone)
    assert (problem["code"], problem["field"]) == ("invalid_phone", "phone")
    assert "手机号" in problem["detail"]


async def test_id_number_with_bad_check_digit(world: World) -> None:
    problem = await refused(world, id_number=with_wrong_check_digit(make_id_number()))
    assert (problem["code"], problem["field"]) == ("invalid_id_number", "id_number")
    assert "校验位" in problem["detail"]


async def test_id_number_with_impossible_date(world: World) -> None:
    body_digits = "430421" + "19900231" + "123"
    problem = await refused(world, id_number=body_digits + check_digit(body_digits))
    assert problem["code"] == "invalid_id_number" and "日期" in problem["detail"]


async def test_id_number_born_in_the_future(world: World) -> None:
    problem = await refused(world, id_number=make_id_number(today() + timedelta(days=30)))
    assert problem["code"] == "invalid_id_number"


async def test_id_number_of_wrong_length(world: World) -> None:
    problem = await refused(world, id_number="43042119900307123")
    assert problem["code"] == "invalid_id_number" and "18" in problem["detail"]


async def test_lowercase_x_is_accepted(world: World) -> None:
    number = id_number_ending_in_x()
    created = await register(world, id_number=number.lower())
    assert created["has_id_number"] is True
    found = await world.get("staff_c11", VOLUNTEERS_URL, params={"q": number})
    assert [v["id"] for v in found.json()["items"]] == [created["id"]]  # stored upper-case, found by either


async def test_birth_date_must_match_id_number(world: World) -> None:
    problem = await refused(world, id_number=make_id_number(date(1990, 3, 7)), birth_date="1990-03-08")
    assert (problem["code"], problem["field"]) == ("birth_date_mismatch", "birth_date")


async def test_gender_must_match_id_number(world: World) -> None:
    problem = await refused(world, id_number=make_id_number(male=True), gender="female")
    assert (problem["code"], problem["field"]) == ("gender_mismatch", "gender")


async def test_matching_birth_date_and_gender_are_accepted(world: World) -> None:
    created = await register(world, id_number=make_id_number(date(1990, 3, 7)), birth_date="1990-03-07", gender="male")
    assert created["gender"] == "male"


async def test_registered_on_in_the_future(world: World) -> None:
    problem = await refused(world, registered_on=(today() + timedelta(days=1)).isoformat())
    assert (problem["code"], problem["field"]) == ("date_in_future", "registered_on")


async def test_consent_on_in_the_future(world: World) -> None:
    problem = await refused(world, consent_on=(today() + timedelta(days=1)).isoformat())
    assert (problem["code"], problem["field"]) == ("date_in_future", "consent_on")


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"registered_on": "0001-01-01"}, "registered_on"),
        ({"registered_on": "1948-12-31"}, "registered_on"),
        ({"consent_on": "1900-01-01"}, "consent_on"),
    ],
)
async def test_dates_before_1949_are_refused(world: World, dates: dict[str, Any], field: str) -> None:
    problem = await refused(world, **dates)
    assert (problem["code"], problem["field"]) == ("date_too_early", field)
    assert "1949" in problem["detail"]


async def test_dates_from_1949_are_accepted(world: World) -> None:
    created = await register(world, birth_date="1930-05-01", registered_on="1949-01-01", consent_on="1949-01-01")
    assert (created["registered_on"], created["consent_on"]) == ("1949-01-01", "1949-01-01")


async def test_guardian_consent_dates_are_in_range(world: World) -> None:
    minor = make_id_number(years_ago(10))
    for consent_on, code in (
        ("0001-01-01", "date_too_early"),
        ((today() + timedelta(days=1)).isoformat(), "date_in_future"),
    ):
        guardian = {"name": "张父", "phone": "13900139000", "consent_on": consent_on}
        problem = await refused(world, id_number=minor, guardian=guardian)
        assert (problem["code"], problem["field"]) == (code, "guardian.consent_on")


async def test_birth_after_registration(world: World) -> None:
    problem = await refused(world, birth_date="2020-01-02", registered_on="2020-01-01")
    assert (problem["code"], problem["field"]) == ("born_after_registration", "birth_date")


@pytest.mark.parametrize("age", [5, 13, 14, 17])
async def test_minor_without_guardian(world: World, age: int) -> None:
    problem = await refused(world, id_number=make_id_number(years_ago(age)))
    assert (problem["code"], problem["field"]) == ("guardian_required", "guardian")
    assert "第三十一条" in problem["detail"] and "14" in problem["detail"]


async def test_age_is_taken_on_registered_on(world: World) -> None:
    # 18 today, but 17 on the (earlier) registration date
    born = years_ago(18, days=10)
    problem = await refused(
        world, id_number=make_id_number(born), registered_on=(today() - timedelta(days=30)).isoformat()
    )
    assert problem["code"] == "guardian_required"
    assert (await register(world, id_number=make_id_number(born)))["birth_date"] == born.isoformat()


async def test_guardian_needs_consent_and_a_valid_phone(world: World) -> None:
    minor = make_id_number(years_ago(10))
    no_consent = await refused(world, id_number=minor, guardian={"name": "张父", "phone": "13900139000"})
    assert no_consent["code"] == "guardian_required"
    bad_phone = await refused(
        world, id_number=minor, guardian={"name": "张父", "phone": "123", "consent_on": today().isoformat()}
    )
    assert (bad_phone["code"], bad_phone["field"]) == ("invalid_phone", "guardian.phone")


async def test_guardian_threshold_comes_from_settings(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from volunteers.settings import get_settings

    monkeypatch.setenv("VOLUNTEERS_GUARDIAN_UNDER", "14")
    get_settings.cache_clear()
    try:
        created = await register(world, id_number=make_id_number(years_ago(15)))
        assert created["guardian"] is None
        assert (
            await world.post(
                "staff_c11", VOLUNTEERS_URL, volunteer_body(phone="13800138009", birth_date=years_ago(13).isoformat())
            )
        ).json()["code"] == "guardian_required"
    finally:
        monkeypatch.delenv("VOLUNTEERS_GUARDIAN_UNDER")
        get_settings.cache_clear()


async def test_unknown_area(world: World) -> None:
    problem = await refused(world, area_code="C99")
    assert (problem["code"], problem["field"]) == ("unknown_area", "area_code")


async def test_area_outside_scope_is_403(world: World) -> None:
    problem = await refused(world, 403, area_code="C21")
    assert problem["code"] == "outside_scope"


async def test_duplicate_phone_is_409(world: World) -> None:
    await register(world)
    response = await world.post("staff_c11", VOLUNTEERS_URL, volunteer_body(name="另一人", phone="138-0013-8000"))
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("duplicate_phone", "phone")
    assert await volunteer_count() == 1


async def test_duplicate_id_number_is_409(world: World) -> None:
    number = id_number_ending_in_x()
    await register(world, id_number=number)
    response = await world.post(
        "staff_c21", VOLUNTEERS_URL, volunteer_body(phone="13900139000", area_code="C21", id_number=number.lower())
    )
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("duplicate_id_number", "id_number")
    assert await volunteer_count() == 1


@pytest.mark.parametrize("name", ["   ", "张\u0000三", "a\tb"])
async def test_blank_or_control_character_names(world: World, name: str) -> None:
    problem = await refused(world, name=name)
    assert (problem["code"], problem["field"]) == ("invalid_name", "name")


@pytest.mark.parametrize("hidden", ["\u200b", "\ufeff", "\u202e", "\u2066", "\u00ad"])
async def test_invisible_or_direction_changing_characters_in_names(world: World, hidden: str) -> None:
    for name in (f"张{hidden}三", hidden, f"{hidden}张三"):
        problem = await refused(world, name=name)
        assert (problem["code"], problem["field"]) == ("invisible_character", "name"), repr(name)
        assert f"U+{ord(hidden):04X}" in problem["detail"]
    guardian = {"name": f"张{hidden}父", "phone": "13900139000", "consent_on": today().isoformat()}
    problem = await refused(world, guardian=guardian)
    assert (problem["code"], problem["field"]) == ("invisible_character", "guardian.name")
    created = await register(world)
    changed = await world.patch("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}", {"name": f"李{hidden}四"})
    assert changed.status_code == 422 and changed.json()["code"] == "invisible_character"
    assert (await world.get("staff_c11", f"{VOLUNTEERS_URL}/{created['id']}")).json()["name"] == "张三"
