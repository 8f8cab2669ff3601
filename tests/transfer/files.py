"""Real spreadsheet files for import tests (openpyxl and hand-written CSV), and uploading them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import httpx
import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows: Sequence[Sequence[Any]], *, title: str | None = None, text_columns: Sequence[int] = ()) -> bytes:
    """A workbook whose first sheet holds `rows`, after a merged title row if `title` is given.

    `text_columns` (1-based) are formatted as text, as careful staff do for phones and ID numbers.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    if title is not None:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
    for row in rows:
        sheet.append(list(row))
    for column in text_columns:
        for cells in sheet.iter_rows(min_col=column, max_col=column):
            cells[0].number_format = "@"
    return save(book)


def save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", bom: bool = False, sep: str = ",") -> bytes:
    """A CSV written by hand: no quoting needed for the values tests use."""
    text = "\r\n".join(sep.join("" if v is None else str(v) for v in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


async def upload(
    world: World,
    user: str,
    kind: str,
    content: bytes,
    *,
    area: str = "C11",
    filename: str = "名单.xlsx",
    dry_run: bool = False,
    partial: bool = False,
    answer: str | None = None,
) -> httpx.Response:
    """POST /api/v1/imports/{kind} as `user`."""
    form = {"area": area, "dry_run": str(dry_run).lower(), "partial": str(partial).lower()}
    params = {"format": answer} if answer else None
    return await world.call(
        user,
        "POST",
        f"/api/v1/imports/{kind}",
        files={"file": (filename, content)},
        data=form,
        params=params,
    )


def errors_by_row(body: dict[str, Any]) -> dict[int, list[tuple[str, str, str]]]:
    """{row: [(column, value, code), …]} of a report."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    for error in body["errors"]:
        found.setdefault(error["row"], []).append((error["column"], error["value"], error["code"]))
    return found


def read_xlsx(content: bytes) -> list[list[Any]]:
    """The first sheet's values."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]
