"""How a value becomes a cell in every CSV and XLSX the project writes: text is always text, never a formula.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return,
OWASP's list) as a formula, so a team named `=HYPERLINK("http://…","点我")` would become a live
link in an official's export. `sheet_text` is the one rule: it says what text a cell can hold and
whether it would read as a formula ("guarded"). Full-width `＝＋－＠` count too: Excel and WPS
turn a typed full-width `＝` into a formula in Chinese and Japanese locales, and no name needs them
first. Text led by blanks before one of these counts as well, for readers that trim blanks.

- CSV has no types: a guarded text gets OWASP's leading apostrophe, and every text field is
  quoted, so a `;` or tab inside it cannot start a new cell where a reader splits on those.
  `csv_value` undoes the apostrophe on import; it removes one only where `csv_field` put one (a
  leading apostrophe is itself added before text that would be guarded after it), so any text
  survives export and import unchanged, a real leading apostrophe included.
- XLSX has types: text is written as a string cell, which no spreadsheet evaluates, unchanged (an
  apostrophe there would be a visible character), and a guarded one also carries the cell style
  `quotePrefix` — what Excel stores when someone types `'=…` — so that editing the cell in Excel
  and pressing Enter keeps it text.

Numbers, dates and times are written as they are, typed: a negative number is not text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from openpyxl.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# Leading characters a spreadsheet may read as the start of a formula.
FORMULA_START = "=+-@＝＋－＠"
_GUARDED = re.compile(rf"['\s]*[{re.escape(FORMULA_START)}]|'*[\t\r]")
# XML 1.0 (so XLSX) cannot hold these; they are dropped from text everywhere, CSV included.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class SheetText(NamedTuple):
    """Text as a cell holds it, and whether a spreadsheet would otherwise read it as a formula."""

    text: str
    guarded: bool


def sheet_text(value: str) -> SheetText:
    """The one rule for text in a spreadsheet: unwritable characters dropped, formula-like text flagged."""
    text = _UNWRITABLE.sub("", value)
    return SheetText(text, _GUARDED.match(text) is not None)


def csv_field(value: Any) -> Any:
    """A CSV field: text (apostrophe-led where guarded), dates ISO, times as 2024-03-05 09:00, numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text, guarded = sheet_text(str(value))
    return "'" + text if guarded else text


def csv_value(field: str) -> str:
    """A CSV field as imported: the apostrophe `csv_field` put before guarded text removed, nothing else."""
    if field[:1] == "'" and sheet_text(field[1:]).guarded:
        return field[1:]
    return field


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads the Chinese), CRLF line ends, every field by `csv_field`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([csv_field(h) for h in headers])
    writer.writerows([csv_field(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def write_cell(cell: Cell, value: Any) -> None:
    """An openpyxl cell: text as a string cell (never a formula or error code), guarded text quote-prefixed."""
    if not isinstance(value, str):
        cell.value = value
        return
    text, guarded = sheet_text(value)
    cell.value = text  # openpyxl types "=…" as a formula and "#N/A" as an error; both are text here
    cell.data_type = "s"
    if guarded:
        cell.quotePrefix = True


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """`sheet.append`, each cell written by `write_cell`."""
    cells = []
    for value in values:
        cell = Cell(sheet)
        write_cell(cell, value)
        cells.append(cell)
    sheet.append(cells)
