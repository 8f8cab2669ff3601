"""Writing files: export sheets (XLSX, CSV with BOM), blank templates, and uploads marked with their errors.

Every cell is written through `volunteers.spreadsheet_cells`, so no text comes back as a formula,
not even text that came in as one.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from volunteers.fields import LOCAL_TZ
from volunteers.spreadsheet_cells import append_row, write_cell, write_csv
from volunteers.transfer.cells import is_blank
from volunteers.transfer.columns import DATE, DATETIME, ID_NUMBER, PHONE, ColumnSpec, HeaderMap, KindSpec
from volunteers.transfer.plain_xlsx import write_xlsx
from volunteers.transfer.readers import RawSheet
from volunteers.transfer.schemas import RowError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_ERROR_FONT = Font(color="9C0006")
_WIDTHS = {PHONE: 15, ID_NUMBER: 21, DATE: 12, DATETIME: 17}
ERROR_HEADER = "错误说明"
# Drop-down lists in the templates, for the imported columns that take one of a few words.
_CHOICES = {"gender": "男,女", "role": "队员,队长", "status": "草稿,已发布,已完成,已取消"}


def _plain(value: Any) -> Any:
    """Excel has no time zones: datetimes are written as Beijing wall-clock time."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return value


def _width(column: ColumnSpec) -> float:
    return _WIDTHS.get(column.format, max(10, len(column.header) * 2.2 + 2))


def to_xlsx(title: str, columns: Sequence[ColumnSpec], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook: a bold header, then the rows; phones and ID numbers stay text."""
    return write_xlsx(
        title, [c.header for c in columns], [_width(c) for c in columns], ([_plain(v) for v in row] for row in rows)
    )


def to_csv(columns: Sequence[ColumnSpec], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM (so Excel reads the Chinese), dates ISO, times as 2024-03-05 09:00 Beijing time."""
    return write_csv([c.header for c in columns], ([_plain(v) for v in row] for row in rows))


def template(spec: KindSpec) -> bytes:
    """A blank sheet with the Chinese headers (required ones shaded), and a sheet explaining each column."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = spec.label
    columns = [c for c in spec.columns if c.imported]
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index)
        write_cell(cell, column.header)
        cell.font, cell.fill = _BOLD, _REQUIRED_FILL if column.required else _HEADER_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(column)
        if column.format in (PHONE, ID_NUMBER):  # text, so Excel keeps every digit
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
        choices = _CHOICES.get(column.field)
        if choices:
            validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}1001")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    append_row(notes, ["列名", "英文列名", "是否必填", "说明", "示例"])
    for cell in notes[1]:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    for column in columns:
        required = "必填" if column.required else next(("二选一" for g in spec.one_of if column.field in g), "选填")
        append_row(notes, [column.header, column.field, required, column.note, column.example])
    append_row(notes, [])
    append_row(notes, ["表头可以在第一行，也可以在标题行之后；列的顺序不限；多余的列会被忽略并在导入结果中列出。"])
    append_row(notes, ["日期可写作 2024-03-05、2024/3/5 或 2024年3月5日；手机号、身份证号请设为文本格式。"])
    for letter, width in zip("ABCDE", (16, 20, 10, 60, 24), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def annotated(content: bytes, sheet: RawSheet, header: HeaderMap, errors: list[RowError]) -> bytes:
    """The uploaded sheet with an error column and its bad cells shaded (a CSV becomes an XLSX); no formulas."""
    book = _original(content) if sheet.format == "xlsx" else None
    if book is None:
        book = Workbook()
        target = book.active
        assert isinstance(target, Worksheet)
        for row in sheet.rows:
            append_row(target, [_plain(v) if not isinstance(v, str) or v else None for v in row])
    target = next(s for s in book.worksheets if s.sheet_state == "visible")
    _values_only(book, target, sheet)
    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    column = max(target.max_column, max((len(r) for r in sheet.rows), default=0)) + 1
    heading = target.cell(row=header.row + 1, column=column)
    write_cell(heading, ERROR_HEADER)
    heading.font, heading.fill = Font(bold=True, color="9C0006"), _ERROR_FILL
    target.column_dimensions[get_column_letter(column)].width = 60
    for number, found in by_row.items():
        note = target.cell(row=number, column=column)
        write_cell(note, "；".join(f"{e.column}：{e.message}" for e in found))  # starts with the upload's header
        note.font, note.alignment = _ERROR_FONT, Alignment(wrap_text=True, vertical="top")
        for error in found:
            bad = target[error.cell] if error.cell is not None else None
            if isinstance(bad, Cell):  # not a merged cell's hidden part
                bad.fill = _ERROR_FILL
                bad.comment = Comment(error.message, "导入检查")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _values_only(book: Workbook, target: Worksheet, sheet: RawSheet) -> None:
    """Every text cell rewritten by `write_cell`; a formula becomes the value the import read from it
    (its saved result), or, where it had none, its own text: never a live formula."""
    for worksheet in book.worksheets:
        # The cells the file holds: iter_rows would create every empty cell of the used range,
        # and a hidden sheet with one cell at XFD1048576 would then fill memory.
        for cell in worksheet._cells.values():
            if not isinstance(cell, Cell):  # the hidden part of a merged cell
                continue
            if cell.data_type == "f":
                read = _read(sheet, cell) if worksheet is target else None
                write_cell(cell, _formula_text(cell.value) if is_blank(read) else read)
            elif isinstance(cell.value, str):
                write_cell(cell, cell.value)


def _read(sheet: RawSheet, cell: Cell) -> Any:
    """The value the import read at `cell`'s place, or None."""
    row, column = cell.row - 1, cell.column - 1
    if row < len(sheet.rows) and column < len(sheet.rows[row]):
        return sheet.rows[row][column]
    return None


def _formula_text(value: Any) -> str:
    if isinstance(value, ArrayFormula):
        return value.text or ""
    return value if isinstance(value, str) else ""


def _original(content: bytes) -> Workbook | None:
    """The uploaded workbook itself, to keep its look, without links to other files; None if openpyxl cannot open it."""
    try:
        return load_workbook(io.BytesIO(content), rich_text=False, keep_links=False)
    except Exception:  # openpyxl fails in many ways on files calamine reads; fall back to a plain copy
        return None
