"""Importing activities: the activities API's rules; upsert by title + area + start.

New activities take the API's default check-in settings. Their status is the row's, or, when
blank, completed for an activity that has ended and draft otherwise. A stored activity that
is completed or cancelled cannot change (as in the API), and status is never changed by import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from volunteers import clock, db
from volunteers.activities.schemas import ActivityIn
from volunteers.activities.service import (
    MAX_TEAMS,
    OPEN,
    SETTINGS,
    STATUS_LABELS,
    check_activity_rules,
    parse_moment,
)
from volunteers.activities.tables import ActivityCategory
from volunteers.errors import Invalid
from volunteers.fields import required_text
from volunteers.transfer import cells
from volunteers.transfer.checks import FAILED, RowCheck, conform
from volunteers.transfer.columns import ACTIVITIES
from volunteers.transfer.kinds.base import KindImport, Plan

# The check-in settings a new activity gets when the API is not told otherwise.
_DEFAULTS = ActivityIn(title="", category="", area_code="", starts_at="", ends_at="")
_DEFAULT_SETTINGS = {name: getattr(_DEFAULTS, name) for name in SETTINGS}


@dataclass(slots=True)
class ActivityRow:
    row: RowCheck
    title: str
    category: int
    area: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    venue: int | None
    capacity: int | None
    status: str | None
    team_ids: list[int] | None


class ActivityImport(KindImport):
    spec = ACTIVITIES
    staging = "activity"
    columns = (
        "row_no",
        "title",
        "category",
        "area",
        "venue",
        "starts_at",
        "ends_at",
        "capacity",
        "status",
        "team_ids",
        "set_teams",
    )

    async def prepare(self) -> None:
        prefix = f"{self.scope.area['path']}%"
        self.categories = await ActivityCategory.select(
            ActivityCategory.id, ActivityCategory.code, ActivityCategory.name, ActivityCategory.is_active
        )
        self.venues: dict[str, list[dict[str, Any]]] = {}
        for record in await db.fetch("transfer/venues_in_area", prefix):
            self.venues.setdefault(record["name"], []).append(dict(record))
        self.teams: dict[str, list[dict[str, Any]]] = {}
        for record in await db.fetch("transfer/teams_in_area", prefix):
            self.teams.setdefault(record["name"], []).append(dict(record))

    def check(self, row: RowCheck) -> ActivityRow | None:
        title = row.read("title", cells.text)
        category = row.read("category", cells.text)
        on = row.read("date", cells.day)
        starts_at = row.read("starts_at", cells.moment, on if on is not FAILED else None)
        ends_on = starts_at.date() if isinstance(starts_at, datetime) and on is None else on
        ends_at = row.read("ends_at", cells.moment, ends_on if ends_on is not FAILED else None)
        venue = row.read("venue", cells.text)
        team_names = row.read("teams", cells.items)
        capacity = row.read("capacity", cells.whole)
        status = row.read("status", cells.choice, cells.ACTIVITY_STATUSES, "状态")
        area = self.scope.area_of(row)
        for name, value, label in (("title", title, "活动名称"), ("category", category, "活动类别")):
            if value is None:
                row.error(name, "required", f"{label}不能为空")
        for name, value, label in (("starts_at", starts_at, "开始时间"), ("ends_at", ends_at, "结束时间")):
            if value is None:
                row.error(name, "required", f"{label}不能为空")
        if not row.ok or area is None:
            return None
        given = {
            "title": title,
            "category": category,
            "area_code": area["code"],
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "capacity": capacity,
        }
        if not conform(row, {k: v for k, v in given.items() if v is not None}, ActivityIn):
            return None
        title = row.attempt(required_text, title, "title", "活动名称")
        starts_at = row.attempt(parse_moment, starts_at.isoformat(), "starts_at")
        ends_at = row.attempt(parse_moment, ends_at.isoformat(), "ends_at")
        if FAILED in (title, starts_at, ends_at):
            return None
        row.attempt(check_activity_rules, starts_at, ends_at, {"capacity": capacity, **_DEFAULT_SETTINGS})
        category_id = row.attempt(self._category, category)
        venue_id = self._venue(row, venue, area) if venue is not None else None
        team_ids = self._teams(row, team_names, area) if team_names is not None else None
        if status == "completed" and ends_at > clock.now():
            row.error("status", "not_ended", "活动尚未结束，不能导入为已完成")
        if not row.ok:
            return None
        return ActivityRow(row, title, category_id, area, starts_at, ends_at, venue_id, capacity, status, team_ids)

    def _category(self, ref: str) -> int:
        """As the API finds a category: by code (preferred) or Chinese name, and only an active one."""
        found = sorted((c for c in self.categories if ref in (c["code"], c["name"])), key=lambda c: c["code"] != ref)
        if not found or not found[0]["is_active"]:
            raise Invalid(f"活动类别「{ref}」不存在或已停用", field="category", code="unknown_category")
        category_id: int = found[0]["id"]
        return category_id

    def _venue(self, row: RowCheck, name: str, area: dict[str, Any]) -> int | None:
        """A venue of that name in the import's subtree, preferring the row's own area."""
        named = self.venues.get(name, [])
        here = [v for v in named if v["area_id"] == area["id"]] or named
        if len(here) == 1:
            venue_id: int = here[0]["id"]
            return venue_id
        if here:
            row.error(
                "venue", "ambiguous_venue", f"有 {len(here)} 个名为「{name}」的阵地，请在活动所属社区中登记唯一名称"
            )
        else:
            row.error("venue", "unknown_venue", f"阵地「{name}」不存在，或不在本次导入的区域之内")
        return None

    def _teams(self, row: RowCheck, names: list[str], area: dict[str, Any]) -> list[int]:
        """The organising teams, as the API wants them: existing, writable, active, at most 20."""
        ids: list[int] = []
        for name in dict.fromkeys(names):
            named = self.teams.get(name, [])
            here = [t for t in named if t["area_id"] == area["id"]] or named
            if len(here) != 1:
                why = (
                    f"有 {len(here)} 个名为「{name}」的服务队"
                    if here
                    else f"服务队「{name}」不存在或不在本次导入的区域之内"
                )
                row.error("teams", "unknown_team" if not here else "ambiguous_team", why)
            elif here[0]["status"] != "active":
                row.error("teams", "team_dissolved", f"服务队「{name}」已解散，不能组织活动")
            else:
                ids.append(here[0]["id"])
        if len(ids) > MAX_TEAMS:
            row.error("teams", "too_many_teams", f"一个活动最多由 {MAX_TEAMS} 个服务队组织，收到 {len(ids)} 个")
        return sorted(ids)

    def keys(self, candidate: ActivityRow) -> list[tuple[str, Any]]:
        return [("title", (candidate.title, candidate.area["id"], candidate.starts_at))]

    async def resolve(self, conn: asyncpg.Connection[Any], candidates: list[ActivityRow]) -> Plan:
        stored = await conn.fetch(
            db.sql("transfer/activity_existing"),
            [c.title for c in candidates],
            [c.area["id"] for c in candidates],
            [c.starts_at for c in candidates],
        )
        by_key = {(r["title"], r["area"], r["starts_at"]): dict(r) for r in stored}
        plan = Plan()
        now = clock.now()
        for c in candidates:
            current = by_key.get((c.title, c.area["id"], c.starts_at))
            if current is None:
                status = c.status or ("completed" if c.ends_at <= now else "draft")
                plan.inserts.append(self._values(c, c.venue, c.capacity, status, c.team_ids))
                continue
            venue = c.venue if c.venue is not None else current["venue"]
            capacity = c.capacity if c.capacity is not None else current["capacity"]
            team_ids = c.team_ids if c.team_ids is not None else list(current["team_ids"])
            wanted = (c.category, c.ends_at, venue, capacity, team_ids)
            if c.status is not None and c.status != current["status"]:
                c.row.error(
                    "status",
                    "status_not_imported",
                    f"已登记活动的状态（{STATUS_LABELS[current['status']]}）请在系统中发布、取消或完成，导入不会修改",
                )
            elif wanted == (
                current["category"],
                current["ends_at"],
                current["venue"],
                current["capacity"],
                list(current["team_ids"]),
            ):
                plan.unchanged += 1
            elif current["status"] not in OPEN:
                c.row.error("title", "activity_closed", f"活动{STATUS_LABELS[current['status']]}，不能再修改")
            else:
                plan.updates.append((current["id"], *self._values(c, venue, capacity, current["status"], team_ids)))
        return plan

    @staticmethod
    def _values(
        c: ActivityRow, venue: int | None, capacity: int | None, status: str, team_ids: list[int] | None
    ) -> tuple[Any, ...]:
        return (
            c.row.number,
            c.title,
            c.category,
            c.area["id"],
            venue,
            c.starts_at,
            c.ends_at,
            capacity,
            status,
            team_ids or [],
            team_ids is not None,
        )

    def insert_arguments(self) -> tuple[Any, ...]:
        return (*_DEFAULT_SETTINGS.values(), _DEFAULTS.reentry_allowed, _DEFAULTS.approval)

    async def after_write(self, conn: asyncpg.Connection[Any]) -> None:
        await conn.execute(db.sql("transfer/activity_teams"))
