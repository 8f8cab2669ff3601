"""What one caller may see of a volunteer: the single view behind detail, lists, exports and the audit trail.

The rules (whole phone or masked, birth date or age band, no character of an ID number) are
`volunteers.access`'s; this module applies them to a volunteer's row.
"""

from __future__ import annotations

from typing import Any

from volunteers.access import Caller, age_band, phone_for, sees_personal_details
from volunteers.people.schemas import GuardianOut, VolunteerOut


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
