"""The workbench's activity pages over HTTP: the list, the form with its pickers, the actions, the check-in code,
and the same scope and bad-input rules as the API (the browser walk is in test_activities_browser.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import httpx

from tests.conftest import World
from tests.matrix_world import fingerprint
from tests.web.test_staff_home import log_in, page_client
from volunteers.activities.tables import Activity
from volunteers.fields import today

DAY = today() + timedelta(days=3)


def local(day: date, hm: str) -> str:
    """A datetime-local value, as a browser sends it."""
    return f"{day.isoformat()}T{hm}"


async def team(world: World, area: str, name: str) -> int:
    created = await world.post("root", "/api/v1/teams", {"name": name, "area_code": area, "sponsor": "社区居委会"})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def venue(world: World, area: str, name: str) -> int:
    created = await world.post("root", "/api/v1/venues", {"name": name, "kind": "book_house", "area_code": area})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def api_activity(world: World, user: str, area: str, title: str, day: date = DAY, **more: Any) -> int:
    body = {
        "title": title,
        "category": "reading_salon",
        "area_code": area,
        "starts_at": local(day, "14:00"),
        "ends_at": local(day, "16:00"),
        **more,
    }
    created = await world.post(user, "/api/v1/activities", body)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def form(csrf: str, **fields: Any) -> dict[str, Any]:
    """A complete activity form, as the page sends it (rules at the API's defaults)."""
    return {
        "csrf": csrf,
        "title": "读书分享会：春天的诗",
        "category": "reading_salon",
        "area_code": "C11",
        "starts_at": local(DAY, "14:00"),
        "ends_at": local(DAY, "16:30"),
        "venue_id": "",
        "capacity": "",
        "opens_before_minutes": "30",
        "closes_after_minutes": "30",
        "rounding_minutes": "1",
        "daily_cap_minutes": "720",
        "approval": "auto",
        **fields,
    }


@asynccontextmanager
async def staff(app: Any, user: str = "staff_c11") -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A browser-like client logged in as `user`, and its CSRF token."""
    async with page_client(app) as http:
        await log_in(http, user)
        yield http, str(http.cookies["vol_csrf"])


async def count_activities() -> int:
    return int(await Activity.count())


async def test_create_through_the_form_with_pickers(app: Any, world: World) -> None:
    mine, theirs = await team(world, "C11", "东一读书队"), await team(world, "C21", "西一读书队")
    place, elsewhere = await venue(world, "C11", "东一书屋"), await venue(world, "C21", "西一书屋")
    async with staff(app) as (http, csrf):
        blank = await http.get("/staff/activities/new")
        assert blank.status_code == 200
        assert f'<option value="{place}">东一书屋' in blank.text and "西一书屋" not in blank.text
        assert f'name="team_ids" value="{mine}"' in blank.text and "西一读书队" not in blank.text
        assert '<option value="C11" selected>' in blank.text and 'value="C21"' not in blank.text
        assert '<option value="reading_salon"' in blank.text and "读书分享会" in blank.text
        assert 'type="datetime-local" id="starts_at" name="starts_at"' in blank.text
        assert 'name="opens_before_minutes" value="30"' in blank.text  # the API's default
        sent = form(csrf, venue_id=str(place), team_ids=[str(mine)], capacity="40", reentry_allowed="true")
        created = await http.post("/staff/activities/new", data=sent)
        assert created.status_code == 303, created.text
        found = re.fullmatch(r"/staff/activities/(\d+)\?done=created", created.headers["location"])
        assert found, created.headers["location"]
        page = await http.get(created.headers["location"])
    activity = (await world.get("staff_c11", f"/api/v1/activities/{found.group(1)}")).json()
    assert activity["starts_at"] == f"{DAY.isoformat()}T14:00:00+08:00"  # the district's time, made aware
    assert activity["ends_at"] == f"{DAY.isoformat()}T16:30:00+08:00"
    assert (activity["venue_id"], activity["team_ids"], activity["capacity"]) == (place, [mine], 40)
    assert (activity["status"], activity["reentry_allowed"], activity["opens_before_minutes"]) == ("draft", True, 30)
    assert theirs not in activity["team_ids"] and elsewhere != activity["venue_id"]
    assert page.status_code == 200 and "读书分享会：春天的诗" in page.text and "活动已创建" in page.text
    assert "发布并生成签到码" in page.text and f"{DAY.isoformat()} 14:00–16:30" in page.text
    assert "<dd>东一读书队</dd>" in page.text and "东一书屋" in page.text


async def test_edit_changes_what_was_changed(app: Any, world: World) -> None:
    crew, place = await team(world, "C11", "东一读书队"), await venue(world, "C11", "东一书屋")
    activity_id = await api_activity(world, "staff_c11", "C11", "旧名字", team_ids=[crew], venue_id=place, capacity=30)
    async with staff(app) as (http, csrf):
        page = await http.get(f"/staff/activities/{activity_id}")
        assert f'name="team_ids" value="{crew}" checked' in page.text
        assert f'<option value="{place}" selected>' in page.text
        assert f'value="{DAY.isoformat()}T14:00"' in page.text
        sent = form(csrf, title="新名字", starts_at=local(DAY, "09:00"), ends_at=local(DAY, "11:00"), venue_id="")
        saved = await http.post(f"/staff/activities/{activity_id}/edit", data=sent)
        assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    after = (await world.get("staff_c11", f"/api/v1/activities/{activity_id}")).json()
    assert (after["title"], after["starts_at"]) == ("新名字", f"{DAY.isoformat()}T09:00:00+08:00")
    assert (after["venue_id"], after["team_ids"], after["capacity"]) == (None, [], None)


async def test_bad_input_shows_the_form_again_with_what_was_typed(app: Any, world: World) -> None:
    before = await count_activities()
    async with staff(app) as (http, csrf):
        backwards = form(csrf, title="时间填反了的活动", starts_at=local(DAY, "16:00"), ends_at=local(DAY, "14:00"))
        refused = await http.post("/staff/activities/new", data={**backwards, "capacity": "25"})
        assert refused.status_code == 422
        assert "结束时间" in refused.text and "必须晚于开始时间" in refused.text
        assert 'value="时间填反了的活动"' in refused.text and f'value="{DAY.isoformat()}T16:00"' in refused.text
        assert 'name="capacity" value="25"' in refused.text
        wordy = await http.post("/staff/activities/new", data=form(csrf, opens_before_minutes="半小时"))
        assert wordy.status_code == 422 and "开始前可签到的分钟数" in wordy.text and 'value="半小时"' in wordy.text
        nameless = await http.post("/staff/activities/new", data=form(csrf, title=""))
        assert nameless.status_code == 422 and "活动名称（title）必须填写" in nameless.text
        huge = await http.post("/staff/activities/new", data=form(csrf, title="长" * 5000))
        assert huge.status_code == 422 and "活动名称" in huge.text
        activity_id = await api_activity(world, "staff_c11", "C11", "要改的活动")
        edit = await http.post(f"/staff/activities/{activity_id}/edit", data=form(csrf, daily_cap_minutes="5000"))
        assert edit.status_code == 422 and "每日时长上限（分钟）" in edit.text and 'value="5000"' in edit.text
    assert await count_activities() == before + 1
    unchanged = (await world.get("staff_c11", f"/api/v1/activities/{activity_id}")).json()
    assert (unchanged["title"], unchanged["daily_cap_minutes"]) == ("要改的活动", 720)


async def test_publishing_issues_the_code_and_viewing_never_rotates_it(app: Any, world: World) -> None:
    by_api = await api_activity(world, "staff_c11", "C11", "从接口发布的活动")
    assert (await world.post("staff_c11", f"/api/v1/activities/{by_api}/publish")).status_code == 200
    shown = await world.get("staff_c11", f"/api/v1/activities/{by_api}/checkin-code")
    assert shown.status_code == 200 and (await world.get("official_s1", shown.request.url.path)).json() == shown.json()
    activity_id = await api_activity(world, "staff_c11", "C11", "从页面发布的活动")
    assert (await world.get("staff_c11", f"/api/v1/activities/{activity_id}/checkin-code")).status_code == 404
    async with staff(app) as (http, csrf):
        published = await http.post(f"/staff/activities/{activity_id}/publish", data={"csrf": csrf})
        assert published.status_code == 303 and published.headers["location"].endswith("?done=published")
        code = (await world.get("staff_c11", f"/api/v1/activities/{activity_id}/checkin-code")).json()["code"]
        page = await http.get(f"/staff/activities/{activity_id}")
        again = await http.post(f"/staff/activities/{activity_id}/publish", data={"csrf": csrf})  # sent twice
        assert again.status_code == 303
        second = await http.get(f"/staff/activities/{activity_id}")
    assert page.status_code == 200 and code in page.text and f"/c/{code}/poster" in page.text
    assert f'src="/c/{code}/qr.svg"' in page.text and f'href="/c/{code}/qr.png"' in page.text
    assert f"/staff/activities/{activity_id}/attendance" in page.text and "更换签到码" in page.text
    assert code in second.text
    assert (await world.get("staff_c11", f"/api/v1/activities/{activity_id}/checkin-code")).json()["code"] == code


async def test_rotating_the_code_asks_for_confirmation(app: Any, world: World) -> None:
    activity_id = await api_activity(world, "staff_c11", "C11", "要换码的活动")
    await world.post("staff_c11", f"/api/v1/activities/{activity_id}/publish")
    old = (await world.get("staff_c11", f"/api/v1/activities/{activity_id}/checkin-code")).json()["code"]
    async with staff(app) as (http, csrf):
        page = await http.get(f"/staff/activities/{activity_id}")
        assert "已经打印张贴的海报" in page.text and 'name="confirm" value="yes" required' in page.text
        unconfirmed = await http.post(f"/staff/activities/{activity_id}/rotate-code", data={"csrf": csrf})
        assert unconfirmed.status_code == 422 and "请勾选确认" in unconfirmed.text
        assert (await world.get("staff_c11", f"/api/v1/activities/{activity_id}/checkin-code")).json()["code"] == old
        rotated = await http.post(f"/staff/activities/{activity_id}/rotate-code", data={"csrf": csrf, "confirm": "yes"})
        assert rotated.status_code == 303 and rotated.headers["location"].endswith("?done=rotated")
    new = (await world.get("staff_c11", f"/api/v1/activities/{activity_id}/checkin-code")).json()["code"]
    assert new != old
    assert (await world.http.get(f"/c/{old}/qr.png")).status_code == 404
    assert (await world.http.get(f"/c/{new}/qr.png")).status_code == 200


async def test_another_areas_activity_is_a_404_page_and_nothing_changes(app: Any, world: World) -> None:
    activity_id = await api_activity(world, "staff_c11", "C11", "东一社区的活动")
    other_venue, other_team = await venue(world, "C21", "西一书屋"), await team(world, "C21", "西一读书队")
    async with staff(app, "staff_c21") as (http, csrf):
        before = await fingerprint()
        shown = await http.get(f"/staff/activities/{activity_id}")
        assert shown.status_code == 404 and "不存在" in shown.text and "东一社区的活动" not in shown.text
        for action, data in (
            ("edit", form(csrf, area_code="C21", title="抢来的活动")),
            ("publish", {"csrf": csrf}),
            ("cancel", {"csrf": csrf, "reason": "不要了"}),
            ("complete", {"csrf": csrf}),
            ("rotate-code", {"csrf": csrf, "confirm": "yes"}),
        ):
            answer = await http.post(f"/staff/activities/{activity_id}/{action}", data=data)
            assert answer.status_code == 404, (action, answer.status_code)
            assert "东一社区的活动" not in answer.text
        listed = await http.get("/staff/activities")
        assert "东一社区的活动" not in listed.text
        assert await fingerprint() == before
    async with staff(app, "staff_c11") as (http, csrf):  # the other side's venue, team or area named in a form
        before = await fingerprint()
        for sent in (
            form(csrf, venue_id=str(other_venue)),
            form(csrf, team_ids=[str(other_team)]),
            form(csrf, area_code="C21"),
            form(csrf, area_code="S1"),
        ):
            answer = await http.post("/staff/activities/new", data=sent)
            assert answer.status_code in (403, 404, 422), answer.status_code
            assert "西一" not in answer.text
        assert await fingerprint() == before


async def test_a_form_without_the_csrf_token_is_refused(app: Any, world: World) -> None:
    activity_id = await api_activity(world, "staff_c11", "C11", "草稿")
    async with staff(app) as (http, csrf):
        before = await fingerprint()
        forged = {k: v for k, v in form(csrf).items() if k != "csrf"}
        assert (await http.post("/staff/activities/new", data=forged)).status_code == 403
        wrong = await http.post("/staff/activities/new", data={**forged, "csrf": "x" * 43})
        assert wrong.status_code == 403
        for action in ("edit", "publish", "cancel", "complete", "rotate-code"):
            answer = await http.post(f"/staff/activities/{activity_id}/{action}", data={**forged, "confirm": "yes"})
            assert answer.status_code == 403 and "页面已过期" in answer.text, action
        assert await fingerprint() == before


async def test_the_new_form_sent_twice_makes_one_activity(app: Any, world: World) -> None:
    before = await count_activities()
    async with staff(app) as (http, csrf):
        sent = form(csrf, title="只该有一个的活动")
        first = await http.post("/staff/activities/new", data=sent)
        followed = await http.get(first.headers["location"])
        again = await http.post("/staff/activities/new", data=sent)  # back, and send again
        assert first.status_code == again.status_code == 303 and followed.status_code == 200
        assert again.headers["location"] == first.headers["location"]
        changed = await http.post("/staff/activities/new", data={**sent, "starts_at": local(DAY, "13:00")})
        assert changed.headers["location"] != first.headers["location"]  # a different activity is a new one
    assert await count_activities() == before + 2


async def test_the_list_filters_and_pages(app: Any, world: World) -> None:
    soon = await api_activity(world, "staff_c11", "C11", "亲子阅读会", day=DAY)
    await world.post("staff_c11", f"/api/v1/activities/{soon}/publish")
    await api_activity(world, "staff_s1", "C12", "东二社区读书会", day=DAY + timedelta(days=10))
    await api_activity(world, "staff_c21", "C21", "西一社区读书会", day=DAY)
    for n in range(21):
        await api_activity(world, "staff_c11", "C11", f"周末读书会第{n + 1}期", day=DAY + timedelta(days=30 + n))
    async with page_client(app) as http:
        await log_in(http, "staff_s1")
        everything = await http.get("/staff/activities")
        assert everything.status_code == 200 and "共 23 个活动" in everything.text
        assert "西一社区读书会" not in everything.text and "下一页" in everything.text
        second = await http.get("/staff/activities", params={"offset": "20"})
        assert "亲子阅读会" in second.text and "上一页" in second.text
        searched = await http.get("/staff/activities", params={"q": "亲子"})
        assert "共 1 个活动" in searched.text and f"/staff/activities/{soon}" in searched.text
        published = await http.get("/staff/activities", params={"status": "published"})
        assert "亲子阅读会" in published.text and "周末读书会" not in published.text
        dated = await http.get("/staff/activities", params={"from": str(DAY), "to": str(DAY + timedelta(days=10))})
        assert "亲子阅读会" in dated.text and "东二社区读书会" in dated.text and "周末读书会" not in dated.text
        community = await http.get("/staff/activities", params={"area": "C12"})
        assert "东二社区读书会" in community.text and "亲子阅读会" not in community.text
        outside = await http.get("/staff/activities", params={"area": "C21"})
        assert outside.status_code == 200 and "西一社区读书会" not in outside.text
        wildcard = await http.get("/staff/activities", params={"q": "%"})
        assert "没有符合条件的活动" in wildcard.text
        backwards = await http.get("/staff/activities", params={"from": str(DAY), "to": str(DAY - timedelta(days=1))})
        assert backwards.status_code == 422 and "结束日期（to）" in backwards.text
        nonsense = await http.get("/staff/activities", params={"from": "2026-02-30"})
        assert nonsense.status_code == 422 and "开始日期（from）不是有效日期" in nonsense.text


async def test_qr_png_and_a_poster_that_scales(world: World) -> None:
    activity_id = await api_activity(world, "staff_c11", "C11", "海报测试")
    await world.post("staff_c11", f"/api/v1/activities/{activity_id}/publish")
    code = (await world.get("staff_c11", f"/api/v1/activities/{activity_id}/checkin-code")).json()["code"]
    png = await world.http.get(f"/c/{code}/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n") and len(png.content) > 500
    svg = await world.http.get(f"/c/{code}/qr.svg")
    assert png.headers["cache-control"] == svg.headers["cache-control"]
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg.text and "viewBox=" in svg.text
    poster = await world.http.get(f"/c/{code}/poster")
    inline = re.search(r"<svg[^>]*>", poster.text)
    assert inline and "viewBox=" in inline.group(0) and "width=" not in inline.group(0)
    assert (await world.http.get("/c/zzzzzzzzzzzzzzzz/qr.png")).status_code == 404
