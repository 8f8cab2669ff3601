"""Check-in codes, the append-only scan log, and the service records derived from it."""

from piccolo.columns import JSONB, BigSerial, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from volunteers.activities.tables import Activity
from volunteers.areas.tables import Area
from volunteers.auth.tables import StaffUser
from volunteers.people.tables import Volunteer


class CheckinCode(Table):
    """The secret in an activity's `/c/{code}` link; rotating revokes the old one at once."""

    id = Serial(primary_key=True)
    activity = ForeignKey(Activity, on_delete=OnDelete.cascade, index=True, null=False)
    code = Varchar(length=32, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class Scan(Table):
    """One check-in or check-out attempt, failed ones included; never updated."""

    id = BigSerial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow())
    code = Varchar(length=32, null=True, default=None)
    activity = ForeignKey(Activity, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, null=True, default=None)
    volunteer = ForeignKey(Volunteer, on_delete=OnDelete.restrict, null=True, default=None)
    action = Varchar(length=8)
    method = Varchar(length=8)
    nonce = Varchar(length=64, null=True, default=None)
    result = Varchar(length=32)
    staff = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    reason = Text(null=True, default=None)
    client = Varchar(length=64, null=True, default=None)
    response = JSONB()

    scan_action_valid = Check("action IN ('in', 'out')")
    scan_method_valid = Check("method IN ('link', 'staff', 'kiosk', 'import')")


class ScanRefusalTally(Table):
    """Scans refused over a rate limit, counted per code, client address, result and minute instead of one
    `scan` row each, so a flood cannot fill the database. A code that does not exist is counted under ''."""

    id = BigSerial(primary_key=True)
    code = Varchar(length=32)
    client = Varchar(length=64)
    result = Varchar(length=32)
    window_start = Timestamptz()
    attempts = Integer(default=0)
    last_at = Timestamptz()

    scan_refusal_tally_window = Unique([code, client, result, window_start])


class ServiceRecord(Table):
    """Service of one volunteer at one activity on one day: from scans (`checkin`) or by staff (`manual`)."""

    id = Serial(primary_key=True)
    # looked up through service_record_checkin_unique (volunteer, activity, service_date)
    volunteer = ForeignKey(Volunteer, on_delete=OnDelete.restrict, null=False)
    activity = ForeignKey(Activity, on_delete=OnDelete.restrict, index=True, null=False)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, index=True, null=False)
    service_date = Date()
    source = Varchar(length=8)
    status = Varchar(length=10, default="pending")
    started_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    inside_since = Timestamptz(null=True, default=None)
    seconds = Integer(default=0)
    minutes = Integer(default=0)
    auto_closed = Boolean(default=False)
    corrects: ForeignKey["ServiceRecord"] = ForeignKey("self", on_delete=OnDelete.restrict, null=True, default=None)
    reason = Text(null=True, default=None)
    # who entered a manual record (补录, by hand or by import): shown in the queue, and under four eyes
    # (VOLUNTEERS_FOUR_EYES) not the one who may approve it; NULL for check-ins and for the command line
    entered_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    decided_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    record_source_valid = Check("source IN ('checkin', 'manual')")
    record_status_valid = Check("status IN ('pending', 'approved', 'rejected')")
    record_minutes_valid = Check("minutes >= 0 AND seconds >= 0")
    record_times_ordered = Check("ended_at IS NULL OR ended_at >= started_at")
