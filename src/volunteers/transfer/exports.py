"""Exports: the rows a list endpoint would show (same filters, same scope), as a sheet.

No ID number is ever shown (the volunteer sheet says 已登记 where one is on file); phones are
masked for officials, and for members or participants who live outside the caller's subtree.
The volunteer sheet uses the import's columns, so it imports back unchanged (已登记 keeps the
stored ID number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import anyio

from volunteers import db
from volunteers.access import Caller, phone_for
from volunteers.activities.service import STATUS_LABELS, list_activities
from volunteers.areas.tables import Area
from volunteers.errors import Invalid
from volunteers.fields import today
from volunteers.people.service import list_volunteers
from volunteers.stats.definitions import SOURCE_NAMES
from volunteers.teams.service import list_teams
from volunteers.teams.tables import Team
from volunteers.transfer.columns import ID_NUMBER_ON_FILE, KINDS, ColumnSpec, KindSpec
from volunteers.transfer.readers import ImportLimits
from volunteers.transfer.workbooks import CSV, XLSX, to_csv, to_xlsx

GENDERS = {"male": "男", "female": "女"}
VOLUNTEER_STATUSES = {"active": "在册", "suspended": "暂停", "withdrawn": "退出"}
TEAM_STATUSES = {"active": "活跃", "dissolved": "已解散"}
ROLES = {"member": "队员", "leader": "队长"}
RECORD_STATUSES = {"pending": "待审核", "approved": "已通过", "rejected": "已驳回"}


@dataclass(slots=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def _columns(spec: KindSpec) -> list[ColumnSpec]:
    return [c for c in spec.columns if c.exported]


def _most() -> int:
    return ImportLimits.from_env().max_rows


def _refuse_if_too_many(total: int) -> None:
    if total > _most():
        raise Invalid(
            f"符合条件的记录有 {total:,} 条，超过一次导出的上限 {_most():,} 条，请缩小范围（如按区域或日期）",
            field="area",
            code="too_many_rows",
        )


async def _area_names(caller: Caller) -> dict[str, str]:
    rows = await Area.select(Area.code, Area.name).where(Area.path.like(caller.scope_prefix))
    return {r["code"]: r["name"] for r in rows}


async def volunteer_rows(caller: Caller, *, area: str | None, status: str | None, q: str | None) -> list[list[Any]]:
    """The volunteers `GET /volunteers` would list, as the caller sees them there, in the import's columns."""
    items, total = await list_volunteers(caller, q=q, area=area, status=status, limit=_most() + 1, offset=0)
    _refuse_if_too_many(total)
    names = await _area_names(caller)
    return [
        [
            v.volunteer_no,
            v.name,
            v.phone,
            ID_NUMBER_ON_FILE if v.has_id_number else None,
            GENDERS.get(v.gender or "", ""),
            v.birth_date,
            v.age_band,
            names.get(v.area_code, v.area_code),
            v.area_code,
            v.registered_on,
            v.consent_on,
            v.guardian.name if v.guardian else None,
            v.guardian.phone if v.guardian else None,
            v.guardian.consent_on if v.guardian else None,
            VOLUNTEER_STATUSES.get(v.status, v.status),
        ]
        for v in items
    ]


async def team_rows(caller: Caller, *, area: str | None, status: str | None, q: str | None) -> list[list[Any]]:
    """The teams `GET /teams` would list."""
    items, total = await list_teams(caller, area=area, q=q, status=status, limit=_most() + 1, offset=0)
    _refuse_if_too_many(total)
    names = await _area_names(caller)
    return [
        [
            t.name,
            names.get(t.area_code, t.area_code),
            t.area_code,
            t.sponsor,
            t.founded_on,
            "、".join(t.categories),
            TEAM_STATUSES.get(t.status, t.status),
            t.members,
        ]
        for t in items
    ]


async def membership_rows(caller: Caller, *, area: str | None, team: int | None, status: str | None) -> list[list[Any]]:
    """Members of the teams in the caller's subtree: current, former, or all."""
    rows = await db.fetch("transfer/export_memberships", caller.scope_prefix, area, team, status, _most() + 1)
    _refuse_if_too_many(len(rows))
    return [
        [
            r["team"],
            r["team_area"],
            r["volunteer_no"],
            phone_for(caller, r["phone"], r["volunteer_path"]),
            r["name"],
            ROLES.get(r["role"], r["role"]),
            r["joined_on"],
            r["left_on"],
        ]
        for r in rows
    ]


async def activity_rows(caller: Caller, **filters: Any) -> list[list[Any]]:
    """The activities `GET /activities` would list (same filters)."""
    items, total = await list_activities(caller, **filters, limit=_most() + 1, offset=0)
    _refuse_if_too_many(total)
    names = await _area_names(caller)
    team_ids = sorted({t for a in items for t in a.team_ids})
    teams = (
        {r["id"]: r["name"] for r in await Team.select(Team.id, Team.name).where(Team.id.is_in(team_ids))}
        if team_ids
        else {}
    )
    return [
        [
            a.title,
            a.category_name,
            names.get(a.area_code, a.area_code),
            a.area_code,
            a.starts_at,
            a.ends_at,
            a.venue_name,
            "、".join(teams[t] for t in a.team_ids if t in teams),
            a.capacity,
            STATUS_LABELS.get(a.status, a.status),
        ]
        for a in reversed(items)  # oldest first, as a register reads
    ]


async def record_rows(
    caller: Caller,
    *,
    area: str | None,
    activity: int | None,
    volunteer: int | None,
    status: str | None,
    source: str | None,
    from_: date | None,
    to: date | None,
) -> list[list[Any]]:
    """Service records in the caller's subtree (scoped as `GET /service-records` is), with names and titles."""
    rows = await db.fetch(
        "transfer/export_records",
        caller.scope_prefix,
        area,
        activity,
        volunteer,
        status,
        source,
        from_,
        to,
        _most() + 1,
    )
    _refuse_if_too_many(len(rows))
    return [
        [
            r["volunteer_no"],
            phone_for(caller, r["phone"], r["volunteer_path"]),
            r["name"],
            r["activity"],
            r["activity_area"],
            r["service_date"],
            r["started_at"],
            r["ended_at"],
            round(r["minutes"] / 60, 2),
            SOURCE_NAMES.get(r["source"], r["source"]),
            RECORD_STATUSES.get(r["status"], r["status"]),
            r["reason"],
        ]
        for r in rows
    ]


async def export_file(kind: str, rows: Sequence[Sequence[Any]], file_format: str, area: str | None) -> ExportFile:
    """The rows as an XLSX or CSV file named like 志愿者_C11_2026-05-01.xlsx."""
    spec = KINDS[kind]
    columns = _columns(spec)
    name = f"{spec.label}_{area or '全部'}_{today().isoformat()}.{file_format}"
    if file_format == "csv":
        return ExportFile(to_csv(columns, rows), CSV, name)
    content = await anyio.to_thread.run_sync(to_xlsx, spec.label, columns, rows)
    return ExportFile(content, XLSX, name)
