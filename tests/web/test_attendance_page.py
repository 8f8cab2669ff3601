"""The attendance screen (/staff/activities/{id}/attendance): counters and rows as the API counts them, hand
check-in and check-out with a reason, closing (early: at the close), scope and CSRF; Chromium on two screens."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from tests.web.door import END, START, Clock, Door, frozen, session
from volunteers.activities.tables import Activity
from volunteers.checkin.tables import Scan, ServiceRecord
from volunteers.web.staff import attendance

__all__ = ["frozen"]


async def at_the_door(world: World, frozen: Clock) -> tuple[Door, int, str, dict[str, dict[str, Any]]]:
    """An activity of C11 (capacity 30): 李雷 inside, 韩梅梅 in and out, a visitor from C21 inside, 王芳 not yet."""
    door = Door(world)
    activity = await door.activity(capacity=30)
    code = await door.code(activity)
    people = {
        "li": await door.volunteer("李雷"),
        "han": await door.volunteer("韩梅梅"),
        "wang": await door.volunteer("王芳"),
        "visitor": await door.volunteer("赵西一", area="C21", user="staff_c21"),
    }
    frozen.set(START + timedelta(minutes=5))
    for who in ("li", "han", "visitor"):
        await door.scan(code, people[who]["phone"])
    frozen.set(START + timedelta(minutes=50))
    await door.scan(code, people["han"]["phone"], "out")
    return door, activity, code, people


def counter(html: str, label: str) -> str:
    found = re.search(rf"<b>([^<]*)</b><span>{label}</span>", html)
    assert found, html
    return found.group(1)


async def test_the_screen_counts_and_lists_who_came(app: Any, world: World, frozen: Clock) -> None:
    _, activity, _, people = await at_the_door(world, frozen)
    async with session(app, "staff_c11") as (http, _):
        page = await http.get(f"/staff/activities/{activity}/attendance")
    assert page.status_code == 200, page.text
    html = page.text
    assert (counter(html, "已签到"), counter(html, "在场"), counter(html, "已签退"), counter(html, "人数上限")) == (
        "3",
        "2",
        "1",
        "30",
    )
    api = (await world.get("staff_c11", f"/api/v1/activities/{activity}/attendance")).json()
    assert api["counters"] == {"checked_in": 3, "inside_now": 2, "checked_out": 1, "capacity": 30}
    for who in ("li", "han", "visitor"):
        assert people[who]["name"] in html
    assert "王芳" not in html.split('id="live"')[1].split("</div>\n\n")[0]  # not in the rows
    assert people["li"]["phone"] in html  # a volunteer of C11: whole, as the API shows staff of C11
    visitor = people["visitor"]["phone"]
    assert visitor not in html and f"{visitor[:3]}****{visitor[-4:]}" in html  # another area's: masked
    assert {item["phone"] for item in api["items"]} >= {people["li"]["phone"], f"{visitor[:3]}****{visitor[-4:]}"}
    assert re.search(r'<meta http-equiv="refresh" content="15;url=/staff/activities/\d+/attendance">', html)
    assert "14:05" in html and "14:50" in html  # district time


async def test_hand_check_in_finds_by_name_or_phone_and_needs_a_reason(app: Any, world: World, frozen: Clock) -> None:
    _, activity, _, people = await at_the_door(world, frozen)
    wang = people["wang"]
    url = f"/staff/activities/{activity}/attendance"
    async with session(app, "staff_c11") as (http, csrf):
        by_name = await http.get(url, params={"q": "王芳"})
        by_phone = await http.get(url, params={"q": wang["phone"][:7]})
        elsewhere = await http.get(url, params={"q": "赵西一"})  # another area's volunteer: not found here
        before = await Scan.count()
        no_reason = await http.post(
            f"{url}/checkin", data={"csrf": csrf, "volunteer_id": wang["id"], "action": "in", "reason": "", "q": "王芳"}
        )
        after_refusal = await Scan.count()
        done = await http.post(
            f"{url}/checkin",
            data={"csrf": csrf, "volunteer_id": wang["id"], "action": "in", "reason": "手机没电，工作人员代签"},
        )
        again = await http.post(
            f"{url}/checkin",
            data={"csrf": csrf, "volunteer_id": wang["id"], "action": "in", "reason": "手机没电，工作人员代签"},
        )
        out = await http.post(
            f"{url}/checkin",
            data={"csrf": csrf, "volunteer_id": people["li"]["id"], "action": "out", "reason": "代签退"},
        )
    for found in (by_name, by_phone):
        assert found.status_code == 200 and f'name="volunteer_id" value="{wang["id"]}"' in found.text
        assert "http-equiv" not in found.text  # no reload while staff pick and type
    assert 'name="volunteer_id"' not in elsewhere.text and "没有找到" in elsewhere.text
    assert no_reason.status_code == 422 and "原因" in no_reason.text
    assert f'name="volunteer_id" value="{wang["id"]}"' in no_reason.text  # the search is still there
    assert after_refusal == before  # nothing was tried
    assert done.status_code == 200 and "已为 王*" in done.text and counter(done.text, "在场") == "3"
    assert again.status_code == 409 and "已经签到" in again.text and counter(again.text, "在场") == "3"
    assert out.status_code == 200 and "签退" in out.text and counter(out.text, "在场") == "2"
    logged = await Scan.select(Scan.method, Scan.reason).where(Scan.volunteer == wang["id"], Scan.result == "ok")
    assert logged == [{"method": "staff", "reason": "手机没电，工作人员代签"}]


async def test_another_areas_activity_is_404_and_nothing_changes(app: Any, world: World, frozen: Clock) -> None:
    _, activity, _, people = await at_the_door(world, frozen)
    url = f"/staff/activities/{activity}/attendance"
    records = await ServiceRecord.select().order_by(ServiceRecord.id)
    scans = await Scan.count()
    async with session(app, "staff_c21") as (http, csrf):
        shown = await http.get(url)
        checked = await http.post(
            f"{url}/checkin",
            data={"csrf": csrf, "volunteer_id": people["visitor"]["id"], "action": "out", "reason": "代签退"},
        )
        closed = await http.post(f"{url}/close", data={"csrf": csrf})
        unknown = await http.get("/staff/activities/99999999999/attendance")
    assert [r.status_code for r in (shown, checked, closed)] == [404, 404, 404]
    assert "李雷" not in shown.text + checked.text + closed.text
    assert unknown.status_code in (400, 404)
    # staff of C11 may not check in a volunteer of C21 by hand either (as the API refuses: 403)
    async with session(app, "staff_c11") as (http, csrf):
        outsider = await http.post(
            f"{url}/checkin",
            data={"csrf": csrf, "volunteer_id": people["visitor"]["id"], "action": "out", "reason": "代签退"},
        )
    assert outsider.status_code == 403 and "管辖" in outsider.text
    assert await ServiceRecord.select().order_by(ServiceRecord.id) == records
    assert await Scan.count() == scans
    assert (await Activity.select(Activity.status).where(Activity.id == activity).first()) == {"status": "published"}


async def test_a_form_without_its_csrf_token_is_403(app: Any, world: World, frozen: Clock) -> None:
    _, activity, _, people = await at_the_door(world, frozen)
    url = f"/staff/activities/{activity}/attendance"
    scans = await Scan.count()
    async with session(app, "staff_c11") as (http, _):
        checked = await http.post(
            f"{url}/checkin", data={"volunteer_id": people["wang"]["id"], "action": "in", "reason": "代签"}
        )
        forged = await http.post(f"{url}/close", data={"csrf": "x" * 43})
    assert checked.status_code == 403 and forged.status_code == 403
    assert await Scan.count() == scans
    assert (await Activity.select(Activity.status).where(Activity.id == activity).first()) == {"status": "published"}


async def test_closing_early_closes_open_records_at_the_close(app: Any, world: World, frozen: Clock) -> None:
    door, activity, _, people = await at_the_door(world, frozen)
    late = await door.volunteer("迟到的人")
    frozen.set(START + timedelta(minutes=67))
    await door.scan(await door.code(activity), late["phone"])
    closing = START + timedelta(minutes=70)  # well before the planned end, 17:00
    frozen.set(closing)
    url = f"/staff/activities/{activity}/attendance"
    async with session(app, "staff_c11") as (http, csrf):
        screen = await http.get(url)
        asked = await http.get(url, params={"close": "1"})  # closing asks first, without a script
        closed = await http.post(f"{url}/close", data={"csrf": csrf})
        queue = await http.get("/staff/hours")
    assert f'action="{url}/close"' not in screen.text and f'href="{url}?close=1#close"' in screen.text
    assert f'action="{url}/close"' in asked.text and "仍在场的 3 人将自动签退" in asked.text
    assert "http-equiv" not in asked.text
    assert closed.status_code == 200, closed.text
    assert "3 人已按 15:10 自动签退" in closed.text and counter(closed.text, "在场") == "0"
    open_ones = {people["li"]["id"]: 65, people["visitor"]["id"]: 65, late["id"]: 3}
    for volunteer, minutes in open_ones.items():
        record = await ServiceRecord.select().where(ServiceRecord.volunteer == volunteer).first()
        assert record is not None
        assert record["ended_at"] == closing and record["ended_at"] < END
        assert (record["auto_closed"], record["status"], record["minutes"]) == (True, "pending", minutes)
    # closed early, even after a few minutes: in the queue like any other pending record
    assert queue.status_code == 200 and "迟到的人" in queue.text and "李雷" in queue.text
    assert (await Activity.select(Activity.status).where(Activity.id == activity).first()) == {"status": "completed"}


async def test_the_api_closes_early_at_the_close_too(world: World, frozen: Clock) -> None:
    door = Door(world)
    activity = await door.activity()
    someone = await door.volunteer("李雷")
    frozen.set(START + timedelta(minutes=10))
    await door.scan(await door.code(activity), someone["phone"])
    frozen.set(START + timedelta(minutes=40))
    closed = await world.post("staff_c11", f"/api/v1/activities/{activity}/close")
    assert closed.json() == {"activity_id": activity, "auto_closed": 1, "status": "completed"}
    record = await ServiceRecord.select().first()
    assert record is not None and record["ended_at"] == START + timedelta(minutes=40) and record["minutes"] == 30
    # closing after the planned end still closes at the end
    other = await door.activity(title="第二场")
    frozen.set(START + timedelta(minutes=20))
    await door.scan(await door.code(other), someone["phone"])
    frozen.set(END + timedelta(hours=2))
    await world.post("staff_c11", f"/api/v1/activities/{other}/close")
    late = await ServiceRecord.select().where(ServiceRecord.activity == other).first()
    assert late is not None and late["ended_at"] == END and late["minutes"] == 160


SCREENS = {"phone": {"width": 360, "height": 640}, "desktop": {"width": 1366, "height": 768}}


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_the_screen_in_chromium(
    app: Any, world: World, frozen: Clock, shots: Path, screen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_chromium()
    monkeypatch.setattr(attendance, "REFRESH_SECONDS", 1)  # the screen's own reload, sped up
    door, activity, code, people = await at_the_door(world, frozen)
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # JavaScript off: the screen, its refreshing, the search and a hand check-out work without it
        context = await browser.new_context(viewport=SCREENS[screen], java_script_enabled=False)  # type: ignore[arg-type]
        page = await context.new_page()
        await page.goto(f"{base}/login?next=/staff/activities/{activity}/attendance")
        await page.fill("#username", "staff_c11")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_selector("text=代签到 / 签退")
        assert await page.inner_text(".counter:nth-child(2) b") == "2"
        # someone comes in at the door: the screen shows it by itself, with JavaScript off
        frozen.set(START + timedelta(minutes=52))
        await door.scan(code, people["wang"]["phone"])
        await page.wait_for_selector("text=更新于 14:52:00")
        assert await page.inner_text(".counter:nth-child(2) b") == "3"
        monkeypatch.setattr(attendance, "REFRESH_SECONDS", 600)  # and now hold still for the pictures
        await page.wait_for_selector('meta[http-equiv=refresh][content^="600;"]', state="attached")
        await page.screenshot(path=str(shots / f"attendance-{screen}.png"), full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.fill("input[name=q]", "李雷")
        await page.click("form.search button")
        await page.fill("ul.found input[name=reason]", "手机没电，工作人员代签退")
        await page.click("ul.found button[value=out]")
        await page.wait_for_selector("text=已为 李*")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.screenshot(path=str(shots / f"attendance-{screen}-checked-in.png"), full_page=True)
        await browser.close()
    record = await ServiceRecord.select().where(ServiceRecord.volunteer == people["li"]["id"]).first()
    assert record is not None and record["ended_at"] == START + timedelta(minutes=52) and not record["auto_closed"]
