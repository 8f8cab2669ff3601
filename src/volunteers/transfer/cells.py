"""Cell values as spreadsheets hold them → the values the API takes.

Excel stores numbers as floats (a phone becomes 13800138000.0, or the text
"1.38001380001E10" after a round trip through CSV), dates as dates or day numbers,
and staff write dates as 2024-03-05, 2024/3/5 or 2024年3月5日. Each reader takes one
non-blank cell and returns its value, or raises `Invalid` naming the field.
"""

from __future__ import annotations

import contextlib
import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from volunteers.errors import Invalid, field_label
from volunteers.fields import LOCAL_TZ

EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (with its 1900 leap-year bug)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*(?:[:：分]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?\s*分?")
_ISO_ZONE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:小时|h|hr|hrs|hours?)?", re.I)
_HOURS_MINUTES = re.compile(r"(\d+)\s*(?:小时|h)\s*(\d+)\s*(?:分钟|分|m|min)?", re.I)
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
LIST_SEPARATORS = re.compile(r"[、,，;；/／|\n]+")

GENDERS = {
    "男": "male",
    "男性": "male",
    "male": "male",
    "m": "male",
    "女": "female",
    "女性": "female",
    "female": "female",
    "f": "female",
}
ROLES = {
    "队员": "member",
    "成员": "member",
    "member": "member",
    "队长": "leader",
    "负责人": "leader",
    "leader": "leader",
}
ACTIVITY_STATUSES = {
    "草稿": "draft",
    "draft": "draft",
    "已发布": "published",
    "发布": "published",
    "published": "published",
    "已完成": "completed",
    "完成": "completed",
    "completed": "completed",
    "已取消": "cancelled",
    "取消": "cancelled",
    "cancelled": "cancelled",
}


def is_blank(value: Any) -> bool:
    """Empty cells: None, "", or only blanks."""
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: Any) -> str:
    """A cell as staff saw it: 13800138000 (not 13800138000.0), dates as 2024-03-05."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def text(value: Any, field: str) -> str:
    """A text cell; numbers typed into it read as they were typed."""
    return display(value)


def phone(value: Any, field: str) -> str:
    """A phone number as digits: from a float cell, or text Excel wrote in scientific notation."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        if math.isfinite(value) and float(value).is_integer():
            return str(int(value))
        raise Invalid(f"手机号（{field}）不应有小数：{value}", field=field, code="invalid_phone")
    raw = str(value).strip()
    if _SCIENTIFIC.fullmatch(raw):
        digits = len(raw.split("e")[0].split("E")[0].replace(".", "").lstrip("0"))
        if digits < 10:
            raise Invalid(
                f"{field_label(field)}（{field}）「{raw}」是科学计数法，已丢失位数；请把该列设为文本后重新填写",
                field=field,
                code="number_lost_digits",
            )
        return _whole_number(float(raw), field)
    return raw


def _whole_number(number: float, field: str) -> str:
    """The integer a number in scientific notation stands for, allowing for the last digit's rounding."""
    if math.isfinite(number) and abs(number - round(number)) <= abs(number) * 1e-11:
        return str(round(number))
    raise Invalid(f"手机号（{field}）不应有小数：{number}", field=field, code="invalid_phone")


def id_number(value: Any, field: str) -> str:
    """An ID number as text; one Excel stored as a number has lost its last digits."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        raise Invalid(
            f"身份证号（{field}）被 Excel 存成了数字（{display(value)}），后几位已丢失；请把该列设为文本后重新填写",
            field=field,
            code="id_number_as_number",
        )
    return str(value).strip().upper()


def day(value: Any, field: str) -> date:
    """A date: an Excel date, an Excel day number, or 2024-03-05 / 2024/3/5 / 2024年3月5日 / 20240305."""
    if value.__class__ is str and len(value) == 10 and value[4] == value[7] == "-":  # the usual 2024-03-05
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _excel_day(value, field)
    raw = str(value).strip()
    match = _COMPACT_DATE.fullmatch(raw) or _DATE.match(raw)
    clock = _TIME.fullmatch(raw[match.end() :].strip(" T")) if match is not None else None
    if match is not None and (match.end() == len(raw) or clock is not None):
        found = _calendar_day(match)
        # "2024-03-05 00:00:00": a date column may carry a time, if it is a valid one
        if found is not None and (clock is None or _time_of(clock) is not None):
            return found
    raise Invalid(
        f"{field_label(field)}（{field}）「{raw[:40]}」不是有效日期，应如 2024-03-05、2024/3/5 或 2024年3月5日",
        field=field,
        code="invalid_date",
    )


def _calendar_day(match: re.Match[str]) -> date | None:
    """The date a year-month-day match names, or None (2024-02-30)."""
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _time_of(match: re.Match[str]) -> time | None:
    """The time an hour[:minute[:second]] match names, or None (25:00)."""
    try:
        return time(int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))
    except ValueError:
        return None


def _excel_day(number: float, field: str) -> date:
    if not math.isfinite(number) or not 1 <= number < 2958466:
        raise Invalid(f"{field_label(field)}（{field}）{number} 不是有效日期", field=field, code="invalid_date")
    return EXCEL_EPOCH + timedelta(days=int(number))


def moment(value: Any, field: str, on: date | None = None) -> datetime:
    """A Beijing date and time; a bare time (9:00) takes its date from `on` (the row's date column)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value
    if isinstance(value, time):
        return _on(on, value, field)
    if isinstance(value, float | int) and not isinstance(value, bool):
        if 0 <= value < 1:  # a time of day alone
            seconds = round(value * 86400)
            return _on(on, time(min(seconds // 3600, 23), seconds // 60 % 60), field)
        whole = _excel_day(value, field)
        seconds = round((value - math.floor(value)) * 86400)
        return datetime.combine(whole, time(), LOCAL_TZ) + timedelta(seconds=seconds)
    raw = str(value).strip()
    if _ISO_ZONE.search(raw) and "T" in raw:
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(LOCAL_TZ)
    clock = _TIME.fullmatch(raw)
    if clock is not None:
        return _on(on, _clock(clock, raw, field), field)
    match = _DATE.match(raw)
    if match is not None:
        rest = _TIME.fullmatch(raw[match.end() :].strip(" T"))
        when = _calendar_day(match) if rest is not None else None
        if rest is not None and when is not None:
            return datetime.combine(when, _clock(rest, raw, field), LOCAL_TZ)
    raise Invalid(
        f"{field_label(field)}（{field}）「{raw[:40]}」不是有效的日期时间，应如 2024-03-05 09:00",
        field=field,
        code="invalid_datetime",
    )


def _clock(match: re.Match[str], raw: str, field: str) -> time:
    found = _time_of(match)
    if found is None:
        message = f"{field_label(field)}（{field}）「{raw[:40]}」中的时刻无效"
        raise Invalid(message, field=field, code="invalid_datetime")
    return found


def _on(on: date | None, clock: time, field: str) -> datetime:
    if on is None:
        raise Invalid(
            f"{field_label(field)}（{field}）只有时刻没有日期；请写完整（如 2024-03-05 09:00）或填写日期列",
            field=field,
            code="date_missing",
        )
    return datetime.combine(on, clock, LOCAL_TZ)


def hours(value: Any, field: str) -> Decimal:
    """Hours of service: 2, 2.5, "2.5小时", "2小时30分"; more than 0 and at most 24."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        raw = str(value).strip()
        both = _HOURS_MINUTES.fullmatch(raw)
        single = _HOURS.fullmatch(raw)
        try:
            if both:
                amount = Decimal(both.group(1)) + Decimal(both.group(2)) / 60
            elif single:
                amount = Decimal(single.group(1))
            else:
                raise InvalidOperation(raw)
        except InvalidOperation:
            raise Invalid(
                f"服务时长（{field}）「{raw[:40]}」不是数字（小时），如 2 或 2.5", field=field, code="invalid_hours"
            ) from None
    if not amount.is_finite() or not 0 < amount <= 24:
        raise Invalid(f"服务时长（{field}）应大于 0 且不超过 24 小时，收到 {amount}", field=field, code="invalid_hours")
    return amount


def whole(value: Any, field: str) -> int:
    """A whole number (a capacity)."""
    try:
        number = Decimal(display(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value() or abs(number) > 2**31 - 1:
        raise Invalid(
            f"{field_label(field)}（{field}）「{display(value)}」应为整数", field=field, code="invalid_number"
        )
    return int(number)


def choice(value: Any, field: str, choices: dict[str, str], label: str) -> str:
    """One of a few words (男/女, 队员/队长…), Chinese or English."""
    raw = display(value)
    found = choices.get(raw.lower())
    if found is None:
        allowed = "、".join(k for k in choices if not k.isascii())
        raise Invalid(f"{label}（{field}）「{raw[:40]}」无法识别，应为 {allowed}", field=field, code="invalid_choice")
    return found


def items(value: Any, field: str) -> list[str]:
    """A list in one cell: 读书分享会、家庭教育讲座 (separated by 、 , ; / or new lines)."""
    return [part.strip() for part in LIST_SEPARATORS.split(display(value)) if part.strip()]
