"""What an import answers, and the form it is uploaded with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from litestar.datastructures import UploadFile
from msgspec import Struct

FileFormat = Literal["xlsx", "csv"]

# The JSON report lists at most this many errors; the annotated XLSX (?format=xlsx) has all of them.
MAX_LISTED_ERRORS = 10_000


class RowError(Struct):
    """One problem in one row: `row` as the spreadsheet numbers it, `column` as its header says."""

    row: int
    column: str
    value: str
    code: str
    message: str
    field: str | None = None
    cell: str | None = None


class ImportReport(Struct):
    """The outcome: counts, what was (or, on a dry run, would be) created and updated, and every error."""

    kind: str
    file: str
    area: str
    rows: int
    valid: int
    written: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    partial: bool
    ignored_columns: list[str]
    errors: list[RowError]
    error_count: int
    errors_truncated: bool


@dataclass
class ImportForm:
    """The multipart form of `POST /api/v1/imports/{kind}`."""

    file: UploadFile
    area: str
    dry_run: bool = False
    partial: bool = False
