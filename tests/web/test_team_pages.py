"""The team pages of the workbench (/staff/teams): register and edit a team, and add, promote and let go of its
members through the forms, with the API's rules and scope; another area's teams and members stay untouched."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from tests.matrix_world import fingerprint
from tests.web.test_staff_home import hidden
from tests.web.test_volunteer_pages import SCREENS, make_volunteer, staff_client
from volunteers.fields import today
from volunteers.teams.tables import Membership, Team


async def make_team(world: World, user: str, area: str, name: str) -> int:
    made = await world.post(user, "/api/v1/teams", {"name": name, "area_code": area, "sponsor": f"{name}的发起单位"})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def join(world: World, user: str, team: int, volunteer: int) -> int:
    joined = await world.post(user, f"/api/v1/teams/{team}/members", {"volunteer_id": volunteer})
    assert joined.status_code == 201, joined.text
    return int(joined.json()["id"])


async def test_register_a_team_and_edit_it(app: Any, world: World) -> None:
    async with staff_client(app, "staff_c11") as http:
        form = await http.get("/staff/teams/new")
        csrf = hidden(form.text)
        assert 'value="C11"' in form.text and 'value="C21"' not in form.text
        blank = await http.post("/staff/teams", data={"name": "东一读书队", "area_code": "C11", "csrf": csrf})
        assert blank.status_code == 422 and "发起单位（sponsor）必须填写" in blank.text
        assert 'value="东一读书队"' in blank.text
        body = {"name": "东一读书队", "area_code": "C11", "sponsor": "东一小学", "founded_on": "2024-03-01"}
        made = await http.post(
            "/staff/teams", data={**body, "categories": ["理论宣讲", "助老助残，家庭教育"], "csrf": csrf}
        )
        assert made.status_code == 303, made.text
        where = re.fullmatch(r"/staff/teams/(\d+)\?done=created", made.headers["location"])
        assert where
        page = await http.get(made.headers["location"])
        assert "服务队已登记" in page.text and "理论宣讲、助老助残、家庭教育" in page.text
        again = await http.post("/staff/teams", data={**body, "csrf": csrf})
        assert again.status_code == 409 and "该区域内已有名为“东一读书队”的服务队" in again.text
        path = f"/staff/teams/{where[1]}"
        edit = {**body, "name": "东一阅读服务队", "founded_on": "", "status": "dissolved", "csrf": csrf}
        saved = await http.post(path, data={**edit, "categories": ["理论宣讲"]})
        assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
        emptied = await http.post(path, data={**edit, "name": ""})
        assert emptied.status_code == 422 and "（name）格式不正确：不能为空" in emptied.text
        assert '<details class="card" open>' in emptied.text
        listed = await http.get("/staff/teams", params={"status": "dissolved"})
    team = (await world.get("staff_c11", f"{path.replace('/staff', '/api/v1')}")).json()
    assert (team["name"], team["founded_on"], team["status"], team["categories"]) == (
        "东一阅读服务队",
        None,
        "dissolved",
        ["理论宣讲"],
    )
    assert "东一阅读服务队" in listed.text


async def test_oversized_and_malformed_input_writes_nothing(app: Any, world: World) -> None:
    team = await make_team(world, "staff_c11", "C11", "东一队")
    async with staff_client(app, "staff_c11") as http:
        csrf = hidden((await http.get(f"/staff/teams/{team}")).text)
        before = await fingerprint()
        body = {"name": "队" * 10_000, "area_code": "C11", "sponsor": "东一小学", "csrf": csrf}
        answers = [
            await http.post("/staff/teams", data=body),
            await http.post(f"/staff/teams/{team}", data={**body, "status": "active"}),
            await http.post("/staff/teams", data={**body, "name": "东二队", "categories": "类" * 60}),
            await http.post("/staff/teams", data={**body, "name": "东二队", "founded_on": "2024-13-01"}),
            await http.post(f"/staff/teams/{team}/members/add", data={"volunteer_id": "x" * 10_000, "csrf": csrf}),
        ]
        assert await fingerprint() == before
    assert [a.status_code for a in answers] == [422] * 5
    assert "（name）格式不正确：最多 100 个字符" in answers[0].text
    assert "服务类别（categories" in answers[2].text and "成立日期（founded_on）" in answers[3].text
    assert "志愿者（volunteer_id）" in answers[4].text


async def test_members_are_added_by_search_promoted_and_let_go(app: Any, world: World) -> None:
    team = await make_team(world, "staff_c11", "C11", "东一读书队")
    volunteer = await make_volunteer(world, "staff_c11", "C11", "钱多多", "13800138020", registered_on="2026-01-05")
    path = f"/staff/teams/{team}"
    async with staff_client(app, "staff_c11") as http:
        found = await http.get(path, params={"q": "钱多"})
        csrf = hidden(found.text)
        assert f'name="volunteer_id" value="{volunteer}"' in found.text
        add = {"volunteer_id": str(volunteer), "role": "member", "csrf": csrf}
        early = await http.post(f"{path}/members/add?q=钱多", data={**add, "joined_on": "2025-12-01"})
        assert early.status_code == 422 and "不能早于该志愿者的注册日期" in early.text
        assert 'value="2025-12-01"' in early.text  # the row's form keeps the date typed
        joined = await http.post(f"{path}/members/add", data={**add, "joined_on": "2026-02-01"})
        assert joined.status_code == 303 and joined.headers["location"].endswith("?done=joined")
        twice = await http.post(f"{path}/members/add", data={**add, "joined_on": "2026-02-01"})
        assert twice.status_code == 409 and "该志愿者已是本队成员" in twice.text
        [membership] = await Membership.select().where(Membership.team == team)
        member = f"{path}/members/{membership['id']}"
        promoted = await http.post(f"{member}/role", data={"role": "leader", "csrf": csrf})
        assert promoted.status_code == 303
        page = await http.get(path)
        assert '<span class="badge good">队长</span>' in page.text and "设为队员" in page.text
        wrong = await http.post(f"{member}/leave", data={"left_on": "2026-01-15", "csrf": csrf})
        assert wrong.status_code == 422 and "退出日期（2026-01-15）不能早于加入日期（2026-02-01）" in wrong.text
        assert 'value="2026-01-15"' in wrong.text
        left = await http.post(f"{member}/leave", data={"left_on": str(today()), "csrf": csrf})
        assert left.status_code == 303 and left.headers["location"].endswith("?done=left")
        again = await http.post(f"{member}/leave", data={"left_on": str(today()), "csrf": csrf})
        assert again.status_code == 409 and f"该志愿者已于 {today()} 退出本队" in again.text
        late_role = await http.post(f"{member}/role", data={"role": "member", "csrf": csrf})
        assert late_role.status_code == 409
        after = await http.get(path)
        assert "以前的成员（1 人）" in after.text
    [closed] = await Membership.select().where(Membership.team == team)
    assert (closed["role"], str(closed["left_on"])) == ("leader", str(today()))


async def test_another_areas_teams_and_members_are_out_of_reach(app: Any, world: World) -> None:
    mine = await make_team(world, "staff_c11", "C11", "东一队")
    theirs = await make_team(world, "staff_c21", "C21", "西一队")
    stranger = await make_volunteer(world, "staff_c21", "C21", "西边人", "13800138030")
    their_membership = await join(world, "staff_c21", theirs, stranger)
    neighbour = await make_volunteer(world, "staff_c11", "C11", "东边人", "13800138031")
    my_membership = await join(world, "staff_c11", mine, neighbour)
    async with staff_client(app, "staff_c11") as http:
        csrf = hidden((await http.get(f"/staff/teams/{mine}")).text)
        before = await fingerprint()
        answers = {
            "page": await http.get(f"/staff/teams/{theirs}"),
            "edit": await http.post(
                f"/staff/teams/{theirs}",
                data={"name": "改", "sponsor": "改", "area_code": "C21", "status": "active", "csrf": csrf},
            ),
            "move here": await http.post(
                f"/staff/teams/{mine}",
                data={"name": "东一队", "sponsor": "东一队的发起单位", "area_code": "C21", "status": "active"}
                | {"csrf": csrf},
            ),
            "add to theirs": await http.post(
                f"/staff/teams/{theirs}/members/add", data={"volunteer_id": str(neighbour), "csrf": csrf}
            ),
            "add theirs to mine": await http.post(
                f"/staff/teams/{mine}/members/add", data={"volunteer_id": str(stranger), "csrf": csrf}
            ),
            "their leave": await http.post(
                f"/staff/teams/{theirs}/members/{their_membership}/leave", data={"csrf": csrf}
            ),
            "their role": await http.post(
                f"/staff/teams/{theirs}/members/{their_membership}/role", data={"role": "leader", "csrf": csrf}
            ),
            "their member in my path": await http.post(
                f"/staff/teams/{mine}/members/{their_membership}/leave", data={"csrf": csrf}
            ),
            "my member in their path": await http.post(
                f"/staff/teams/{theirs}/members/{my_membership}/role", data={"role": "leader", "csrf": csrf}
            ),
            "new there": await http.post(
                "/staff/teams", data={"name": "新队", "sponsor": "某", "area_code": "C21", "csrf": csrf}
            ),
        }
        assert await fingerprint() == before
        listed = await http.get("/staff/teams")
    statuses = {label: answer.status_code for label, answer in answers.items()}
    assert statuses == {
        "page": 404,
        "edit": 403,
        "move here": 403,
        "add to theirs": 403,
        "add theirs to mine": 403,
        "their leave": 404,
        "their role": 404,
        "their member in my path": 404,
        "my member in their path": 404,
        "new there": 403,
    }
    for answer in (*answers.values(), listed):
        assert "西一队" not in answer.text and "西边人" not in answer.text and "西一社区" not in answer.text


async def test_team_forms_without_the_csrf_token_are_refused(app: Any, world: World) -> None:
    team = await make_team(world, "staff_c11", "C11", "东一队")
    volunteer = await make_volunteer(world, "staff_c11", "C11", "孔十一", "13800138040")
    membership = await join(world, "staff_c11", team, volunteer)
    async with staff_client(app, "staff_c11") as http:
        before = await fingerprint()
        answers = [
            await http.post("/staff/teams", data={"name": "新队", "sponsor": "某", "area_code": "C11"}),
            await http.post(f"/staff/teams/{team}", data={"name": "改", "sponsor": "某", "area_code": "C11"}),
            await http.post(f"/staff/teams/{team}/members/add", data={"volunteer_id": str(volunteer)}),
            await http.post(f"/staff/teams/{team}/members/{membership}/role", data={"role": "leader"}),
            await http.post(f"/staff/teams/{team}/members/{membership}/leave", data={}),
        ]
        assert await fingerprint() == before
    assert [a.status_code for a in answers] == [403] * 5
    assert await Team.count() == 1


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_team_page_in_chromium(app: Any, world: World, shots: Path, screen: str) -> None:
    require_chromium()
    from playwright.async_api import async_playwright

    for n, name in enumerate(("欧阳明", "欧阳亮", "欧阳红")):
        await make_volunteer(world, "staff_c11", "C11", name, f"1380013806{n}", registered_on="2026-01-05")
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=SCREENS[screen])  # type: ignore[arg-type]
        page = await context.new_page()
        await page.goto(f"{base}/staff/teams/new")
        await page.fill("#username", "staff_c11")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base}/staff/teams/new")
        await page.fill("#name", "东一社区读书服务队")
        await page.fill("#sponsor", "东一社区党委")
        await page.select_option("#area_code", "C11")
        await page.fill("#categories-more", "理论宣讲、助老助残")
        await page.click("button:text('登记')")
        await page.wait_for_selector("text=服务队已登记")
        for name in ("欧阳明", "欧阳亮"):
            await page.fill("[id='searchq']", name)
            await page.click("form[role=search] button")
            await page.click("form[action*='/members/add'] button")
            await page.wait_for_selector("text=已加入服务队")
        await page.click("text=设为队长 >> nth=0")
        await page.wait_for_selector("text=角色已调整")
        await page.fill("[id='searchq']", "欧阳")
        await page.click("form[role=search] button")
        await page.wait_for_selector("text=欧阳红")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.screenshot(path=str(shots / f"{screen}-staff-team.png"), full_page=True)
        await browser.close()
    assert (shots / f"{screen}-staff-team.png").stat().st_size > 5000
    assert await Membership.count().where(Membership.role == "leader") == 1
