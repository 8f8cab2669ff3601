"""Rules for activities: their time window, check-in settings, organisers and status."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import msgspec
from piccolo.columns import Column

from volunteers import access, audit, clock, db
from volunteers.access import Caller
from volunteers.activities.categories import active_category_id
from volunteers.activities.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPatch,
)
from volunteers.activities.tables import Activity, ActivityTeam
from volunteers.areas import area_for_write
from volunteers.checkin.service import issue_code_if_none
from volunteers.errors import Conflict, Invalid, NotFound
from volunteers.fields import LOCAL_TZ, check_day, local_day, required_text, today, years_after
from volunteers.teams.tables import Team
from volunteers.venues import venue_for_write

STATUS_LABELS = {"draft": "草稿", "published": "已发布", "completed": "已完成", "cancelled": "已取消"}
OPEN = ("draft", "published")  # statuses in which an activity may still be edited
MAX_TEAMS = 20
MAX_LENGTH = timedelta(days=31)
YEARS_AHEAD = 2  # activities planned further ahead than this are typing mistakes
# (lowest, highest, label) of the numeric settings, as the table's CHECK constraints allow them.
RANGES: dict[str, tuple[int, int, str]] = {
    "capacity": (1, 100_000, "人数上限"),
    "opens_before_minutes": (0, 1440, "开始前可签到的分钟数"),
    "closes_after_minutes": (0, 1440, "结束后可签退的分钟数"),
    "rounding_minutes": (1, 240, "时长取整的分钟数"),
    "daily_cap_minutes": (1, 1440, "每日时长上限（分钟）"),
}
SETTINGS = ("opens_before_minutes", "closes_after_minutes", "rounding_minutes", "daily_cap_minutes")


# ---- reading activities -----------------------------------------------------------------------


async def _row(activity_id: int) -> dict[str, Any] | None:
    rows = await db.fetch("activities/rows", [activity_id])
    return dict(rows[0]) if rows else None


def _out(row: dict[str, Any]) -> ActivityOut:
    fields = {f: row[f] for f in ActivityOut.__struct_fields__ if f not in ("starts_at", "ends_at", "team_ids")}
    return ActivityOut(
        **fields,
        team_ids=list(row["team_ids"]),
        starts_at=row["starts_at"].astimezone(LOCAL_TZ),
        ends_at=row["ends_at"].astimezone(LOCAL_TZ),
    )


async def _readable(caller: Caller, activity_id: int) -> dict[str, Any]:
    return access.readable(caller, await _row(activity_id), f"活动 {activity_id} 不存在")


async def activity_for_write(caller: Caller, activity_id: int) -> dict[str, Any]:
    """The activity row (status, area_id/area_path, times, check-in settings…) if the caller may change it.

    404 when it is outside the caller's read scope, 403 when the caller may read but not write it.
    """
    return access.writable(caller, await _row(activity_id), f"活动 {activity_id} 不存在", "该活动", hide_outside=True)


async def get_activity(caller: Caller, activity_id: int) -> ActivityOut:
    """One activity in the caller's subtree."""
    return _out(await _readable(caller, activity_id))


def _day_start(day: date) -> datetime:
    """Midnight in Beijing starting `day` (clamped to dates PostgreSQL and Python both handle)."""
    day = min(max(day, date(1900, 1, 1)), date(2200, 12, 31))
    return datetime.combine(day, time(), LOCAL_TZ)


async def list_activities(
    caller: Caller,
    *,
    area: str | None,
    team: int | None,
    venue: int | None,
    category: str | None,
    status: str | None,
    from_: date | None,
    to: date | None,
    limit: int,
    offset: int,
) -> tuple[list[ActivityOut], int]:
    """Activities in the caller's subtree matching the filters; from/to keep those overlapping those Beijing dates."""
    if from_ is not None and to is not None and to < from_:
        raise Invalid(f"结束日期 {to} 早于开始日期 {from_}", field="to", code="to_before_from")
    start = _day_start(from_) if from_ is not None else None
    end = _day_start(to) + timedelta(days=1) if to is not None else None
    hits = await db.fetch(
        "activities/search", caller.scope_prefix, area, team, venue, category, status, start, end, limit, offset
    )
    ids = [h["id"] for h in hits if h["id"] is not None]
    rows = await db.fetch("activities/rows", ids) if ids else []
    return [_out(dict(r)) for r in rows], hits[0]["total"]


# ---- writing activities -----------------------------------------------------------------------


# What `fromisoformat` is given: date, hours and minutes, optional seconds and fraction, optional offset.
# (It alone would also take "20260501T0900" or a trailing NUL.)
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def parse_moment(text: str, field: str) -> datetime:
    """An ISO 8601 date-time; one without a timezone is Beijing time. Dates far off are refused."""
    what = "开始时间" if field == "starts_at" else "结束时间"
    try:
        if not _ISO_MOMENT.fullmatch(text.strip()):
            raise ValueError(text)
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            f"{what}（{field}）不是有效的日期时间，应如 2026-05-01T09:00 或 2026-05-01T09:00:00+08:00",
            field=field,
            code="invalid_datetime",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    check_day(local_day(value), field, what, latest=years_after(today(), YEARS_AHEAD))
    return value


def check_activity_rules(starts_at: datetime, ends_at: datetime, numbers: dict[str, int | None]) -> None:
    """The time window and the numeric settings, as one activity will hold them."""
    if ends_at <= starts_at:
        raise Invalid(
            f"结束时间（{ends_at.isoformat()}）必须晚于开始时间（{starts_at.isoformat()}）",
            field="ends_at",
            code="ends_before_start",
        )
    if ends_at - starts_at > MAX_LENGTH:
        raise Invalid(
            f"活动时长不能超过 {MAX_LENGTH.days} 天；更长的项目请按期分别登记活动", field="ends_at", code="too_long"
        )
    for field, value in numbers.items():
        low, high, label = RANGES[field]
        if value is not None and not low <= value <= high:
            raise Invalid(
                f"{label}（{field}）应在 {low} 到 {high} 之间，收到 {value}", field=field, code="out_of_range"
            )


async def _teams_for_write(caller: Caller, team_ids: list[int]) -> list[int]:
    """The distinct organising teams, each existing, active and writable by the caller."""
    unique = list(dict.fromkeys(team_ids))
    if len(unique) > MAX_TEAMS:
        raise Invalid(
            f"一个活动最多由 {MAX_TEAMS} 个服务队组织，收到 {len(unique)} 个", field="team_ids", code="too_many_teams"
        )
    if not unique:
        return []
    rows = await Team.select(Team.id, Team.status, Team.area.path.as_alias("area_path")).where(Team.id.is_in(unique))
    found = {r["id"]: r for r in rows}
    missing = [str(i) for i in unique if i not in found]
    if missing:
        raise Invalid(f"服务队 {', '.join(missing)} 不存在", field="team_ids", code="unknown_team")
    for team_id in unique:
        caller.require_write(found[team_id]["area_path"], f"服务队（{team_id}）")
    dissolved = [str(i) for i in unique if found[i]["status"] != "active"]
    if dissolved:
        raise Invalid(f"服务队 {', '.join(dissolved)} 已解散，不能组织活动", field="team_ids", code="team_dissolved")
    return unique


async def _set_teams(activity_id: int, team_ids: list[int]) -> None:
    await ActivityTeam.delete().where(ActivityTeam.activity == activity_id)
    if team_ids:
        await ActivityTeam.insert(*[ActivityTeam(activity=activity_id, team=t) for t in team_ids])


async def create_activity(caller: Caller, data: ActivityIn) -> ActivityOut:
    """Register a draft activity in an area the caller may write."""
    title = required_text(data.title, "title", "活动名称")
    starts_at, ends_at = parse_moment(data.starts_at, "starts_at"), parse_moment(data.ends_at, "ends_at")
    settings = {f: getattr(data, f) for f in SETTINGS}
    check_activity_rules(starts_at, ends_at, {"capacity": data.capacity, **settings})
    area = await area_for_write(caller, data.area_code)
    category_id = await active_category_id(data.category)
    venue_id = (await venue_for_write(caller, data.venue_id))["id"] if data.venue_id is not None else None
    team_ids = await _teams_for_write(caller, data.team_ids)
    async with Activity._meta.db.transaction():
        rows = await Activity.insert(
            Activity(
                title=title,
                category=category_id,
                area=area["id"],
                venue=venue_id,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=data.capacity,
                status="draft",
                reentry_allowed=data.reentry_allowed,
                approval=data.approval,
                **settings,
            )
        ).returning(Activity.id)
        activity_id = rows[0]["id"]
        await _set_teams(activity_id, team_ids)
        out = _out(await _current(activity_id))
        await audit.record(caller, "create", "activity", activity_id, area_id=area["id"], after=out)
    return out


async def _current(activity_id: int) -> dict[str, Any]:
    row = await _row(activity_id)
    if row is None:  # activities are never deleted; kept for the type checker
        raise NotFound(f"活动 {activity_id} 不存在")
    return row


async def _lock(activity_id: int) -> None:
    """Hold the activity row until the transaction ends, so checks and change see the same row."""
    if await db.fetchrow("activities/lock", activity_id) is None:
        raise NotFound(f"活动 {activity_id} 不存在")


def _require_open(status: str) -> None:
    if status not in OPEN:
        raise Conflict(
            f"活动{STATUS_LABELS[status]}，不能再修改", code="activity_closed", extra={"current_status": status}
        )


_PLAIN = ("title", "capacity", "reentry_allowed", "approval", *SETTINGS)


async def update_activity(caller: Caller, activity_id: int, data: ActivityPatch) -> ActivityOut:
    """Change a draft or published activity; the result must satisfy every creation rule."""
    given = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
    async with Activity._meta.db.transaction():
        await _lock(activity_id)
        row = await activity_for_write(caller, activity_id)
        _require_open(row["status"])
        changes = await _changes(caller, row, given)
        await Activity.update(changes).where(Activity.id == activity_id)
        if "team_ids" in given:
            await _set_teams(activity_id, await _teams_for_write(caller, given["team_ids"]))
        before, after = _out(row), _out(await _current(activity_id))
        area_id = changes.get(Activity.area, row["area_id"])
        await audit.record(caller, "update", "activity", activity_id, area_id=area_id, before=before, after=after)
    return after


async def _changes(caller: Caller, row: dict[str, Any], given: dict[str, Any]) -> dict[Column | str, Any]:
    """The column values a patch sets, once the activity it leaves behind passes every rule."""
    if "title" in given:
        given["title"] = required_text(given["title"], "title", "活动名称")
    starts_at = parse_moment(given["starts_at"], "starts_at") if "starts_at" in given else row["starts_at"]
    ends_at = parse_moment(given["ends_at"], "ends_at") if "ends_at" in given else row["ends_at"]
    check_activity_rules(starts_at, ends_at, {f: given.get(f, row[f]) for f in RANGES})
    changes: dict[Column | str, Any] = {Activity._meta.get_column_by_name(f): given[f] for f in _PLAIN if f in given}
    changes[Activity.starts_at], changes[Activity.ends_at] = starts_at, ends_at
    if "area_code" in given:
        changes[Activity.area] = (await area_for_write(caller, given["area_code"]))["id"]
    if "category" in given:
        changes[Activity.category] = await active_category_id(given["category"])
    if "venue_id" in given:
        venue = given["venue_id"]
        changes[Activity.venue] = (await venue_for_write(caller, venue))["id"] if venue is not None else None
    return changes


# action -> (the status it leads to, the statuses it may start from, the verb staff read in a refusal)
TRANSITIONS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "publish": ("published", ("draft",), "发布"),
    "cancel": ("cancelled", ("draft", "published"), "取消"),
    "complete": ("completed", ("published",), "标记为完成"),
}


async def change_status(caller: Caller, activity_id: int, action: str, reason: str | None = None) -> ActivityOut:
    """Publish, cancel or complete an activity (draft → published → completed, or → cancelled); audited.
    Publishing issues the check-in code unless the activity already has a live one."""
    to, sources, verb = TRANSITIONS[action]
    async with Activity._meta.db.transaction():
        await _lock(activity_id)
        row = await activity_for_write(caller, activity_id)
        status = row["status"]
        if status not in sources:
            allowed = "、".join(f"「{STATUS_LABELS[s]}」" for s in sources)
            raise Conflict(
                f"活动当前状态为「{STATUS_LABELS[status]}」（{status}），只有{allowed}的活动可以{verb}",
                code="invalid_transition",
                extra={"current_status": status},
            )
        before = _out(row)
        await Activity.update({Activity.status: to}).where(Activity.id == activity_id)
        if to == "published":  # volunteers check in by the code on the poster from the moment it is published
            await issue_code_if_none(activity_id)
        if to == "completed":  # the missing-exit policy: whoever is still inside is closed at the end (or now)
            await db.fetch("checkin/close_open_records", activity_id, clock.now())
        after = _out(await _current(activity_id))
        logged: Any = after if reason is None else {**msgspec.to_builtins(after), "reason": reason}
        await audit.record(caller, action, "activity", activity_id, area_id=row["area_id"], before=before, after=logged)
    return after
