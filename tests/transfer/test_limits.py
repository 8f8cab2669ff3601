"""Uploads that are too big, not spreadsheets, zip bombs or too long: refused, and nothing written."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest

from tests.conftest import World
from tests.factories import volunteer_count
from tests.transfer.files import csv, upload, xlsx

MB = 1024 * 1024


async def refused(world: World, content: bytes, status: int, code: str, **kwargs: object) -> dict[str, object]:
    response = await upload(world, "staff_c11", "volunteers", content, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    body: dict[str, object] = response.json()
    assert body["code"] == code
    assert await volunteer_count() == 0
    return body


async def test_a_file_over_50_mb_is_refused(world: World) -> None:
    header = "姓名,手机号\r\n张三,13800138000\r\n".encode()
    body = await refused(world, header + b" " * (50 * MB), 413, "file_too_large", filename="a.csv")
    assert "50 MB" in str(body["detail"])


async def test_a_body_far_over_the_limit_is_cut_off(world: World) -> None:
    await refused(world, b"a" * (52 * MB), 413, "too_large", filename="a.csv")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "not_a_spreadsheet"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00<<>>", "not_a_spreadsheet"),
        (b"PK\x03\x04" + bytes(300), "corrupt_file"),
        (b"", "empty_file"),
        (b"\xff\xfe\xfd" * 50, "not_a_spreadsheet"),
    ],
)
async def test_not_a_spreadsheet(world: World, content: bytes, code: str) -> None:
    await refused(world, content, 422, code, filename="名单.xlsx")


async def test_a_word_document_is_not_a_spreadsheet(world: World) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    await refused(world, out.getvalue(), 422, "not_a_spreadsheet")


async def test_a_truncated_workbook_is_corrupt(world: World) -> None:
    whole = xlsx([["姓名", "手机号"], ["张三", "13800138000"]])
    await refused(world, whole[: len(whole) // 2], 422, "corrupt_file")


async def test_a_sheet_without_recognisable_headers(world: World) -> None:
    body = await refused(world, csv([["甲", "乙"], ["1", "2"]]), 422, "missing_header", filename="a.csv")
    assert "姓名" in str(body["detail"])


async def test_a_sheet_missing_a_required_column(world: World) -> None:
    body = await refused(world, csv([["姓名", "性别"], ["张三", "男"]]), 422, "missing_columns", filename="a.csv")
    assert body["missing"] == ["手机号"]


def bomb(size: int) -> bytes:
    """A workbook-shaped zip whose sheet inflates to `size` bytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = bytes(MB)
            for _ in range(size // MB):
                sheet.write(chunk)
    return out.getvalue()


async def test_a_zip_bomb_is_refused_before_it_is_opened(world: World) -> None:
    content = bomb(40 * MB)
    assert len(content) < MB
    body = await refused(world, content, 422, "zip_bomb")
    assert "压缩炸弹" in str(body["detail"])


def _central_entry(content: bytes, name: bytes) -> int:
    """Where the central-directory record of member `name` starts."""
    at = content.find(b"PK\x01\x02")
    while at != -1:
        (length,) = struct.unpack_from("<H", content, at + 28)
        if content[at + 46 : at + 46 + length] == name:
            return at
        at = content.find(b"PK\x01\x02", at + 4)
    raise AssertionError(name)


async def test_a_zip_bomb_that_lies_about_its_size_is_refused(world: World) -> None:
    content = bytearray(bomb(40 * MB))
    sheet = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml")
    # claim the sheet inflates to 100 bytes, in its local header and in the central directory
    struct.pack_into("<I", content, sheet.header_offset + 22, 100)
    struct.pack_into("<I", content, _central_entry(bytes(content), b"xl/worksheets/sheet1.xml") + 24, 100)
    assert zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml").file_size == 100
    await refused(world, bytes(content), 422, "zip_bomb")


async def test_past_the_uncompressed_limit(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLUNTEERS_IMPORT_MAX_UNCOMPRESSED_MB", "1")
    rows = [["姓名", "手机号", "备注"]] + [["张三", f"138{n:08d}", "很长的备注" * 10] for n in range(8000)]
    await refused(world, xlsx(rows), 422, "zip_bomb")


async def test_a_million_rows_is_refused_whole(world: World) -> None:
    lines = ["姓名,手机号"] + [f"张三,13{n:09d}" for n in range(1_000_000)]
    content = "\n".join(lines).encode()
    body = await refused(world, content, 422, "too_many_rows", filename="big.csv")
    assert "200,000" in str(body["detail"])


async def test_more_xlsx_rows_than_the_configured_limit(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLUNTEERS_IMPORT_MAX_ROWS", "50")
    rows = [["姓名", "手机号"]] + [["张三", f"138{n:08d}"] for n in range(51)]
    await refused(world, xlsx(rows), 422, "too_many_rows")
    ok = await upload(world, "staff_c11", "volunteers", xlsx(rows[:51]))
    assert ok.status_code == 200 and ok.json()["created"] == 50


@pytest.mark.parametrize("area", ["", "C 11", "C11\u0000", "x" * 40, "C99"])
async def test_a_bad_area_is_refused(world: World, area: str) -> None:
    content = csv([["姓名", "手机号"], ["张三", "13800138000"]])
    response = await upload(world, "staff_c11", "volunteers", content, area=area, filename="a.csv")
    assert response.status_code in (400, 422), response.text
    assert response.json()["code"] in ("invalid_area", "unknown_area", "invalid_request")
    assert await volunteer_count() == 0


async def test_an_unknown_kind_is_404(world: World) -> None:
    response = await upload(world, "staff_c11", "people", csv([["姓名"], ["张三"]]))
    assert response.status_code == 404 and response.json()["code"] == "unknown_kind"


async def test_hostile_cells_are_row_errors_not_crashes(world: World) -> None:
    content = csv(
        [
            ["姓名", "手机号", "身份证号", "出生日期", "所属社区"],
            ["张\u0001三", "13800138000", None, None, None],
            ["'; DROP TABLE volunteer; --", "13800138001", None, None, None],
            ["李四", "13800138002", "1" * 200, "9999999999", "C11' OR '1'='1"],
            ["王五", "+8613800138003", None, None, None],
        ]
    )
    response = await upload(world, "staff_c11", "volunteers", content, filename="a.csv", partial=True)
    assert response.status_code == 200, response.text
    report = response.json()
    assert sorted((e["row"], e["code"]) for e in report["errors"]) == [
        (2, "invalid_name"),
        (4, "invalid_date"),
        (4, "invalid_id_number"),
        (4, "unknown_area"),
    ]
    assert report["created"] == 2


@pytest.mark.parametrize(
    ("send", "status"),
    [
        ({"json": {"area": "C11"}}, 400),
        ({"data": {"area": "C11"}}, 400),
        ({"files": {"file": ("a.csv", b"x")}}, 400),
        ({"files": {"file": ("a.csv", b"x")}, "data": {"area": "C11", "dry_run": "maybe"}}, 400),
        ({"files": {"file": ("a.csv", b"x")}, "data": {"area": "C11"}, "params": {"format": "pdf"}}, 400),
        ({"content": b"--x\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=x"}}, 400),
    ],
)
async def test_malformed_uploads_are_4xx(world: World, send: dict[str, Any], status: int) -> None:
    headers = {**await world.login("staff_c11"), **send.pop("headers", {})}
    response = await world.http.post("/api/v1/imports/volunteers", headers=headers, **send)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await volunteer_count() == 0


async def test_hostile_paths(world: World) -> None:
    for kind in ("x" * 5000, "volunteers%00", "..%2F..%2Fetc"):
        response = await world.get("staff_c11", f"/api/v1/imports/{kind}/template")
        assert response.status_code in (400, 404), kind
