"""Request and response bodies for check-in, attendance and service records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from msgspec import Meta, Struct

from volunteers.fields import AreaCode, Id, Phone, Reason, ShortText
from volunteers.people.schemas import GuardianIn

Nonce = Annotated[str, Meta(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Action = Literal["in", "out"]


class CodeOut(Struct):
    code: str
    url: str
    qr_svg_url: str
    poster_url: str
    opens_at: datetime
    closes_at: datetime


class ScanIn(Struct, forbid_unknown_fields=True):
    phone: Phone
    nonce: Nonce
    action: Action = "in"
    name: ShortText | None = None


class RegisterIn(Struct, forbid_unknown_fields=True):
    """On-the-spot registration on the check-in page, followed by a check-in.

    The birth date is required here (staff may register someone without one): the guardian rule for minors
    turns on it, and on a public form a minor could otherwise skip the rule by leaving it empty."""

    name: ShortText
    phone: Phone
    area_code: AreaCode
    nonce: Nonce
    consent: bool
    birth_date: date
    guardian: GuardianIn | None = None


class ScanOut(Struct, omit_defaults=True):
    """The answer a phone gets: what happened and when, never who (a phone number is all it took to ask)."""

    result: str
    action: str
    at: datetime
    minutes: int | None = None
    hours: float | None = None
    replayed: bool = False


class ScanAnswer(Struct):
    """The whole answer of checkin_scan() (defined under sql/checkin/), refusals included: more than a phone may
    be told (who, which activity), so only `public_answer` and the staff answer pass parts of it on. A refusal
    made before the rules (rate_limited) has the result and the action only."""

    result: str
    action: str
    at: datetime | None = None
    replayed: bool = False  # the first answer to this nonce, sent again
    # where: the activity and its check-in window
    activity_id: int | None = None
    activity_title: str | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    # who
    volunteer_no: str | None = None
    volunteer_name: str | None = None
    # a check-out: the credited minutes, and the record's start and status
    minutes: int | None = None
    started_at: datetime | None = None
    status: str | None = None


class StaffScanOut(ScanOut, omit_defaults=True):
    """The answer to staff checking a volunteer in or out by hand: also whom and where."""

    volunteer_no: str | None = None
    volunteer_name: str | None = None
    activity_title: str | None = None


class StaffScanIn(Struct, forbid_unknown_fields=True):
    volunteer_id: Id
    action: Action
    reason: Reason


class AttendanceRow(Struct):
    record_id: int
    volunteer_id: int
    volunteer_no: str
    name: str
    phone: str
    checked_in_at: datetime
    checked_out_at: datetime | None
    inside: bool
    minutes: int
    hours: float
    source: str
    status: str
    auto_closed: bool


class AttendanceCounters(Struct):
    checked_in: int
    inside_now: int
    checked_out: int
    capacity: int | None


class AttendanceOut(Struct):
    activity_id: int
    counters: AttendanceCounters
    items: list[AttendanceRow]


class CloseOut(Struct):
    activity_id: int
    auto_closed: int
    status: str


class ManualRecordIn(Struct, forbid_unknown_fields=True):
    volunteer_id: Id
    activity_id: Id
    started_at: datetime
    ended_at: datetime
    reason: Reason


class DecisionIn(Struct, forbid_unknown_fields=True):
    reason: Reason | None = None


class RecordOut(Struct):
    id: int
    volunteer_id: int
    volunteer_no: str
    activity_id: int
    area_code: str
    service_date: date
    source: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    minutes: int
    hours: float
    auto_closed: bool
    corrects: int | None
    reason: str | None
    entered_by: str | None = None  # the username of the staff member who entered a manual record (补录)


class RecordPage(Struct):
    items: list[RecordOut]
    total: int
