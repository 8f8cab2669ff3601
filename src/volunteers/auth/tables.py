"""Staff users and their bearer sessions."""

from piccolo.columns import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from volunteers.areas.tables import Area

ROLES = ("admin", "staff", "official")


class StaffUser(Table):
    """A login; `area` NULL means the whole system (only for admins)."""

    id = Serial(primary_key=True)
    username = Varchar(length=64, unique=True)
    password_hash = Varchar(length=200)
    role = Varchar(length=16)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())

    staff_role_valid = Check("role IN ('admin', 'staff', 'official')")
    staff_area_required = Check("role = 'admin' OR area IS NOT NULL")


class StaffSession(Table):
    """A bearer token, stored only as its SHA-256; revoked by setting `revoked_at`."""

    id = Serial(primary_key=True)
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table):
    """A login attempt, counted (auth/throttle.py) against its address, its username, and the pair of
    the two until it ages out. A later success from the same address clears the pair's count
    (`cleared`); `known_address` says the address was known for the username when it was made."""

    id = Serial(primary_key=True)
    username = Varchar(length=64, index=True)
    address = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    cleared = Boolean(default=False)
    known_address = Boolean(default=False)


class LoginKnownAddress(Table):
    """An address a username last logged in from successfully at `last_login_at`; known for 30 days."""

    id = Serial(primary_key=True)
    username = Varchar(length=64)
    address = Varchar(length=64)
    last_login_at = Timestamptz(default=TimestamptzNow(), index=True)

    login_known_address_unique = Unique(["username", "address"])
