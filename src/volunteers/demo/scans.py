"""The demo's scan log: one row per check-in or check-out attempt, refusals included, each with
the answer checkin_scan() (sql/checkin/functions.sql) would have given the phone."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from volunteers.demo.activities import ActivityPlan, at
from volunteers.demo.roster import VolunteerPlan

SCAN_COLUMNS = tuple("at code activity area volunteer action method nonce result staff reason client response".split())  # noqa: SIM905
_ENCODE = msgspec.json.Encoder().encode
_NO_ACTIVITY: dict[str, Any] = {"activity_id": None, "activity_title": None, "opens_at": None, "closes_at": None}
_NETWORKS = ("223.104", "117.136", "112.97", "39.144")  # mobile carriers' address blocks
_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


@dataclass(slots=True)
class ScanLog:
    """Scan rows; `decider(area_id)` is the staff user scanning for volunteers there."""

    rng: random.Random
    decider: Callable[[int], int]
    numbers: dict[int, tuple[str, str]]  # volunteer id -> (volunteer number, name)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    _answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    _clients: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = self.rng
        self._clients = [f"{rng.choice(_NETWORKS)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(4096)]

    def entry(self, volunteer: VolunteerPlan, activity: ActivityPlan, entry_at: int) -> None:
        """A check-in, sometimes after a refused early or mistyped try, sometimes scanned twice."""
        rng = self.rng
        if rng.random() < 0.004:  # too early: refused before the volunteer is even looked up
            opens = activity.starts_at - activity.opens_before * 60
            self.add(None, activity, opens - rng.randint(60, 1800), "in", "not_open_yet")
        if rng.random() < 0.003:  # a mistyped phone number first
            self.add(None, activity, entry_at - rng.randint(20, 120), "in", "unknown_volunteer")
        self.add(volunteer, activity, entry_at, "in", "ok")
        if rng.random() < 0.015:  # scanned the poster twice: told the time of the first entry
            again = entry_at + rng.randint(60, 600)
            self.add(volunteer, activity, again, "in", "already_checked_in", answer_at=entry_at)

    def exit(self, volunteer: VolunteerPlan, activity: ActivityPlan, entry_at: int, exit_at: int, minutes: int) -> None:
        """A check-out, answered with the credited minutes and the record's status."""
        status = "approved" if activity.approval == "auto" else "pending"
        extra = {"minutes": minutes, "started_at": at(entry_at), "status": status}
        self.add(volunteer, activity, exit_at, "out", "ok", extra=extra)

    def late_exit(self, activity: ActivityPlan) -> None:
        """A check-out tried after the window had closed (the record was closed by policy)."""
        late = activity.ends_at + activity.closes_after * 60 + self.rng.randint(600, 7200)
        self.add(None, activity, late, "out", "closed")

    def refusals_without_record(self, activities: list[ActivityPlan]) -> None:
        """Scans of cancelled activities, of rotated (revoked) codes, and of codes that never existed."""
        rng = self.rng
        for activity in activities:
            if activity.status == "cancelled" and activity.code:
                for _ in range(rng.randint(0, 3)):
                    self.add(None, activity, activity.starts_at + rng.randint(-1800, 600), "in", "cancelled")
            if activity.old_code and activity.status == "completed":
                for _ in range(rng.randint(1, 3)):
                    when = activity.starts_at + rng.randint(-1200, 600)
                    self.add(None, None, when, "in", "revoked", code=activity.old_code)
        past = [a for a in activities if a.status == "completed"]
        for activity in rng.sample(past, min(30, len(past))):
            garbled = "".join(rng.choice(_CODE_ALPHABET) for _ in range(16))
            self.add(None, None, activity.starts_at + rng.randint(0, 1800), "in", "unknown_code", code=garbled)

    def add(
        self,
        volunteer: VolunteerPlan | None,
        activity: ActivityPlan | None,
        when: int,
        action: str,
        result: str,
        *,
        extra: dict[str, Any] | None = None,
        answer_at: int | None = None,
        code: str | None = None,
    ) -> None:
        """One row: by link mostly, by staff or kiosk for some volunteers; refusals name no volunteer."""
        rng = self.rng
        roll = rng.random()
        method = "link" if roll < 0.93 or volunteer is None else "staff" if roll < 0.99 else "kiosk"
        staff = self.decider(activity.area_id) if method == "staff" and activity else None
        number, name = self.numbers[volunteer.id] if volunteer else (None, None)
        moment = at(when)
        answer = {
            "result": result,
            "action": action,
            "at": at(answer_at) if answer_at else moment,
            **self._about(activity),
            "volunteer_no": number,
            "volunteer_name": name,
            **(extra or {}),
        }
        client = self._clients[rng.getrandbits(12)]
        self.rows.append(
            (
                moment,
                code if code is not None else (activity.code if activity and method != "staff" else None),
                activity.id if activity else None,
                activity.area_id if activity else None,
                volunteer.id if volunteer else None,
                action,
                method,
                f"{when * 1000 + rng.randrange(1000):011x}{rng.getrandbits(64):016x}",  # time-ordered, like UUIDv7
                result,
                staff,
                "现场代为签到" if staff else None,
                f"10.18.{client.split('.', 2)[2]}" if staff else client,
                _ENCODE(answer).decode(),
            )
        )

    def _about(self, activity: ActivityPlan | None) -> dict[str, Any]:
        """The activity's part of an answer (computed once per activity)."""
        if activity is None:
            return _NO_ACTIVITY
        about = self._answers.get(activity.id)
        if about is None:
            about = {
                "activity_id": activity.id,
                "activity_title": activity.title,
                "opens_at": at(activity.starts_at - activity.opens_before * 60),
                "closes_at": at(activity.ends_at + activity.closes_after * 60),
            }
            self._answers[activity.id] = about
        return about

    def in_time_order(self) -> list[tuple[Any, ...]]:
        """The rows as the log would hold them: ids follow time."""
        self.rows.sort(key=lambda row: row[0])
        return self.rows
