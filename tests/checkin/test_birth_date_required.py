"""Self-registration needs a birth date: the guardian rule for minors turns on it, so leaving it empty must not
be a way around the rule (issue 12). The API and the check-in page alike refuse it, in Chinese, writing nothing."""

from __future__ import annotations

from tests.checkin.conftest import Clock, issue_code, nonce
from tests.conftest import World
from tests.factories import add_activity_row
from volunteers.checkin.tables import Scan
from volunteers.people.tables import Volunteer

A_MINOR = {"name": "小明", "phone": "13612345679", "area_code": "C11", "consent": True}


async def test_the_api_refuses_a_registration_without_a_birth_date(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    for body in ({**A_MINOR, "nonce": nonce()}, {**A_MINOR, "birth_date": None, "nonce": nonce()}):
        refused = await world.http.post(f"/api/v1/checkin/{code}/register", json=body)
        assert refused.status_code == 400, refused.text
        errors = refused.json()["errors"]
        assert [e["field"] for e in errors] == ["birth_date"] and "出生日期" in errors[0]["message"]
    assert await Volunteer.count() == 0 and await Scan.count() == 0
    minor = await world.http.post(
        f"/api/v1/checkin/{code}/register", json={**A_MINOR, "birth_date": "2015-01-01", "nonce": nonce()}
    )
    assert minor.status_code == 422 and minor.json()["code"] == "guardian_required"
    adult = await world.http.post(
        f"/api/v1/checkin/{code}/register", json={**A_MINOR, "birth_date": "1990-01-01", "nonce": nonce()}
    )
    assert adult.status_code == 200 and adult.json()["result"] == "ok"
    assert await Volunteer.count() == 1


async def test_the_page_asks_for_the_birth_date_and_keeps_what_was_typed(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    offered = await world.http.post(f"/c/{code}", data={"phone": "13612345679", "nonce": nonce(), "action": "in"})
    assert 'name="birth_date" type="date" value="" required' in offered.text
    scans = await Scan.count()  # the attempt that found the phone unknown
    form = {**A_MINOR, "consent": "yes", "nonce": nonce(), "birth_date": ""}
    refused = await world.http.post(f"/c/{code}/register", data=form)
    assert refused.status_code == 422 and "出生日期" in refused.text
    assert 'value="小明"' in refused.text  # the name typed is still there
    assert await Volunteer.count() == 0 and await Scan.count() == scans


async def test_the_api_documents_the_birth_date_as_required(world: World) -> None:
    schema = (await world.http.get("/schema/openapi.json")).json()
    assert "birth_date" in schema["components"]["schemas"]["RegisterIn"]["required"]
