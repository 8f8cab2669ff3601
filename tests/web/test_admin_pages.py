"""The admin pages (/staff/users, /staff/areas): admins of a subtree manage its accounts, areas and populations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from tests.web.test_landing_and_dashboard import SCREENS, browser_login, fits
from tests.web.test_staff_home import hidden, log_in, page_client
from volunteers.areas.tables import Area, AreaPopulation
from volunteers.auth.tables import StaffUser

STRONG = "lantern-harbour-7421"


async def post_form(http: httpx.AsyncClient, page: str, action: str, data: dict[str, str]) -> httpx.Response:
    """Post `data` to `action` with the CSRF token of `page`, as its form does."""
    return await http.post(action, data={"csrf": hidden((await http.get(page)).text), **data})


async def user_id(username: str) -> int:
    row = await StaffUser.select(StaffUser.id).where(StaffUser.username == username).first()
    assert row is not None
    return int(row["id"])


async def can_log_in(app: Any, username: str, password: str) -> bool:
    async with page_client(app) as http:
        form = await http.get("/login")
        done = await http.post("/login", data={"username": username, "password": password, "csrf": hidden(form.text)})
        return done.status_code == 303


async def test_staff_are_refused_the_admin_pages(app: Any, world: World) -> None:
    c11 = await user_id("staff_c11")
    async with page_client(app) as http:
        await log_in(http, "staff_s1")
        home = await http.get("/staff")
        assert 'href="/staff/users"' not in home.text and 'href="/staff/areas"' not in home.text
        for path in ("/staff/users", f"/staff/users/{c11}", "/staff/areas", "/staff/areas/C11"):
            refused = await http.get(path)
            assert refused.status_code == 403 and "管理员" in refused.text, path
        token = hidden(home.text)
        for action, data in (
            ("/staff/users/new", {"username": "sneaky", "password": STRONG, "role": "staff", "area_code": "C11"}),
            (f"/staff/users/{c11}/password", {"password": STRONG}),
            (f"/staff/users/{c11}/deactivate", {}),
            ("/staff/areas/new", {"code": "C13", "name": "东三社区", "level": "community", "parent_code": "S1"}),
            ("/staff/areas/C11/rename", {"name": "改名"}),
            ("/staff/areas/C11/population", {"year": "2025", "resident_population": "9000", "as_of": "2025-12-31"}),
        ):
            refused = await http.post(action, data={"csrf": token, **data})
            assert refused.status_code == 403, action
    assert not await StaffUser.exists().where(StaffUser.username == "sneaky")
    assert await Area.count() == 6 and await AreaPopulation.count() == 0
    assert await can_log_in(app, "staff_c11", PASSWORD)


async def test_an_admin_creates_resets_and_deactivates_in_the_subtree(app: Any, world: World) -> None:
    async with page_client(app) as http:
        await log_in(http, "admin_s1")
        page = await http.get("/staff/users")
        assert page.status_code == 200
        listed = set(re.findall(r'data-user="([^"]+)"', page.text))
        assert {"admin_s1", "staff_c11", "staff_c12", "official_s1"} <= listed
        assert not listed & {"root", "staff_c21", "official_d1"}  # the system admin and other streets stay unseen
        assert 'value="C12"' in page.text and 'value="C21"' not in page.text and "全区（不限区域" not in page.text

        weak = await post_form(
            http,
            "/staff/users",
            "/staff/users/new",
            {"username": "wang", "password": "12345678", "role": "staff", "area_code": "C12"},
        )
        assert weak.status_code == 422 and "密码" in weak.text and 'value="wang"' in weak.text  # what was typed stays
        assert "12345678" not in weak.text  # but never the password
        done = await post_form(
            http,
            "/staff/users",
            "/staff/users/new",
            {"username": "wang", "password": STRONG, "role": "staff", "area_code": "C12"},
        )
        assert done.status_code == 303 and done.headers["location"].endswith("?done=created")
        wang = await user_id("wang")
        twice = await post_form(
            http,
            "/staff/users",
            "/staff/users/new",
            {"username": "wang", "password": STRONG, "role": "staff", "area_code": "C12"},
        )
        assert twice.status_code == 409 and "已被使用" in twice.text  # a double submit makes no second account
        outside = await post_form(
            http,
            "/staff/users",
            "/staff/users/new",
            {"username": "li", "password": STRONG, "role": "staff", "area_code": "C21"},
        )
        assert outside.status_code == 403 and not await StaffUser.exists().where(StaffUser.username == "li")
        assert await can_log_in(app, "wang", STRONG)

        shown = await http.get(f"/staff/users/{wang}")
        assert shown.status_code == 200 and "wang" in shown.text
        account = f"/staff/users/{wang}"
        short = await post_form(http, account, f"{account}/password", {"password": "short"})
        assert short.status_code == 422 and "密码" in short.text
        reset = await post_form(http, account, f"{account}/password", {"password": "another-lantern-9931"})
        assert reset.status_code == 303 and reset.headers["location"] == f"{account}?done=password"
        assert await can_log_in(app, "wang", "another-lantern-9931") and not await can_log_in(app, "wang", STRONG)
        off = await post_form(http, account, f"{account}/deactivate", {})
        assert off.status_code == 303 and not await can_log_in(app, "wang", "another-lantern-9931")
        assert "已停用" in (await http.get(f"{account}?done=deactivated")).text
        back = await post_form(http, account, f"{account}/activate", {})
        assert back.status_code == 303 and await can_log_in(app, "wang", "another-lantern-9931")

        me = await user_id("admin_s1")
        own = await post_form(http, f"/staff/users/{me}", f"/staff/users/{me}/deactivate", {})
        assert own.status_code == 422 and "不能停用自己" in own.text

        for hidden_user in ("root", "staff_c21"):  # outside the subtree: absent, and unchanged
            other = await user_id(hidden_user)
            assert (await http.get(f"/staff/users/{other}")).status_code == 404
            token = hidden((await http.get("/staff/users")).text)
            gone = await http.post(f"/staff/users/{other}/password", data={"csrf": token, "password": STRONG})
            assert gone.status_code == 404
            gone = await http.post(f"/staff/users/{other}/deactivate", data={"csrf": token})
            assert gone.status_code == 404
        assert (await http.get("/staff/users/99999999999")).status_code == 404
        no_token = await http.post(f"/staff/users/{wang}/deactivate", data={})
        assert no_token.status_code == 403
    assert await can_log_in(app, "root", PASSWORD) and await can_log_in(app, "staff_c21", PASSWORD)
    assert await can_log_in(app, "wang", "another-lantern-9931")


async def test_an_admin_sees_the_tree_adds_a_child_renames_and_sets_population(app: Any, world: World) -> None:
    async with page_client(app) as http:
        await log_in(http, "admin_s1")
        tree = await http.get("/staff/areas")
        assert tree.status_code == 200
        assert re.findall(r'data-area="([^"]+)"', tree.text) == ["S1", "C11", "C12"]

        street = await http.get("/staff/areas/S1")
        assert "常住人口只能由上级区域的管理员登记" in street.text  # the admin's own area
        own = await post_form(
            http,
            "/staff/areas/S1",
            "/staff/areas/S1/population",
            {"year": "2025", "resident_population": "9000", "as_of": "2025-12-31"},
        )
        assert own.status_code == 403 and await AreaPopulation.count() == 0

        child = {"code": "C13", "name": "东三社区", "level": "community", "parent_code": "S1"}
        made = await post_form(http, "/staff/areas/S1", "/staff/areas/new", child)
        assert made.status_code == 303 and made.headers["location"] == "/staff/areas/C13?done=created"
        again = await post_form(http, "/staff/areas/S1", "/staff/areas/new", child)
        assert again.status_code == 409 and "已存在" in again.text and 'value="东三社区"' in again.text
        elsewhere = await post_form(
            http, "/staff/areas/S1", "/staff/areas/new", {**child, "code": "C22", "parent_code": "S2"}
        )
        assert elsewhere.status_code == 403 and not await Area.exists().where(Area.code == "C22")

        renamed = await post_form(http, "/staff/areas/C13", "/staff/areas/C13/rename", {"name": "东三新社区"})
        assert renamed.status_code == 303
        assert "东三新社区" in (await http.get("/staff/areas")).text
        blank = await post_form(http, "/staff/areas/C13", "/staff/areas/C13/rename", {"name": " "})
        assert blank.status_code == 422 and "名称" in blank.text

        people = {"year": "2025", "resident_population": "12000", "source": "统计公报", "as_of": "2025-12-31"}
        saved = await post_form(http, "/staff/areas/C11", "/staff/areas/C11/population", people)
        assert saved.status_code == 303
        assert "12,000" in (await http.get("/staff/areas/C11")).text
        api = await world.get("admin_s1", "/api/v1/areas/C11/population")
        assert api.json()[0]["resident_population"] == 12000
        late = await post_form(
            http, "/staff/areas/C11", "/staff/areas/C11/population", {**people, "as_of": "2031-01-01"}
        )
        assert late.status_code == 422 and 'value="12000"' in late.text
        year = await post_form(http, "/staff/areas/C11", "/staff/areas/C11/population", {**people, "year": "19"})
        assert year.status_code == 422 and "年份" in year.text

        for path in ("/staff/areas/C21", "/staff/areas/S2", "/staff/areas/D1"):
            assert (await http.get(path)).status_code == 404, path
        token = hidden(tree.text)
        taken = await http.post("/staff/areas/C21/rename", data={"csrf": token, "name": "被改"})
        assert taken.status_code == 404
        population = await http.post("/staff/areas/C21/population", data={"csrf": token, **people})
        assert population.status_code == 404
    names = {r["code"]: r["name"] for r in await Area.select(Area.code, Area.name)}
    assert names["C21"] == "西一社区" and await AreaPopulation.count() == 1


# ---- in real Chromium ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_admin_pages_in_chromium(app: Any, world: World, shots: Path, screen: str) -> None:
    """An admin creates a staff account, sets a community's population; another street's page is refused."""
    require_chromium()
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=SCREENS[screen], locale="zh-CN", is_mobile=screen == "phone")
        page = await context.new_page()
        await browser_login(page, base, "admin_s1", "/staff/users")
        await page.fill("#username", f"zhang_{screen}")
        await page.fill("#password", STRONG)
        await page.select_option("#role", "staff")
        await page.select_option("#area_code", "C12")
        await page.click("#new-user button[type=submit]")
        await page.wait_for_selector("text=账号已创建")
        await fits(page)
        await page.goto(f"{base}/staff/users")
        assert await page.locator(f"tr[data-user=zhang_{screen}]").count() == 1
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-users.png"), full_page=True)

        await page.goto(f"{base}/staff/areas")
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-areas.png"), full_page=True)
        await page.click("li[data-area=C11] a")
        await page.fill("#resident_population", "12000")
        await page.fill("#source", "统计公报")
        await page.click("#population button[type=submit]")
        await page.wait_for_selector("text=已保存常住人口")
        assert "12,000" in await page.locator("#population").inner_text()
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-area-population.png"), full_page=True)

        refused = await page.goto(f"{base}/staff/areas/C21")
        assert refused is not None and refused.status == 404
        assert "西一" not in await page.content()
        await page.screenshot(path=str(shots / f"{screen}-area-refused.png"), full_page=True)
        await browser.close()
    assert await AreaPopulation.count() == 1
