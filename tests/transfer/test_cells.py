"""Cell values as spreadsheets hold them, and headers as staff write them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from volunteers.errors import Invalid
from volunteers.fields import LOCAL_TZ
from volunteers.transfer import cells
from volunteers.transfer.columns import MEMBERSHIPS, VOLUNTEERS, locate_header, normalise_header


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-05",
        "2024/3/5",
        "2024.3.5",
        "2024年3月5日",
        "2024 年 3 月 5 日",
        "20240305",
        "2024-03-05 00:00:00",
        date(2024, 3, 5),
        datetime(2024, 3, 5, 0, 0),
        45356.0,
        45356,
    ],
)
def test_dates(value: Any) -> None:
    assert cells.day(value, "birth_date") == date(2024, 3, 5)


@pytest.mark.parametrize(
    "value", ["2024-02-30", "2024/13/1", "三月五日", "5/3/2024", "0", 0.0, -3.0, "2024-03-05 25:00"]
)
def test_not_dates(value: Any) -> None:
    with pytest.raises(Invalid) as refused:
        cells.day(value, "birth_date")
    assert refused.value.field == "birth_date" and refused.value.code == "invalid_date"


@pytest.mark.parametrize(
    ("value", "on", "expected"),
    [
        ("2024-03-05 09:30", None, datetime(2024, 3, 5, 9, 30)),
        ("2024/3/5 9:30", None, datetime(2024, 3, 5, 9, 30)),
        ("2024年3月5日 9点30分", None, datetime(2024, 3, 5, 9, 30)),
        ("2024-03-05T01:30:00Z", None, datetime(2024, 3, 5, 9, 30)),
        ("2024-03-05T09:30:00+08:00", None, datetime(2024, 3, 5, 9, 30)),
        (datetime(2024, 3, 5, 9, 30), None, datetime(2024, 3, 5, 9, 30)),
        (45356.396, None, datetime(2024, 3, 5, 9, 30, 14)),
        ("9:30", date(2024, 3, 5), datetime(2024, 3, 5, 9, 30)),
        (time(9, 30), date(2024, 3, 5), datetime(2024, 3, 5, 9, 30)),
        (0.3958333, date(2024, 3, 5), datetime(2024, 3, 5, 9, 30)),
    ],
)
def test_moments_are_beijing_time(value: Any, on: date | None, expected: datetime) -> None:
    assert cells.moment(value, "starts_at", on) == expected.replace(tzinfo=LOCAL_TZ)


def test_a_bare_time_needs_a_date() -> None:
    with pytest.raises(Invalid) as refused:
        cells.moment("9:30", "starts_at")
    assert refused.value.code == "date_missing"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (13800138000.0, "13800138000"),
        (13800138000, "13800138000"),
        ("1.38001380001E10", "13800138000"),
        ("1.3800138001e+10", "13800138001"),
        ("138 0013 8000", "138 0013 8000"),
    ],
)
def test_phones_excel_turned_into_numbers(value: Any, expected: str) -> None:
    assert cells.phone(value, "phone") == expected


@pytest.mark.parametrize("value", ["1.38E+10", 13800138000.5])
def test_phones_that_lost_digits(value: Any) -> None:
    with pytest.raises(Invalid):
        cells.phone(value, "phone")


def test_id_numbers() -> None:
    assert cells.id_number(" 43042119900307001x ", "id_number") == "43042119900307001X"
    with pytest.raises(Invalid) as refused:
        cells.id_number(430421199003070000.0, "id_number")
    assert refused.value.code == "id_number_as_number"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, Decimal(2)),
        (2.5, Decimal("2.5")),
        ("1.5小时", Decimal("1.5")),
        ("2小时30分", Decimal("2.5")),
        ("3h", Decimal(3)),
    ],
)
def test_hours(value: Any, expected: Decimal) -> None:
    assert cells.hours(value, "hours") == expected


@pytest.mark.parametrize("value", [0, -1, 25, "两小时", "nan", float("inf")])
def test_not_hours(value: Any) -> None:
    with pytest.raises(Invalid):
        cells.hours(value, "hours")


def test_choices_and_lists() -> None:
    assert cells.choice("男", "gender", cells.GENDERS, "性别") == "male"
    assert cells.choice("Female", "gender", cells.GENDERS, "性别") == "female"
    assert cells.choice("队长", "role", cells.ROLES, "角色") == "leader"
    assert cells.items("读书分享会、 亲子阅读会,家庭教育讲座；；", "categories") == [
        "读书分享会",
        "亲子阅读会",
        "家庭教育讲座",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("* 手机号码（必填）", "手机号码"),
        ("性别(男/女)", "性别"),
        ("Phone", "phone"),
        ("area_code", "areacode"),
        ("姓　名", "姓名"),
    ],
)
def test_header_normalisation(text: str, expected: str) -> None:
    assert normalise_header(text) == expected


def test_header_after_a_title_and_blank_rows() -> None:
    rows: list[list[Any]] = [
        ["东一社区志愿者花名册", "", ""],
        ["", "", ""],
        ["序号", "姓名*", "手机号码（必填）"],
        ["1", "张三", "13800138000"],
    ]
    header = locate_header(VOLUNTEERS, rows)
    assert header.row == 2 and header.columns == {"name": 1, "phone": 2} and header.ignored == ["序号"]


def test_header_naming_one_column_twice() -> None:
    with pytest.raises(Invalid) as refused:
        locate_header(VOLUNTEERS, [["姓名", "手机号", "手机号码"]])
    assert refused.value.code == "duplicate_column"


def test_either_of_two_columns_is_enough() -> None:
    assert locate_header(MEMBERSHIPS, [["服务队", "志愿者编号"]]).columns == {"team": 0, "volunteer_no": 1}
    with pytest.raises(Invalid) as refused:
        locate_header(MEMBERSHIPS, [["服务队", "姓名"]])
    assert refused.value.code == "missing_columns" and "手机号或志愿者编号" in refused.value.message
