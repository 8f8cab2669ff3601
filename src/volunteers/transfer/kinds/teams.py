"""Importing teams: the teams API's rules per row; upsert by name within an area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from volunteers import db
from volunteers.fields import check_day, required_text
from volunteers.teams.schemas import TeamIn
from volunteers.teams.service import clean_categories
from volunteers.transfer import cells
from volunteers.transfer.checks import FAILED, RowCheck, conform
from volunteers.transfer.columns import TEAMS
from volunteers.transfer.kinds.base import KindImport, Plan


@dataclass(slots=True)
class TeamRow:
    row: RowCheck
    name: str
    area: dict[str, Any]
    sponsor: str
    founded_on: date | None
    categories: list[str] | None  # None: the cell was empty, keep what is stored


class TeamImport(KindImport):
    spec = TEAMS
    staging = "team"
    columns = ("row_no", "name", "area", "sponsor", "founded_on", "categories")

    def check(self, row: RowCheck) -> TeamRow | None:
        name = row.read("name", cells.text)
        sponsor = row.read("sponsor", cells.text)
        founded_on = row.read("founded_on", cells.day)
        categories = row.read("categories", cells.items)
        area = self.scope.area_of(row)
        if name is None:
            row.error("name", "required", "服务队名称不能为空")
        if sponsor is None:
            row.error("sponsor", "required", "发起单位不能为空")
        if not row.ok or area is None:
            return None
        given = {"name": name, "area_code": area["code"], "sponsor": sponsor, "founded_on": founded_on}
        if not conform(row, {**given, "categories": categories or []}, TeamIn):
            return None
        name = row.attempt(required_text, name, "name", "服务队名称")
        sponsor = row.attempt(required_text, sponsor, "sponsor", "发起单位")
        if categories is not None:
            categories = row.attempt(clean_categories, categories)
        if founded_on is not None:
            row.attempt(check_day, founded_on, "founded_on", "成立日期")
        if FAILED in (name, sponsor, categories) or not row.ok:
            return None
        return TeamRow(row, name, area, sponsor, founded_on, categories)

    def keys(self, candidate: TeamRow) -> list[tuple[str, Any]]:
        return [("name", (candidate.area["id"], candidate.name))]

    async def resolve(self, conn: asyncpg.Connection[Any], candidates: list[TeamRow]) -> Plan:
        stored = await conn.fetch(
            db.sql("transfer/team_existing"), [c.area["id"] for c in candidates], [c.name for c in candidates]
        )
        by_key = {(r["area"], r["name"]): dict(r) for r in stored}
        plan = Plan()
        for c in candidates:
            team = by_key.get((c.area["id"], c.name))
            categories = c.categories if c.categories is not None else (team["categories"] if team else [])
            founded_on = c.founded_on if c.founded_on is not None or team is None else team["founded_on"]
            values = (c.row.number, c.name, c.area["id"], c.sponsor, founded_on, categories)
            if team is None:
                plan.inserts.append(values)
            elif (team["sponsor"], team["founded_on"], list(team["categories"])) == (c.sponsor, founded_on, categories):
                plan.unchanged += 1
            else:
                plan.updates.append((team["id"], *values))
        return plan
