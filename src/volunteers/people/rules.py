"""Rules a volunteer's facts must keep, shared by the API's create and update and the spreadsheet import."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from volunteers.errors import Conflict, Invalid
from volunteers.fields import age_on, check_day, refuse_hidden_characters
from volunteers.people.identity import normalise_phone
from volunteers.people.schemas import GuardianIn, GuardianOut
from volunteers.settings import get_settings

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def check_name(name: str, field: str = "name") -> str:
    """A person's name, trimmed: not blank, no control characters, nothing invisible or direction-changing.

    A name of zero-width spaces looks blank, and a right-to-left override (U+202E) makes a list show a
    name other than the one stored; the shared `refuse_hidden_characters` rule refuses both.
    """
    cleaned = name.strip()
    if not cleaned or CONTROL_CHARS.search(cleaned):
        raise Invalid(f"姓名（{field}）不能为空，也不能包含控制字符", field=field, code="invalid_name")
    return refuse_hidden_characters(cleaned, field, "姓名")


def birth_and_gender(
    from_id: tuple[date, str] | None, birth_date: date | None, gender: str | None
) -> tuple[date | None, str | None]:
    """The ID number is authoritative: given values must agree with it, missing ones come from it."""
    if from_id is None:
        return birth_date, gender
    id_birth, id_gender = from_id
    if birth_date is not None and birth_date != id_birth:
        raise Invalid(
            f"出生日期（birth_date）{birth_date} 与身份证号中的 {id_birth} 不一致",
            field="birth_date",
            code="birth_date_mismatch",
        )
    if gender is not None and gender != id_gender:
        label = {"male": "男", "female": "女"}[id_gender]
        raise Invalid(f"性别（gender）与身份证号（{label}）不一致", field="gender", code="gender_mismatch")
    return id_birth, id_gender


def check_birth_dates(birth_date: date | None, registered_on: date) -> None:
    """A birth date is after 1900 and not after the registration."""
    if birth_date is None:
        return
    if birth_date.year < 1900:
        raise Invalid(f"出生日期（birth_date）{birth_date} 不合理", field="birth_date", code="invalid_birth_date")
    if birth_date > registered_on:
        raise Invalid(
            f"出生日期（birth_date）{birth_date} 晚于注册日期 {registered_on}",
            field="birth_date",
            code="born_after_registration",
        )


def check_guardian(guardian: GuardianIn | None, birth_date: date | None, registered_on: date) -> GuardianOut | None:
    """Minors (by age on registered_on) need a guardian with a name, a phone and a consent date."""
    under = get_settings().guardian_required_under
    minor = birth_date is not None and age_on(birth_date, registered_on) < under
    if minor and (guardian is None or guardian.consent_on is None):
        raise Invalid(
            f"注册时未满 {under} 周岁的志愿者须登记监护人（guardian）的姓名、手机号和同意日期："
            "不满 14 周岁依《个人信息保护法》第三十一条须取得监护人同意，14–17 周岁按惯例同样需要",
            field="guardian",
            code="guardian_required",
        )
    if guardian is None:
        return None
    if guardian.consent_on is not None:
        check_day(guardian.consent_on, "guardian.consent_on", "监护人同意日期")
    return GuardianOut(
        name=check_name(guardian.name, "guardian.name"),
        phone=normalise_phone(guardian.phone, "guardian.phone"),
        consent_on=guardian.consent_on,
    )


def refuse_if_withdrawn(row: dict[str, Any]) -> None:
    """A withdrawn volunteer is read-only until reinstated (409)."""
    if row["status"] == "withdrawn":
        raise Conflict(
            f"该志愿者已于 {row['withdrawn_on']} 退出，须先恢复（reinstate）才能修改",
            field="status",
            code="volunteer_withdrawn",
        )
