"""The whole phone flow in real headless Chromium, on a phone-sized and a desktop-sized screen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.checkin.conftest import Clock, issue_code
from tests.conftest import World
from tests.factories import START, add_activity_row, volunteer_row
from volunteers.people.tables import Volunteer

WECHAT = (
    "Mozilla/5.0 (Linux; Android 10; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 MicroMessenger/8.0.28"
)
SCREENS = {
    "phone": {"viewport": {"width": 360, "height": 640}, "user_agent": WECHAT, "is_mobile": True},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}


async def shows_nobody(page: Page, *secrets: str) -> None:
    """The page names nobody: neither the person's name, nor their volunteer number."""
    html = await page.content()
    for secret in (*secrets, "ZY", "志愿者编号"):
        assert secret not in html, secret


async def fits(page: Page) -> None:
    """Nothing wider than the screen (no sideways scrolling on a phone)."""
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_phone_flow(app: Any, world: World, frozen: Clock, shots: Path, screen: str) -> None:
    require_chromium()
    code = await issue_code(world, await add_activity_row())
    later = await issue_code(
        world, await add_activity_row(starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, hours=2))
    )
    regular = await volunteer_row(name="欧阳修")
    frozen.set(START + timedelta(minutes=3))
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(**SCREENS[screen])  # type: ignore[arg-type]
        page = await context.new_page()

        # first check-in: unknown phone, registration on the spot
        await page.goto(f"{base}/c/{code}")
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-1-form.png"), full_page=True)
        await page.fill("#phone-in", "13612340001")
        await page.click("button[value=in]")
        await page.wait_for_selector("text=第一次参加")
        await page.fill("#name", "韩梅梅")
        await page.select_option("#area_code", "C11")
        await page.fill("#birth_date", "1995-06-01")
        await page.check("#consent")
        await page.screenshot(path=str(shots / f"{screen}-2-register.png"), full_page=True)
        await page.click("text=登记并签到")
        await page.wait_for_selector("text=签到成功")
        assert "14:03 已签到" in await page.inner_text("main")
        await shows_nobody(page, "韩", "梅")
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-3-checked-in.png"), full_page=True)

        # the same phone again: already checked in, with the time
        await page.goto(f"{base}/c/{code}")
        await page.fill("#phone-in", "13612340001")
        await page.click("button[value=in]")
        await page.wait_for_selector("text=您已签到")
        assert "14:03" in await page.inner_text("main")
        await shows_nobody(page, "韩")

        # an activity that opens tomorrow
        await page.goto(f"{base}/c/{later}")
        await page.fill("#phone-in", "13612340001")
        await page.click("button[value=in]")
        await page.wait_for_selector("text=签到尚未开始")

        # a regular checks in, goes back to the form and checks out from it later
        await page.goto(f"{base}/c/{code}")
        await page.fill("#phone-in", regular["phone"])
        await page.click("button[value=in]")
        await page.wait_for_selector("text=签到成功")
        await shows_nobody(page, "欧阳", regular["volunteer_no"])
        await page.go_back()
        await page.wait_for_selector("#phone-out")
        frozen.set(START + timedelta(hours=1, minutes=33))
        await page.fill("#phone-out", regular["phone"])
        await page.click("button[value=out]")
        await page.wait_for_selector("text=签退成功")
        assert "1 小时 30 分钟" in await page.inner_text("main")
        await shows_nobody(page, "欧阳", regular["volunteer_no"])

        # the first-timer checks out 2 h 15 min after checking in
        frozen.set(START + timedelta(hours=2, minutes=18))
        await page.goto(f"{base}/c/{code}")
        await page.fill("#phone-out", "13612340001")
        await page.click("button[value=out]")
        await page.wait_for_selector("text=签退成功")
        assert "2 小时 15 分钟" in await page.inner_text("main")
        await shows_nobody(page, "韩")
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-4-checked-out.png"), full_page=True)
        await browser.close()
    assert (shots / f"{screen}-4-checked-out.png").stat().st_size > 5000
    volunteer = await Volunteer.select(Volunteer.self_registered).where(Volunteer.phone == "13612340001").first()
    assert volunteer == {"self_registered": True}
