"""The volunteer pages of the workbench (/staff/volunteers): find, register, edit and change status through the
forms, with the API's rules, messages and scope; nothing of another area shown or changed; no ID number shown."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from tests.factories import make_id_number
from tests.matrix_world import fingerprint
from tests.web.test_staff_home import activity, hidden, log_in, page_client
from volunteers.audit.tables import AuditEntry
from volunteers.fields import LOCAL_TZ, today
from volunteers.people.tables import Volunteer

# A row of the list: the volunteer's id, then (after the name and the volunteer number) the phone shown.
ROW = r'<a href="/staff/volunteers/(\d+)">[^<]*</a></td>\s*<td[^>]*>[^<]*</td>\s*<td>([^<]*)</td>'
SCREENS = {"phone": {"width": 360, "height": 640}, "desktop": {"width": 1366, "height": 768}}


@asynccontextmanager
async def staff_client(app: Any, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client logged in as `username` through the login form."""
    async with page_client(app) as http:
        done = await log_in(http, username)
        assert done.status_code == 303, done.text
        yield http


async def csrf_of(http: httpx.AsyncClient, path: str = "/staff/volunteers/new") -> str:
    return hidden((await http.get(path)).text)


async def make_volunteer(world: World, user: str, area: str, name: str, phone: str, **more: Any) -> int:
    made = await world.post(user, "/api/v1/volunteers", {"name": name, "phone": phone, "area_code": area, **more})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def registration(**fields: str) -> dict[str, str]:
    return {"name": "王小明", "phone": "13800138001", "area_code": "C11", "consent_on": str(today()), **fields}


def text_of(html: str) -> str:
    """The page's text without tags, to look for what a person reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_register_then_find_by_name_number_and_phone(app: Any, world: World) -> None:
    async with staff_client(app, "staff_c11") as http:
        form = await http.get("/staff/volunteers/new")
        assert form.status_code == 200
        assert 'value="C11"' in form.text and 'value="C21"' not in form.text and "西一" not in form.text
        sent = await http.post("/staff/volunteers", data={**registration(), "csrf": hidden(form.text)})
        assert sent.status_code == 303, sent.text
        where = re.fullmatch(r"/staff/volunteers/(\d+)\?done=created", sent.headers["location"])
        assert where
        page = await http.get(sent.headers["location"])
        assert page.status_code == 200 and "志愿者已登记" in page.text and "王小明" in page.text
        assert "13800138001" in page.text and "未登记" in page.text
        api = (await world.get("staff_c11", f"/api/v1/volunteers/{where[1]}")).json()
        assert api["name"] == "王小明" and api["area_code"] == "C11" and api["consent_on"] == str(today())
        await make_volunteer(world, "staff_c21", "C21", "王大明", "13800138002")
        for term in ("小明", api["volunteer_no"], "1380013", "13800138001"):
            found = await http.get("/staff/volunteers", params={"q": term})
            assert found.status_code == 200 and f"/staff/volunteers/{where[1]}" in found.text, term
            assert "王大明" not in found.text and "13800138002" not in found.text
        assert "王小明" not in (await http.get("/staff/volunteers", params={"status": "suspended"})).text
        assert "王小明" in (await http.get("/staff/volunteers", params={"area": "C11", "status": "active"})).text
        assert "王小明" not in (await http.get("/staff/volunteers", params={"area": "C21"})).text


async def test_the_list_shows_what_the_api_shows_the_caller(app: Any, world: World) -> None:
    """Same search service: the same volunteers, the same phones, in the same order."""
    for n in range(3):
        await make_volunteer(world, "staff_s1", "C11" if n else "C12", f"张{n}", f"1390000000{n}")
    await make_volunteer(world, "staff_c21", "C21", "张西", "13900000009")
    for user in ("staff_c11", "staff_s1", "admin_s1"):
        api = (await world.get(user, "/api/v1/volunteers", params={"q": "张"})).json()["items"]
        async with staff_client(app, user) as http:
            page = await http.get("/staff/volunteers", params={"q": "张"})
        rows = re.findall(ROW, page.text)
        assert rows == [(str(v["id"]), v["phone"]) for v in api], user
        assert "张西" not in page.text


async def test_an_id_number_search_is_audited_and_no_page_shows_the_number(app: Any, world: World) -> None:
    number = make_id_number(date(1990, 3, 7), n=7)
    volunteer = await make_volunteer(world, "staff_c11", "C11", "李身份", "13700137000", id_number=number)
    async with staff_client(app, "staff_c11") as http:
        found = await http.get("/staff/volunteers", params={"q": number})
        page = await http.get(f"/staff/volunteers/{volunteer}")
    assert f"/staff/volunteers/{volunteer}" in found.text
    assert "已登记" in page.text and "1990-03-07" in page.text
    for html in (found.text, page.text):
        assert number[6:] not in html and number[-4:] not in text_of(html).replace("13700137000", "")
        assert not re.search(r"[0-9]{6}\*+[0-9]{3}[0-9X]", html)
    lookups = await AuditEntry.count().where(AuditEntry.action == "lookup_id_number")
    assert lookups == 1  # as GET /api/v1/volunteers?q=<ID number> records it


async def test_a_minor_needs_a_guardian_and_the_form_keeps_what_was_typed(app: Any, world: World) -> None:
    born = str(today().replace(year=today().year - 12))
    async with staff_client(app, "staff_c11") as http:
        csrf = await csrf_of(http)
        refused = await http.post(
            "/staff/volunteers", data={**registration(name="小学生", birth_date=born), "csrf": csrf}
        )
        assert refused.status_code == 422
        assert (
            "监护人（guardian）" in refused.text
            and 'value="小学生"' in refused.text
            and f'value="{born}"' in refused.text
        )
        assert '<details class="guardian" open>' in refused.text
        half = {"guardian.name": "小学生家长", "guardian.consent_on": str(today())}
        missing = await http.post(
            "/staff/volunteers", data={**registration(name="小学生", birth_date=born), **half, "csrf": csrf}
        )
        assert missing.status_code == 422 and 'value="小学生家长"' in missing.text
        assert '<p class="field-error" id="guardian.phone-error">监护人（guardian.phone）必须填写</p>' in missing.text
        assert await Volunteer.count() == 0
        guardian = {**half, "guardian.phone": "13900139999"}
        done = await http.post(
            "/staff/volunteers", data={**registration(name="小学生", birth_date=born), **guardian, "csrf": csrf}
        )
        assert done.status_code == 303, done.text
        page = await http.get(done.headers["location"])
    assert "小学生家长 · 13900139999" in page.text


async def test_a_duplicate_phone_is_the_apis_409_and_says_nothing_more(app: Any, world: World) -> None:
    await make_volunteer(world, "staff_c21", "C21", "西边的人", "13800138000")
    api = await world.post(
        "staff_c11", "/api/v1/volunteers", {"name": "甲", "phone": "13800138000", "area_code": "C11"}
    )
    assert api.status_code == 409
    async with staff_client(app, "staff_c11") as http:
        sent = await http.post(
            "/staff/volunteers",
            data={**registration(name="东边的人", phone="13800138000"), "csrf": await csrf_of(http)},
        )
    assert sent.status_code == 409
    assert api.json()["detail"] in sent.text and 'value="东边的人"' in sent.text
    assert "西边的人" not in sent.text and "西一" not in sent.text and "C21" not in sent.text
    assert await Volunteer.count() == 1


async def test_oversized_input_is_a_422_page_and_writes_nothing(app: Any, world: World) -> None:
    volunteer = await make_volunteer(world, "staff_c11", "C11", "原名", "13800138003")
    async with staff_client(app, "staff_c11") as http:
        csrf = await csrf_of(http)
        before = await fingerprint()
        created = await http.post("/staff/volunteers", data={**registration(name="名" * 10_000), "csrf": csrf})
        edited = await http.post(
            f"/staff/volunteers/{volunteer}",
            data={"name": "名" * 10_000, "phone": "13800138003", "area_code": "C11", "csrf": csrf},
        )
        searched = await http.get("/staff/volunteers", params={"q": "找" * 2_000})
        reason = await http.post(
            f"/staff/volunteers/{volunteer}/suspend", data={"on": str(today()), "reason": "长" * 10_000, "csrf": csrf}
        )
        assert await fingerprint() == before
    for page in (created, edited):
        assert page.status_code == 422 and "名称/姓名（name）" in page.text and "最多 50 个字符" in page.text
    assert searched.status_code == 422 and "搜索词（q）" in searched.text
    assert reason.status_code == 422 and "原因（reason）" in reason.text


async def test_edit_changes_only_what_was_changed(app: Any, world: World) -> None:
    number = make_id_number(date(1988, 5, 1), n=3)
    volunteer = await make_volunteer(world, "staff_s1", "C11", "赵六", "13800138004", id_number=number)
    async with staff_client(app, "staff_s1") as http:
        page = await http.get(f"/staff/volunteers/{volunteer}")
        csrf = hidden(page.text)
        assert 'name="id_number" type="text" value=""' in page.text and number not in page.text
        form = {
            "name": "赵六六",
            "phone": "13800138005",
            "area_code": "C12",
            "id_number": "",
            "gender": "male",
            "birth_date": "1988-05-01",
            "csrf": csrf,
        }
        saved = await http.post(f"/staff/volunteers/{volunteer}", data=form)
        assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
        again = await http.post(f"/staff/volunteers/{volunteer}", data=form)  # a double submit changes nothing
        assert again.headers["location"].endswith("?done=unchanged")
        wrong = await http.post(f"/staff/volunteers/{volunteer}", data={**form, "birth_date": "1990-01-01"})
        assert (
            wrong.status_code == 422 and "出生日期（birth_date）" in wrong.text and 'value="1990-01-01"' in wrong.text
        )
        assert '<details class="card" open>' in wrong.text
    api = (await world.get("staff_s1", f"/api/v1/volunteers/{volunteer}")).json()
    assert (api["name"], api["phone"], api["area_code"], api["has_id_number"]) == ("赵六六", "13800138005", "C12", True)
    updates = await AuditEntry.count().where((AuditEntry.action == "update") & (AuditEntry.entity == "volunteer"))
    assert updates == 1


async def test_status_actions_follow_the_apis_rules(app: Any, world: World) -> None:
    volunteer = await make_volunteer(world, "staff_c11", "C11", "孙七", "13800138006", registered_on="2026-01-05")
    path = f"/staff/volunteers/{volunteer}"
    async with staff_client(app, "staff_c11") as http:
        csrf = hidden((await http.get(path)).text)
        future = await http.post(f"{path}/suspend", data={"on": str(today() + timedelta(days=1)), "csrf": csrf})
        assert future.status_code == 422 and "日期（on）" in future.text
        early = await http.post(f"{path}/withdraw", data={"on": "2025-12-31", "reason": "搬走了", "csrf": csrf})
        assert early.status_code == 422 and "早于注册日期" in early.text and "搬走了" in early.text
        suspended = await http.post(
            f"{path}/suspend", data={"on": str(today()), "reason": "长期联系不上", "csrf": csrf}
        )
        assert suspended.status_code == 303 and suspended.headers["location"].endswith("?done=suspend")
        twice = await http.post(f"{path}/suspend", data={"on": str(today()), "csrf": csrf})
        assert twice.status_code == 409 and "该志愿者已处于暂停状态" in twice.text
        shown = await http.get(suspended.headers["location"])
        assert "已暂停该志愿者" in shown.text and f'action="{path}/reinstate"' in shown.text
        assert f'action="{path}/suspend"' not in shown.text
        assert (await http.post(f"{path}/reinstate", data={"csrf": csrf})).status_code == 303
        withdrawn = await http.post(f"{path}/withdraw", data={"on": str(today()), "reason": "本人申请", "csrf": csrf})
        assert withdrawn.status_code == 303
        page = await http.get(path)
        assert "已退出" in page.text and "资料只读" in page.text and f'action="{path}"' not in page.text
        locked = await http.post(path, data={"name": "改名", "phone": "13800138006", "area_code": "C11", "csrf": csrf})
        assert locked.status_code == 409 and "须先恢复" in locked.text
    api = (await world.get("staff_c11", f"/api/v1/volunteers/{volunteer}")).json()
    assert api["status"] == "withdrawn" and api["name"] == "孙七"
    audit = await AuditEntry.select(AuditEntry.action).where(AuditEntry.entity_id == str(volunteer))
    assert [a["action"] for a in audit if a["action"] != "create"] == ["suspend", "reinstate", "withdraw"]


async def test_teams_and_hours_on_the_volunteers_page(app: Any, world: World) -> None:
    volunteer = await make_volunteer(world, "staff_c11", "C11", "周八", "13800138007")
    team = await world.post(
        "staff_c11", "/api/v1/teams", {"name": "东一读书队", "area_code": "C11", "sponsor": "东一小学"}
    )
    await world.post("staff_c11", f"/api/v1/teams/{team.json()['id']}/members", {"volunteer_id": volunteer})
    started = datetime.combine(today() - timedelta(days=3), datetime.min.time(), LOCAL_TZ) + timedelta(hours=9)
    held = await activity(world, "staff_c11", "C11", "周末读书会", started)
    manual = {
        "volunteer_id": volunteer,
        "activity_id": held,
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(minutes=90)).isoformat(),
        "reason": "纸质签到表补录",
    }
    assert (await world.post("staff_c11", "/api/v1/service-records", manual)).status_code == 201
    async with staff_client(app, "staff_c11") as http:
        page = await http.get(f"/staff/volunteers/{volunteer}")
    assert "东一读书队" in page.text and f"/staff/teams/{team.json()['id']}" in page.text
    assert "周末读书会" in page.text and "待审核" in page.text
    assert re.search(r"<b>1.5</b><span>待审核时长（小时）</span>", page.text)


async def test_another_areas_volunteer_answers_404_or_403_and_nothing_changes(app: Any, world: World) -> None:
    theirs = await make_volunteer(world, "staff_c21", "C21", "西边志愿者", "13800138010")
    path = f"/staff/volunteers/{theirs}"
    async with staff_client(app, "staff_c11") as http:
        csrf = await csrf_of(http)
        before = await fingerprint()
        assert (await http.get(path)).status_code == 404
        answers = [
            await http.post(path, data={"name": "改", "phone": "13800138010", "area_code": "C21", "csrf": csrf}),
            await http.post(f"{path}/suspend", data={"on": str(today()), "csrf": csrf}),
            await http.post(f"{path}/withdraw", data={"on": str(today()), "csrf": csrf}),
            await http.post(f"{path}/reinstate", data={"csrf": csrf}),
            await http.post("/staff/volunteers", data={**registration(area_code="C21"), "csrf": csrf}),
            await http.post("/staff/volunteers", data={**registration(area_code="S1"), "csrf": csrf}),
        ]
        mine = await make_volunteer(world, "staff_c11", "C11", "东边志愿者", "13800138011")
        before = await fingerprint()
        moved = await http.post(
            f"/staff/volunteers/{mine}",
            data={"name": "东边志愿者", "phone": "13800138011", "area_code": "C21", "csrf": csrf},
        )
        assert await fingerprint() == before
    assert [a.status_code for a in answers] == [404, 403, 403, 403, 403, 403]
    assert moved.status_code == 403
    for answer in (*answers, moved):
        assert "西边志愿者" not in answer.text and "西一" not in answer.text


async def test_forms_without_the_csrf_token_are_refused(app: Any, world: World) -> None:
    volunteer = await make_volunteer(world, "staff_c11", "C11", "吴九", "13800138012")
    async with staff_client(app, "staff_c11") as http:
        before = await fingerprint()
        answers = [
            await http.post("/staff/volunteers", data=registration()),
            await http.post(
                f"/staff/volunteers/{volunteer}", data={"name": "改", "phone": "13800138012", "area_code": "C11"}
            ),
            await http.post(f"/staff/volunteers/{volunteer}/suspend", data={"on": str(today()), "csrf": "forged" * 5}),
        ]
        assert await fingerprint() == before
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert all("页面已过期" in a.text for a in answers)


async def test_strangers_go_to_login_and_officials_keep_the_dashboard(app: Any, world: World) -> None:
    volunteer = await make_volunteer(world, "staff_c11", "C11", "郑十", "13800138013")
    async with page_client(app) as http:
        away = await http.get(f"/staff/volunteers/{volunteer}")
        assert away.status_code == 303 and away.headers["location"] == f"/login?next=/staff/volunteers/{volunteer}"
        await log_in(http, "official_s1")
        assert (await http.get("/staff/volunteers")).status_code == 403
        assert (await http.get(f"/staff/volunteers/{volunteer}")).status_code == 403


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_volunteer_pages_in_chromium(app: Any, world: World, shots: Path, screen: str) -> None:
    require_chromium()
    from playwright.async_api import async_playwright

    born = today().replace(year=today().year - 15)
    for n in range(12):
        await make_volunteer(world, "staff_s1", "C11" if n % 2 else "C12", f"志愿者{n:02d}", f"1380000{n:04d}")
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=SCREENS[screen])  # type: ignore[arg-type]
        page = await context.new_page()
        await page.goto(f"{base}/staff/volunteers")
        await page.fill("#username", "staff_s1")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base}/staff/volunteers")
        await page.fill("#q", "志愿者")
        await page.click("text=查找")
        await page.wait_for_selector("text=志愿者11")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.screenshot(path=str(shots / f"{screen}-staff-volunteers.png"), full_page=True)

        await page.click("text=登记志愿者")
        await page.fill("#name", "林少年")
        await page.fill("#phone", "13811112222")
        await page.select_option("#area_code", "C11")
        await page.fill("#birth_date", born.isoformat())
        await page.click("button:text('登记')")
        await page.wait_for_selector("text=监护人（guardian）")
        assert await page.input_value("#name") == "林少年"
        await page.fill("[id='guardian.name']", "林家长")
        await page.fill("[id='guardian.phone']", "13811113333")
        await page.fill("[id='guardian.consent_on']", today().isoformat())
        await page.click("button:text('登记')")
        await page.wait_for_selector("text=志愿者已登记")
        await page.fill("#suspendreason", "暑假外出")
        await page.click("form[action$='/suspend'] button")
        await page.wait_for_selector("text=已暂停该志愿者")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.screenshot(path=str(shots / f"{screen}-staff-volunteer.png"), full_page=True)
        await browser.close()
    assert (shots / f"{screen}-staff-volunteer.png").stat().st_size > 5000
    assert await Volunteer.count().where(Volunteer.status == "suspended") == 1


def test_paging_links_keep_the_filters() -> None:
    from volunteers.web.staff.lists import paging

    first = paging("/staff/volunteers", {"q": "张", "status": "active"}, 0, 50, 120)
    assert first.previous is None and (first.first, first.last) == (1, 50)
    assert first.following == "/staff/volunteers?q=%E5%BC%A0&status=active&offset=50"
    last = paging("/staff/volunteers", {"q": "张", "offset": "100"}, 100, 20, 120)
    assert last.following is None and last.previous == "/staff/volunteers?q=%E5%BC%A0&offset=50"
    second = paging("/staff/volunteers", {"offset": "50"}, 50, 50, 120)
    assert second.previous == "/staff/volunteers"
    assert paging("/staff/teams", {}, 0, 0, 0).first == 0
