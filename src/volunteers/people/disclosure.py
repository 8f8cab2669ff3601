"""What one caller may see of a volunteer: the single view behind detail, lists, exports and the audit trail.

An ID-card number is 6 area digits (about 3,500 county codes in use), 8 birth-date digits, 3 sequence
digits (the last one's parity is the gender) and a check character computed from the other 17. Staff see
the birth date and gender, so what hides the number from them is area × sequence: 3,500 × 500 ≈ 1.75 × 10⁶
candidates. Every ID character shown would divide that (the last four alone leave the area codes, a few
hundred plausible ones), so no answer carries any character of it: only `has_id_number`.

Officials (statistics) see neither whole phones nor birth dates: an age band instead, computed as of
1 January of this year (so it never moves on a birthday).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from volunteers.access import Caller
from volunteers.fields import today
from volunteers.people.identity import mask_phone
from volunteers.people.rules import age_on
from volunteers.people.schemas import GuardianOut, VolunteerOut

# (first age not in the band, label). 14: PIPL art. 31 (a child's data needs a guardian's consent);
# 18: majority (14–17 need a guardian by practice); 35: the usual upper edge of "youth" in volunteer
# statistics (青年志愿者), and a boundary of the census's five-year groups; 60: elderly (老年人权益保障法 art. 2).
AGE_BANDS: tuple[tuple[int, str], ...] = ((14, "未满14岁"), (18, "14–17岁"), (35, "18–34岁"), (60, "35–59岁"))
OLDEST_BAND = "60岁及以上"


def age_band(birth_date: date | None, on: date | None = None) -> str | None:
    """The age band of someone born on `birth_date`, as of `on`; None without a birth date.

    By default as of 1 January of this year, not today: a band that changed on the birthday would tell
    someone who looks every day the exact birth date."""
    if birth_date is None:
        return None
    age = age_on(birth_date, on or date(today().year, 1, 1))
    return next((label for below, label in AGE_BANDS if age < below), OLDEST_BAND)


def sees_personal_details(caller: Caller | None, area_path: str | None) -> bool:
    """Whole phones and birth dates (and searching by them): staff and admins whose subtree holds the area.

    `caller` None is the system itself: the audit trail, and self-registration's own answer.
    """
    return caller is None or caller.sees_whole_phone(area_path)


def phone_for(caller: Caller | None, phone: str, area_path: str | None) -> str:
    """A phone of someone living at `area_path`, whole or masked (`138****8000`) as `caller` may see it."""
    return phone if sees_personal_details(caller, area_path) else mask_phone(phone)


def volunteer_view(row: dict[str, Any], caller: Caller | None) -> VolunteerOut:
    """The volunteer in `row` (as `people.service` selects it) as `caller` may see them."""
    personal = sees_personal_details(caller, row["area_path"])
    guardian = None
    if row["guardian_name"] is not None:
        guardian = GuardianOut(
            name=row["guardian_name"],
            phone=phone_for(caller, row["guardian_phone"], row["area_path"]),
            consent_on=row["guardian_consent_on"],
        )
    return VolunteerOut(
        id=row["id"],
        volunteer_no=row["volunteer_no"],
        name=row["name"],
        phone=phone_for(caller, row["phone"], row["area_path"]),
        has_id_number=row["id_number_hash"] is not None,
        gender=row["gender"],
        birth_date=row["birth_date"] if personal else None,
        age_band=age_band(row["birth_date"]),
        area_code=row["area_code"],
        registered_on=row["registered_on"],
        status=row["status"],
        suspended_on=row["suspended_on"],
        withdrawn_on=row["withdrawn_on"],
        consent_on=row["consent_on"],
        guardian=guardian,
        self_registered=row["self_registered"],
    )
