"""The whole phone flow in real headless Chromium, on a phone-sized screen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.checkin.conftest import START, Clock, issue_code, make_activity
from tests.conftest import World
from volunteers.people.tables import Volunteer

WECHAT = (
    "Mozilla/5.0 (Linux; Android 10; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 MicroMessenger/8.0.28"
)


async def test_phone_flow(app: Any, world: World, frozen: Clock, tmp_path: Path) -> None:
    require_chromium()
    code = await issue_code(world, await make_activity())
    later = await issue_code(
        world, await make_activity(starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, hours=2))
    )
    frozen.set(START + timedelta(minutes=3))
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        phone = await browser.new_context(viewport={"width": 375, "height": 720}, user_agent=WECHAT, is_mobile=True)
        page = await phone.new_page()

        # first check-in: unknown phone, registration on the spot
        await page.goto(f"{base}/c/{code}")
        await page.fill("#phone", "13612340001")
        await page.click("button[value=in]")
        await page.wait_for_selector("text=第一次参加")
        await page.fill("#name", "韩梅梅")
        await page.select_option("#area_code", "C11")
        await page.fill("#birth_date", "1995-06-01")
        await page.check("#consent")
        await page.click("text=登记并签到")
        await page.wait_for_selector("text=签到成功")
        assert "韩** ，" not in await page.content()
        assert "14:03 已签到" in await page.inner_text("main")
        await page.screenshot(path=str(tmp_path / "checked-in.png"), full_page=True)

        # the same phone again: already checked in, with the time
        await page.goto(f"{base}/c/{code}")
        await page.fill("#phone", "13612340001")
        await page.click("button[value=in]")
        await page.wait_for_selector("text=您已签到")
        assert "14:03" in await page.inner_text("main")

        # an activity that opens tomorrow
        await page.goto(f"{base}/c/{later}")
        await page.fill("#phone", "13612340001")
        await page.click("button[value=in]")
        await page.wait_for_selector("text=签到尚未开始")

        # check out 2 h 15 min later
        frozen.set(START + timedelta(hours=2, minutes=18))
        await page.goto(f"{base}/c/{code}")
        await page.fill("#phone", "13612340001")
        await page.click("button[value=out]")
        await page.wait_for_selector("text=签退成功")
        assert "2 小时 15 分钟" in await page.inner_text("main")
        await page.screenshot(path=str(tmp_path / "checked-out.png"), full_page=True)
        await browser.close()
    assert (tmp_path / "checked-out.png").stat().st_size > 5000
    volunteer = await Volunteer.select(Volunteer.self_registered).where(Volunteer.phone == "13612340001").first()
    assert volunteer == {"self_registered": True}
