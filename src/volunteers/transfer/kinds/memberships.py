"""Importing team memberships: the teams API's rules; upsert by team + volunteer (+ joining date).

A row matches the stored membership of the same team, volunteer and joining date, else the
volunteer's open membership of that team (when the row has no leaving date), else it is new.
Role and leaving date may change; a row that leaves them blank keeps what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from volunteers import db
from volunteers.fields import check_day, today
from volunteers.transfer import cells
from volunteers.transfer.checks import RowCheck, volunteer_of, volunteers_named
from volunteers.transfer.columns import MEMBERSHIPS
from volunteers.transfer.kinds.base import KindImport, Plan, claim


@dataclass(slots=True)
class MembershipRow:
    row: RowCheck
    team: dict[str, Any]
    role: str | None
    joined_on: date
    left_on: date | None


class MembershipImport(KindImport):
    spec = MEMBERSHIPS
    staging = "membership"
    columns = ("row_no", "team", "volunteer", "role", "joined_on", "left_on")

    async def prepare(self) -> None:
        self.teams: dict[str, list[dict[str, Any]]] = {}
        for record in await db.fetch("transfer/teams_in_area", f"{self.scope.area['path']}%"):
            self.teams.setdefault(record["name"], []).append(dict(record))

    def check(self, row: RowCheck) -> MembershipRow | None:
        name = row.read("team", cells.text)
        role = row.read("role", cells.choice, cells.ROLES, "角色")
        joined = row.read("joined_on", cells.day)
        left_on = row.read("left_on", cells.day)
        area = self.scope.area_of(row) if row.raw("area_name") is not None else None
        if name is None:
            row.error("team", "required", "服务队不能为空")
        if row.raw("phone") is None and row.raw("volunteer_no") is None:
            row.error("phone", "volunteer_required", "请填写手机号或志愿者编号")
        if not row.ok:
            return None
        team = self._team(row, name, area)
        joined_on = joined or today()
        row.attempt(check_day, joined_on, "joined_on", "加入日期")
        if left_on is not None:
            row.attempt(check_day, left_on, "left_on", "退出日期")
        if left_on is not None and left_on < joined_on:
            row.error("left_on", "left_before_joined", f"退出日期（{left_on}）不能早于加入日期（{joined_on}）")
        if team is not None and team["founded_on"] is not None and joined_on < team["founded_on"]:
            row.error(
                "joined_on",
                "joined_before_founded",
                f"加入日期（{joined_on}）不能早于服务队的成立日期（{team['founded_on']}）",
            )
        if not row.ok or team is None:
            return None
        return MembershipRow(row, team, role, joined_on, left_on)

    def _team(self, row: RowCheck, name: str, area: dict[str, Any] | None) -> dict[str, Any] | None:
        """The team of that name in the row's area, or the one team of that name in the import's subtree."""
        named = [t for t in self.teams.get(name, []) if area is None or t["area_id"] == area["id"]]
        if len(named) == 1:
            return named[0]
        where = f"{area['name']}（{area['code']}）" if area else f"{self.scope.area['name']}及其下级区域"
        if named:
            row.error(
                "team", "ambiguous_team", f"{where}有 {len(named)} 个名为「{name}」的服务队，请填写服务队所属社区"
            )
        else:
            row.error("team", "unknown_team", f"{where}没有名为「{name}」的服务队，请先导入服务队")
        return None

    async def resolve(self, conn: asyncpg.Connection[Any], candidates: list[MembershipRow]) -> Plan:
        named = await volunteers_named(conn, [c.row for c in candidates])
        volunteers = {id(c): volunteer_of(c.row, named, self.scope) for c in candidates}
        pairs = [(c.team["id"], v["id"]) for c in candidates if (v := volunteers[id(c)]) is not None]
        stored = await conn.fetch(db.sql("transfer/membership_existing"), [p[0] for p in pairs], [p[1] for p in pairs])
        memberships: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for record in stored:
            memberships.setdefault((record["team"], record["volunteer"]), []).append(dict(record))
        plan = Plan()
        for c in candidates:
            volunteer = volunteers[id(c)]
            if volunteer is None:
                continue
            if c.joined_on < volunteer["registered_on"]:
                c.row.error(
                    "joined_on",
                    "joined_before_registered",
                    f"加入日期（{c.joined_on}）不能早于该志愿者的注册日期（{volunteer['registered_on']}）",
                )
                continue
            pair = (c.team["id"], volunteer["id"])
            history = memberships.get(pair, [])
            target = next((m for m in history if m["joined_on"] == c.joined_on), None)
            if target is None and c.left_on is None:
                target = next((m for m in history if m["left_on"] is None), None)
            keys: list[tuple[Any, ...]] = [(*pair, c.joined_on)]
            keys += [("membership", target["id"])] if target else []
            keys += [(*pair, "open")] if c.left_on is None else []
            if not all(claim(c.row, self.claimed, key, "team", "成员记录") for key in keys):
                continue
            if target is None:
                self._insert(plan, c, volunteer, history)
            else:
                self._update(plan, c, volunteer, target)
        return plan

    def _insert(self, plan: Plan, c: MembershipRow, volunteer: dict[str, Any], history: list[dict[str, Any]]) -> None:
        if c.team["status"] == "dissolved":
            c.row.error("team", "team_dissolved", "服务队已解散，不能再加入成员")
            return
        if c.left_on is None:
            if volunteer["status"] == "withdrawn":
                c.row.error("phone", "volunteer_withdrawn", "该志愿者已注销，不能加入服务队")
                return
            last_left = max((m["left_on"] for m in history if m["left_on"] is not None), default=None)
            if last_left is not None and c.joined_on < last_left:
                c.row.error(
                    "joined_on",
                    "joined_before_last_left",
                    f"加入日期（{c.joined_on}）不能早于该志愿者上次退出本队的日期（{last_left}）",
                )
                return
        plan.inserts.append((c.row.number, c.team["id"], volunteer["id"], c.role or "member", c.joined_on, c.left_on))

    def _update(self, plan: Plan, c: MembershipRow, volunteer: dict[str, Any], target: dict[str, Any]) -> None:
        role = c.role or target["role"]
        left_on = c.left_on if c.left_on is not None else target["left_on"]
        if left_on is not None and left_on < target["joined_on"]:
            c.row.error(
                "left_on", "left_before_joined", f"退出日期（{left_on}）不能早于加入日期（{target['joined_on']}）"
            )
        elif (role, left_on) == (target["role"], target["left_on"]):
            plan.unchanged += 1
        elif c.team["status"] == "dissolved":
            c.row.error("team", "team_dissolved", "服务队已解散，不能调整成员角色")
        else:
            values = (c.row.number, c.team["id"], volunteer["id"], role, target["joined_on"], left_on)
            plan.updates.append((target["id"], *values))
