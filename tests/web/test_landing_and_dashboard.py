"""The landing page (/), the dashboard on a phone (chart text, titles, units, parameters in Chinese), and the
reconciliation page (/dashboard/reconcile): the same service as POST /api/v1/stats/reconcile."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, ViewportSize, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from tests.web.test_staff_home import log_in, page_client
from volunteers.fields import today
from volunteers.stats.outputs import charts
from volunteers.stats.outputs.charts import MIN_TEXT, WIDTH, Series

PHONE_CARD_WIDTH = 360 - 4 * 16  # a 360 px screen less the page's and the card's padding (1rem each side)


async def small_street(world: World) -> None:
    """S1 with 800 residents and four volunteers (three in C11, one in C12), through the API."""
    body = {"resident_population": 800, "source": "统计公报", "as_of": str(today())}
    assert (await world.put("root", f"/api/v1/areas/S1/population/{today().year}", body)).status_code == 200
    registered = str(today() - timedelta(days=400))
    for n, area in enumerate(("C11", "C11", "C11", "C12")):
        person = {"name": f"志愿者{n}", "phone": f"1370000000{n}", "area_code": area, "registered_on": registered}
        assert (await world.post("root", "/api/v1/volunteers", person)).status_code == 201


async def test_the_landing_page_is_public_and_links_the_doors(app: Any, world: World) -> None:
    async with page_client(app) as http:
        page = await http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text and 'name="viewport"' in page.text
    for link in ('href="/login?next=/staff"', 'href="/dashboard"', 'href="/schema"'):
        assert link in page.text, link
    assert "二维码" in page.text and "海报" in page.text  # check-in is by poster only, and the page says so
    assert "<script" not in page.text and "http://" not in page.text


@pytest.mark.parametrize("kind", ["bars", "columns", "line"])
def test_every_chart_has_a_visible_title_with_its_unit_and_no_small_text(kind: str) -> None:
    months = [f"{m}月" for m in range(1, 13)]
    if kind == "bars":
        drawn = charts.bars(
            "下级区域注册率与活跃率",
            ["东一社区", "一个名字特别特别特别特别长的社区居民委员会"],
            [Series("注册率", [17.16, None]), Series("活跃率", [63.05, 100.0])],
            unit="%",
            unit_note="%",
        )
        title = "下级区域注册率与活跃率（%）"
    elif kind == "columns":
        drawn = charts.columns("每月活动数", months, [float(m * 137) for m in range(12)], unit_note="个")
        title = "每月活动数（个）"
    else:
        drawn = charts.line("每月服务时长", months, [float(m) * 12.5 for m in range(12)], unit_note="小时")
        title = "每月服务时长（小时）"
    assert f"<title>{title}</title>" in drawn and re.search(rf'font-weight="700">{re.escape(title)}</text>', drawn)
    assert f'viewBox="0 0 {WIDTH} ' in drawn
    sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', drawn)]
    assert sizes and min(sizes) >= MIN_TEXT
    assert MIN_TEXT * PHONE_CARD_WIDTH / WIDTH >= 12  # what the phone shows of the smallest text, in px


async def test_the_dashboard_says_its_parameters_in_chinese(app: Any, world: World) -> None:
    await small_street(world)
    async with page_client(app) as http:
        await log_in(http, "official_s1")
        page = await http.get("/dashboard")
    assert page.status_code == 200
    for raw in ("window_days", "min_hours", "sources"):
        assert raw not in page.text, raw
    assert "截至统计日期的 365 天" in page.text and "来源属于「签到、补录」" in page.text
    for title in (
        "下级区域注册率与活跃率（%）",
        "每月活动数（个）",
        "每月服务时长（小时）",
        "活动类别构成（活动数，个）",
    ):
        assert f"<title>{title}</title>" in page.text, title
    assert 'href="/dashboard/reconcile?area=S1' in page.text
    assert 'href="/staff"' not in page.text  # an official has no workbench to go back to


async def test_reconciliation_page_answers_as_the_api(app: Any, world: World) -> None:
    await small_street(world)
    day = str(today())
    reported = {"registered": 5, "registration_rate": 0.5, "active": 3, "active_rate": 64.89}
    api = await world.post("official_s1", "/api/v1/stats/reconcile", {"area": "S1", "as_of": day, "reported": reported})
    assert api.status_code == 200
    expected = {c["figure"]: c for c in api.json()["comparisons"]}
    async with page_client(app) as http:
        away = await http.get("/dashboard/reconcile")
        assert away.status_code == 303 and away.headers["location"] == "/login"
        await log_in(http, "official_s1")
        blank = await http.get("/dashboard/reconcile")
        assert blank.status_code == 200 and 'name="registered"' in blank.text and "与记录比较" not in blank.text
        params = {"area": "S1", "as_of": day, **{k: str(v) for k, v in reported.items()}, "active": "3"}
        page = await http.get("/dashboard/reconcile", params=params)
        assert page.status_code == 200, page.text
        rows = dict(
            re.findall(r'<article class="card figure" data-figure="([a-z_]+)">(.*?)</article>', page.text, re.S)
        )
        assert set(rows) == set(expected)
        parts = dict(re.findall(r'data-part="([a-z]+)">([^<]*)<', rows["registered"]))
        assert parts == {"reported": "5", "computed": "4", "difference": "1"}
        assert expected["registered"] == {**expected["registered"], "reported": 5, "computed": 4, "difference": 1}
        assert "不一致" in rows["registered"] and expected["registered"]["agrees"] is False
        implied = expected["registration_rate"]["implied"]
        assert f"注册志愿者数应为 {implied['registered']:,.0f}" in rows["registration_rate"]
        assert "公布的 64.89% 与公布的数字不一致" in page.text  # 3 ÷ 5 is not 64.89 %
        assert 'value="64.89"' in page.text  # what was typed stays in the form

        bad = await http.get("/dashboard/reconcile", params={"area": "S1", "registered": "-3"})
        assert bad.status_code == 422 and "注册志愿者数" in bad.text and 'value="-3"' in bad.text
        window = await http.get("/dashboard/reconcile", params={"area": "S1", "registered": "3", "window_days": "0"})
        assert window.status_code == 422 and "统计窗口天数" in window.text
        outside = await http.get("/dashboard/reconcile", params={"area": "S2", "registered": "3"})
        assert outside.status_code == 404 and "西街道" not in outside.text
    async with page_client(app) as http:
        await log_in(http, "staff_c11")
        staff = await http.get("/dashboard/reconcile", params={"area": "C11", "registered": "3"})
        assert staff.status_code == 200 and 'href="/staff"' in staff.text


# ---- in real Chromium ------------------------------------------------------------------------------------------

SCREENS: dict[str, ViewportSize] = {"phone": {"width": 360, "height": 640}, "desktop": {"width": 1366, "height": 768}}

# The smallest chart text as the screen shows it: the font size times the scale from the SVG's units to px.
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg.chart text')].map(t =>
    parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""
# Or measured: the height of the box a line of the smallest text needs (a glyph box is about 1.1–1.3 em).
SMALLEST_TEXT_BOX = """() => Math.min(...[...document.querySelectorAll('svg.chart text')]
    .filter(t => t.textContent.trim()).map(t => t.getBoundingClientRect().height))"""


async def browser_login(page: Page, base: str, username: str, next_page: str) -> None:
    """Log in with the form, as a person does, landing on `next_page`."""
    await page.goto(f"{base}/login?next={next_page}")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}{next_page}*")


async def fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling of the page itself."""
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_landing_dashboard_and_reconciliation_in_chromium(
    app: Any, world: World, shots: Path, screen: str
) -> None:
    require_chromium()
    await small_street(world)
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=SCREENS[screen], locale="zh-CN", is_mobile=screen == "phone")
        page = await context.new_page()
        await page.goto(f"{base}/")
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-landing.png"), full_page=True)
        await page.click("#to-dashboard")
        await page.wait_for_url(f"{base}/login")

        await browser_login(page, base, "official_s1", "/dashboard")
        await page.wait_for_selector("svg.chart")
        assert await page.locator("svg.chart").count() == 4
        smallest = await page.evaluate(SMALLEST_CHART_TEXT)
        boxed = await page.evaluate(SMALLEST_TEXT_BOX)
        print(screen, "smallest chart text", smallest, "px; box", boxed)
        assert smallest >= 12, smallest  # the rule: chart text at least 12 px, on a phone too
        assert boxed >= 12, boxed
        if screen == "desktop":
            assert smallest <= 24, smallest  # and no poster-sized text on a desk
        titles = await page.locator("svg.chart text[font-weight='700']").all_text_contents()
        assert titles == [
            "下级区域注册率与活跃率（%）",
            "每月活动数（个）",
            "每月服务时长（小时）",
            "活动类别构成（活动数，个）",
        ]
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-dashboard.png"), full_page=True)

        await page.click("#to-reconcile")
        await page.wait_for_selector("#registered")
        await page.fill("#registered", "5")
        await page.fill("#active", "3")
        await page.fill("#active_rate", "64.89")
        await page.click("form[action='/dashboard/reconcile'] button[type=submit]")
        await page.wait_for_selector("#comparisons")
        assert "不一致" in await page.locator("[data-figure=registered]").inner_text()
        assert "与公布的数字不一致" in await page.locator("#consistency").inner_text()
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-reconcile.png"), full_page=True)
        await browser.close()
