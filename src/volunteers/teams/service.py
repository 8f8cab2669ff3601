"""Rules for teams and the volunteers in them."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
from msgspec import UNSET
from piccolo.columns import Column
from piccolo.custom_types import Combinable

from volunteers import access, audit, db
from volunteers.access import Caller
from volunteers.areas import service as areas
from volunteers.areas.tables import Area
from volunteers.errors import Conflict, Forbidden, Invalid, NotFound, register_constraint
from volunteers.fields import check_day, like_literal, required_text, today
from volunteers.people.tables import Volunteer
from volunteers.teams.schemas import (
    LeaveIn,
    MembershipIn,
    MembershipOut,
    RolePatch,
    TeamIn,
    TeamOut,
    TeamPatch,
)
from volunteers.teams.tables import Membership, Team

# These constraints settle races (for open memberships the index is the only check);
# a violation reads the same as the service's own refusal.
register_constraint("team_name_area_unique", 409, "duplicate_team", "name", "同一区域内已有同名服务队")
register_constraint("membership_open_unique", 409, "already_member", "volunteer_id", "该志愿者已是本队成员")
register_constraint("membership_dates_ordered", 422, "left_before_joined", "left_on", "退出日期不能早于加入日期")

_TEAM_COLUMNS = (
    Team.id,
    Team.name,
    Team.area.code.as_alias("area_code"),
    Team.sponsor,
    Team.founded_on,
    Team.categories,
    Team.status,
)
_MEMBERSHIP_COLUMNS = (
    Membership.id,
    Membership.team.as_alias("team_id"),
    Membership.team.name.as_alias("team_name"),
    Membership.volunteer.as_alias("volunteer_id"),
    Membership.volunteer.volunteer_no.as_alias("volunteer_no"),
    Membership.volunteer.name.as_alias("volunteer_name"),
    Membership.role,
    Membership.joined_on,
    Membership.left_on,
)

_TEAM_FIELDS: dict[str, Column] = {
    "name": Team.name,
    "sponsor": Team.sponsor,
    "founded_on": Team.founded_on,
    "categories": Team.categories,
    "status": Team.status,
    "area_id": Team.area,
}


def clean_categories(values: list[str]) -> list[str]:
    """Trimmed, non-blank, each once, in the order given."""
    cleaned = [required_text(v, "categories", "服务类别") for v in values]
    return list(dict.fromkeys(cleaned))


# --- teams ---------------------------------------------------------------------------------------


async def _team_row(team_id: int) -> dict[str, Any] | None:
    """A team with the id and path of its area, whoever may see it."""
    return await (
        Team.select(*_TEAM_COLUMNS, Team.area.as_alias("area_id"), Team.area.path.as_alias("area_path"))
        .where(Team.id == team_id)
        .first()
    )


async def _team_for_read(caller: Caller, team_id: int) -> dict[str, Any]:
    return access.readable(caller, await _team_row(team_id), f"服务队 {team_id} 不存在")


async def _team_for_write(caller: Caller, team_id: int) -> dict[str, Any]:
    """A team the caller may change: absent → 404; outside the subtree or read-only role → 403."""
    return access.writable(caller, await _team_row(team_id), f"服务队 {team_id} 不存在", "该服务队")


async def _with_member_counts(rows: list[dict[str, Any]]) -> list[TeamOut]:
    counts = {r["team_id"]: r["members"] for r in await db.fetch("teams/open_member_counts", [r["id"] for r in rows])}
    fields = TeamOut.__struct_fields__
    return [TeamOut(**{f: row[f] for f in fields if f != "members"}, members=counts.get(row["id"], 0)) for row in rows]


async def _team_out(row: dict[str, Any]) -> TeamOut:
    return (await _with_member_counts([row]))[0]


async def _refuse_duplicate_name(area_id: int, name: str, except_id: int | None = None) -> None:
    where: Combinable = (Team.area == area_id) & (Team.name == name)
    if except_id is not None:
        where = where & (Team.id != except_id)
    if await Team.exists().where(where):
        raise Conflict(f"该区域内已有名为“{name}”的服务队", field="name", code="duplicate_team")


def _refuse_duplicate_race(exc: asyncpg.UniqueViolationError, name: str) -> None:
    """A concurrent request took the name between our check and our write."""
    if exc.constraint_name == "team_name_area_unique":
        raise Conflict(f"该区域内已有名为“{name}”的服务队", field="name", code="duplicate_team") from exc


async def get_team(caller: Caller, team_id: int) -> TeamOut:
    """One team in the caller's subtree."""
    return await _team_out(await _team_for_read(caller, team_id))


async def create_team(caller: Caller, data: TeamIn) -> TeamOut:
    """Register a team in an area the caller may write to."""
    name = required_text(data.name, "name", "服务队名称")
    sponsor = required_text(data.sponsor, "sponsor", "发起单位")
    categories = clean_categories(data.categories)
    if data.founded_on is not None:
        check_day(data.founded_on, "founded_on", "成立日期")
    area = await areas.area_for_write(caller, data.area_code)
    await _refuse_duplicate_name(area["id"], name)
    async with Team._meta.db.transaction():
        try:
            rows = await Team.insert(
                Team(name=name, area=area["id"], sponsor=sponsor, founded_on=data.founded_on, categories=categories)
            ).returning(Team.id)
        except asyncpg.UniqueViolationError as exc:
            _refuse_duplicate_race(exc, name)
            raise
        out = await get_team(caller, rows[0]["id"])
        await audit.record(caller, "create", "team", out.id, area_id=area["id"], after=out)
    return out


async def update_team(caller: Caller, team_id: int, data: TeamPatch) -> TeamOut:
    """Change a team's details or status, or move it to another area (both areas writable)."""
    row = await _team_for_write(caller, team_id)
    wanted: dict[str, Any] = {}
    if data.name is not UNSET:
        wanted["name"] = required_text(data.name, "name", "服务队名称")
    if data.sponsor is not UNSET:
        wanted["sponsor"] = required_text(data.sponsor, "sponsor", "发起单位")
    if data.founded_on is not UNSET:
        if data.founded_on is not None:
            check_day(data.founded_on, "founded_on", "成立日期")
        wanted["founded_on"] = data.founded_on
    if data.categories is not UNSET:
        wanted["categories"] = clean_categories(data.categories)
    if data.status is not UNSET:
        wanted["status"] = data.status
    if data.area_code is not UNSET and data.area_code != row["area_code"]:
        wanted["area_id"] = (await areas.area_for_write(caller, data.area_code))["id"]
    # Only real differences count: a PATCH that repeats the current values changes and audits nothing.
    changed = {key: value for key, value in wanted.items() if value != row[key]}
    name, area_id = changed.get("name", row["name"]), changed.get("area_id", row["area_id"])
    changes: dict[Column | str, Any] = {_TEAM_FIELDS[key]: value for key, value in changed.items()}
    before = await _team_out(row)
    if not changes:
        return before
    if "name" in changed or "area_id" in changed:
        await _refuse_duplicate_name(area_id, name, except_id=team_id)
    async with Team._meta.db.transaction():
        try:
            await Team.update(changes).where(Team.id == team_id)
        except asyncpg.UniqueViolationError as exc:
            _refuse_duplicate_race(exc, name)
            raise
        after = await _team_out(await _team_for_read(caller, team_id))
        await audit.record(caller, "update", "team", team_id, area_id=area_id, before=before, after=after)
    return after


async def list_teams(
    caller: Caller, *, area: str | None, q: str | None, status: str | None, limit: int, offset: int
) -> tuple[list[TeamOut], int]:
    """Teams in the caller's subtree, optionally in one area's subtree, matching a name or sponsor."""
    where: Combinable = Team.area.path.like(caller.scope_prefix)
    if area is not None:
        chosen = await Area.select(Area.path).where(Area.code == area).first()
        if chosen is None:
            return [], 0
        where = where & Team.area.path.like(f"{chosen['path']}%")
    if q is not None and q.strip():
        pattern = f"%{like_literal(q.strip())}%"
        where = where & (Team.name.ilike(pattern) | Team.sponsor.ilike(pattern))
    if status is not None:
        where = where & (Team.status == status)
    rows = await Team.select(*_TEAM_COLUMNS).where(where).order_by(Team.id).limit(limit).offset(offset)
    return await _with_member_counts(rows), await Team.count().where(where)


# --- memberships ---------------------------------------------------------------------------------


async def _volunteer_row(volunteer_id: int) -> dict[str, Any] | None:
    return await (
        Volunteer.select(
            Volunteer.id, Volunteer.status, Volunteer.registered_on, Volunteer.area.path.as_alias("area_path")
        )
        .where(Volunteer.id == volunteer_id)
        .first()
    )


async def _membership(membership_id: int) -> MembershipOut:
    row = await Membership.select(*_MEMBERSHIP_COLUMNS).where(Membership.id == membership_id).first()
    assert row is not None  # the caller has just read or written it, in the same transaction
    return MembershipOut(**row)


async def _open_membership(team_id: int, volunteer_id: int) -> MembershipOut:
    row = await (
        Membership.select(*_MEMBERSHIP_COLUMNS)
        .where((Membership.team == team_id) & (Membership.volunteer == volunteer_id) & Membership.left_on.is_null())
        .first()
    )
    if row is None:
        raise NotFound(f"志愿者 {volunteer_id} 目前不是服务队 {team_id} 的成员")
    return MembershipOut(**row)


async def _check_joined_on(team: dict[str, Any], volunteer: dict[str, Any], joined_on: date) -> None:
    check_day(joined_on, "joined_on", "加入日期")
    if joined_on < volunteer["registered_on"]:
        raise Invalid(
            f"加入日期（{joined_on}）不能早于该志愿者的注册日期（{volunteer['registered_on']}）",
            field="joined_on",
            code="joined_before_registered",
        )
    if team["founded_on"] is not None and joined_on < team["founded_on"]:
        raise Invalid(
            f"加入日期（{joined_on}）不能早于服务队的成立日期（{team['founded_on']}）",
            field="joined_on",
            code="joined_before_founded",
        )
    last_left = await (
        Membership.select(Membership.left_on)
        .where((Membership.team == team["id"]) & (Membership.volunteer == volunteer["id"]))
        .where(Membership.left_on.is_not_null())
        .order_by(Membership.left_on, ascending=False)
        .first()
    )
    if last_left is not None and joined_on < last_left["left_on"]:
        raise Invalid(
            f"加入日期（{joined_on}）不能早于该志愿者上次退出本队的日期（{last_left['left_on']}）",
            field="joined_on",
            code="joined_before_last_left",
        )


async def add_member(caller: Caller, team_id: int, data: MembershipIn) -> MembershipOut:
    """Put a volunteer of the caller's subtree into a team the caller may change."""
    team = await _team_for_write(caller, team_id)
    volunteer = access.within(
        caller,
        await _volunteer_row(data.volunteer_id),
        unknown=Invalid(f"志愿者 {data.volunteer_id} 不存在", field="volunteer_id", code="unknown_volunteer"),
        outside=Forbidden("该志愿者不在您管辖的区域内，不能加入服务队", field="volunteer_id", code="outside_scope"),
    )
    if team["status"] == "dissolved":
        raise Conflict("服务队已解散，不能再加入成员", code="team_dissolved")
    if volunteer["status"] == "withdrawn":
        raise Conflict("该志愿者已注销，不能加入服务队", field="volunteer_id", code="volunteer_withdrawn")
    joined_on = data.joined_on or today()
    await _check_joined_on(team, volunteer, joined_on)
    # The partial unique index membership_open_unique is the one check for "already a member":
    # a check before the insert could not see a concurrent, uncommitted join anyway.
    async with Membership._meta.db.transaction():
        try:
            rows = await Membership.insert(
                Membership(team=team_id, volunteer=data.volunteer_id, role=data.role, joined_on=joined_on)
            ).returning(Membership.id)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != "membership_open_unique":
                raise
            raise Conflict("该志愿者已是本队成员", field="volunteer_id", code="already_member") from exc
        out = await _membership(rows[0]["id"])
        await audit.record(caller, "join", "membership", out.id, area_id=team["area_id"], after=out)
    return out


async def remove_member(caller: Caller, team_id: int, volunteer_id: int, data: LeaveIn) -> MembershipOut:
    """Close a volunteer's open membership on `left_on` (default today)."""
    team = await _team_for_write(caller, team_id)
    before = await _open_membership(team_id, volunteer_id)
    left_on = data.left_on or today()
    check_day(left_on, "left_on", "退出日期")
    if left_on < before.joined_on:
        raise Invalid(
            f"退出日期（{left_on}）不能早于加入日期（{before.joined_on}）", field="left_on", code="left_before_joined"
        )
    async with Membership._meta.db.transaction():
        closed = await (
            Membership.update({Membership.left_on: left_on})
            .where((Membership.id == before.id) & Membership.left_on.is_null())
            .returning(Membership.id)
        )
        if not closed:  # someone else closed it a moment ago
            raise NotFound(f"志愿者 {volunteer_id} 目前不是服务队 {team_id} 的成员")
        after = await _membership(before.id)
        await audit.record(
            caller, "leave", "membership", before.id, area_id=team["area_id"], before=before, after=after
        )
    return after


async def change_role(caller: Caller, team_id: int, volunteer_id: int, data: RolePatch) -> MembershipOut:
    """Make a current member a leader, or a leader a member."""
    team = await _team_for_write(caller, team_id)
    before = await _open_membership(team_id, volunteer_id)
    if team["status"] == "dissolved":
        raise Conflict("服务队已解散，不能调整成员角色", code="team_dissolved")
    if before.role == data.role:
        return before
    async with Membership._meta.db.transaction():
        await Membership.update({Membership.role: data.role}).where(Membership.id == before.id)
        after = await _membership(before.id)
        await audit.record(
            caller, "change_role", "membership", before.id, area_id=team["area_id"], before=before, after=after
        )
    return after


def _member_status(status: str) -> Combinable:
    if status == "current":
        return Membership.left_on.is_null()
    if status == "former":
        return Membership.left_on.is_not_null()
    return Membership.id > 0


async def list_members(
    caller: Caller, team_id: int, *, status: str, limit: int, offset: int
) -> tuple[list[MembershipOut], int]:
    """The members of a team in the caller's subtree: current, former or all."""
    await _team_for_read(caller, team_id)
    where: Combinable = (Membership.team == team_id) & _member_status(status)
    rows = (
        await Membership.select(*_MEMBERSHIP_COLUMNS).where(where).order_by(Membership.id).limit(limit).offset(offset)
    )
    return [MembershipOut(**r) for r in rows], await Membership.count().where(where)


async def teams_of_volunteer(
    caller: Caller, volunteer_id: int, *, status: str, limit: int, offset: int
) -> tuple[list[MembershipOut], int]:
    """A volunteer's memberships, in teams the caller can see; the volunteer must be in the subtree."""
    access.readable(caller, await _volunteer_row(volunteer_id), f"志愿者 {volunteer_id} 不存在")
    where: Combinable = (
        (Membership.volunteer == volunteer_id)
        & Membership.team._.area._.path.like(caller.scope_prefix)
        & _member_status(status)
    )
    rows = (
        await Membership.select(*_MEMBERSHIP_COLUMNS).where(where).order_by(Membership.id).limit(limit).offset(offset)
    )
    return [MembershipOut(**r) for r in rows], await Membership.count().where(where)
