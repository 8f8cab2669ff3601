"""A staff member's whole day in real headless Chromium, on a phone (360×640) and an office screen (1366×768):
log in, register a team, a volunteer and a venue, create an activity happening now with the pickers and publish
it, open its poster, two volunteers check in by link on their own phones, the attendance screen counts them, a
third is checked in by hand with a reason, the activity is closed, the hours are approved in bulk, a sheet with
one bad row is imported (report, fix, confirm) and an export is downloaded. Then the admin's user and population
pages, and a denial: staff of another street opening the activity get the 404 page. A screenshot after each step
(the `shots` fixture); what a person sees is asserted on the page, what exists through the JSON API."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.async_api import Browser, BrowserContext, FilePayload, Page, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from volunteers.fields import LOCAL_TZ

SCREENS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"},
    "desktop": {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"},
}
HEADERS = ["姓名", "手机号", "所属社区"]
SHEET_BAD = [HEADERS, ["张三", "13800138100", "C11"], ["李四", "1380013", "C11"], ["王五", "13800138102", "C11"]]
SHEET_FIXED = [HEADERS, ["张三", "13800138100", "C11"], ["李四", "13800138101", "C11"], ["王五", "13800138102", "C11"]]
PHONES = {"韩梅梅": "13612340001", "李雷": "13612340002", "林涛": "13612340003"}


def xlsx(rows: list[list[str]]) -> bytes:
    """An Excel workbook of `rows`, as an office's spreadsheet program saves it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def minute(moment: datetime) -> str:
    """A datetime-local field's value: the district's wall clock to the minute."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


class Day:
    """One screen size's walk: the browser, where shots go, and a counter so they sort in order."""

    def __init__(self, browser: Browser, base: str, shots: Path, screen: str) -> None:
        self.browser, self.base, self.shots, self.screen, self.step = browser, base, shots, screen, 0

    async def person(self, username: str | None = None, next_page: str = "/staff") -> Page:
        """A new browser context (a person's own device), logged in with the form when `username` is given."""
        context: BrowserContext = await self.browser.new_context(**SCREENS[self.screen])
        page = await context.new_page()
        if username:
            await page.goto(f"{self.base}/login?next={next_page}")
            await page.fill("#username", username)
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{self.base}{next_page}*")
        return page

    async def shot(self, page: Page, name: str) -> None:
        """Save the whole page; nothing on it is wider than the screen."""
        self.step += 1
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, page.url)
        await page.screenshot(path=str(self.shots / f"day-{self.screen}-{self.step:02d}-{name}.png"), full_page=True)


async def main_text(page: Page) -> str:
    return await page.inner_text("main")


async def check_in_by_link(day: Day, code: str, name: str) -> None:
    """A volunteer scans the poster: their own phone, their own browser, the check-in page of the code."""
    phone = await day.person()
    await phone.goto(f"{day.base}/c/{code}")
    await phone.fill("#phone-in", PHONES[name])
    await phone.click("button[value=in]")
    await phone.wait_for_selector("text=签到成功")
    assert name not in await phone.content()  # the page names nobody
    await day.shot(phone, f"checked-in-{PHONES[name][-1]}")
    await phone.context.close()


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_a_staff_members_day(app: Any, world: World, shots: Path, screen: str) -> None:
    require_chromium()
    for name, number in PHONES.items():  # the people who will come (registered volunteers of C11)
        made = await world.post(
            "staff_c11",
            "/api/v1/volunteers",
            {"name": name, "phone": number, "area_code": "C11", "birth_date": "1990-05-01"},
        )
        assert made.status_code == 201, made.text
    now = datetime.now(LOCAL_TZ)
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        day = Day(browser, base, shots, screen)
        page = await day.person("staff_c11")
        await day.shot(page, "home")

        # a team
        await page.goto(f"{base}/staff/teams/new")
        await page.fill("#name", "东一读书队")
        await page.fill("#sponsor", "东一社区居委会")
        await page.select_option("#area_code", "C11")
        await page.click("main form button[type=submit]")
        await page.wait_for_selector("text=服务队已登记")
        team_id = int(re.findall(r"/staff/teams/(\d+)", page.url)[0])
        await day.shot(page, "team")

        # a volunteer
        await page.goto(f"{base}/staff/volunteers/new")
        await page.fill("#name", "王小明")
        await page.fill("#phone", "13800138001")
        await page.select_option("#area_code", "C11")
        await page.fill("#birth_date", "1988-08-08")
        await page.click("main form button[type=submit]")
        await page.wait_for_selector("text=志愿者已登记")
        assert "王小明" in await main_text(page)
        await day.shot(page, "volunteer")

        # a venue
        await page.goto(f"{base}/staff/venues/new")
        await page.fill("#name", "东一书屋")
        await page.select_option("#kind", index=1)
        await page.select_option("#area_code", "C11")
        await page.fill("#address", "东一路 1 号")
        await page.click("main form button[type=submit]")
        await page.wait_for_url(re.compile(r"/staff/venues/\d+\?done=created$"))
        venue_id = int(re.findall(r"/staff/venues/(\d+)", page.url)[0])
        assert "东一书屋" in await main_text(page)
        await day.shot(page, "venue")

        team = (await world.get("staff_c11", f"/api/v1/teams/{team_id}")).json()
        place = (await world.get("staff_c11", f"/api/v1/venues/{venue_id}")).json()
        assert (team["name"], team["area_code"], place["name"]) == ("东一读书队", "C11", "东一书屋")
        found = (await world.get("staff_c11", "/api/v1/volunteers", params={"q": "王小明"})).json()["items"]
        assert [v["phone"] for v in found] == ["13800138001"]

        # an activity happening now, with the pickers; published
        await page.goto(f"{base}/staff/activities/new")
        await page.fill("#title", "读书分享会：春天的诗")
        await page.select_option("#category", label="读书分享会")
        await page.fill("#starts_at", minute(now - timedelta(minutes=30)))
        await page.fill("#ends_at", minute(now + timedelta(hours=2)))
        await page.select_option("#venue_id", str(venue_id))
        await page.check(f"input[name=team_ids][value='{team_id}']")
        await page.fill("#capacity", "40")
        await day.shot(page, "activity-form")
        await page.click("text=保存草稿")
        await page.wait_for_selector("text=活动已创建")
        activity_id = int(re.findall(r"/staff/activities/(\d+)", page.url)[0])
        await page.click("text=发布并生成签到码")
        await page.wait_for_selector("#checkin-code")
        code = (await page.inner_text("code.code")).strip()
        assert len(code) == 16
        await day.shot(page, "activity-published")

        # the poster
        poster = await page.goto(f"{base}/c/{code}/poster")
        assert poster is not None and poster.status == 200
        assert "读书分享会：春天的诗" in await page.content()
        assert await page.locator(".qr svg").count() == 1
        await page.screenshot(path=str(shots / f"day-{screen}-poster.png"), full_page=True)

        # two volunteers check in by the link, each on their own phone
        await check_in_by_link(day, code, "韩梅梅")
        await check_in_by_link(day, code, "李雷")

        # the attendance screen counts them
        attendance = f"{base}/staff/activities/{activity_id}/attendance"
        await page.goto(attendance)
        counters = page.locator(".counters")
        assert re.search(r"2\s*已签到", await counters.inner_text()), await counters.inner_text()
        assert re.search(r"2\s*在场", await counters.inner_text())
        rows = await page.locator("#live").inner_text()
        assert "韩梅梅" in rows and "李雷" in rows and "林涛" not in rows
        await day.shot(page, "attendance-two")

        # the third forgot their phone: checked in by hand, with a reason
        await page.fill("input[name=q][type=search]", "林涛")
        await page.click("form.search button[type=submit]")
        await page.wait_for_selector(".found")
        await page.fill(".found input[name=reason]", "手机没电")
        await page.click(".found button[value=in]")
        await page.wait_for_selector("text=已为 林")  # the notice masks the name: 林*
        assert re.search(r"3\s*已签到", await counters.inner_text())
        assert "林涛" in await page.locator("#live").inner_text()
        await day.shot(page, "attendance-by-hand")

        # close the activity: everybody still inside is checked out, records go to review
        await page.click("text=结束活动…")
        await page.click("text=确定结束，关闭签到")
        await page.wait_for_selector("text=活动已结束，签到已关闭")
        assert "自动签退" in await main_text(page)
        await day.shot(page, "closed")
        activity = (await world.get("staff_c11", f"/api/v1/activities/{activity_id}")).json()
        assert activity["status"] == "completed", activity["status"]

        # approve their hours in bulk
        await page.goto(f"{base}/staff/hours?activity={activity_id}")
        assert "共 3 条" in await main_text(page)  # the queue shows pending records by default
        listed = (await world.get("staff_c11", "/api/v1/service-records", params={"activity": activity_id})).json()
        assert sorted(r["status"] for r in listed["items"]) == ["pending"] * 3  # closed by policy: pending
        await page.click("#all")
        await page.wait_for_url(re.compile(r"all=1"))
        assert await page.locator("input[name=id]:checked").count() == 3
        await page.click("text=通过所选")
        await page.wait_for_selector("#result")
        result = await page.inner_text("#result")
        await day.shot(page, "hours-approved")
        listed = (await world.get("staff_c11", "/api/v1/service-records", params={"activity": activity_id})).json()[
            "items"
        ]
        assert len(listed) == 3
        assert sorted(r["status"] for r in listed) == ["approved"] * 3, (result, listed)

        # import a sheet with one bad row: the report, then the fixed sheet, confirmed
        await page.goto(f"{base}/staff/imports")
        await page.select_option("#kind", "volunteers")
        await page.select_option("#area", "C11")
        await page.set_input_files(
            "#file", FilePayload(name="名单.xlsx", mimeType="application/octet-stream", buffer=xlsx(SHEET_BAD))
        )
        await page.click("text=上传并检查")
        await page.wait_for_selector("tr[data-row='3']")
        bad_row = await page.inner_text("tr[data-row='3']")
        assert "手机号" in bad_row and "1380013" in bad_row
        assert "整个文件都不会写入" in await main_text(page)
        await day.shot(page, "import-report")
        fixed = FilePayload(name="名单.xlsx", mimeType="application/octet-stream", buffer=xlsx(SHEET_FIXED))
        await page.set_input_files("#file", fixed)  # the row fixed in the office's spreadsheet, checked again
        await page.click("text=上传并检查")
        await page.wait_for_selector("text=检查通过")
        await page.set_input_files("#again", fixed)  # the page keeps no file: choose it again to confirm
        await page.click("button[name=dry_run][value=false]")
        await page.wait_for_selector("text=已写入 3 行")
        await day.shot(page, "import-done")
        imported = (await world.get("staff_c11", "/api/v1/volunteers", params={"q": "李四"})).json()["items"]
        assert [v["phone"] for v in imported] == ["13800138101"], imported

        # download an export
        await page.goto(f"{base}/staff/exports")
        await day.shot(page, "exports")
        async with page.expect_download() as waiting:
            await page.click("form[action='/staff/exports/volunteers'] button[value=xlsx]")
        download = await waiting.value
        saved = shots / f"day-{screen}-{download.suggested_filename}"
        await download.save_as(saved)
        sheet = openpyxl.load_workbook(saved).active
        assert sheet is not None
        names = {str(c.value) for c in sheet["A"]} | {str(c.value) for c in sheet["B"]}
        assert {"王小明", "韩梅梅", "李四"} <= names, names

        # the admin: a staff account, a community's population
        admin = await day.person("admin_s1", "/staff/users")
        await admin.fill("#username", f"zhao_{screen}")
        await admin.fill("#password", "lantern-harbour-7421")
        await admin.select_option("#role", "staff")
        await admin.select_option("#area_code", "C12")
        await admin.click("#new-user button[type=submit]")
        await admin.wait_for_selector("text=账号已创建")
        await admin.goto(f"{base}/staff/users")
        assert await admin.locator(f"tr[data-user=zhao_{screen}]").count() == 1
        await day.shot(admin, "admin-users")
        await admin.goto(f"{base}/staff/areas")
        await admin.click("li[data-area=C11] a")
        await admin.fill("#resident_population", "12000")
        await admin.fill("#source", "统计公报")
        await admin.click("#population button[type=submit]")
        await admin.wait_for_selector("text=已保存常住人口")
        assert "12,000" in await admin.locator("#population").inner_text()
        await day.shot(admin, "admin-population")

        # a denial: another street's staff opening this activity see the 404 page, and nothing of it
        stranger = await day.person("staff_c21")
        refused = await stranger.goto(f"{base}/staff/activities/{activity_id}")
        assert refused is not None and refused.status == 404
        assert f"活动 {activity_id} 不存在" in await main_text(stranger)
        assert "春天的诗" not in await stranger.content()
        await day.shot(stranger, "denied")
        await browser.close()

    users = (await world.get("admin_s1", "/api/v1/users")).json()
    users = users["items"] if isinstance(users, dict) else users
    assert f"zhao_{screen}" in {u["username"] for u in users}
    population = (await world.get("admin_s1", "/api/v1/areas/C11/population")).json()
    assert [(p["resident_population"], p["source"]) for p in population] == [(12000, "统计公报")]
    assert (shots / f"day-{screen}-01-home.png").stat().st_size > 5000
