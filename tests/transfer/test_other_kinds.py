"""Importing teams, memberships, activities and historic service records (补录)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tests.conftest import World
from tests.factories import register
from tests.transfer.files import csv, errors_by_row, upload, xlsx
from volunteers import db
from volunteers.fields import LOCAL_TZ, today

TEAM_ROWS: list[list[Any]] = [
    ["服务队名称", "所属社区", "发起单位", "成立日期", "服务类别"],
    ["东一读书队", "东一社区", "衡州小学", "2023-06-01", "读书分享会、亲子阅读会"],
    ["东二红色队", "C12", "金化科技", date(2022, 1, 1), None],
]


async def fetch(query: str, *args: Any) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        return [dict(r) for r in await conn.fetch(query, *args)]


async def test_teams_import_and_reimport(world: World) -> None:
    response = await upload(world, "staff_s1", "teams", xlsx(TEAM_ROWS), area="S1")
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    teams = {t["name"]: t for t in (await world.get("staff_s1", "/api/v1/teams")).json()["items"]}
    assert teams["东一读书队"]["categories"] == ["读书分享会", "亲子阅读会"]
    assert (teams["东二红色队"]["area_code"], teams["东二红色队"]["founded_on"]) == ("C12", "2022-01-01")
    again = (await upload(world, "staff_s1", "teams", xlsx(TEAM_ROWS), area="S1")).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    changed = [row[:] for row in TEAM_ROWS]
    changed[1][2] = "衡州实验小学"
    report = (await upload(world, "staff_s1", "teams", xlsx(changed), area="S1")).json()
    assert (report["created"], report["updated"]) == (0, 1)
    teams = {t["name"]: t for t in (await world.get("staff_s1", "/api/v1/teams")).json()["items"]}
    assert teams["东一读书队"]["sponsor"] == "衡州实验小学"
    assert teams["东一读书队"]["categories"] == ["读书分享会", "亲子阅读会"]


async def test_team_rows_with_errors(world: World) -> None:
    rows: list[list[Any]] = [
        ["服务队名称", "发起单位", "成立日期"],
        ["东一队", "衡州小学", (today() + timedelta(days=1)).isoformat()],
        ["东一队", "金化科技", None],
        ["   ", "x", None],
        ["东二队", None, None],
    ]
    response = await upload(world, "staff_c11", "teams", csv(rows), filename="t.csv")
    assert response.status_code == 422
    codes = {row: [c for _, _, c in e] for row, e in errors_by_row(response.json()).items()}
    assert codes == {2: ["date_in_future"], 4: ["required"], 5: ["required"]}
    assert await fetch("SELECT id FROM team") == []


async def make_team(world: World, name: str = "东一队", area: str = "C11", **extra: Any) -> int:
    response = await world.post(
        "staff_s1", "/api/v1/teams", {"name": name, "area_code": area, "sponsor": "社区", **extra}
    )
    assert response.status_code == 201, response.text
    team_id: int = response.json()["id"]
    return team_id


async def test_memberships_import(world: World) -> None:
    zhang = await register(world, phone="13800138000", name="张三", registered_on="2024-01-01")
    await register(world, phone="13800138001", name="李四", registered_on="2024-01-01")
    team = await make_team(world)
    await make_team(world, "同名队", "C11")
    await make_team(world, "同名队", "C12")
    rows: list[list[Any]] = [
        ["服务队", "服务队所属社区", "志愿者编号", "手机号", "姓名", "角色", "加入日期", "退出日期"],
        ["东一队", None, zhang["volunteer_no"], None, "张三", "队长", "2024-02-01", None],
        ["东一队", None, None, "13800138001", "李四", "队员", "2024-02-01", "2024-05-01"],
        ["同名队", None, None, "13800138001", None, None, "2024-02-01", None],
        ["同名队", "东二社区", None, "13800138001", "王五", None, "2024-02-01", None],
        ["东一队", None, None, "13800138009", None, None, None, None],
        ["东一队", None, None, "13800138000", None, None, "2023-12-01", None],
    ]
    response = await upload(world, "staff_s1", "memberships", xlsx(rows), area="S1", partial=True)
    assert response.status_code == 200, response.text
    report = response.json()
    assert errors_by_row(report) == {
        4: [("服务队", "同名队", "ambiguous_team")],
        5: [("姓名", "王五", "name_mismatch")],
        6: [("手机号", "13800138009", "unknown_volunteer")],
        7: [("加入日期", "2023-12-01", "joined_before_registered")],
    }
    assert report["created"] == 2
    members = (await world.get("staff_s1", f"/api/v1/teams/{team}/members", params={"status": "all"})).json()
    roles = {m["volunteer_name"]: (m["role"], m["left_on"]) for m in members["items"]}
    assert roles == {"张三": ("leader", None), "李四": ("member", "2024-05-01")}
    valid = rows[:3]
    again = (await upload(world, "staff_s1", "memberships", xlsx(valid), area="S1")).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    valid[1][5] = "队员"
    changed = (await upload(world, "staff_s1", "memberships", xlsx(valid), area="S1")).json()
    assert (changed["created"], changed["updated"]) == (0, 1)


async def test_activities_import(world: World) -> None:
    team = await make_team(world, "东一读书队")
    venue = await world.post(
        "staff_c11", "/api/v1/venues", {"name": "陆家书屋", "kind": "book_house", "area_code": "C11"}
    )
    assert venue.status_code == 201, venue.text
    next_year = today().year + 1
    rows: list[list[Any]] = [
        ["活动名称", "活动类别", "活动日期", "开始时间", "结束时间", "阵地", "组织服务队", "人数上限"],
        ["亲子阅读会", "亲子阅读会", "2024-03-05", "9:00", "11:00", "陆家书屋", "东一读书队", 30],
        ["读书分享会", "reading_salon", None, datetime(2024, 3, 6, 14), "2024-03-06 16:30", None, None, None],
        ["未来讲座", "家庭教育讲座", None, f"{next_year}-05-01 09:00", f"{next_year}-05-01 10:00", None, None, None],
        ["错一", "不存在的类别", None, "2024-03-05 09:00", "2024-03-05 08:00", None, None, None],
        ["错二", "党建微课堂", None, "2024-03-05 09:00", "2024-04-15 09:00", "火星书屋", "无名队", 0],
    ]
    response = await upload(world, "staff_c11", "activities", xlsx(rows), partial=True)
    assert response.status_code == 200, response.text
    report = response.json()
    codes = {row: sorted(c for _, _, c in e) for row, e in errors_by_row(report).items()}
    assert codes == {
        5: ["ends_before_start", "unknown_category"],
        6: ["too_long", "unknown_team", "unknown_venue"],
    }
    assert report["created"] == 3
    listed = (await world.get("staff_c11", "/api/v1/activities")).json()["items"]
    by_title = {a["title"]: a for a in listed}
    reading = by_title["亲子阅读会"]
    assert reading["starts_at"] == "2024-03-05T09:00:00+08:00" and reading["ends_at"] == "2024-03-05T11:00:00+08:00"
    assert (reading["venue_name"], reading["team_ids"], reading["capacity"]) == ("陆家书屋", [team], 30)
    assert (reading["status"], by_title["未来讲座"]["status"]) == ("completed", "draft")
    assert by_title["读书分享会"]["category"] == "reading_salon"
    again = (await upload(world, "staff_c11", "activities", xlsx(rows[:4]))).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    closed = [r[:] for r in rows[:2]]
    closed[1][7] = 40
    refused = await upload(world, "staff_c11", "activities", xlsx(closed))
    assert refused.status_code == 422
    assert errors_by_row(refused.json()) == {2: [("活动名称", "亲子阅读会", "activity_closed")]}


async def _past_activity(world: World, title: str = "亲子阅读会", day: date = date(2024, 3, 5)) -> int:
    starts = datetime.combine(day, datetime.min.time(), LOCAL_TZ).replace(hour=9)
    response = await world.post(
        "staff_c11",
        "/api/v1/activities",
        {
            "title": title,
            "category": "亲子阅读会",
            "area_code": "C11",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
        },
    )
    assert response.status_code == 201, response.text
    activity_id: int = response.json()["id"]
    return activity_id


async def test_service_records_import(world: World) -> None:
    zhang = await register(world, phone="13800138000", name="张三", registered_on="2024-01-01")
    await register(world, phone="13800138001", name="李四", registered_on="2024-01-01")
    activity = await _past_activity(world)
    await _past_activity(world, "读书分享会", date(2024, 3, 6))
    rows: list[list[Any]] = [
        ["志愿者编号", "手机号", "姓名", "活动名称", "服务日期", "开始时间", "结束时间", "服务时长"],
        [zhang["volunteer_no"], None, "张三", "亲子阅读会", "2024-03-05", None, None, 2],
        [None, "13800138001", None, "亲子阅读会", None, "2024-03-05 09:30", "2024-03-05 11:00", "1.5"],
        [None, "13800138000", None, "读书分享会", "2024-03-05", None, None, 2],
        [None, "13800138000", None, "亲子阅读会", "2024-03-05", None, None, 5],
        [None, "13800138001", None, "亲子阅读会", None, "2024-03-05 09:00", "2024-03-05 10:00", 3],
        [None, "13800138000", None, "亲子阅读会", "2024-03-05", None, None, 1],
    ]
    response = await upload(world, "staff_c11", "service-records", xlsx(rows), filename="2024补录.xlsx", partial=True)
    assert response.status_code == 200, response.text
    report = response.json()
    codes = {row: [c for _, _, c in e] for row, e in errors_by_row(report).items()}
    assert codes == {
        4: ["unknown_activity"],
        5: ["hours_exceed_activity"],
        6: ["hours_mismatch"],
        7: ["duplicate_in_file"],
    }
    assert report["created"] == 2
    records = await fetch(
        "SELECT volunteer, source, status, minutes, reason FROM service_record WHERE activity = $1 ORDER BY volunteer",
        activity,
    )
    assert [(r["source"], r["status"], r["minutes"], r["reason"]) for r in records] == [
        ("manual", "pending", 120, "导入：2024补录.xlsx"),
        ("manual", "pending", 90, "导入：2024补录.xlsx"),
    ]
    valid = rows[:3]
    again = (await upload(world, "staff_c11", "service-records", xlsx(valid))).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    mine = await world.get("staff_c11", "/api/v1/service-records", params={"volunteer": zhang["id"]})
    record_id = mine.json()["items"][0]["id"]
    assert (await world.post("staff_c11", f"/api/v1/service-records/{record_id}/approve")).status_code == 200
    valid[1][7] = 1
    refused = await upload(world, "staff_c11", "service-records", xlsx(valid))
    assert errors_by_row(refused.json()) == {2: [("活动名称", "亲子阅读会", "record_decided")]}


async def test_service_records_of_a_cancelled_or_future_activity(world: World) -> None:
    await register(world, phone="13800138000", name="张三", registered_on="2024-01-01")
    activity = await _past_activity(world)
    assert (await world.post("staff_c11", f"/api/v1/activities/{activity}/cancel", {})).status_code == 200
    tomorrow = today() + timedelta(days=1)
    await _past_activity(world, "明日活动", tomorrow)
    rows: list[list[Any]] = [
        ["手机号", "活动名称", "服务日期", "服务时长"],
        ["13800138000", "亲子阅读会", "2024-03-05", 1],
        ["13800138000", "明日活动", tomorrow.isoformat(), 1],
    ]
    response = await upload(world, "staff_c11", "service-records", csv(rows), filename="a.csv")
    assert response.status_code == 422
    assert {r: [c for _, _, c in e] for r, e in errors_by_row(response.json()).items()} == {
        2: ["activity_cancelled"],
        3: ["date_in_future"],
    }


# ---- issue 10, item 7: imported dates have the API's sane ranges -----------------------------------------


async def test_imported_dates_have_sane_ranges(world: World) -> None:
    """Founding, joining, activity and service dates in a file meet the same ranges as in the API."""
    teams = [
        ["服务队名称", "发起单位", "成立日期"],
        ["老队", "衡州小学", "1900-01-01"],
        ["新队", "衡州小学", "1949-10-01"],
    ]
    response = await upload(world, "staff_c11", "teams", csv(teams), filename="t.csv")
    assert errors_by_row(response.json()) == {2: [("成立日期", "1900-01-01", "date_too_early")]}
    await register(world, phone="13800138000", name="张三", registered_on="2024-01-01")
    team = await make_team(world, "东一队")
    members = [["服务队", "手机号", "加入日期", "退出日期"], ["东一队", "13800138000", "2024-02-01", "2999-01-01"]]
    response = await upload(world, "staff_c11", "memberships", csv(members), filename="m.csv")
    assert errors_by_row(response.json()) == {2: [("退出日期", "2999-01-01", "date_in_future")]}
    far = today().year + 3
    activities = [
        ["活动名称", "活动类别", "开始时间", "结束时间"],
        ["旧活动", "亲子阅读会", "1948-03-05 09:00", "1948-03-05 11:00"],
        ["远期活动", "亲子阅读会", f"{far}-12-31 09:00", f"{far}-12-31 11:00"],
    ]
    response = await upload(world, "staff_c11", "activities", csv(activities), filename="a.csv")
    codes = {row: sorted({c for _, _, c in e}) for row, e in errors_by_row(response.json()).items()}
    assert codes == {2: ["date_too_early"], 3: ["date_too_late"]}
    await _past_activity(world)  # 2024-03-05 09:00–12:00
    records = [
        ["手机号", "活动名称", "开始时间", "结束时间"],
        ["13800138000", "亲子阅读会", "2024-03-05 09:00", "2024-03-07 12:00"],
    ]
    response = await upload(world, "staff_c11", "service-records", csv(records), filename="r.csv")
    assert errors_by_row(response.json()) == {2: [("结束时间", "2024-03-07 12:00", "outside_activity_days")]}
    assert await fetch("SELECT id FROM team") == [{"id": team}]
    assert await fetch("SELECT id FROM membership") == []
    assert await fetch("SELECT id FROM service_record") == []
