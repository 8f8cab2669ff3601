"""The audit trail: who changed what, when, before and after."""

from piccolo.columns import JSONB, BigSerial, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from volunteers.areas.tables import Area
from volunteers.auth.tables import StaffUser


class AuditEntry(Table):
    """One mutation; `area` is where the changed thing lives, for scoping the trail."""

    id = BigSerial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow())
    user = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    username = Varchar(length=64)
    action = Varchar(length=32)
    entity = Varchar(length=32)
    entity_id = Varchar(length=64)
    area = ForeignKey(Area, on_delete=OnDelete.set_null, null=True, default=None)
    before = JSONB(null=True, default=None)
    after = JSONB(null=True, default=None)
