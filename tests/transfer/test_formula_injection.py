"""Spreadsheet formula injection: formula-like text leaves as text in every CSV and XLSX, and comes back unchanged."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import World
from tests.factories import register
from tests.transfer.files import save, upload, xlsx
from volunteers.spreadsheet_cells import csv_field, csv_value, sheet_text, write_csv
from volunteers.transfer.plain_xlsx import write_xlsx
from volunteers.transfer.readers import ImportLimits, read_sheet

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)"]


def csv_table(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def cells(book: openpyxl.Workbook) -> list[Any]:
    """Every cell of every sheet."""
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_text_cell(cell: Any, text: str) -> None:
    """A string cell holding `text` unchanged, quote-prefixed so that editing it in Excel keeps it text."""
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), cell.coordinate


async def hostile_registry(world: World) -> dict[str, Any]:
    """Volunteers, teams (with members), an activity and a service record, all named like formulas."""
    people = [
        await register(world, phone=f"1380013800{i}", name=name, registered_on="2024-03-05")
        for i, name in enumerate(HOSTILE)
    ]
    teams = []
    for name, person in zip(HOSTILE, people, strict=True):
        created = await world.post(
            "staff_c11",
            "/api/v1/teams",
            {"name": name, "area_code": "C11", "sponsor": name, "founded_on": "2020-01-02"},
        )
        assert created.status_code == 201, created.text
        teams.append(created.json()["id"])
        joined = {"volunteer_id": person["id"], "role": "member", "joined_on": "2024-04-01"}
        assert (await world.post("staff_c11", f"/api/v1/teams/{teams[-1]}/members", joined)).status_code == 201
    activity = await world.post(
        "staff_c11",
        "/api/v1/activities",
        {
            "title": HOSTILE[0],
            "category": "亲子阅读会",
            "area_code": "C11",
            "starts_at": "2024-03-05T09:00",
            "ends_at": "2024-03-05T11:00",
            "team_ids": teams[:1],
        },
    )
    assert activity.status_code == 201, activity.text
    record = {
        "volunteer_id": people[0]["id"],
        "activity_id": activity.json()["id"],
        "started_at": "2024-03-05T09:00:00+08:00",
        "ended_at": "2024-03-05T10:30:00+08:00",
        "reason": HOSTILE[3],
    }
    assert (await world.post("staff_c11", "/api/v1/service-records", record)).status_code == 201
    return {"people": people, "teams": teams}


async def test_registry_exports_write_formula_like_names_as_text(world: World) -> None:
    await hostile_registry(world)
    # (export, the column holding the hostile names, the names it holds)
    for kind, column, names in (
        ("volunteers", 1, HOSTILE),
        ("teams", 0, HOSTILE),
        ("memberships", 0, HOSTILE),
        ("activities", 0, HOSTILE[:1]),
    ):
        exported = await world.get("staff_c11", f"/api/v1/exports/{kind}", params={"format": "csv"})
        assert exported.status_code == 200
        assert sorted(r[column] for r in csv_table(exported.content)[1:]) == sorted("'" + n for n in names), kind
        book = workbook((await world.get("staff_c11", f"/api/v1/exports/{kind}")).content)
        written = [row[column] for row in book.worksheets[0].iter_rows(min_row=2)]
        assert sorted(c.value for c in written) == sorted(names), kind
        for cell in written:
            assert_text_cell(cell, cell.value)
        assert [c.coordinate for c in cells(book) if c.data_type == "f"] == [], kind

    teams_csv = csv_table((await world.get("staff_c11", "/api/v1/exports/teams", params={"format": "csv"})).content)
    assert {r[3] for r in teams_csv[1:]} == {"'" + name for name in HOSTILE}  # the sponsor too
    teams = workbook((await world.get("staff_c11", "/api/v1/exports/teams")).content).worksheets[0]
    founded, members = teams["E2"], teams["H2"]
    assert (founded.value, founded.is_date, members.value, members.data_type) == (datetime(2020, 1, 2), True, 1, "n")

    records = await world.get("staff_c11", "/api/v1/exports/service-records", params={"format": "csv"})
    record = csv_table(records.content)[1]
    assert (record[3], record[-1]) == ("'" + HOSTILE[0], "'" + HOSTILE[3])  # activity title, reason
    assert re.search(rb'\r\n"[^"]*","[^"]*",.*,1.5,"', records.content)  # text quoted, hours a bare number
    sheet = workbook((await world.get("staff_c11", "/api/v1/exports/service-records")).content).worksheets[0]
    assert_text_cell(sheet["D2"], HOSTILE[0])
    assert_text_cell(sheet["L2"], HOSTILE[3])
    assert (sheet["F2"].value, sheet["I2"].value, sheet["I2"].data_type) == (datetime(2024, 3, 5), 1.5, "n")


async def test_csv_and_xlsx_exports_import_back_with_the_same_names(world: World) -> None:
    made = await hostile_registry(world)
    before = (await world.get("staff_c11", "/api/v1/volunteers")).json()
    for file_format in ("csv", "xlsx"):
        exported = await world.get("staff_c11", "/api/v1/exports/volunteers", params={"format": file_format})
        again = await upload(world, "staff_c11", "volunteers", exported.content, filename=f"a.{file_format}")
        report = again.json()
        assert (report["created"], report["updated"], report["errors"]) == (0, 0, []), (file_format, report)
        assert report["unchanged"] == len(made["people"])
        teams = await world.get("staff_c11", "/api/v1/exports/teams", params={"format": file_format})
        report = (await upload(world, "staff_c11", "teams", teams.content, filename=f"t.{file_format}")).json()
        assert (report["error_count"], report["created"], report["updated"]) == (0, 0, 0), (file_format, report)
    assert (await world.get("staff_c11", "/api/v1/volunteers")).json() == before


def formula_upload() -> bytes:
    """`=1+1` without a saved result, a HYPERLINK saved as 点我, a date, a number, a formula on a hidden sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ["姓名", "手机号", "出生日期", "备注数"],
        ["=1+1", "13800138000", datetime(1990, 3, 7), -5],
        ['=HYPERLINK("http://x","y")', "13800138001", None, 2.5],
        ["@SUM(A1)", "1380013800", None, None],
    ):
        sheet.append(row)
    hidden = book.create_sheet("隐藏")
    hidden["A1"] = '=WEBSERVICE("http://x")'
    hidden.sheet_state = "hidden"
    # openpyxl saves no formula results; give the HYPERLINK the one Excel would have saved
    source = zipfile.ZipFile(io.BytesIO(save(book)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename).decode()
            if item.filename == "xl/worksheets/sheet1.xml":
                data, found = re.subn(r'<c r="A3"><f>(.*?)</f><v\s*/>', r'<c r="A3" t="str"><f>\1</f><v>点我</v>', data)
                assert found == 1, data
            target.writestr(item, data)
    return out.getvalue()


async def test_the_marked_upload_holds_no_formula(world: World) -> None:
    response = await upload(world, "staff_c11", "volunteers", formula_upload(), answer="xlsx")
    assert response.status_code == 422
    book = workbook(response.content)
    assert [c.coordinate for c in cells(book) if c.data_type == "f"] == []
    sheet = book.worksheets[0]
    assert_text_cell(sheet["A2"], "=1+1")  # no saved result: the formula's own text, as text
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("点我", "s")  # what the import read
    assert_text_cell(sheet["A4"], "@SUM(A1)")
    assert_text_cell(book["隐藏"]["A1"], '=WEBSERVICE("http://x")')
    assert (sheet["C2"].value, sheet["C2"].is_date, sheet["D2"].value, sheet["D2"].data_type) == (
        datetime(1990, 3, 7),
        True,
        -5,
        "n",
    )
    errors = sheet.cell(row=1, column=5)
    assert errors.value == "错误说明" and "姓名" in sheet["E2"].value

    content = "\ufeff姓名,手机号\r\n=1+1,123\r\n'=2+2,13800138001\r\n".encode()
    response = await upload(world, "staff_c11", "volunteers", content, filename="a.csv", answer="xlsx")
    book = workbook(response.content)
    assert [c.coordinate for c in cells(book) if c.data_type == "f"] == []
    assert_text_cell(book.worksheets[0]["A2"], "=1+1")
    assert_text_cell(book.worksheets[0]["A3"], "=2+2")  # an exported '=2+2 is the name =2+2


async def test_an_error_note_led_by_a_formula_like_header_is_text(world: World) -> None:
    content = xlsx([["姓名", "-手机号", "=1+1"], ["张三", "123", "x"]])  # "-手机号" is read as 手机号
    response = await upload(world, "staff_c11", "volunteers", content, answer="xlsx")
    book = workbook(response.content)
    assert [c.coordinate for c in cells(book) if c.data_type == "f"] == []
    sheet = book.worksheets[0]
    assert_text_cell(sheet["C1"], "=1+1")
    assert sheet["D2"].value.startswith("-手机号：") and sheet["D2"].quotePrefix


async def test_templates_hold_text_cells_only(world: World) -> None:
    response = await world.get("staff_c11", "/api/v1/imports/volunteers/template")
    book = workbook(response.content)
    assert {c.data_type for c in cells(book) if c.value is not None} == {"s"}


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=1+1", True),
        ("+1", True),
        ("-1+2", True),
        ("@SUM(A1)", True),
        ("\t=1", True),
        ("\tx", True),
        ("\rx", True),
        ("  =1", True),
        ("\u3000=1", True),
        ("＝１＋１", True),
        ("＋1", True),
        ("－1", True),
        ("＠x", True),
        ("'=1", True),
        ("''+1", True),
        ("张三", False),
        ("'张三", False),
        ("a=b", False),
        ("1-2", False),
        ("", False),
        ("'", False),
    ],
)
def test_which_text_is_guarded(text: str, guarded: bool) -> None:
    assert sheet_text(text).guarded is guarded
    assert csv_field(text) == ("'" + text if guarded else text)
    assert csv_value(csv_field(text)) == text


def test_numbers_and_dates_are_not_text() -> None:
    assert [csv_field(v) for v in (-5, -1.5, 0, None, date(2024, 3, 5), datetime(2024, 3, 5, 9, 30))] == [
        -5,
        -1.5,
        0,
        "",
        "2024-03-05",
        "2024-03-05 09:30",
    ]
    assert write_csv(["甲", "乙", "丙"], [[-5, "-5", "a;=1+1"]]).decode("utf-8-sig") == (
        '"甲","乙","丙"\r\n-5,"\'-5","a;=1+1"\r\n'
    )
    content = write_xlsx("表", ["甲", "乙", "丙", "丁"], [10] * 4, [[-5, "-5", date(2024, 3, 5), "@x"]])
    row = workbook(content).worksheets[0][2]
    assert [(c.value, c.data_type) for c in row] == [(-5, "n"), ("-5", "s"), (datetime(2024, 3, 5), "d"), ("@x", "s")]
    assert [c.quotePrefix for c in row] == [False, True, False, True]
    assert row[2].is_date


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from("'=+-@＝＋－＠ \t\r\u3000a张,;\"\n"), max_size=6), min_size=1, max_size=4)
)
def test_any_text_survives_a_csv_export_and_import(texts: list[str]) -> None:
    content = write_csv(["姓名", *[f"列{i}" for i in range(len(texts) - 1)]], [texts])
    rows = read_sheet(content, ImportLimits()).rows
    assert rows[1] == texts
