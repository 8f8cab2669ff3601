"""Constrained field types shared by the request Structs, list paging and filters, and text rules."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from litestar.params import Parameter
from msgspec import Meta

from volunteers import clock
from volunteers.errors import Invalid

# The shape of an area code, in bodies and in query strings.
AREA_CODE_PATTERN = r"^[A-Za-z0-9-]+$"

ShortText = Annotated[str, Meta(min_length=1, max_length=100)]
LongText = Annotated[str, Meta(max_length=500)]
Reason = Annotated[str, Meta(min_length=1, max_length=500)]
AreaCode = Annotated[str, Meta(min_length=1, max_length=32, pattern=AREA_CODE_PATTERN)]
Phone = Annotated[str, Meta(min_length=1, max_length=20)]
Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]
Count = Annotated[int, Meta(ge=0, le=2**31 - 1)]

Limit = Annotated[int, Parameter(ge=1, le=500, default=50, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000, default=0, description="rows to skip")]
PathId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]

# List filters in the query string, the same on every list and export: a malformed one is a 400 naming it.
AreaQuery = Annotated[str | None, Parameter(max_length=32, pattern=AREA_CODE_PATTERN, description="区域编码（含下级）")]
SearchQuery = Annotated[
    str | None, Parameter(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$", description="搜索词（不含控制字符）")
]
IdQuery = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]

# The district keeps local time; dates ("today", registered_on, as_of) are Beijing dates.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in the district."""
    return clock.now().astimezone(LOCAL_TZ).date()


def local_day(moment: datetime) -> date:
    """The Beijing date of an aware moment; one beyond the dates Python holds reads as date.min or date.max."""
    try:
        return moment.astimezone(LOCAL_TZ).date()
    except OverflowError:
        return date.min if moment.year < 5000 else date.max


def years_after(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# Unicode categories no name or title may hold: controls, format characters (zero-width spaces, the byte-order
# mark, bidirectional overrides that reverse how a name reads), line/paragraph separators, surrogates,
# private-use and unassigned code points. A name of only such characters looks blank but is not.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def hidden_character(value: str) -> str | None:
    """The first invisible or direction-changing character in `value` (as U+XXXX), or None."""
    for char in value:
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None


def refuse_hidden_characters(value: str, field: str, label: str) -> str:
    """`value`, unless it holds an invisible or direction-changing character (a 422 naming the field)."""
    hidden = hidden_character(value)
    if hidden is not None:
        raise Invalid(
            f"{label}（{field}）含有不可见或改变文字方向的字符（{hidden}），请删除后重新输入",
            field=field,
            code="invisible_character",
        )
    return value


def required_text(value: str, field: str, label: str) -> str:
    """`value` without surrounding blanks; a blank one, or one holding an invisible character, is refused."""
    value = value.strip()
    if not value:
        raise Invalid(f"{label}（{field}）不能为空", field=field, code="required")
    return refuse_hidden_characters(value, field, label)


# The earliest date a registration, founding or service can carry: the People's Republic's founding year.
EARLIEST_DAY = date(1949, 1, 1)


def check_day(
    value: date, field: str, label: str, *, earliest: date = EARLIEST_DAY, latest: date | None = None
) -> date:
    """`value` if it lies between `earliest` and `latest` (default today, the district's date); else a 422 naming it."""
    latest = latest or today()
    if value < earliest:
        raise Invalid(f"{label}（{field}）{value} 早于 {earliest}，请核对", field=field, code="date_too_early")
    if value > latest:
        code = "date_in_future" if latest == today() else "date_too_late"
        raise Invalid(f"{label}（{field}）{value} 晚于 {latest}，请核对", field=field, code=code)
    return value


def like_literal(text: str) -> str:
    """`text` with LIKE wildcards escaped, so a search for `%` or `_` matches only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def working_days_before(day: date, count: int) -> date:
    """The date `count` working days (Monday to Friday; public holidays are not known here) before `day`."""
    while count > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def local_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A timestamp as the district's clock shows it (2026-03-05 14:00, or `pattern`); blank for none."""
    return moment.astimezone(LOCAL_TZ).strftime(pattern) if moment is not None else ""
