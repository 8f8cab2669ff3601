"""Exports as XLSX and CSV, the round trip back through import, and the blank templates."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from tests.conftest import World
from tests.factories import make_id_number, register
from tests.transfer.files import read_xlsx, upload
from volunteers.fields import today
from volunteers.transfer.columns import KINDS


async def test_volunteer_export_imports_back_unchanged(world: World) -> None:
    number = make_id_number(date(1990, 3, 7))
    await register(world, phone="13800138000", name="张三", id_number=number, registered_on="2024-03-05")
    await register(
        world,
        phone="13800138001",
        name="小明",
        birth_date="2015-06-01",
        guardian={"name": "明父", "phone": "13900139000", "consent_on": "2024-01-02"},
    )
    before = (await world.get("staff_c11", "/api/v1/volunteers")).json()
    exported = await world.get("staff_c11", "/api/v1/exports/volunteers", params={"area": "C11"})
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    rows = read_xlsx(exported.content)
    assert rows[0][:4] == ["志愿者编号", "姓名", "手机号", "身份证号"]
    zhang = next(r for r in rows if r[1] == "张三")
    assert zhang[2] == "13800138000" and zhang[3] == "已登记"  # on file; not a character of it
    assert next(r for r in rows if r[1] == "小明")[3] is None
    band = "35–59岁" if today() >= date(2025, 3, 7) else "18–34岁"
    assert (zhang[4], zhang[5], zhang[6], zhang[7], zhang[8]) == ("男", datetime(1990, 3, 7), band, "东一社区", "C11")
    again = await upload(world, "staff_c11", "volunteers", exported.content, filename="导出.xlsx")
    assert again.status_code == 200, again.text
    report = again.json()
    assert (report["created"], report["updated"], report["unchanged"], report["errors"]) == (0, 0, 2, [])
    assert report["ignored_columns"] == ["年龄段", "状态"]
    assert (await world.get("staff_c11", "/api/v1/volunteers")).json() == before


async def test_volunteer_exports_hold_no_id_digits_and_give_officials_an_age_band(world: World) -> None:
    born = date(1990, 3, 7)
    number = make_id_number(born, n=377)  # area 430421 and sequence 75x appear nowhere else in the sheet
    await register(world, phone="13800138000", name="张三", id_number=number)
    fragments = [number[:6], number[-4:], "*" * 8]
    band = "35–59岁" if today() >= date(2025, 3, 7) else "18–34岁"
    for user in ("staff_c11", "official_s1"):
        as_csv = await world.get(user, "/api/v1/exports/volunteers", params={"format": "csv"})
        sheets = {
            "xlsx": read_xlsx((await world.get(user, "/api/v1/exports/volunteers")).content),
            "csv": list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")))),
        }
        for file_format, (header, row) in sheets.items():
            cells = {h: "" if c is None else str(c) for h, c in zip(header, row, strict=True)}
            text = " ".join(cells.values())
            assert not [f for f in fragments if f in text], (user, file_format, text)
            assert (cells["身份证号"], cells["年龄段"]) == ("已登记", band)
            official = user.startswith("official")
            assert (cells["出生日期"] == "") is official, (user, file_format, cells)
            if official:
                assert "1990" not in text and cells["手机号"] == "138****8000"


async def test_csv_export_is_utf8_with_bom_and_imports_back(world: World) -> None:
    await register(world, phone="13800138000", name="张三")
    exported = await world.get("staff_c11", "/api/v1/exports/volunteers", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    text = exported.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"志愿者编号","姓名","手机号","身份证号","性别"')  # text quoted
    assert ',"张三","13800138000",' in text
    again = await upload(world, "staff_c11", "volunteers", exported.content, filename="a.csv")
    assert again.json()["unchanged"] == 1 and again.json()["written"] == 0


async def test_export_filters_like_the_list(world: World) -> None:
    await register(world, phone="13800138000", name="张三")
    other = await register(world, phone="13800138001", name="李四")
    suspended = await world.post("staff_c11", f"/api/v1/volunteers/{other['id']}/suspend", {"on": today().isoformat()})
    assert suspended.status_code == 200
    active = read_xlsx(
        (await world.get("staff_c11", "/api/v1/exports/volunteers", params={"status": "active"})).content
    )
    assert [r[1] for r in active[1:]] == ["张三"]
    found = read_xlsx((await world.get("staff_c11", "/api/v1/exports/volunteers", params={"q": "李"})).content)
    assert [(r[1], r[-1]) for r in found[1:]] == [("李四", "暂停")]


async def test_team_membership_activity_and_record_exports(world: World) -> None:
    zhang = await register(world, phone="13800138000", name="张三", registered_on="2024-01-01")
    team = await world.post(
        "staff_c11",
        "/api/v1/teams",
        {"name": "东一队", "area_code": "C11", "sponsor": "衡州小学", "categories": ["读书"]},
    )
    team_id = team.json()["id"]
    joined = {"volunteer_id": zhang["id"], "role": "leader", "joined_on": "2024-02-01"}
    assert (await world.post("staff_c11", f"/api/v1/teams/{team_id}/members", joined)).status_code == 201
    activity = await world.post(
        "staff_c11",
        "/api/v1/activities",
        {
            "title": "亲子阅读会",
            "category": "亲子阅读会",
            "area_code": "C11",
            "starts_at": "2024-03-05T09:00",
            "ends_at": "2024-03-05T11:00",
            "team_ids": [team_id],
        },
    )
    record = {
        "volunteer_id": zhang["id"],
        "activity_id": activity.json()["id"],
        "started_at": "2024-03-05T09:00:00+08:00",
        "ended_at": "2024-03-05T10:30:00+08:00",
        "reason": "补录",
    }
    assert (await world.post("staff_c11", "/api/v1/service-records", record)).status_code == 201

    teams = read_xlsx((await world.get("staff_c11", "/api/v1/exports/teams")).content)
    assert teams[1] == ["东一队", "东一社区", "C11", "衡州小学", None, "读书", "活跃", 1]
    members = read_xlsx((await world.get("official_s1", "/api/v1/exports/memberships")).content)
    assert members[1] == [
        "东一队",
        "东一社区",
        zhang["volunteer_no"],
        "138****8000",
        "张三",
        "队长",
        datetime(2024, 2, 1),
        None,
    ]
    activities = read_xlsx((await world.get("staff_c11", "/api/v1/exports/activities")).content)
    assert activities[1][:6] == [
        "亲子阅读会",
        "亲子阅读会",
        "东一社区",
        "C11",
        datetime(2024, 3, 5, 9),
        datetime(2024, 3, 5, 11),
    ]
    assert activities[1][7:] == ["东一队", None, "草稿"]
    records = read_xlsx((await world.get("staff_c11", "/api/v1/exports/service-records")).content)
    assert records[1][:6] == [
        zhang["volunteer_no"],
        "13800138000",
        "张三",
        "亲子阅读会",
        "东一社区",
        datetime(2024, 3, 5),
    ]
    assert records[1][8:] == [1.5, "补录", "待审核", "补录"]
    nothing = read_xlsx((await world.get("staff_c21", "/api/v1/exports/service-records")).content)
    assert nothing[1:] == []

    for kind in ("teams", "memberships", "activities", "service-records"):
        exported = await world.get("staff_c11", f"/api/v1/exports/{kind}")
        report = (await upload(world, "staff_c11", kind, exported.content, filename=f"{kind}.xlsx")).json()
        assert (report["error_count"], report["created"], report["updated"]) == (0, 0, 0), (kind, report)


async def test_export_refuses_more_rows_than_the_limit(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLUNTEERS_IMPORT_MAX_ROWS", "1")
    await register(world, phone="13800138000")
    await register(world, phone="13800138001")
    response = await world.get("staff_c11", "/api/v1/exports/volunteers")
    assert response.status_code == 422 and response.json()["code"] == "too_many_rows"


async def test_bad_export_parameters_are_400(world: World) -> None:
    for params in ({"format": "pdf"}, {"area": "C11'--"}, {"status": "gone"}, {"q": "\u0000"}):
        response = await world.get("staff_c11", "/api/v1/exports/volunteers", params=params)
        assert response.status_code == 400, params
    response = await world.get("staff_c11", "/api/v1/exports/service-records", params={"activity": 2**31})
    assert response.status_code == 400


async def test_templates_have_the_chinese_headers_and_an_explanation(world: World) -> None:
    for kind, spec in KINDS.items():
        response = await world.get("staff_c11", f"/api/v1/imports/{kind}/template")
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == [spec.label, "填写说明"]
        headers = [c.value for c in book.worksheets[0][1]]
        assert headers == [c.header for c in spec.columns if c.imported]
        explained = [r[0] for r in book["填写说明"].iter_rows(min_row=2, values_only=True) if r[0]]
        assert explained[: len(headers)] == headers
    blank = (await world.get("staff_c11", "/api/v1/imports/volunteers/template")).content
    report = (await upload(world, "staff_c11", "volunteers", blank)).json()
    assert (report["rows"], report["error_count"]) == (0, 0)
    assert (await world.get("staff_c11", "/api/v1/imports/nonsense/template")).status_code == 404


async def test_the_openapi_document_describes_imports_and_exports(world: World) -> None:
    schema = (await world.http.get("/schema/openapi.json")).json()
    assert "/api/v1/imports/{kind}" in schema["paths"]
    assert "/api/v1/exports/service-records" in schema["paths"]
    upload_body = schema["paths"]["/api/v1/imports/{kind}"]["post"]["requestBody"]
    assert "multipart/form-data" in upload_body["content"]


def test_the_plain_xlsx_writer_round_trips_awkward_values() -> None:
    import python_calamine

    from volunteers.transfer.plain_xlsx import write_xlsx

    rows = [
        ["A&B <C> \"D\" 'E'", " 前后空格 ", 13800138000, 1.5, date(2024, 3, 5), datetime(2024, 3, 5, 9, 30), None],
        ["控制\x01字符", "", 0, -2, date(1900, 3, 1), datetime(2099, 12, 31, 23, 59), True],
    ]
    content = write_xlsx("名单<&>", ["甲", "乙", "丙", "丁", "戊", "己", "庚"], [10] * 7, rows)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["名单<&>"]
    values = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert values[1] == [
        "A&B <C> \"D\" 'E'",
        " 前后空格 ",
        13800138000,
        1.5,
        datetime(2024, 3, 5),
        datetime(2024, 3, 5, 9, 30),
        None,
    ]
    assert values[2][0] == "控制字符" and values[2][5] == datetime(2099, 12, 31, 23, 59) and values[2][6] is True
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    assert sheet.to_python()[1][4] == date(2024, 3, 5)
