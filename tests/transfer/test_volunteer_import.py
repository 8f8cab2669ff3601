"""Importing volunteers from the sheets staff really keep: real XLSX and CSV files."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import World
from tests.factories import id_number_ending_in_x, make_id_number, register, volunteer_count, with_wrong_check_digit
from tests.transfer.files import csv, errors_by_row, save, upload, xlsx
from volunteers import db
from volunteers.fields import today
from volunteers.people import search
from volunteers.people.identity import id_number_hash

HEADERS = ["姓名", "手机号", "身份证号", "性别", "出生日期", "所属社区", "注册日期"]


async def volunteers(world: World, user: str = "root") -> dict[str, dict[str, Any]]:
    """Every volunteer the user can list, by phone."""
    body = (await world.get(user, "/api/v1/volunteers", params={"limit": 500})).json()
    return {v["phone"]: v for v in body["items"]}


async def audit_entries(entity: str = "import") -> list[dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT username, action, entity, after FROM audit_entry WHERE entity = $1", entity)
    return [dict(r) for r in rows]


async def test_an_xlsx_as_staff_keep_it(world: World) -> None:
    """Title row, Chinese headers, an extra column, float phones, a lowercase x, Excel dates, trailing blanks."""
    with_x = id_number_ending_in_x()
    day_number = (date(2024, 3, 5) - date(1899, 12, 30)).days
    content = xlsx(
        [
            [*HEADERS, "备注"],
            ["张三", 13800138000.0, with_x.lower(), "男", date(1990, 3, 7), "东一社区", date(2024, 3, 5), "老队员"],
            ["李四", "1.38001380011E10", None, "女", None, "C11", "2024/3/5", None],
            ["王五", "13800138002", None, "女", "1990年3月7日", None, day_number, None],
            ["赵六", " 138-0013-8003 ", "", "", "19900307", "东一社区", "2024年3月5日", ""],
            [None] * 8,
            ["", "", "", "", "", "", "", ""],
        ],
        title="东一社区志愿者花名册（2024年）",
    )
    response = await upload(world, "staff_c11", "volunteers", content)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["valid"], report["created"], report["updated"]) == (4, 4, 4, 0)
    assert report["written"] == 4 and report["errors"] == [] and report["ignored_columns"] == ["备注"]
    stored = await volunteers(world)
    assert set(stored) == {"13800138000", "13800138001", "13800138002", "13800138003"}
    zhang = stored["13800138000"]
    assert zhang["has_id_number"] is True and stored["13800138001"]["has_id_number"] is False
    async with db.connection() as conn:
        stored_hash = await conn.fetchval("SELECT id_number_hash FROM volunteer WHERE phone = '13800138000'")
    assert stored_hash == id_number_hash(with_x)  # the lower-case x was stored upper-case
    assert (zhang["gender"], zhang["birth_date"], zhang["area_code"]) == ("male", "1990-03-07", "C11")
    assert {v["registered_on"] for v in stored.values()} == {"2024-03-05"}
    assert stored["13800138002"]["birth_date"] == "1990-03-07"
    assert all(v["volunteer_no"].startswith("ZY") and len(v["volunteer_no"]) == 12 for v in stored.values())


async def test_header_cells_merged_over_two_rows(world: World) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.append(["姓名", "联系方式", None, "所属社区"])
    sheet.append([None, "手机号", "身份证号", None])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    sheet.merge_cells("D1:D2")
    sheet.append(["张三", "13800138000", None, "C11"])
    sheet.append(["李四", "12345", None, "C11"])
    response = await upload(world, "staff_c11", "volunteers", save(book))
    assert response.status_code == 422
    report = response.json()
    assert report["rows"] == 2 and report["ignored_columns"] == []
    assert errors_by_row(report) == {4: [("手机号", "12345", "invalid_phone")]}


@pytest.mark.parametrize(
    ("encoding", "bom", "sep"),
    [("gb18030", False, ","), ("utf-8", True, ","), ("utf-8", False, ","), ("utf-16", False, "\t")],
)
async def test_csv_encodings(world: World, encoding: str, bom: bool, sep: str) -> None:
    content = csv(
        [
            ["志愿者名单"],
            ["姓名", "手机号", "性别", "所属社区", "注册日期"],
            ["张三", "13800138000", "男", "东一社区", "2024-03-05"],
            ["欧阳娜娜", "13800138001", "女", "东一社区", "2024/3/5"],
            [],
            [],
        ],
        encoding=encoding,
        bom=bom,
        sep=sep,
    )
    response = await upload(world, "staff_c11", "volunteers", content, filename="名单.csv")
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    stored = await volunteers(world)
    assert stored["13800138001"]["name"] == "欧阳娜娜"
    assert stored["13800138000"]["gender"] == "male"


def bad_rows() -> list[list[Any]]:
    adult = make_id_number(date(1990, 3, 7))
    return [
        HEADERS,
        ["张三", "13800138000", adult, "男", "1990-03-07", "东一社区", "2024-03-05"],  # row 2: fine
        ["李四", "1380013800", None, None, None, None, None],  # 3: phone one digit short
        ["王五", "13800138002", with_wrong_check_digit(adult), None, None, None, None],  # 4: check digit
        ["赵六", "13800138003", make_id_number(date(1991, 1, 1), n=7), "女", None, None, None],  # 5: gender vs ID
        ["孙七", "13800138004", None, None, "2024-13-45", None, None],  # 6: no such date
        ["周八", "13800138005", None, None, None, "火星社区", None],  # 7: unknown area
        [None, "13800138006", None, None, None, None, None],  # 8: no name
        ["吴九", "13800138000", None, None, None, None, None],  # 9: phone of row 2
        ["郑十", "13800138008", 430421199003070000.0, None, None, None, None],  # 10: ID stored as a number
        ["名" * 51, "13800138009", None, None, None, None, None],  # 11: name too long
        ["钱一", "13800138010", None, "未知", None, None, (today() + timedelta(days=3)).isoformat()],  # 12: two
    ]


EXPECTED: dict[int, list[tuple[str, str | None, str]]] = {
    3: [("手机号", "1380013800", "invalid_phone")],
    4: [("身份证号", None, "invalid_id_number")],
    5: [("性别", "女", "gender_mismatch")],
    6: [("出生日期", "2024-13-45", "invalid_date")],
    7: [("所属社区", "火星社区", "unknown_area")],
    8: [("姓名", "", "required")],
    9: [("手机号", "13800138000", "duplicate_in_file")],
    10: [("身份证号", "4.3042119900307e+17", "id_number_as_number")],  # the digits Excel kept
    11: [("姓名", "名" * 51, "invalid_field")],
    12: [("性别", "未知", "invalid_choice")],
}


def _expected(rows: list[list[Any]]) -> dict[int, list[tuple[str, str, str]]]:
    return {
        n: [(c, v if v is not None else str(rows[n - 1][2]), code) for c, v, code in e] for n, e in EXPECTED.items()
    }


async def test_every_bad_row_is_reported_and_nothing_is_written(world: World) -> None:
    rows = bad_rows()
    response = await upload(world, "staff_c11", "volunteers", xlsx(rows, text_columns=(2, 3)))
    assert response.status_code == 422
    report = response.json()
    assert (report["rows"], report["valid"], report["written"], report["created"]) == (11, 1, 0, 0)
    assert errors_by_row(report) == _expected(rows)
    assert report["error_count"] == len(report["errors"]) == 10
    first = report["errors"][0]
    assert first["message"].startswith("手机号（phone）不正确") and first["cell"] == "B3"
    assert await volunteer_count() == 0
    assert await audit_entries() == []


async def test_partial_writes_the_valid_rows_and_reports_the_rest(world: World) -> None:
    rows = bad_rows()
    response = await upload(world, "staff_c11", "volunteers", xlsx(rows), partial=True)
    assert response.status_code == 200
    report = response.json()
    assert (report["valid"], report["written"], report["created"], report["partial"]) == (1, 1, 1, True)
    assert errors_by_row(report) == _expected(rows)
    assert list(await volunteers(world)) == ["13800138000"]
    [entry] = await audit_entries()
    assert entry["action"] == "import" and entry["username"] == "staff_c11"


async def test_dry_run_reports_what_would_happen_and_writes_nothing(world: World) -> None:
    await register(world, phone="13800138000", name="旧名字")
    content = csv([["姓名", "手机号"], ["张三", "13800138000"], ["李四", "13800138001"]])
    response = await upload(world, "staff_c11", "volunteers", content, dry_run=True, filename="a.csv")
    assert response.status_code == 200
    report = response.json()
    assert (report["dry_run"], report["written"], report["created"], report["updated"]) == (True, 0, 1, 1)
    assert (await volunteers(world))["13800138000"]["name"] == "旧名字"
    assert await volunteer_count() == 1


async def test_reimporting_changes_nothing_then_updates_by_phone(world: World) -> None:
    rows: list[list[Any]] = [
        ["姓名", "手机号", "身份证号"],
        ["张三", "13800138000", make_id_number()],
        ["李四", "13800138001", None],
    ]
    first = await upload(world, "staff_c11", "volunteers", xlsx(rows))
    assert first.json()["created"] == 2
    before = await volunteers(world)
    without_ids = [row[:2] for row in rows]
    again = (await upload(world, "staff_c11", "volunteers", xlsx(without_ids))).json()
    assert (again["created"], again["updated"], again["unchanged"], again["written"]) == (0, 0, 2, 0)
    assert await volunteers(world) == before
    assert len(await audit_entries()) == 1  # an import that changes nothing leaves no entry
    # a full ID number for a volunteer who has one is written again, never reported "unchanged"
    same = (await upload(world, "staff_c11", "volunteers", xlsx(rows))).json()
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 1, 1)
    assert await volunteers(world) == before
    rows[2][0] = "李四四"
    changed = (await upload(world, "staff_c11", "volunteers", xlsx(rows))).json()
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 2, 0)
    after = await volunteers(world)
    assert after["13800138001"]["name"] == "李四四"
    assert after["13800138001"]["volunteer_no"] == before["13800138001"]["volunteer_no"]
    entries = await audit_entries()
    assert len(entries) == 3
    assert '"updated": 2' in entries[-1]["after"] and '"file": "名单.xlsx"' in entries[-1]["after"]


async def test_a_dry_run_does_not_tell_whether_a_guessed_id_number_is_on_file(world: World) -> None:
    number = make_id_number()
    await register(world, phone="13800138000", id_number=number)
    guess = make_id_number(n=377)
    assert guess != number
    reports = []
    for candidate in (number, guess):
        rows: list[list[Any]] = [["姓名", "手机号", "身份证号"], ["张三", "13800138000", candidate]]
        report = (await upload(world, "staff_c11", "volunteers", xlsx(rows), dry_run=True)).json()
        reports.append({k: report[k] for k in ("created", "updated", "unchanged", "errors")})
    assert reports[0] == reports[1] == {"created": 0, "updated": 1, "unchanged": 0, "errors": []}


async def test_rows_that_clash_with_stored_volunteers(world: World) -> None:
    number = make_id_number()
    stored = await register(world, phone="13800138000", id_number=number)
    await register(world, "staff_c21", phone="13900139000", area_code="C21")
    await register(world, "staff_c21", phone="13900139001", area_code="C21")
    rows: list[list[Any]] = [
        ["志愿者编号", "姓名", "手机号", "身份证号"],
        [None, "冒名", "13800138001", number],  # 2: someone else's ID number
        ["ZY9999999999", "无此人", "13800138002", None],  # 3: unknown number
        [stored["volunteer_no"], "张三", "13900139000", None],  # 4: another volunteer's phone
        [None, "西区人", "13900139001", None],  # 5: a volunteer of C21, outside staff_c11's scope
        [None, "新人", "13800138009", "430421********1234"],  # 6: a masked ID for a new volunteer
    ]
    report = (await upload(world, "staff_c11", "volunteers", xlsx(rows), partial=True)).json()
    codes = {row: [c for _, _, c in errors] for row, errors in errors_by_row(report).items()}
    assert codes == {
        2: ["duplicate_id_number"],
        3: ["unknown_volunteer"],
        4: ["duplicate_phone"],
        5: ["outside_scope"],
        6: ["masked_id_number"],
    }
    assert report["written"] == 0
    assert (await volunteers(world, "staff_c21"))["13900139000"]["name"] == "张三"


async def test_an_id_number_on_file_is_kept_without_comparing_digits(world: World) -> None:
    number = make_id_number()
    first = await register(world, phone="13800138000", id_number=number)
    second = await register(world, phone="13800138001", id_number=make_id_number(n=2))
    without = await register(world, phone="13800138002")
    rows: list[list[Any]] = [
        ["志愿者编号", "姓名", "手机号", "身份证号"],
        [first["volunteer_no"], "张三", "13800138000", "已登记"],  # 2: as the export writes it
        # 3: an old export's mask with other digits: kept, not compared (a comparison would confirm guesses)
        [second["volunteer_no"], "张三", "13800138001", "430421********0000"],
        [without["volunteer_no"], "张三", "13800138002", "已登记"],  # 4: nothing on file to keep
        [None, "新人", "13800138009", "已登记"],  # 5: a new volunteer needs the whole number
        [None, "新人", "13800138008", "430421**1234"],  # 6: not a mask an export wrote
    ]
    report = (await upload(world, "staff_c11", "volunteers", xlsx(rows), partial=True)).json()
    codes = {row: [c for _, _, c in errors] for row, errors in errors_by_row(report).items()}
    assert codes == {4: ["id_number_mismatch"], 5: ["masked_id_number"], 6: ["invalid_id_number"]}
    assert (report["unchanged"], report["written"]) == (2, 0)
    async with db.connection() as conn:
        kept = await conn.fetchval("SELECT id_number_hash FROM volunteer WHERE id = $1", first["id"])
    assert kept == id_number_hash(number)


async def test_names_and_dates_follow_the_api_rules(world: World) -> None:
    future = (today() + timedelta(days=1)).isoformat()
    child = (today() - timedelta(days=365 * 10)).isoformat()
    rows: list[list[Any]] = [
        ["姓名", "手机号", "出生日期", "注册日期", "同意日期", "监护人姓名", "监护人手机号", "监护人同意日期"],
        ["张\u200b三", "13800138000", None, None, None, None, None, None],  # 2: zero-width space
        ["李四\ufeff", "13800138001", None, None, None, None, None, None],  # 3: byte-order mark
        ["\u202e五王", "13800138002", None, None, None, None, None, None],  # 4: right-to-left override
        ["赵六", "13800138003", None, "0001-01-01", None, None, None, None],  # 5: year 1
        ["孙七", "13800138004", None, "1948-12-31", None, None, None, None],  # 6: before 1949
        ["周八", "13800138005", None, None, "1900-01-01", None, None, None],  # 7: consent before 1949
        ["吴九", "13800138006", None, None, future, None, None, None],  # 8: consent tomorrow
        ["郑十", "13800138007", child, None, None, "郑\u202e父", "13900139000", today().isoformat()],  # 9
        ["钱一", "13800138008", child, None, None, "钱父", "13900139001", "0001-01-01"],  # 10
        ["冯二", "13800138009", "1930-01-01", "1949-01-01", "1949-01-01", None, None, None],  # 11: fine
    ]
    report = (await upload(world, "staff_c11", "volunteers", csv(rows), filename="a.csv", partial=True)).json()
    codes = {row: [(column, c) for column, _, c in errors] for row, errors in errors_by_row(report).items()}
    assert codes == {
        2: [("姓名", "invisible_character")],
        3: [("姓名", "invisible_character")],
        4: [("姓名", "invisible_character")],
        5: [("注册日期", "date_too_early")],
        6: [("注册日期", "date_too_early")],
        7: [("同意日期", "date_too_early")],
        8: [("同意日期", "date_in_future")],
        9: [("监护人姓名", "invisible_character")],
        10: [("监护人同意日期", "date_too_early")],
    }
    assert report["created"] == 1 and list(await volunteers(world)) == ["13800138009"]


async def test_minors_need_a_guardian_as_in_the_api(world: World) -> None:
    child = make_id_number(date(today().year - 10, 1, 1))
    rows: list[list[Any]] = [
        ["姓名", "手机号", "身份证号", "监护人姓名", "监护人手机号", "监护人同意日期"],
        ["小明", "13800138000", child, None, None, None],
        [
            "小红",
            "13800138001",
            make_id_number(date(today().year - 10, 1, 1), male=False),
            "王母",
            "13900139000",
            today(),
        ],
        ["小刚", "13800138002", None, "张父", None, None],
    ]
    report = (await upload(world, "staff_c11", "volunteers", xlsx(rows), partial=True)).json()
    assert errors_by_row(report) == {
        2: [("监护人姓名", "", "guardian_required")],
        4: [("监护人手机号", "", "guardian_incomplete")],
    }
    assert (await volunteers(world))["13800138001"]["guardian"]["name"] == "王母"


async def test_marked_sheet_shows_the_errors(world: World) -> None:
    rows = bad_rows()
    response = await upload(world, "staff_c11", "volunteers", xlsx(rows, title="名单"), answer="xlsx")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["x-import-errors"] == "10"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[2]]
    assert header[-1] == "错误说明" and header[:7] == HEADERS
    error_column = len(header)
    assert "手机号" in sheet.cell(row=4, column=error_column).value
    assert sheet.cell(row=3, column=error_column).value is None  # row 3 of the sheet (the first data row) is fine
    assert sheet["B4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["A3"].fill.fgColor.rgb != sheet["B4"].fill.fgColor.rgb


async def test_marked_sheet_for_a_csv(world: World) -> None:
    content = csv([["姓名", "手机号"], ["张三", "123"]], encoding="gb18030")
    response = await upload(world, "staff_c11", "volunteers", content, filename="a.csv", answer="xlsx")
    assert response.status_code == 422
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["姓名", "手机号", "错误说明"]
    assert sheet["C2"].value.startswith("手机号：")


async def test_english_api_field_names_work_as_headers(world: World) -> None:
    content = csv(
        [
            ["name", "phone", "id_number", "area_code", "registered_on"],
            ["张三", "13800138000", None, "C11", "2024-03-05"],
        ]
    )
    response = await upload(world, "staff_c11", "volunteers", content, filename="a.csv")
    assert response.status_code == 200 and response.json()["created"] == 1


async def test_imported_volunteers_take_numbers_from_the_same_sequence(world: World) -> None:
    first = await register(world, phone="13800138000")
    await upload(world, "staff_c11", "volunteers", csv([["姓名", "手机号"], ["李四", "13800138001"]]))
    later = await register(world, phone="13800138002")
    numbers = [first["volunteer_no"], (await volunteers(world))["13800138001"]["volunteer_no"], later["volunteer_no"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


async def test_a_table_that_starts_further_down_and_right(world: World) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet["C3"], sheet["D3"] = "姓名", "手机号"
    sheet["C4"], sheet["D4"] = "张三", "13800138000"
    sheet["C5"], sheet["D5"] = "李四", "123"
    report = (await upload(world, "staff_c11", "volunteers", save(book))).json()
    assert [(e["row"], e["cell"], e["value"]) for e in report["errors"]] == [(5, "D5", "123")]


async def id_lookups(user: str = "staff_c11") -> list[str]:
    """The ID-number hashes `user` has looked up, as the audit trail holds them."""
    entries = await audit_entries("volunteer")
    return [json.loads(e["after"])["id_number_hash"] for e in entries if e["action"] == "lookup_id_number"]


async def others_on_file(world: World, count: int) -> list[str]:
    """`count` ID numbers of volunteers another staffer imported into another community."""
    numbers = [make_id_number(date(1985, 1, 1), n=n + 1) for n in range(count)]
    rows = [["姓名", "手机号", "身份证号"], *[[f"西区{n}", f"139{n:08d}", x] for n, x in enumerate(numbers)]]
    response = await upload(world, "staff_c21", "volunteers", xlsx(rows), area="C21")
    assert response.json()["created"] == count, response.text
    return numbers


async def test_a_dry_run_confirming_more_id_numbers_than_the_lookup_budget_is_refused_and_counted(
    world: World,
) -> None:
    """25 candidate ID numbers in one dry run would answer 25 exact lookups: refused whole, yet counted."""
    numbers = await others_on_file(world, 25)
    rows = [["姓名", "手机号", "身份证号"], *[[f"试{n}", f"138{n:08d}", x] for n, x in enumerate(numbers)]]
    response = await upload(world, "staff_c11", "volunteers", xlsx(rows), dry_run=True)
    assert response.status_code == 429
    assert (response.json()["code"], response.json()["field"]) == ("too_many_lookups", "id_number")
    assert "什么也没有写入" in response.json()["detail"]
    assert await volunteer_count() == 25
    assert [e["username"] for e in await audit_entries()] == ["staff_c21"]  # only the import that made them
    assert sorted(await id_lookups()) == sorted(id_number_hash(x) for x in numbers)
    # the refused dry run used the hour's budget: an exact search is refused now, and so is any file that
    # compares an ID number, on file or not (a refusal only when it is on file would answer); others go on
    search = await world.get("staff_c11", "/api/v1/volunteers", params={"q": numbers[0]})
    assert (search.status_code, search.json()["code"]) == (429, "too_many_lookups")
    fresh = [["姓名", "手机号", "身份证号"], ["新人", "13700000000", make_id_number(n=400)]]
    assert (await upload(world, "staff_c11", "volunteers", xlsx(fresh), dry_run=True)).status_code == 429
    plain = [["姓名", "手机号"], ["新人", "13700000000"]]
    assert (await upload(world, "staff_c11", "volunteers", xlsx(plain), dry_run=True)).status_code == 200
    assert len(await id_lookups()) == 25


async def test_id_numbers_a_report_finds_on_file_are_lookups_but_a_volunteers_own_is_not(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = await others_on_file(world, 2)
    own = make_id_number(n=300)
    mine = await register(world, phone="13800138000", id_number=own)
    rows: list[list[Any]] = [
        ["志愿者编号", "姓名", "手机号", "身份证号"],
        [mine["volunteer_no"], "张三", "13800138000", own],  # 2: the volunteer's own number: no lookup
        [None, "冒名一", "13800138001", first],  # 3: another volunteer's
        [None, "冒名二", "13800138002", second],  # 4: another volunteer's
        [None, "新人", "13800138003", make_id_number(n=301)],  # 5: on file for nobody
    ]
    dry = (await upload(world, "staff_c11", "volunteers", xlsx(rows), dry_run=True, partial=True)).json()
    codes = {row: [c for _, _, c in errors] for row, errors in errors_by_row(dry).items()}
    assert codes == {3: ["duplicate_id_number"], 4: ["duplicate_id_number"]}
    assert (dry["created"], dry["updated"], dry["written"]) == (1, 1, 0)  # own number: rewritten, not "unchanged"
    assert sorted(await id_lookups()) == sorted([id_number_hash(first), id_number_hash(second)])
    # a real import is charged the same, before it commits …
    real = (await upload(world, "staff_c11", "volunteers", xlsx(rows), partial=True)).json()
    assert (real["created"], real["updated"], real["written"]) == (1, 1, 2)
    assert len(await id_lookups()) == 4
    # … so past the budget it writes nothing at all
    monkeypatch.setattr(search, "LOOKUPS_PER_HOUR", 5)
    rows[4] = [None, "又一新人", "13800138004", make_id_number(n=302)]
    refused = await upload(world, "staff_c11", "volunteers", xlsx(rows), partial=True)
    assert (refused.status_code, refused.json()["code"]) == (429, "too_many_lookups")
    assert await volunteer_count() == 4
    assert len(await id_lookups()) == 6
