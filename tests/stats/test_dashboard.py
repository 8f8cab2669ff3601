"""The dashboard: login by form, figures that match the API, scope, CSRF on logout, real Chromium."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook
from playwright.async_api import async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from tests.factories import add_population, add_record, add_team, add_volunteer, held
from volunteers.auth.authentication import caller_for_token
from volunteers.fields import today

HEADLINES = (
    "registered",
    "registration_rate",
    "active",
    "active_rate",
    "hours_total",
    "teams",
    "activities",
    "participants",
)


async def street_world() -> None:
    """A street with two communities, figures as of today."""
    now = today()
    await add_population("S1", now.year, 800)
    await add_population("C11", now.year, 500)
    last_year = now - timedelta(days=400)
    reading = await held("C11", now - timedelta(days=30))
    film = await held("C12", now - timedelta(days=60), category="red_film")
    for code, minutes, place in (("C11", 120, reading), ("C11", 45, reading), ("C12", 90, film), ("C12", 0, None)):
        someone = await add_volunteer(code, last_year)
        if place:
            await add_record(someone, place, now - timedelta(days=30 if place == reading else 60), minutes)
    await add_volunteer("C21", last_year)
    await add_team("C11", "甲队")
    await add_team("C11", "乙队")


def hidden(html: str, name: str = "csrf") -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, html
    return found.group(1)


@asynccontextmanager
async def browser_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh cookie jar talking to the app in-process (one per person)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


async def log_in(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    form = await http.get("/login")
    assert form.status_code == 200
    return await http.post("/login", data={"username": username, "password": password, "csrf": hidden(form.text)})


def card_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([a-z_]+)" data-value="([^"]*)"', html))


def shown(value: Any) -> str:
    return "" if value is None else str(value)


async def test_login_sets_a_strict_http_only_session_and_the_figures_match_the_api(app: Any, world: World) -> None:
    await street_world()
    async with browser_client(app) as http:
        away = await http.get("/dashboard")
        assert away.status_code == 303 and away.headers["location"] == "/login"
        form = await http.get("/login")
        csrf_cookie = form.headers["set-cookie"]
        assert "vol_csrf=" in csrf_cookie and "HttpOnly" in csrf_cookie and "samesite=strict" in csrf_cookie.lower()
        done = await log_in(http, "official_s1")
        assert done.status_code == 303 and done.headers["location"] == "/dashboard"
        session = next(c for c in done.headers.get_list("set-cookie") if c.startswith("vol_session="))
        assert "HttpOnly" in session and "samesite=strict" in session.lower() and "Path=/" in session
        page = await http.get("/dashboard")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    api = (
        await world.get(
            "official_s1", "/api/v1/stats/participation", params={"area": "S1", "as_of": today().isoformat()}
        )
    ).json()
    values = card_values(page.text)
    assert list(values) == list(HEADLINES)
    assert values == {k: shown(api["figures"][k]["value"]) for k in HEADLINES}
    assert values["registered"] == "4" and values["registration_rate"] == "0.5" and values["teams"] == "2"
    assert "分母：常住人口 800" in page.text and "分子：注册志愿者数 4" in page.text
    assert "居住地在该区域（含下级）的志愿者中" in page.text  # the definition, one click away
    assert page.text.count("<svg") == 4 and "<script" not in page.text
    assert "东一社区" in page.text and "红色电影大家看" in page.text
    assert "http://" not in page.text.replace('xmlns="http://www.w3.org/2000/svg"', "")


async def test_wrong_password_csrf_and_throttling(app: Any, world: World) -> None:
    async with browser_client(app) as http:
        wrong = await log_in(http, "official_s1", "not-the-password")
        assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
        assert "vol_session" not in wrong.headers.get("set-cookie", "")
        forged = await http.post("/login", data={"username": "official_s1", "password": PASSWORD, "csrf": "x" * 43})
        assert forged.status_code == 403 and "vol_session" not in forged.headers.get("set-cookie", "")
        hostile = await http.post("/login", data={"username": "a\u0000b", "password": "\u0000" * 300, "csrf": "'"})
        assert hostile.status_code == 403
        form = await http.get("/login")
        nul = await http.post("/login", data={"username": "a\u0000b", "password": "x", "csrf": hidden(form.text)})
        assert nul.status_code == 401
        for _ in range(5):
            await log_in(http, "official_d1", "not-the-password")
        throttled = await log_in(http, "official_d1")
        assert throttled.status_code == 429 and "登录失败次数过多" in throttled.text
        assert (await http.get("/dashboard")).status_code == 303


async def test_an_official_sees_only_their_own_subtree(app: Any, world: World) -> None:
    await street_world()
    async with browser_client(app) as http:
        await log_in(http, "official_s1")
        for area in ("S2", "D1", "C21", "NOPE"):
            refused = await http.get("/dashboard", params={"area": area})
            assert refused.status_code == 404, area
            assert f"区域 {area} 不存在或不在您的管辖范围内" in refused.text
            assert "data-figure" not in refused.text and "西街道" not in refused.text
            download = await http.get("/dashboard/export", params={"area": area})
            assert download.status_code == 404
        for hostile in ({"area": "S1\u0000"}, {"area": "' OR 1=1 --"}, {"area": "x" * 5000}):
            assert (await http.get("/dashboard", params=hostile)).status_code == 404
        for bad_date in ("2026-13-01", "abc", "2026-02-30", "1900-01-01", "9" * 300):
            answer = await http.get("/dashboard", params={"as_of": bad_date})
            assert answer.status_code == 422, bad_date
        community = await http.get("/dashboard", params={"area": "C11", "as_of": today().isoformat()})
        assert community.status_code == 200 and card_values(community.text)["registered"] == "2"
        assert "↑ 上一级：东街道" in community.text and "该区域没有下级区域" in community.text
        street = await http.get("/dashboard")
        assert "上一级" not in street.text  # the district lies outside this official's scope


async def test_the_system_administrator_opens_on_the_district(app: Any, world: World) -> None:
    await street_world()
    async with browser_client(app) as http:
        await log_in(http, "root")
        page = await http.get("/dashboard")
        assert page.status_code == 200 and "志愿服务统计 · 高新区" in page.text
        assert card_values(page.text)["registered"] == "5"
        assert re.findall(r"<tr data-area=\"([A-Z0-9]+)\"", page.text) == ["S1", "S2"]


async def test_dashboard_downloads_use_the_session(app: Any, world: World) -> None:
    await street_world()
    async with browser_client(app) as http:
        assert (await http.get("/dashboard/export")).status_code == 303
        await log_in(http, "official_s1")
        xlsx = await http.get("/dashboard/export", params={"what": "participation", "format": "xlsx"})
        assert xlsx.status_code == 200
        rows = list(load_workbook(io.BytesIO(xlsx.content))["参与统计"].iter_rows(values_only=True))
        assert [r[0] for r in rows[1:]] == ["S1", "C11", "C12"]
        teams = await http.get("/dashboard/export", params={"what": "teams", "format": "csv"})
        assert teams.content.startswith(b"\xef\xbb\xbf") and "甲队" in teams.content.decode("utf-8-sig")
        assert (await http.get("/dashboard/export", params={"what": "passwords"})).status_code == 422


async def test_logout_needs_the_csrf_token_and_revokes_the_session(app: Any, world: World) -> None:
    async with browser_client(app) as http:
        done = await log_in(http, "staff_c11")
        token = next(
            c.split(";")[0].split("=", 1)[1]
            for c in done.headers.get_list("set-cookie")
            if c.startswith("vol_session=")
        )
        page = await http.get("/dashboard")
        assert page.status_code == 200
        for forged in ({"csrf": "A" * 43}, {}, {"csrf": ""}):
            refused = await http.post("/logout", data=forged)
            assert refused.status_code == 403 and "安全校验" in refused.text
            assert await caller_for_token(token) is not None
        assert (await http.get("/dashboard")).status_code == 200
        out = await http.post("/logout", data={"csrf": hidden(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert 'vol_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
        assert await caller_for_token(token) is None
        assert (await http.get("/dashboard")).status_code == 303
        stale = await httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver").get(
            "/dashboard", cookies={"vol_session": token}
        )
        assert stale.status_code == 303
    api = await world.http.get("/api/v1/stats/definitions", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


async def test_dashboard_in_chromium(app: Any, world: World, tmp_path: Path) -> None:
    require_chromium()
    await street_world()
    api = (
        await world.get(
            "official_s1", "/api/v1/stats/participation", params={"area": "S1", "as_of": today().isoformat()}
        )
    ).json()
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        laptop = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = await laptop.new_page()
        await page.goto(f"{base}/dashboard")
        assert page.url.endswith("/login")
        await page.fill("#username", "official_s1")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_selector("text=主要指标")
        assert page.url.endswith("/dashboard")
        for key in HEADLINES:
            card = page.locator(f"[data-figure={key}]")
            assert await card.get_attribute("data-value") == shown(api["figures"][key]["value"]), key
        registered = page.locator("[data-figure=registered]")
        assert (await registered.locator(".value").inner_text()) == "4"
        definition = registered.locator("details p").first
        assert not await definition.is_visible()
        await registered.locator("summary").click()
        assert await definition.is_visible()
        assert "注册日期不晚于统计日期" in await definition.inner_text()
        assert await page.locator("svg.chart").count() == 4
        assert await page.evaluate("document.cookie") == ""  # both cookies are HttpOnly
        await page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

        await page.locator("tr[data-area=C11] a").click()
        await page.wait_for_selector("text=志愿服务统计 · 东一社区")
        assert await page.locator("[data-figure=registered]").get_attribute("data-value") == "2"

        phone = await browser.new_context(viewport={"width": 375, "height": 720}, is_mobile=True)
        await phone.add_cookies(await laptop.cookies())  # type: ignore[arg-type]  # same dicts, typed apart
        small = await phone.new_page()
        await small.goto(f"{base}/dashboard")
        await small.wait_for_selector("text=主要指标")
        width = await small.evaluate("document.documentElement.scrollWidth")
        assert width <= 380, width  # nothing forces sideways scrolling on a phone
        await small.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)

        await page.click("text=退出登录")
        await page.wait_for_selector("text=工作人员与统计查看账号登录")
        await page.goto(f"{base}/dashboard")
        assert page.url.endswith("/login")
        await browser.close()
    assert (tmp_path / "dashboard.png").stat().st_size > 20_000
    assert (tmp_path / "dashboard-phone.png").stat().st_size > 10_000
