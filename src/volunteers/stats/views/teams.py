"""Per team of an area's subtree: registered and active members, their active rate, their hours."""

from __future__ import annotations

from volunteers import db
from volunteers.access import Caller
from volunteers.stats.counts import min_minutes
from volunteers.stats.definitions import used
from volunteers.stats.figures import figure, hours, parameters, percent
from volunteers.stats.schemas import AreaRef, FigureQuery, TeamRow, TeamsOut
from volunteers.stats.targets import readable_area

LISTED = "列出的服务队与「志愿服务队数」（teams）口径相同：该区域（含下级）状态为正常且成立日期不晚于统计日期。"


async def team_figures(caller: Caller, query: FigureQuery, limit: int | None = None, offset: int = 0) -> TeamsOut:
    """Each team's members' figures, by the participation definition of active (the breakdown aside)."""
    area = await readable_area(caller, query.area)
    p = parameters(query)
    as_of = query.as_of
    rows = await db.fetch(
        "stats/views/teams", area.subtree, as_of, p.window_start, min_minutes(p), p.sources, limit, offset
    )
    total = await db.fetchrow("stats/views/teams_total", area.subtree, as_of)
    assert total is not None
    items = []
    for r in rows:
        registered, active, minutes = int(r["registered"]), int(r["active"]), int(r["minutes"])
        items.append(
            TeamRow(
                id=r["id"],
                name=r["name"],
                sponsor=r["sponsor"],
                area=AreaRef(code=r["area_code"], name=r["area_name"], level=r["area_level"]),
                figures={
                    "registered_members": figure("team_registered_members", registered),
                    "active_members": figure("team_active_members", active),
                    "active_rate": figure("team_active_rate", percent(active, registered), active, registered),
                    "hours": figure("team_member_hours", hours(minutes), note=f"{minutes} 分钟"),
                },
            )
        )
    return TeamsOut(
        area=area.ref,
        as_of=as_of,
        parameters=p,
        items=items,
        total=int(total["total"]),
        listed=LISTED,
        definitions=used(
            "teams", "team_registered_members", "team_active_members", "team_active_rate", "team_member_hours"
        ),
    )
