"""Volunteers (志愿者): people, with their protected identity data."""

from piccolo.columns import Boolean, Bytea, Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check
from piccolo.table import Table

from volunteers.areas.tables import Area

STATUSES = ("active", "suspended", "withdrawn")


class Volunteer(Table):
    """A person; the ID-card number is kept only encrypted and hashed (for exact search and uniqueness)."""

    id = Serial(primary_key=True)
    volunteer_no = Varchar(length=20, unique=True)
    name = Varchar(length=50, index=True)
    phone = Varchar(length=11, unique=True)
    id_number_cipher = Bytea(null=True, default=None)
    id_number_hash = Varchar(length=64, unique=True, null=True, default=None)
    gender = Varchar(length=8, null=True, default=None)
    birth_date = Date(null=True, default=None)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, index=True, null=False)
    registered_on = Date(index=True)
    status = Varchar(length=16, default="active")
    suspended_on = Date(null=True, default=None)
    withdrawn_on = Date(null=True, default=None)
    consent_on = Date()
    guardian_name = Varchar(length=50, null=True, default=None)
    guardian_phone = Varchar(length=11, null=True, default=None)
    guardian_consent_on = Date(null=True, default=None)
    self_registered = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())

    volunteer_status_valid = Check("status IN ('active', 'suspended', 'withdrawn')")
    volunteer_gender_valid = Check("gender IS NULL OR gender IN ('male', 'female')")
    volunteer_withdrawn_dated = Check("(status = 'withdrawn') = (withdrawn_on IS NOT NULL)")
    volunteer_suspended_dated = Check("status <> 'suspended' OR suspended_on IS NOT NULL")
    volunteer_born_before_registering = Check("birth_date IS NULL OR birth_date <= registered_on")
    volunteer_withdrawn_after_registering = Check("withdrawn_on IS NULL OR withdrawn_on >= registered_on")
