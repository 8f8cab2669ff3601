"""Who came to what: service records, by the check-in rules, with their scans (see scans.py).

Every record's seconds and minutes follow sql/checkin/functions.sql: the time between entry
and exit, clipped to the activity's window, rounded down to its step, capped per day. Exactly
ACTIVE registered volunteers get an approved record with minutes in the year ending
on the as-of date; no other registered volunteer does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from volunteers.demo.activities import ActivityPlan, Pool, at, day_of, epoch
from volunteers.demo.roster import VolunteerPlan
from volunteers.demo.scans import ScanLog

ACTIVE = 22_466  # the report's count of active volunteers
DECISION_DAYS = 10  # staff approve records within this many days
RECORD_COLUMNS = tuple(
    "id volunteer activity area service_date source status started_at ended_at inside_since seconds minutes"  # noqa: SIM905
    " auto_closed corrects reason decided_by decided_at created_at".split()
)
_REJECTIONS = ("核查发现未实际参加服务", "重复登记，已核实", "签到地点与活动不符")
_ID, _CORRECTS, _REASON, _CREATED = (RECORD_COLUMNS.index(c) for c in ("id", "corrects", "reason", "created_at"))


def credited(entry_at: int, exit_at: int, activity: ActivityPlan) -> tuple[int, int]:
    """(seconds, minutes) by checkin_clipped_seconds and checkin_minutes."""
    seconds = max(0, min(exit_at, activity.ends_at) - max(entry_at, activity.starts_at))
    return seconds, min((seconds // 60 // activity.rounding) * activity.rounding, activity.daily_cap)


@dataclass(slots=True)
class Attendance:
    """Builds records and their scans; `decider(area_id)` names the staff user who approves in an area."""

    rng: random.Random
    activities: list[ActivityPlan]
    as_of: date
    decider: Callable[[int], int]
    scans: ScanLog
    records: list[tuple[Any, ...]] = field(default_factory=list)
    taken: set[tuple[int, int]] = field(default_factory=set)  # (volunteer, day): one activity a day
    participants: dict[int, int] = field(default_factory=dict)
    corrections: dict[int, int] = field(default_factory=dict)  # auto-closed record -> the 补录 correcting it
    _last_second: int = 0

    def __post_init__(self) -> None:
        self._last_second = epoch(self.as_of, 0) - 1  # decisions made before the as-of day, never later

    # ---- choosing ------------------------------------------------------------------------

    def draw(
        self, pools: tuple[Pool, Pool, Pool], volunteer: int, first_day: int, last_day: int
    ) -> tuple[int, int] | None:
        """An activity day in range for this volunteer, preferring their own community, then street."""
        rng = self.rng
        roll = rng.random()
        order = pools if roll < 0.45 else (pools[1], pools[2]) if roll < 0.8 else (pools[2],)
        for _ in range(6):
            for pool in order:
                entry = pool.draw(rng, first_day, last_day)
                if entry is not None:
                    break
            else:
                order = (pools[2],)
                continue
            day = day_of(self.activities[entry[0]].sessions[entry[1]][0])
            if (volunteer, day) not in self.taken:
                self.taken.add((volunteer, day))
                return entry
        return None

    # ---- writing -------------------------------------------------------------------------

    def attend(self, volunteer: VolunteerPlan, entry: tuple[int, int], *, counts: bool | None) -> None:
        """One volunteer at one activity day. counts=True: an approved record with minutes;
        False: never approved; None: whatever happens most days."""
        rng = self.rng
        activity = self.activities[entry[0]]
        start, end = activity.sessions[entry[1]]
        entry_at, exit_at = self._times(activity, start, end)
        self.participants[activity.id] = self.participants.get(activity.id, 0) + 1
        roll = rng.random() if counts is None else 1.0
        recent = day_of(start) > self.as_of.toordinal() - DECISION_DAYS
        single = len(activity.sessions) == 1
        if counts is False:
            if recent and activity.approval == "staff":
                self._checkin(volunteer, activity, entry_at, exit_at, "pending")
            elif recent and single:
                self._auto_closed(volunteer, activity, entry_at, "pending")
            else:
                self._checkin(volunteer, activity, entry_at, exit_at, "rejected", rng.choice(_REJECTIONS))
        elif roll < 0.012 and single:
            self._forgot_exit(volunteer, activity, entry_at, exit_at, recent)
        elif roll < 0.015:
            self._manual(volunteer, activity, entry_at, exit_at, "补录：现场未扫码，按纸质签到表补录")
        elif roll < 0.0175:
            self._checkin(volunteer, activity, entry_at, exit_at, "rejected", rng.choice(_REJECTIONS))
        else:
            self._checkin(volunteer, activity, entry_at, exit_at, "approved")

    def _times(self, activity: ActivityPlan, start: int, end: int) -> tuple[int, int]:
        """Entry and exit inside the check-in window, with at least one credited step."""
        rng = self.rng
        opens = activity.starts_at - activity.opens_before * 60
        closes = activity.ends_at + activity.closes_after * 60
        if rng.random() < 0.06:
            entry_at = start + rng.randint(600, (end - start) // 2)
        else:
            entry_at = start - int(rng.triangular(0, 25 * 60, 8 * 60)) + rng.randint(0, 12 * 60)
        entry_at = max(entry_at, opens)
        if rng.random() < 0.08:
            exit_at = entry_at + rng.randint(1200, max(1200, end - entry_at - 60))
        else:
            exit_at = end + rng.randint(-600, activity.closes_after * 48)
        exit_at = min(max(exit_at, entry_at + 60), closes - 1)
        while credited(entry_at, exit_at, activity)[1] == 0:
            exit_at = min(exit_at + activity.rounding * 60, closes - 1)
        return entry_at, exit_at

    def _decision(self, after: int) -> int | None:
        """When staff decided on something that happened at `after`, or None if not yet by as_of."""
        decided = after + self.rng.randint(20 * 3600, DECISION_DAYS * 86400)
        return decided if decided <= self._last_second else None

    def _record(self, columns: dict[str, Any]) -> int:
        record_id = len(self.records) + 1
        row = {
            "id": record_id,
            "inside_since": None,
            "auto_closed": False,
            "corrects": None,
            "reason": None,
            "decided_by": None,
            "decided_at": None,
            **columns,
        }
        self.records.append(tuple(row[c] for c in RECORD_COLUMNS))
        return record_id

    def _checkin(
        self, volunteer: VolunteerPlan, activity: ActivityPlan, entry_at: int, exit_at: int, status: str, why: str = ""
    ) -> None:
        """A complete in/out pair; auto-approved at exit, or decided by staff within DECISION_DAYS."""
        seconds, minutes = credited(entry_at, exit_at, activity)
        decided_by: int | None = None
        decided_at: int | None = exit_at
        if status == "pending":
            decided_at = None
        elif status != "approved" or activity.approval == "staff":
            decided_at = self._decision(exit_at)
            decided_by = self.decider(activity.area_id) if decided_at else None
            if decided_at is None:
                status = "pending"
        self._record(
            {
                "volunteer": volunteer.id,
                "activity": activity.id,
                "area": activity.area_id,
                "service_date": date.fromordinal(day_of(entry_at)),
                "source": "checkin",
                "status": status,
                "started_at": at(entry_at),
                "ended_at": at(exit_at),
                "seconds": seconds,
                "minutes": minutes,
                "reason": why or None,
                "decided_by": decided_by,
                "decided_at": at(decided_at) if decided_at else None,
                "created_at": at(entry_at),
            }
        )
        self.scans.entry(volunteer, activity, entry_at)
        self.scans.exit(volunteer, activity, entry_at, exit_at, minutes)

    def _auto_closed(
        self, volunteer: VolunteerPlan, activity: ActivityPlan, entry_at: int, status: str
    ) -> tuple[int, int | None]:
        """No exit: closed at the activity's end by policy, flagged, left for staff (id, decided at)."""
        seconds, minutes = credited(entry_at, activity.ends_at, activity)
        decided_at = self._decision(activity.ends_at) if status != "pending" else None
        record_id = self._record(
            {
                "volunteer": volunteer.id,
                "activity": activity.id,
                "area": activity.area_id,
                "service_date": date.fromordinal(day_of(entry_at)),
                "source": "checkin",
                "status": status if decided_at else "pending",
                "started_at": at(entry_at),
                "ended_at": at(activity.ends_at),
                "seconds": seconds,
                "minutes": minutes,
                "auto_closed": True,
                "decided_by": self.decider(activity.area_id) if decided_at else None,
                "decided_at": at(decided_at) if decided_at else None,
                "created_at": at(entry_at),
            }
        )
        self.scans.entry(volunteer, activity, entry_at)
        if self.rng.random() < 0.5:
            self.scans.late_exit(activity)
        return record_id, decided_at

    def _forgot_exit(
        self, volunteer: VolunteerPlan, activity: ActivityPlan, entry_at: int, exit_at: int, recent: bool
    ) -> None:
        """Forgot to check out: pending if recent, else approved as closed or corrected by a 补录."""
        if recent:
            self._auto_closed(volunteer, activity, entry_at, "pending")
        elif self.rng.random() < 0.55:
            self._auto_closed(volunteer, activity, entry_at, "approved")
        else:
            closed, decided = self._auto_closed(volunteer, activity, entry_at, "rejected")
            if decided is None:
                return
            corrected = self._manual(
                volunteer,
                activity,
                entry_at,
                exit_at,
                "补录：忘记签退，按现场签到表更正",
                corrects=closed,
                decided=decided,
            )
            self.corrections[closed] = corrected

    def _manual(
        self,
        volunteer: VolunteerPlan,
        activity: ActivityPlan,
        entry_at: int,
        exit_at: int,
        why: str,
        *,
        corrects: int | None = None,
        decided: int | None = None,
    ) -> int:
        """Staff-entered hours (补录), by the same rules; approved, or pending if recent, a few rejected."""
        seconds, minutes = credited(entry_at, exit_at, activity)
        decided_at = decided or self._decision(exit_at + 86400)
        status = "approved"
        if decided_at is None:
            status = "pending"
        elif corrects is None and self.rng.random() < 0.1:
            status, why = "rejected", "补录时长与签到表不符"
        created = decided_at - self.rng.randint(3600, 6 * 3600) if decided_at else exit_at + 86400
        return self._record(
            {
                "volunteer": volunteer.id,
                "activity": activity.id,
                "area": activity.area_id,
                "service_date": date.fromordinal(day_of(entry_at)),
                "source": "manual",
                "status": status,
                "started_at": at(entry_at),
                "ended_at": at(exit_at),
                "seconds": seconds,
                "minutes": minutes,
                "corrects": corrects,
                "reason": why,
                "decided_by": self.decider(activity.area_id) if decided_at else None,
                "decided_at": at(decided_at) if decided_at else None,
                "created_at": at(max(created, exit_at)),
            }
        )

    def finish(self) -> list[tuple[Any, ...]]:
        """Records numbered in the order they were created, as a registry in use would have them."""
        self.records.sort(key=lambda r: (r[_CREATED], r[_ID]))
        renumbered = {r[_ID]: number for number, r in enumerate(self.records, start=1)}
        records = []
        for row in self.records:
            values = list(row)
            values[_ID] = renumbered[row[_ID]]
            if row[_CORRECTS] is not None:
                values[_CORRECTS] = renumbered[row[_CORRECTS]]
            if row[_ID] in self.corrections:
                values[_REASON] = f"由补录记录 #{renumbered[self.corrections[row[_ID]]]} 更正"
            records.append(tuple(values))
        return records


def choose_active(rng: random.Random, volunteers: list[VolunteerPlan], as_of: date, count: int) -> set[int]:
    """`count` registered volunteers to be active, recent registrants more likely (weighted, no repeats)."""
    latest = as_of - timedelta(days=30)
    recent = as_of - timedelta(days=2 * 365)
    keyed = [
        (rng.random() ** (1.0 / (2.0 if v.registered_on >= recent else 1.0)), v.id)
        for v in volunteers
        if v.status == "active" and v.registered_on <= latest
    ]
    keyed.sort(reverse=True)
    return {volunteer_id for _, volunteer_id in keyed[:count]}


def records_per_active(rng: random.Random) -> int:
    """How many activity days an active volunteer served in the year: most once or twice, a core many times."""
    roll = rng.random()
    if roll < 0.55:
        return 1
    if roll < 0.77:
        return 2
    if roll < 0.87:
        return 3
    if roll < 0.94:
        return rng.randint(4, 6)
    if roll < 0.985:
        return rng.randint(7, 15)
    return rng.randint(16, 40)
