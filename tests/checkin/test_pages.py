"""The phone pages and the poster, over HTTP (the browser walk is in test_browser.py)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from tests.checkin.conftest import Clock, issue_code
from tests.conftest import World
from tests.factories import START, add_activity_row, volunteer_row
from volunteers.checkin.tables import Scan
from volunteers.people.tables import Volunteer


def hidden_nonce(html: str, action: str = "in") -> str:
    """The nonce of the page's form for `action` (the registration page has one form)."""
    forms = re.findall(r"<form.*?</form>", html, re.S)
    assert forms, html
    form = next((f for f in forms if f'value="{action}"' in f), forms[0])
    found = re.search(r'name="nonce" value="([^"]+)"', form)
    assert found, html
    return found.group(1)


async def test_form_embeds_a_fresh_nonce_and_no_external_assets(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    first = await world.http.get(f"/c/{code}")
    second = await world.http.get(f"/c/{code}")
    assert first.status_code == 200 and "读书分享会" in first.text and "3月5日 14:00–17:00" in first.text
    assert hidden_nonce(first.text) != hidden_nonce(second.text)
    assert "http://" not in first.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in first.text
    assert len(first.content) < 8000


async def test_form_post_checks_in_and_a_double_tap_changes_nothing(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    page = await world.http.get(f"/c/{code}")
    form = {"phone": volunteer["phone"], "nonce": hidden_nonce(page.text), "action": "in"}
    done = await world.http.post(f"/c/{code}", data=form)
    assert done.status_code == 200 and "签到成功" in done.text and "14:00 已签到" in done.text
    again = await world.http.post(f"/c/{code}", data=form)
    assert "签到成功" in again.text
    assert await Scan.count() == 1


async def test_unknown_phone_is_offered_registration(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    page = await world.http.get(f"/c/{code}")
    offered = await world.http.post(
        f"/c/{code}", data={"phone": "13612345678", "nonce": hidden_nonce(page.text), "action": "in"}
    )
    assert "第一次参加" in offered.text and "东街道 · 东一社区" in offered.text and "西街道 · 西一社区" in offered.text
    form = {
        "name": "李雷",
        "phone": "13612345678",
        "area_code": "C12",
        "birth_date": "1990-05-01",
        "consent": "yes",
        "nonce": hidden_nonce(offered.text),
    }
    done = await world.http.post(f"/c/{code}/register", data=form)
    assert "签到成功" in done.text and "李" not in done.text
    volunteer = await Volunteer.select().where(Volunteer.phone == "13612345678").first()
    assert volunteer is not None and volunteer["self_registered"] is True


async def test_registration_errors_are_shown_on_the_form(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    base = {"name": "小明", "phone": "13612345679", "area_code": "C11", "nonce": "abcdefgh12345", "consent": "yes"}
    minor = await world.http.post(f"/c/{code}/register", data={**base, "birth_date": "2015-01-01"})
    assert minor.status_code == 422 and "监护人" in minor.text
    no_consent = await world.http.post(f"/c/{code}/register", data={**base, "consent": "", "birth_date": "1990-01-01"})
    assert no_consent.status_code == 422 and "同意" in no_consent.text
    with_guardian = {**base, "birth_date": "2015-01-01", "guardian_name": "王芳", "guardian_phone": "13712345678"}
    done = await world.http.post(f"/c/{code}/register", data=with_guardian)
    assert "签到成功" in done.text
    assert await Volunteer.count() == 1


async def test_refusals_in_plain_words(world: World, frozen: Clock) -> None:
    activity = await add_activity_row()
    old = await issue_code(world, activity)
    code = await issue_code(world, activity)
    volunteer = await volunteer_row()
    frozen.set(START - timedelta(hours=1))
    early = await world.http.post(
        f"/c/{code}", data={"phone": volunteer["phone"], "nonce": "nonce-early-1", "action": "in"}
    )
    assert "签到尚未开始" in early.text and "13:30" in early.text
    revoked = await world.http.get(f"/c/{old}")
    assert revoked.status_code == 410 and "链接已失效" in revoked.text
    unknown = await world.http.get("/c/zzzzzzzzzzzzzzzz")
    assert unknown.status_code == 404 and "签到链接无效" in unknown.text
    bad_phone = await world.http.post(f"/c/{code}", data={"phone": "123", "nonce": "nonce-bad-123", "action": "in"})
    assert bad_phone.status_code == 422 and "11 位手机号" in bad_phone.text


async def test_checkout_page_shows_hours(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    await world.http.post(f"/c/{code}", data={"phone": volunteer["phone"], "nonce": "nonce-in-0001", "action": "in"})
    frozen.set(START + timedelta(hours=2, minutes=15))
    out = await world.http.post(
        f"/c/{code}", data={"phone": volunteer["phone"], "nonce": "nonce-out-001", "action": "out"}
    )
    assert "签退成功" in out.text and "2 小时 15 分钟" in out.text


async def test_poster_and_qr(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    qr = await world.http.get(f"/c/{code}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg") or "<svg" in qr.text[:200]
    poster = await world.http.get(f"/c/{code}/poster")
    assert poster.status_code == 200
    assert "读书分享会" in poster.text and "<svg" in poster.text and f"/c/{code}" in poster.text
    assert "size: A4" in poster.text
    assert (await world.http.get("/c/zzzzzzzzzzzzzzzz/qr.svg")).status_code == 404


async def test_each_form_has_its_own_nonce_and_no_page_is_stored(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    page = await world.http.get(f"/c/{code}")
    forms = re.findall(r"<form.*?</form>", page.text, re.S)
    nonces = [re.findall(r'name="nonce" value="([^"]+)"', f) for f in forms]
    assert len(forms) == 2 and all(len(n) == 1 for n in nonces) and nonces[0] != nonces[1]
    assert 'value="in"' in forms[0] and 'value="out"' in forms[1]
    answers = [
        page,
        await world.http.post(f"/c/{code}", data={"phone": volunteer["phone"], "nonce": nonces[0][0], "action": "in"}),
        await world.http.post(f"/c/{code}", data={"phone": "13612345600", "nonce": "nonce-unknown", "action": "in"}),
        await world.http.post(f"/c/{code}", data={"phone": "123", "nonce": "nonce-bad-phone", "action": "in"}),
        await world.http.post(f"/c/{code}/register", data={"phone": "13612345600", "nonce": "nonce-register"}),
        await world.http.get("/c/zzzzzzzzzzzzzzzz"),
    ]
    for answer in answers:
        assert answer.headers["cache-control"] == "no-store", (answer.status_code, answer.headers)


async def test_check_out_from_the_page_kept_since_check_in(world: World, frozen: Clock) -> None:
    """The back button brings back the page the volunteer checked in from; its 签退 form still checks out."""
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    page = await world.http.get(f"/c/{code}")
    checked_in = await world.http.post(
        f"/c/{code}", data={"phone": volunteer["phone"], "nonce": hidden_nonce(page.text, "in"), "action": "in"}
    )
    assert "签到成功" in checked_in.text
    frozen.set(START + timedelta(hours=1, minutes=30))
    out = await world.http.post(
        f"/c/{code}", data={"phone": volunteer["phone"], "nonce": hidden_nonce(page.text, "out"), "action": "out"}
    )
    assert "签退成功" in out.text and "1 小时 30 分钟" in out.text


async def test_a_double_submitted_registration_shows_a_page_both_times(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    page = await world.http.get(f"/c/{code}")
    offered = await world.http.post(
        f"/c/{code}", data={"phone": "13612345601", "nonce": hidden_nonce(page.text), "action": "in"}
    )
    form = {
        "name": "李雷",
        "phone": "13612345601",
        "area_code": "C12",
        "birth_date": "1990-05-01",
        "consent": "yes",
        "nonce": hidden_nonce(offered.text),
    }
    # an impatient tapping: four submissions in flight at once, then the back button and one more
    answers = list(await asyncio.gather(*[world.http.post(f"/c/{code}/register", data=form) for _ in range(4)]))
    answers.append(await world.http.post(f"/c/{code}/register", data=form))
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/html"), answer.text
        assert "签到成功" in answer.text
    assert await Volunteer.count() == 1
    assert await Scan.count().where(Scan.result == "ok") == 1
