"""The activity pages in real headless Chromium, on a phone (360×640) and an office screen (1366×768): log in,
create an activity with the pickers, publish it, see its code, find it in the list; and the A4 poster as
Chromium prints it (the QR large and centred)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from tests.web.test_activities_pages import DAY, api_activity, team, venue

SCREENS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"},
    "desktop": {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"},
}
MM = 96 / 25.4  # CSS pixels in a millimetre


async def fits(page: Page) -> None:
    """Nothing wider than the screen (no sideways scrolling, and no zooming out on a phone to show it all)."""
    screen = page.viewport_size
    assert screen is not None
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= screen["width"], (page.url, wide)


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_create_publish_and_find_an_activity(app: Any, world: World, shots: Path, screen: str) -> None:
    require_chromium()
    crew, place = await team(world, "C11", "东一读书队"), await venue(world, "C11", "东一书屋")
    await api_activity(world, "staff_c11", "C11", "上周的亲子阅读会")
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await (await browser.new_context(**SCREENS[screen])).new_page()
        await page.goto(f"{base}/staff/activities/new")  # a stranger: log in first, then back here
        await page.fill("#username", "staff_c11")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base}/staff/activities/new")

        await page.fill("#title", "读书分享会：春天的诗")
        await page.select_option("#category", label="读书分享会")
        await page.fill("#starts_at", f"{DAY.isoformat()}T14:00")
        await page.fill("#ends_at", f"{DAY.isoformat()}T16:30")
        await page.select_option("#venue_id", str(place))
        await page.check(f"input[name=team_ids][value='{crew}']")
        await page.fill("#capacity", "40")
        await fits(page)
        await page.screenshot(path=str(shots / f"activities-{screen}-1-form.png"), full_page=True)
        await page.click("text=保存草稿")
        await page.wait_for_selector("text=活动已创建")
        assert re.search(r"/staff/activities/\d+\?done=created$", page.url)

        await page.click("text=发布并生成签到码")
        await page.wait_for_selector("#checkin-code")
        code = (await page.inner_text("code.code")).strip()
        assert len(code) == 16
        assert await page.evaluate("document.querySelector('#checkin-code img').naturalWidth") > 0  # the QR loads
        assert f"{DAY.isoformat()} 14:00" in await page.inner_text("main")
        await fits(page)
        await page.screenshot(path=str(shots / f"activities-{screen}-2-activity.png"), full_page=True)

        await page.click("nav.sections >> text=活动")
        await page.wait_for_selector("ul.rows")
        await page.fill("#q", "春天")
        await page.click("text=筛选")
        await page.wait_for_selector("text=共 1 个活动")
        assert "上周的亲子阅读会" not in await page.inner_text("main")
        await page.fill("#q", "")
        await page.click("text=筛选")
        await page.wait_for_selector("text=共 2 个活动")
        await fits(page)
        await page.screenshot(path=str(shots / f"activities-{screen}-3-list.png"), full_page=True)
        await browser.close()
    assert (shots / f"activities-{screen}-2-activity.png").stat().st_size > 5000


async def test_the_poster_prints_the_qr_large_and_centred(app: Any, world: World, shots: Path) -> None:
    require_chromium()
    activity_id = await api_activity(
        world, "staff_c11", "C11", "读书分享会：一个很长很长的活动名称，长到要占两行才放得下"
    )
    await world.post("staff_c11", f"/api/v1/activities/{activity_id}/publish")
    code = (await world.get("staff_c11", f"/api/v1/activities/{activity_id}/checkin-code")).json()["code"]
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await (
            await browser.new_context(viewport={"width": round(210 * MM), "height": round(297 * MM)})
        ).new_page()
        await page.goto(f"{base}/c/{code}/poster")
        await page.emulate_media(media="print")
        box, drawn, width = await page.evaluate(
            """() => {
                const svg = document.querySelector('.qr svg'), path = svg.querySelector('path');
                const r = svg.getBoundingClientRect(), p = path.getBoundingClientRect();
                return [[r.left, r.width, r.height], [p.left, p.width], document.documentElement.clientWidth];
            }"""
        )
        assert box[1] / MM > 120 and abs(box[1] - box[2]) < 1  # a square of at least 120 mm
        assert drawn[1] > 0.8 * box[1]  # the modules fill it (without a viewBox they kept their pixel size)
        assert abs((drawn[0] + drawn[1] / 2) - width / 2) < 2 * MM  # centred on the sheet
        await page.screenshot(path=str(shots / "poster-a4-print.png"), full_page=True)
        pdf = await page.pdf(format="A4")
        await browser.close()
    (shots / "poster-a4.pdf").write_bytes(pdf)
    assert re.search(rb"/Type\s*/Pages\b[^>]*/Count\s+1\b", pdf), "the poster prints on one A4 page"
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+59[56](\.\d+)?\s+84[23](\.\d+)?\s*\]", pdf), "an A4 page"
