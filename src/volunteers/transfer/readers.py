"""Uploaded bytes → rows of cells, refusing what is not a spreadsheet or is too big to open.

XLSX (and XLS, ODS) are read with calamine; CSV is decoded as UTF-8 (with or without BOM),
UTF-16 with BOM, or GB18030, in that order; a CSV field loses the apostrophe our CSV exports
put before formula-like text (`spreadsheet_cells.csv_value`). Before calamine opens a zip-based
file, every member is inflated once here, counting real bytes (not the sizes the archive claims),
so a zip bomb is refused before it can fill memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

import python_calamine

from volunteers.errors import DomainError, Invalid
from volunteers.spreadsheet_cells import csv_value
from volunteers.transfer.columns import HEADER_SEARCH_ROWS

MB = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 256 * 1024
_QUOTED = re.compile(r'"(?:[^"]|"")*+"')


class TooLarge(DomainError):
    """An upload over the size limit (413)."""

    status = 413
    code = "file_too_large"


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """How much an import may hold; the environment can lower or raise each limit."""

    max_bytes: int = 50 * MB
    max_rows: int = 200_000
    max_uncompressed: int = 400 * MB
    max_ratio: int = 200

    @classmethod
    def from_env(cls) -> ImportLimits:
        """`VOLUNTEERS_IMPORT_MAX_ROWS`, `…_MAX_MB`, `…_MAX_UNCOMPRESSED_MB` override the defaults."""
        env = os.environ
        return cls(
            max_bytes=int(env.get("VOLUNTEERS_IMPORT_MAX_MB", "50")) * MB,
            max_rows=int(env.get("VOLUNTEERS_IMPORT_MAX_ROWS", "200000")),
            max_uncompressed=int(env.get("VOLUNTEERS_IMPORT_MAX_UNCOMPRESSED_MB", "400")) * MB,
        )


@dataclass(slots=True)
class RawSheet:
    """The first sheet's rows; `rows[i]` is the spreadsheet's row i + 1."""

    format: str
    rows: list[list[Any]]


def refuse(code: str, message: str) -> Invalid:
    """A whole-file refusal (422) with a stable code."""
    return Invalid(message, field="file", code=code)


def read_sheet(content: bytes, limits: ImportLimits) -> RawSheet:
    """The rows of an XLSX/XLS/ODS/CSV upload; more than `max_rows` data rows is refused."""
    if len(content) > limits.max_bytes:
        raise TooLarge(f"文件超过 {limits.max_bytes // MB} MB，不能导入；请拆分成几个文件", field="file")
    if not content.strip():
        raise refuse("empty_file", "文件是空的")
    most = limits.max_rows + HEADER_SEARCH_ROWS
    if content.startswith(b"PK\x03\x04"):
        check_zip(content, limits)
        return RawSheet("xlsx", _calamine_rows(content, most, limits))
    if content.startswith(_OLE_SIGNATURE):
        return RawSheet("xls", _calamine_rows(content, most, limits))
    return RawSheet("csv", _csv_rows(decode_text(content), most, limits))


def check_zip(content: bytes, limits: ImportLimits) -> None:
    """Refuse archives that are not spreadsheets, or that inflate past the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    # NotImplementedError: zipfile's answer to a compression method it does not support
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
        raise refuse("corrupt_file", "文件已损坏，无法打开（不是完整的 Excel 文件）") from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and "content.xml" not in names:
        raise refuse("not_a_spreadsheet", "这不是电子表格文件：请上传 .xlsx 或 .csv 文件")
    if len(members) > 10_000:
        raise refuse("zip_bomb", "文件结构异常（压缩包内文件过多），拒绝导入")
    total = 0
    for member in members:
        total += _inflated_size(content, member, limits.max_uncompressed - total, limits)


def _inflated_size(content: bytes, member: zipfile.ZipInfo, allowance: int, limits: ImportLimits) -> int:
    """The real size of one member once inflated, stopping as soon as it passes `allowance`."""

    def bomb() -> Invalid:
        return refuse(
            "zip_bomb",
            f"文件解压后超过 {limits.max_uncompressed // MB} MB 或压缩比异常（疑似压缩炸弹），拒绝导入",
        )

    start = member.header_offset
    try:
        fields = _LOCAL_HEADER.unpack_from(content, start)
    except struct.error:
        raise refuse("corrupt_file", "文件已损坏，无法打开") from None
    if fields[0] != _LOCAL_SIGNATURE:
        raise refuse("corrupt_file", "文件已损坏，无法打开")
    data_at = start + _LOCAL_HEADER.size + fields[9] + fields[10]
    packed = memoryview(content)[data_at : data_at + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        return len(packed)
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise refuse("corrupt_file", "文件使用了不支持的压缩方式，请用 Excel 另存为 .xlsx 后再导入")
    inflater = zlib.decompressobj(-15)
    size = 0
    try:
        for at in range(0, len(packed), _CHUNK):
            chunk: bytes | memoryview = packed[at : at + _CHUNK]
            while chunk:
                size += len(inflater.decompress(chunk, _CHUNK))
                chunk = inflater.unconsumed_tail
                if size > allowance or (size > 16 * MB and size > limits.max_ratio * len(packed)):
                    raise bomb()
        size += len(inflater.flush())
    except zlib.error:
        raise refuse("corrupt_file", "文件已损坏，无法解压") from None
    if size > allowance:
        raise bomb()
    return size


def _calamine_rows(content: bytes, most: int, limits: ImportLimits) -> list[list[Any]]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        visible = [
            m.name
            for m in book.sheets_metadata
            if m.visible == python_calamine.SheetVisibleEnum.Visible
            and m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        if not visible:
            raise refuse("empty_file", "文件中没有可见的工作表")
        sheet = book.get_sheet_by_name(visible[0])
        # Row and column positions must be the sheet's own (staff read errors as "C5"), so empty
        # rows and columns before the data are kept. A sheet reaching far past the limit is refused unread.
        if sheet.end is not None and sheet.end[0] >= 4 * most:
            raise too_many_rows(limits)
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
        if sum(1 for row in rows if any(c != "" for c in row)) > most:
            raise too_many_rows(limits)
    except python_calamine.PasswordError:
        raise refuse("encrypted_file", "文件设置了密码，请取消密码后再导入") from None
    except (python_calamine.CalamineError, python_calamine.ZipError, python_calamine.XmlError, ValueError):
        raise refuse("corrupt_file", "文件已损坏或不是受支持的电子表格，无法读取") from None
    except BaseException as exc:  # a panic inside calamine's Rust code surfaces as a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise refuse("corrupt_file", "文件已损坏或不是受支持的电子表格，无法读取") from None
    return rows


def too_many_rows(limits: ImportLimits) -> Invalid:
    """The refusal for a sheet past the row limit."""
    return refuse(
        "too_many_rows", f"文件超过 {limits.max_rows:,} 行数据，不能一次导入；请拆分成几个文件，什么也没有写入"
    )


def decode_text(content: bytes) -> str:
    """CSV text: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030; binary files are refused."""
    if content.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        if b"\x00" in content:
            raise refuse("not_a_spreadsheet", "这不是电子表格文件：请上传 .xlsx 或 .csv 文件")
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    raise refuse("not_a_spreadsheet", "文件既不是 Excel 表格，也不是 UTF-8 或 GB18030 编码的 CSV 文件")


def _looks_like_text(text: str) -> bool:
    """Binary data can decode as UTF-16 or GB18030; text has next to no control or replacement characters."""
    sample = text[:4096]
    odd = sum(1 for c in sample if c == "\ufffd" or (c < " " and c not in "\t\r\n") or "\ue000" <= c <= "\uf8ff")
    return odd * 100 <= len(sample)


def _delimiter(text: str) -> str:
    """The most frequent of comma, tab and semicolon in the first lines, outside quoted fields
    (our exports quote every text, which may hold semicolons of its own)."""
    sample = "\n".join(_QUOTED.sub("", text[:8192]).splitlines()[:20])
    return max(",\t;", key=sample.count)


def _csv_rows(text: str, most: int, limits: ImportLimits) -> list[list[Any]]:
    if "\x00" in text:
        raise refuse("not_a_spreadsheet", "这不是电子表格文件：请上传 .xlsx 或 .csv 文件")
    rows: list[list[Any]] = []
    filled = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)):
            if any(c.strip() for c in row):
                filled += 1
                if filled > most:
                    raise too_many_rows(limits)
            rows.append([csv_value(c) for c in row])
    except csv.Error:
        raise refuse("corrupt_file", "CSV 文件格式有误（引号不成对或单元格过长），无法读取") from None
    return rows
