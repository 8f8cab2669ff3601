"""Writing the demo district: plan it in Python from one seed, bulk-load it with COPY, in one transaction."""

from __future__ import annotations

import math
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg

from volunteers import audit, db
from volunteers.auth.schemas import Role, UserIn
from volunteers.auth.service import create_user
from volunteers.checkin.service import new_code
from volunteers.demo.activities import ActivityPlan, Category, at, epoch, plan_activities, pools
from volunteers.demo.attendance import (
    ACTIVE,
    DECISION_DAYS,
    RECORD_COLUMNS,
    Attendance,
    choose_active,
    records_per_active,
)
from volunteers.demo.district import DEFAULT_SEED, DISTRICT_CODE, POPULATION_SOURCE, District, plan_district
from volunteers.demo.roster import VolunteerPlan, plan_memberships, plan_volunteers
from volunteers.demo.scans import SCAN_COLUMNS, ScanLog
from volunteers.people.identity import encrypt_id_number, id_number_hash

# (username, role, area code or None for the whole system, what the login is for)
LOGINS: tuple[tuple[str, Role, str | None, str], ...] = (
    ("sys_admin", "admin", None, "系统管理员（不限区域：活动类别等全系统共用的数据）"),
    ("gx_admin", "admin", DISTRICT_CODE, "区管理员"),
    ("huaxin_staff", "staff", "GX-HX", "街道工作人员"),
    ("lujia_staff", "staff", "GX-HX-01", "社区工作人员"),
    ("gx_official", "official", DISTRICT_CODE, "统计查看（只读）"),
)
SYSTEM_WIDE = ("不限区域", "全系统")  # (code, name) printed for the login without an area


VOLUNTEER_COLUMNS = tuple(
    "id volunteer_no name phone id_number_cipher id_number_hash gender birth_date area"  # noqa: SIM905
    " registered_on status suspended_on withdrawn_on consent_on guardian_name guardian_phone guardian_consent_on"
    " self_registered created_at".split()
)
ACTIVITY_COLUMNS = tuple(
    "id title category area venue starts_at ends_at capacity status opens_before_minutes closes_after_minutes"  # noqa: SIM905
    " rounding_minutes daily_cap_minutes reentry_allowed approval created_at".split()
)


class DatabaseNotEmpty(Exception):
    """The demo writes only into an empty database."""

    def __init__(self, areas: int, staff_users: int) -> None:
        super().__init__(f"数据库不是空的：已有 {areas} 个区域、{staff_users} 个账号；演示数据只写入空数据库")
        self.areas = areas
        self.staff_users = staff_users


@dataclass(frozen=True, slots=True)
class Login:
    """A demo login, with its password (shown once)."""

    username: str
    role: str
    area_code: str
    area_name: str
    purpose: str
    password: str


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What was written, counted back from the database with plain SQL."""

    as_of: date
    seed: int
    counts: dict[str, int]
    logins: list[Login]
    seconds: float


async def is_empty() -> bool:
    """No areas and no staff logins but system administrators (such as the one `serve` creates)."""
    row = await db.fetchrow("demo/occupied")
    assert row is not None
    return bool(row["areas"] == 0 and row["staff_users"] == 0)


async def build_demo(as_of: date, seed: int = DEFAULT_SEED) -> DemoResult:
    """Write the demo district as of `as_of` into an empty database; all or nothing."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    async with db.engine().transaction(), db.connection() as conn:
        await conn.execute(db.sql("demo/lock"))
        occupied = await db.fetchrow("demo/occupied")
        assert occupied is not None
        if occupied["areas"] or occupied["staff_users"]:
            raise DatabaseNotEmpty(occupied["areas"], occupied["staff_users"])
        categories = [Category(r["id"], r["code"], r["name"]) for r in await db.fetch("demo/categories")]
        if not categories:
            raise RuntimeError("没有可用的活动类别（activity_category），请先运行 volunteers db upgrade")
        first_number = int(await conn.fetchval(db.sql("demo/next_volunteer_no")))

        plan = plan_district(rng, as_of)
        await _write_district(conn, plan)
        logins, staff = await _create_logins(plan)
        volunteers = plan_volunteers(rng, plan, as_of)
        memberships = plan_memberships(rng, plan, volunteers, as_of)
        activities = plan_activities(rng, plan, categories, as_of, new_code)
        numbers = {v.id: (_number(first_number, v.id), v.name) for v in volunteers}
        attendance = _attend(rng, plan, volunteers, activities, as_of, _decider(plan, staff), numbers)
        _set_capacities(rng, activities, attendance.participants)

        await _write_volunteers(conn, volunteers, first_number)
        await conn.copy_records_to_table(
            "membership",
            columns=("team", "volunteer", "role", "joined_on", "left_on"),
            records=[(m.team_id, m.volunteer_id, m.role, m.joined_on, m.left_on) for m in memberships],
        )
        await _write_activities(conn, activities)
        records = attendance.finish()
        await conn.copy_records_to_table("service_record", columns=RECORD_COLUMNS, records=records)
        await conn.copy_records_to_table("scan", columns=SCAN_COLUMNS, records=attendance.scans.in_time_order())
        await db.fetchrow("demo/align_sequences", first_number + len(volunteers) - 1)
        await conn.execute(db.sql("demo/analyze"))
        row = await db.fetchrow("demo/summary", as_of)
        assert row is not None
        counts = {key: int(value) for key, value in row.items()}
        await audit.record(
            None,
            "create",
            "demo_district",
            plan.district.code,
            area_id=plan.district.id,
            after={"as_of": as_of.isoformat(), "seed": seed, **counts},
        )
    return DemoResult(as_of, seed, counts, logins, time.perf_counter() - started)


def _number(first: int, volunteer_id: int) -> str:
    return f"ZY{first + volunteer_id - 1:010d}"


async def _write_district(conn: asyncpg.Connection[Any], plan: District) -> None:
    await conn.copy_records_to_table(
        "area",
        columns=("id", "code", "name", "level", "parent", "path"),
        records=[(a.id, a.code, a.name, a.level, a.parent_id, a.path) for a in plan.areas],
    )
    await conn.copy_records_to_table(
        "area_population",
        columns=("area", "year", "resident_population", "source", "as_of"),
        records=[(p.area_id, p.year, p.resident_population, POPULATION_SOURCE, p.as_of) for p in plan.population],
    )
    await conn.copy_records_to_table(
        "venue",
        columns=("id", "name", "kind", "area", "address"),
        records=[(v.id, v.name, v.kind, v.area_id, v.address) for v in plan.venues],
    )
    await conn.copy_records_to_table(
        "team",
        columns=("id", "name", "area", "sponsor", "founded_on", "categories", "status", "created_at"),
        records=[
            (
                t.id,
                t.name,
                t.area_id,
                t.sponsor,
                t.founded_on,
                list(t.categories),
                "active",
                at(epoch(t.founded_on, 10)),
            )
            for t in plan.teams
        ],
    )


async def _create_logins(plan: District) -> tuple[list[Login], dict[str, int]]:
    """One login per role, through the auth service (hashing, audit); passwords are random."""
    names = {a.code: a.name for a in plan.areas}
    logins: list[Login] = []
    ids: dict[str, int] = {}
    for username, role, area_code, purpose in LOGINS:
        password = secrets.token_urlsafe(12)
        user = await create_user(None, UserIn(username=username, password=password, role=role, area_code=area_code))
        ids[username] = user.id
        code, name = (area_code, names[area_code]) if area_code else SYSTEM_WIDE
        logins.append(Login(username, role, code, name, purpose, password))
    return logins, ids


def _decider(plan: District, staff: dict[str, int]) -> Callable[[int], int]:
    """Who approves records of an area: the community's staff, the street's, else the district admin."""
    community = next(c for c in plan.communities if c.code == "GX-HX-01")
    street = community.parent_id

    def decide(area_id: int) -> int:
        if area_id == community.id:
            return staff["lujia_staff"]
        if area_id == street or plan.street_of.get(area_id) == street:
            return staff["huaxin_staff"]
        return staff["gx_admin"]

    return decide


def _attend(
    rng: random.Random,
    plan: District,
    volunteers: list[VolunteerPlan],
    activities: list[ActivityPlan],
    as_of: date,
    decider: Callable[[int], int],
    numbers: dict[int, tuple[str, str]],
) -> Attendance:
    """Records for the active volunteers (the first one approved), the year before, withdrawn ones, a few others."""
    by_community = pools(plan, activities)
    attendance = Attendance(rng, activities, as_of, decider, ScanLog(rng, decider, numbers))
    active = choose_active(rng, volunteers, as_of, ACTIVE)
    window_first = (as_of - timedelta(days=364)).toordinal()
    last_past = as_of.toordinal() - 1
    previous_first = window_first - 365
    for volunteer in volunteers:
        home = volunteer.area_id
        near = (by_community["own"][home], by_community["street"][home], by_community["district"][home])
        registered = volunteer.registered_on.toordinal()
        last = volunteer.withdrawn_on.toordinal() - 1 if volunteer.withdrawn_on else last_past
        first_in_year = max(registered, window_first)
        if volunteer.id in active:
            entry = attendance.draw(near, volunteer.id, first_in_year, last_past - DECISION_DAYS - 1)
            if entry is None:
                raise RuntimeError(f"demo plan: no activity for active volunteer {volunteer.id}")
            attendance.attend(volunteer, entry, counts=True)
            extra = records_per_active(rng) - 1
        elif volunteer.withdrawn_on is None:
            extra = 0
            if rng.random() < 0.007 and (entry := attendance.draw(near, volunteer.id, first_in_year, last_past)):
                attendance.attend(volunteer, entry, counts=False)
        else:
            extra = rng.randint(1, 2) if rng.random() < 0.4 else 0
        for _ in range(extra):
            if entry := attendance.draw(near, volunteer.id, first_in_year, last):
                attendance.attend(volunteer, entry, counts=None)
        share = 0.4 if volunteer.id in active else 0.6 if volunteer.withdrawn_on else 0.25
        if registered < window_first and rng.random() < share:
            for _ in range(rng.randint(1, 3)):
                if entry := attendance.draw(
                    near, volunteer.id, max(registered, previous_first), min(window_first - 1, last)
                ):
                    attendance.attend(volunteer, entry, counts=None)
    attendance.scans.refusals_without_record(activities)
    return attendance


def _set_capacities(rng: random.Random, activities: list[ActivityPlan], participants: dict[int, int]) -> None:
    """Room for everyone who came and some more; a quarter have no limit."""
    for activity in activities:
        came = participants.get(activity.id, 0)
        activity.participants = came
        if rng.random() < 0.25:
            continue
        wanted = max(came * rng.uniform(1.05, 1.5), activity.size, 20)
        activity.capacity = int(math.ceil(wanted / 10) * 10)


async def _write_volunteers(conn: asyncpg.Connection[Any], volunteers: list[VolunteerPlan], first: int) -> None:
    """Volunteers with their ID numbers encrypted and hashed as the people domain keeps them."""
    rows = []
    for v in volunteers:
        number = v.id_number
        guardian = v.guardian_name is not None
        created = epoch(v.registered_on, 9) + (v.id * 7919) % 32400
        rows.append(
            (
                v.id,
                _number(first, v.id),
                v.name,
                v.phone,
                encrypt_id_number(number) if number else None,
                id_number_hash(number) if number else None,
                v.gender,
                v.birth_date,
                v.area_id,
                v.registered_on,
                v.status,
                v.suspended_on,
                v.withdrawn_on,
                v.registered_on,
                v.guardian_name,
                v.guardian_phone,
                v.registered_on if guardian else None,
                v.self_registered,
                at(created),
            )
        )
    await conn.copy_records_to_table(
        "volunteer",
        columns=VOLUNTEER_COLUMNS,
        records=rows,
    )


async def _write_activities(conn: asyncpg.Connection[Any], activities: list[ActivityPlan]) -> None:
    """Activities, their organising teams, and their check-in codes (rotated ones revoked)."""
    await conn.copy_records_to_table(
        "activity",
        columns=ACTIVITY_COLUMNS,
        records=[
            (
                a.id,
                a.title,
                a.category_id,
                a.area_id,
                a.venue_id,
                at(a.starts_at),
                at(a.ends_at),
                a.capacity,
                a.status,
                a.opens_before,
                a.closes_after,
                a.rounding,
                a.daily_cap,
                a.reentry,
                a.approval,
                at(a.created_at),
            )
            for a in activities
        ],
    )
    await conn.copy_records_to_table(
        "activity_team",
        columns=("activity", "team"),
        records=[(a.id, team) for a in activities for team in a.team_ids],
    )
    codes: list[tuple[int, str, Any, Any]] = []
    for a in activities:
        issued = a.created_at + 300
        if a.old_code:
            rotated = min(issued + 86400, a.starts_at - 3600)
            codes.append((a.id, a.old_code, at(issued), at(rotated)))
            issued = rotated
        if a.code:
            codes.append((a.id, a.code, at(issued), None))
    await conn.copy_records_to_table(
        "checkin_code", columns=("activity", "code", "created_at", "revoked_at"), records=codes
    )
