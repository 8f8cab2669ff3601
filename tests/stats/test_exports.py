"""XLSX and CSV exports: headers, numbers that match the API, the definitions sheet, the BOM, scope."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests.conftest import World
from tests.factories import add_member, add_population, add_record, add_team, add_volunteer, held

AS_OF = "2026-06-30"
HEADERS = [
    "区域编码",
    "区域名称",
    "层级",
    "统计范围",
    "常住人口",
    "人口年份",
    "人口来源",
    "注册志愿者数",
    "注册率（%）",
    "注册率分子（注册志愿者数）",
    "注册率分母（常住人口）",
    "活跃志愿者数",
    "活跃率（%）",
]


async def small_world() -> None:
    await add_population("D1", 2026, 1000)
    await add_population("S1", 2026, 600)
    place = await held("C11", date(2026, 3, 1))
    for code, minutes in (("C11", 60), ("C11", 0), ("C12", 90), ("C21", 30)):
        someone = await add_volunteer(code, date(2025, 1, 1))
        if minutes:
            await add_record(someone, place, date(2026, 3, 1), minutes)
    await add_volunteer("S2", date(2025, 1, 1))


def sheet_rows(content: bytes, sheet: str) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content))
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def export(world: World, user: str, name: str, **params: Any) -> Any:
    response = await world.get(user, f"/api/v1/stats/{name}/export", params=params)
    assert response.status_code == 200, response.text
    return response


async def test_participation_xlsx_with_breakdown(world: World) -> None:
    await small_world()
    params = {"area": "D1", "as_of": AS_OF, "breakdown": "children"}
    response = await export(world, "official_d1", "participation", format="xlsx", **params)
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = response.headers["content-disposition"]
    assert 'filename="participation-D1-2026-06-30.xlsx"' in disposition
    assert unquote(disposition.split("UTF-8''")[1]) == "志愿服务参与统计-D1-2026-06-30.xlsx"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["参与统计", "口径说明"]
    rows = sheet_rows(response.content, "参与统计")
    assert rows[0][: len(HEADERS)] == HEADERS
    assert "服务队覆盖率分母（社区数）" in rows[0]
    api = (await world.get("official_d1", "/api/v1/stats/participation", params=params)).json()
    by_code = {(r[0], r[3]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert list(by_code) == [("D1", "合计（含下级）"), ("S1", "含下级"), ("S2", "含下级")]
    d1 = by_code[("D1", "合计（含下级）")]
    assert (d1["注册志愿者数"], d1["注册率（%）"], d1["注册率分母（常住人口）"]) == (5, 0.5, 1000)
    assert d1["活跃志愿者数"] == api["figures"]["active"]["value"] == 3
    assert d1["活跃率（%）"] == api["figures"]["active_rate"]["value"] == 60.0
    assert d1["服务时长（小时）"] == 3.0 and d1["人口来源"] == "统计公报" and d1["层级"] == "区"
    s2 = by_code[("S2", "含下级")]
    assert s2["常住人口"] is None and s2["注册率（%）"] is None and s2["注册志愿者数"] == 2  # population missing
    for child in api["children"]:
        row = by_code[(child["area"]["code"], "含下级")]
        assert row["参与人次"] == child["figures"]["participants"]["value"]

    notes = sheet_rows(response.content, "口径说明")
    parameters = {r[0]: r[1] for r in notes if r[0] and r[1] and r[0] != "参数"}
    assert parameters["统计日期"] == AS_OF
    assert parameters["统计窗口"] == "2025-07-01 至 2026-06-30（365 天，含两端）"
    assert parameters["计入来源"] == "签到、补录" and parameters["最低时长（小时）"] == "0"
    assert parameters["计算方式"] == "预计算表" and parameters["分项"] == "按下级区域"
    definitions = {r[1]: r for r in notes if r[1] and r[2] == "2026.1"}
    listed = (await world.get("official_d1", "/api/v1/stats/definitions")).json()["definitions"]
    for d in listed:
        assert definitions[d["id"]][4] == d["zh"] and definitions[d["id"]][5] == d["en"]


async def test_participation_csv_has_a_bom_and_the_parameters_used(world: World) -> None:
    await small_world()
    params = {"area": "S1", "as_of": AS_OF, "format": "csv", "sources": "checkin", "window_days": "30"}
    response = await export(world, "official_s1", "participation", **params)
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="participation-S1-2026-06-30.csv"' in response.headers["content-disposition"]
    rows = csv_rows(response.content)
    assert rows[0][: len(HEADERS)] == HEADERS
    assert len(rows) == 2  # no breakdown: the area alone
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["区域名称"] == "东街道" and row["注册志愿者数"] == "3" and row["常住人口"] == "600"
    assert row["注册率（%）"] == "0.5" and row["活跃志愿者数"] == "0"  # the 30-day window holds no record
    xlsx = await export(world, "official_s1", "participation", **{**params, "format": "xlsx"})
    parameters = {r[0]: r[1] for r in sheet_rows(xlsx.content, "口径说明") if r[0]}
    assert parameters["计入来源"] == "签到" and parameters["计算方式"] == "直接查询原始记录"
    assert parameters["统计窗口"] == "2026-06-01 至 2026-06-30（30 天，含两端）"


async def test_team_export_keeps_names_as_text(world: World) -> None:
    hostile = await add_team("C11", '=HYPERLINK("http://evil.example","点我")')
    plain = await add_team("C12", "乙队")
    someone = await add_volunteer("C11", date(2025, 1, 1))
    await add_member(hostile, someone, date(2025, 1, 1))
    await add_member(plain, someone, date(2025, 1, 1))
    await add_record(someone, await held("C11", date(2026, 5, 1)), date(2026, 5, 1), 45)
    response = await export(world, "official_s1", "teams", area="S1", as_of=AS_OF)
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["服务队统计"]
    headers = [c.value for c in sheet[1]]
    assert headers[:7] == [
        "服务队编号",
        "服务队名称",
        "发起单位",
        "所属区域编码",
        "所属区域",
        "注册成员数",
        "活跃成员数",
    ]
    name = sheet.cell(row=2, column=2)
    assert name.value == '=HYPERLINK("http://evil.example","点我")' and name.data_type == "s"
    values = dict(zip(headers, [c.value for c in sheet[3]], strict=True))
    assert (
        values["服务队名称"] == "乙队" and values["成员活跃率（%）"] == 100.0 and values["成员服务时长（小时）"] == 0.75
    )
    assert values["成员活跃率分子（活跃成员数）"] == 1 and values["成员活跃率分母（注册成员数）"] == 1
    ids = {r[1] for r in sheet_rows(response.content, "口径说明")}
    assert {"team_registered_members", "team_active_members", "team_active_rate", "team_member_hours"} <= ids
    rows = csv_rows((await export(world, "official_s1", "teams", area="S1", as_of=AS_OF, format="csv")).content)
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","点我")' and rows[2][1] == "乙队"


async def test_formula_like_team_names_are_guarded_text_in_both_files(world: World) -> None:
    hostile = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)"]
    someone = await add_volunteer("C11", date(2025, 1, 1))
    for name in hostile:
        await add_member(await add_team("C11", name), someone, date(2025, 1, 1))
    response = await export(world, "official_s1", "teams", area="S1", as_of=AS_OF)
    book = load_workbook(io.BytesIO(response.content))
    assert [c.coordinate for s in book.worksheets for r in s.iter_rows() for c in r if c.data_type == "f"] == []
    sheet = book["服务队统计"]
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in names) == sorted(hostile)
    # string cells that stay text even when edited in Excel (the quote prefix a typed apostrophe sets)
    assert {(c.data_type, c.quotePrefix) for c in names} == {("s", True)}
    assert {(c.value, c.data_type) for c in [row[5] for row in sheet.iter_rows(min_row=2)]} == {(1, "n")}
    rows = csv_rows((await export(world, "official_s1", "teams", area="S1", as_of=AS_OF, format="csv")).content)
    assert sorted(r[1] for r in rows[1:]) == sorted("'" + name for name in hostile)
    assert {r[5] for r in rows[1:]} == {"1"}


async def test_activity_stars_and_monthly_exports(world: World) -> None:
    place = await held("C11", date(2026, 3, 5))
    await held("C12", date(2026, 4, 5), category="red_film")
    someone = await add_volunteer("C11", date(2025, 1, 1))
    await add_record(someone, place, date(2026, 3, 5), 6000)
    span = {"area": "S1", "from": "2026-03-01", "to": "2026-04-30"}
    response = await export(world, "official_s1", "activities", group="category", **span)
    assert 'filename="activities-category-S1-2026-03-01-2026-04-30.xlsx"' in response.headers["content-disposition"]
    rows = sheet_rows(response.content, "活动统计")
    assert rows == [
        ["编码", "活动类别", "活动数", "参与人次", "服务时长（小时）"],
        ["reading_salon", "读书分享会", 1, 1, 100.0],
        ["red_film", "红色电影大家看", 1, 0, 0.0],
        [None, "合计", 2, 1, 100.0],
    ]
    months = csv_rows((await export(world, "official_s1", "activities", group="month", format="csv", **span)).content)
    assert months[1:] == [
        ["2026-03", "2026年3月", "1", "1", "100.0"],
        ["2026-04", "2026年4月", "1", "0", "0.0"],
        ["", "合计", "2", "1", "100.0"],
    ]

    stars = sheet_rows((await export(world, "official_s1", "stars", area="S1", as_of=AS_OF)).content, "星级统计")
    assert stars[0][4:7] == ["星级", "门槛（小时）", "人数"]
    assert [(r[4], r[5], r[6]) for r in stars[1:]] == [
        (0, None, 0),
        (1, 100, 1),
        (2, 300, 0),
        (3, 600, 0),
        (4, 1000, 0),
        (5, 1500, 0),
    ]

    monthly = csv_rows(
        (
            await export(
                world, "official_s1", "monthly", area="S1", format="csv", **{"from": "2026-02", "to": "2026-03"}
            )
        ).content
    )
    assert monthly[0][:4] == ["月份", "月末日期", "新注册志愿者数", "注册志愿者数"]
    assert [r[:4] for r in monthly[1:]] == [["2026-02", "2026-02-28", "0", "1"], ["2026-03", "2026-03-31", "0", "1"]]


EXPORTS = [
    ("participation", {"as_of": AS_OF, "breakdown": "children"}),
    ("teams", {"as_of": AS_OF}),
    ("activities", {"from": "2026-01-01", "to": "2026-06-30", "group": "team"}),
    ("stars", {"as_of": AS_OF}),
    ("monthly", {"from": "2026-01", "to": "2026-06"}),
]


@pytest.mark.parametrize(("name", "params"), EXPORTS)
async def test_exports_stay_inside_the_subtree(world: World, name: str, params: dict[str, str]) -> None:
    await add_volunteer("C21", date(2025, 1, 1))
    for file_format in ("xlsx", "csv"):
        for user, area in (("official_s1", "S2"), ("official_s1", "D1"), ("staff_c11", "C12")):
            response = await world.get(
                user, f"/api/v1/stats/{name}/export", params={**params, "area": area, "format": file_format}
            )
            assert response.status_code == 404, (name, user, area)
            assert response.headers["content-type"].startswith("application/problem+json")
        mine = await world.get(
            "official_s1", f"/api/v1/stats/{name}/export", params={**params, "area": "S1", "format": file_format}
        )
        assert mine.status_code == 200
    bad = await world.get(
        "official_s1", f"/api/v1/stats/{name}/export", params={**params, "area": "S1", "format": "pdf"}
    )
    assert bad.status_code == 400
