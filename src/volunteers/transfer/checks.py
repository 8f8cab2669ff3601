"""Checking rows: each data row's cells, the errors found in it, and the lookups rows share.

Every rule comes from the domain that owns it (people, teams, activities, check-in): a
rule raises `Invalid` naming an API field, and `RowCheck.fail` turns that into an error
naming the row, the column as the file spells it, the cell's value and the message.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec
from openpyxl.utils import get_column_letter

from volunteers import db
from volunteers.access import Caller
from volunteers.errors import DomainError, Invalid, field_label
from volunteers.people.identity import normalise_phone
from volunteers.transfer.cells import display, is_blank
from volunteers.transfer.cells import phone as read_phone
from volunteers.transfer.columns import HeaderMap
from volunteers.transfer.schemas import RowError

FAILED: Any = object()  # what `RowCheck.read` returns for a cell it could not read

# API field names (as rules raise them) -> the import column they came from.
_API_FIELDS = {
    "guardian": "guardian_name",
    "guardian.name": "guardian_name",
    "guardian.phone": "guardian_phone",
    "guardian.consent_on": "guardian_consent_on",
    "team_ids": "teams",
    "venue_id": "venue",
    "volunteer_id": "phone",
    "activity_id": "activity",
    "title": "title",
}


class RowCheck:
    """One data row: its non-blank cells by field (strings stripped) and the errors found so far."""

    __slots__ = ("cells", "errors", "header", "number", "values")

    def __init__(self, number: int, cells: list[Any], header: HeaderMap) -> None:
        self.number = number
        self.cells = cells
        self.header = header
        self.errors: list[RowError] = []
        values: dict[str, Any] = {}
        width = len(cells)
        for name, index in header.columns.items():
            if index < width:
                value = cells[index]
                if value.__class__ is str:
                    value = value.strip()
                    if value:
                        values[name] = value
                elif value is not None:
                    values[name] = value
        self.values = values

    def sibling(self) -> RowCheck:
        """The same row with an error list of its own (for errors that may not apply)."""
        twin = RowCheck.__new__(RowCheck)
        twin.number, twin.cells, twin.header, twin.values, twin.errors = (
            self.number,
            self.cells,
            self.header,
            self.values,
            [],
        )
        return twin

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def blank(self) -> bool:
        """No value in any cell, known column or not."""
        return not self.values and all(is_blank(c) for c in self.cells)

    def raw(self, name: str) -> Any:
        """The cell under `name`'s column, or None if the column is absent or the cell blank."""
        return self.values.get(name)

    def read(self, name: str, reader: Callable[..., Any], *args: Any) -> Any:
        """`reader(cell, name, *args)`, None for a blank cell, FAILED (and an error) for a bad one."""
        value = self.values.get(name)
        if value is None:
            return None
        try:
            return reader(value, name, *args)
        except Invalid as exc:
            self.fail(exc, name)
            return FAILED

    def fail(self, exc: DomainError, default: str | None = None) -> None:
        """Record a rule's refusal against the column it names (or `default`)."""
        name = _API_FIELDS.get(exc.field or "", exc.field or "")
        if name not in self.header.columns:
            name = _alternative(name, self.header) or default or name
        self.error(name, exc.code, exc.message)

    def label(self, name: str) -> str:
        """The header staff see for a field (an API field name is mapped to its column first)."""
        name = _API_FIELDS.get(name, name)
        return self.header.headers.get(name) or self.header.labels.get(name) or field_label(name)

    def error(self, name: str, code: str, message: str) -> None:
        """Record an error against the column of field `name`."""
        index = self.header.columns.get(name)
        value = self.cells[index] if index is not None and index < len(self.cells) else None
        self.errors.append(
            RowError(
                row=self.number,
                column=self.label(name),
                value=display(value)[:200],
                code=code,
                message=message,
                field=name,
                cell=f"{get_column_letter(index + 1)}{self.number}" if index is not None else None,
            )
        )

    def attempt(self, rule: Callable[..., Any], *args: Any, default: str | None = None) -> Any:
        """Run a domain rule; its refusal becomes this row's error and the result FAILED."""
        try:
            return rule(*args)
        except DomainError as exc:
            self.fail(exc, default)
            return FAILED


def _alternative(name: str, header: HeaderMap) -> str | None:
    """`area_code` is written either as a code or as a name column; `phone` may be a number column."""
    for group in (("area_code", "area_name"), ("phone", "volunteer_no")):
        if name in group:
            return next((f for f in group if f in header.columns), None)
    return None


_LENGTH = re.compile(r"length (<=|>=) (\d+)")
_AT = re.compile(r"at `\$\.([\w.]+)")


def conform(row: RowCheck, data: dict[str, Any], struct: type[Any]) -> bool:
    """Check `data` against the API's request Struct (lengths, patterns, choices); True if it fits."""
    try:
        msgspec.convert(data, struct)
    except msgspec.ValidationError as exc:
        message = str(exc)
        located = _AT.search(message)
        name = located.group(1) if located else ""
        label = row.label(name)
        length = _LENGTH.search(message)
        if length and length.group(1) == "<=":
            why = f"{label}过长：最多 {length.group(2)} 个字符"
        elif length:
            why = f"{label}不能为空"
        elif "regex" in message:
            why = f"{label}不能包含换行、制表符等控制字符"
        else:
            why = f"{label}格式不正确"
        row.fail(Invalid(why, field=name, code="invalid_field"))
        return False
    return True


# ---- the import's area and the areas rows name -------------------------------------------------


@dataclass(slots=True)
class Scope:
    """Who imports, into which area (and its subtree), from which file."""

    caller: Caller | None
    area: dict[str, Any]
    filename: str
    by_code: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_name: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def index_areas(self, rows: Iterable[dict[str, Any]]) -> None:
        """Remember the areas of the import's subtree, by code and by name."""
        for area in rows:
            self.by_code[area["code"]] = area
            self.by_name.setdefault(area["name"], []).append(area)

    def covers(self, path: str | None) -> bool:
        """Whether the caller (the system: everything) may act on things at `path`."""
        return self.caller is None or self.caller.covers(path)

    def area_of(self, row: RowCheck) -> dict[str, Any] | None:
        """The row's area (code column, else name-or-code column, else the import's area); None on error."""
        code = row.raw("area_code")
        name = row.raw("area_name")
        if code is None and name is None:
            return self.area
        column = "area_code" if code is not None else "area_name"
        wanted = display(code if code is not None else name)
        found = self.by_code.get(wanted)
        if found is None and column == "area_name":
            named = self.by_name.get(wanted, [])
            if len(named) > 1:
                row.error(
                    column,
                    "ambiguous_area",
                    f"区域名称「{wanted}」在本次导入范围内有 {len(named)} 个，请改填区域编码",
                )
                return None
            found = named[0] if named else None
        if found is None:
            row.error(
                column,
                "unknown_area",
                f"区域「{wanted}」不存在，或不在本次导入的区域（{self.area['name']} {self.area['code']}）之内",
            )
        return found


# ---- volunteers named by phone or volunteer number (memberships, service records) -------------


async def volunteers_named(conn: asyncpg.Connection[Any], rows: list[RowCheck]) -> dict[str, dict[str, Any]]:
    """The volunteers the rows name, keyed by phone and by volunteer number."""
    phones = set()
    for row in rows:
        value = row.raw("phone")
        if value is not None:
            with contextlib.suppress(Invalid):  # a bad phone is reported by `volunteer_of`
                phones.add(normalise_phone(read_phone(value, "phone")))
    numbers = {display(n).upper() for r in rows if (n := r.raw("volunteer_no")) is not None}
    named: dict[str, dict[str, Any]] = {}
    for record in await conn.fetch(db.sql("transfer/volunteers_named"), sorted(phones), sorted(numbers)):
        volunteer = dict(record)
        named[volunteer["phone"]] = volunteer
        named[volunteer["volunteer_no"]] = volunteer
    return named


def volunteer_of(row: RowCheck, named: dict[str, dict[str, Any]], scope: Scope) -> dict[str, Any] | None:
    """The volunteer a row names by number and/or phone (the two must agree, and the name if given)."""
    by_number = by_phone = None
    number = row.raw("volunteer_no")
    if number is not None:
        by_number = named.get(display(number).upper())
        if by_number is None:
            row.error("volunteer_no", "unknown_volunteer", f"志愿者编号 {display(number)} 不存在")
            return None
    raw_phone = row.raw("phone")
    if raw_phone is not None:
        phone = row.attempt(lambda: normalise_phone(read_phone(raw_phone, "phone")), default="phone")
        if phone is FAILED:
            return None
        by_phone = named.get(phone)
        if by_phone is None and by_number is None:
            row.error("phone", "unknown_volunteer", f"手机号 {phone} 没有登记为志愿者，请先导入志愿者")
            return None
    if by_number is None and by_phone is None:
        row.error("phone", "volunteer_required", "请填写手机号或志愿者编号")
        return None
    if by_number is not None and by_phone is not None and by_number["id"] != by_phone["id"]:
        row.error("phone", "volunteer_mismatch", f"手机号与志愿者编号 {by_number['volunteer_no']} 不是同一人")
        return None
    volunteer = by_number or by_phone
    assert volunteer is not None
    if not scope.covers(volunteer["area_path"]):
        row.error(
            "volunteer_no" if number is not None else "phone",
            "outside_scope",
            "该志愿者不在您管辖的区域内，不能为其导入",
        )
        return None
    name = row.raw("name")
    if name is not None and display(name) != volunteer["name"]:
        row.error("name", "name_mismatch", f"姓名「{display(name)}」与登记的志愿者姓名「{volunteer['name']}」不一致")
        return None
    return volunteer
