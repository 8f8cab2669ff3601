"""Request and response bodies for volunteers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from volunteers.fields import AreaCode, Phone, Reason

Gender = Literal["male", "female"]
Status = Literal["active", "suspended", "withdrawn"]
PersonName = Annotated[str, Meta(min_length=1, max_length=50)]
# Longer than 18 so a wrong length gets a 422 that says so, not a bare 400.
IdNumber = Annotated[str, Meta(min_length=1, max_length=32)]


class GuardianIn(Struct, forbid_unknown_fields=True):
    name: PersonName
    phone: Phone
    consent_on: date | None = None


class VolunteerIn(Struct, forbid_unknown_fields=True):
    name: PersonName
    phone: Phone
    area_code: AreaCode
    id_number: IdNumber | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    registered_on: date | None = None
    consent_on: date | None = None
    guardian: GuardianIn | None = None


class VolunteerPatch(Struct, forbid_unknown_fields=True):
    """Only the fields sent change; `null` clears id_number, gender, birth_date or guardian."""

    name: PersonName | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET
    area_code: AreaCode | UnsetType = UNSET
    id_number: IdNumber | UnsetType | None = UNSET
    gender: Gender | UnsetType | None = UNSET
    birth_date: date | UnsetType | None = UNSET
    guardian: GuardianIn | UnsetType | None = UNSET


class StatusChangeIn(Struct, forbid_unknown_fields=True):
    on: date
    reason: Reason | None = None


class ReinstateIn(Struct, forbid_unknown_fields=True):
    on: date | None = None


class GuardianOut(Struct):
    name: str
    phone: str
    consent_on: date | None


class VolunteerOut(Struct):
    """A volunteer as one caller may see them (see `people.disclosure.volunteer_view`).

    `id_number` is input only: the answer says whether one is on file (`has_id_number`), never any of its
    characters. `birth_date` is null for callers who see only the `age_band` (officials).
    """

    id: int
    volunteer_no: str
    name: str
    phone: str
    has_id_number: bool
    gender: str | None
    birth_date: date | None
    age_band: str | None
    area_code: str
    registered_on: date
    status: str
    suspended_on: date | None
    withdrawn_on: date | None
    consent_on: date
    guardian: GuardianOut | None
    self_registered: bool


class VolunteerPage(Struct):
    items: list[VolunteerOut]
    total: int
