"""The workbench home (/staff): the session, where a login lands, and what the page counts for the caller's area."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import httpx

from tests.conftest import PASSWORD, World
from volunteers.fields import LOCAL_TZ, today, working_days_before


def hidden(html: str, name: str = "csrf") -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, html
    return found.group(1)


async def log_in(http: httpx.AsyncClient, username: str, next_page: str = "") -> httpx.Response:
    form = await http.get("/login", params={"next": next_page} if next_page else None)
    data = {"username": username, "password": PASSWORD, "csrf": hidden(form.text)}
    if next_page:
        data["next"] = hidden(form.text, "next")
    return await http.post("/login", data=data)


def page_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def activity(world: World, user: str, area: str, title: str, starts: datetime) -> int:
    body = {
        "title": title,
        "category": "读书分享会",
        "area_code": area,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
    }
    created = await world.post(user, "/api/v1/activities", body)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_working_days_skip_weekends() -> None:
    friday = datetime(2026, 11, 27).date()
    assert working_days_before(friday, 1).isoformat() == "2026-11-26"
    assert working_days_before(friday, 5).isoformat() == "2026-11-20"
    assert working_days_before(friday, 10).isoformat() == "2026-11-13"


async def test_a_stranger_logs_in_and_comes_back(app: Any, world: World) -> None:
    async with page_client(app) as http:
        away = await http.get("/staff")
        assert away.status_code == 303 and away.headers["location"] == "/login?next=/staff"
        done = await log_in(http, "staff_c11", "/staff")
        assert done.status_code == 303 and done.headers["location"] == "/staff"
        assert (await http.get("/staff")).status_code == 200
    for elsewhere in ("//evil.example/x", "/\\evil.example", "/\t/evil.example", "https://evil.example/"):
        async with page_client(app) as http:
            landed = await log_in(http, "staff_c11", elsewhere)
            assert landed.headers["location"] == "/staff", elsewhere  # only a path of this site
    async with page_client(app) as http:
        assert (await log_in(http, "official_s1")).headers["location"] == "/dashboard"
        refused = await http.get("/staff")
        assert refused.status_code == 403 and "/dashboard" in refused.text


async def test_home_counts_the_callers_area(app: Any, world: World) -> None:
    now = datetime.combine(today(), time(), LOCAL_TZ)
    mine = await activity(world, "staff_c11", "C11", "读书分享会（今天）", now + timedelta(hours=23))
    await activity(world, "staff_c21", "C21", "西一社区的活动", now + timedelta(hours=23))
    await activity(world, "staff_c11", "C11", "亲子阅读会（下周）", now + timedelta(days=3, hours=10))
    old = await activity(world, "staff_c11", "C11", "一个月前的活动", now - timedelta(days=30) + timedelta(hours=9))
    person = await world.post(
        "staff_c11", "/api/v1/volunteers", {"name": "李四", "phone": "13900139000", "area_code": "C11"}
    )
    started = now - timedelta(days=30) + timedelta(hours=9)
    manual = {
        "volunteer_id": person.json()["id"],
        "activity_id": old,
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(hours=1)).isoformat(),
        "reason": "补录：忘记签到",
    }
    assert (await world.post("staff_c11", "/api/v1/service-records", manual)).status_code == 201
    async with page_client(app) as http:
        await log_in(http, "staff_c11")
        page = await http.get("/staff")
    assert page.status_code == 200, page.text
    assert "读书分享会（今天）" in page.text and f"/staff/activities/{mine}/attendance" in page.text
    assert "亲子阅读会（下周）" in page.text and "未发布" in page.text
    assert "西一社区的活动" not in page.text
    assert re.search(r"<b>1</b><span>待审核工时</span>", page.text)
    assert "1 条已超过 10 个工作日" in page.text
    async with page_client(app) as http:
        await log_in(http, "staff_c21")
        theirs = await http.get("/staff")
    assert "西一社区的活动" in theirs.text and "读书分享会（今天）" not in theirs.text
    assert re.search(r"<b>0</b><span>待审核工时</span>", theirs.text)
