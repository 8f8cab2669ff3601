"""Every figure's definition (id, version, unit, Chinese and English text), its Chinese name, and defaults.

The participation figures (DEFINITIONS) are what `/stats/definitions` lists and snapshots freeze; the
other views' figures (VIEW_DEFINITIONS) join them in CATALOGUE, which every answer and export cites.
"""

from __future__ import annotations

from msgspec import Struct

VERSION = "2026.1"
DEFAULT_WINDOW_DAYS = 365
DEFAULT_MIN_HOURS = 0.0
SOURCES = ("checkin", "manual")
SOURCE_NAMES = {"checkin": "签到", "manual": "补录"}


class Definition(Struct, frozen=True):
    id: str
    version: str
    unit: str
    zh: str
    en: str
    additive: bool


def _d(id: str, unit: str, zh: str, en: str, additive: bool = False) -> Definition:
    return Definition(id=id, version=VERSION, unit=unit, zh=zh, en=en, additive=additive)


DEFINITIONS: dict[str, Definition] = {
    d.id: d
    for d in [
        _d(
            "resident_population",
            "persons",
            "该区域截至统计日期所在年份（或之前最近一年）的常住人口登记数，注明年份与来源。",
            "The area's resident population for the latest year not after the as-of year, with year and source.",
        ),
        _d(
            "registered",
            "persons",
            "居住地在该区域（含下级）的志愿者中，注册日期不晚于统计日期、且截至统计日期未退出的人数。",
            "Volunteers residing in the area's subtree, registered on or before as_of and not withdrawn by as_of.",
            additive=True,
        ),
        _d(
            "registration_rate",
            "percent",
            "注册志愿者数 ÷ 常住人口 × 100%。",
            "registered ÷ resident_population, as a percentage.",
        ),
        _d(
            "active",
            "persons",
            "注册志愿者中，在统计窗口（截至统计日期的 window_days 天，含当日）内至少有一条已审核通过、时长大于 0 "
            "且不少于 min_hours 小时、来源属于 sources 的服务记录的人数。",
            "Registered volunteers with at least one approved service record in the window of window_days days "
            "ending at as_of, of more than 0 and at least min_hours hours, from the given sources.",
            additive=True,
        ),
        _d("active_rate", "percent", "活跃志愿者数 ÷ 注册志愿者数 × 100%。", "active ÷ registered, as a percentage."),
        _d(
            "hours_total",
            "hours",
            "居住地在该区域（含下级）的志愿者在统计窗口内、来源属于 sources 的已审核服务时长之和（小时）。",
            "Approved service hours in the window, from the given sources, of volunteers residing in the subtree.",
            additive=True,
        ),
        _d("hours_per_registered", "hours", "服务时长 ÷ 注册志愿者数。", "hours_total ÷ registered."),
        _d("hours_per_active", "hours", "服务时长 ÷ 活跃志愿者数。", "hours_total ÷ active."),
        _d(
            "teams",
            "teams",
            "该区域（含下级）登记的、状态为正常且成立日期不晚于统计日期的志愿服务队数。",
            "Active volunteer teams registered in the subtree, founded on or before as_of.",
            additive=True,
        ),
        _d(
            "team_coverage",
            "percent",
            "该区域内拥有 2 支及以上志愿服务队的社区数 ÷ 社区总数 × 100%（文明社区标准）。",
            "Share of the subtree's communities with at least two teams (the civilised-community standard).",
        ),
        _d(
            "activities",
            "activities",
            "在该区域（含下级）举办、开始日期在统计窗口内、已发布或已完成的活动数。",
            "Published or completed activities held in the subtree that start within the window.",
            additive=True,
        ),
        _d(
            "participants",
            "person-times",
            "在该区域（含下级）举办的活动中，统计窗口内已审核通过、来源属于 sources 的服务记录条数（人次）。",
            "Approved service records in the window, from the given sources, at activities held in the subtree.",
            additive=True,
        ),
    ]
}

# The other views' figures: activities grouped, per team, star levels, the monthly series.
_HELD = "在该区域（含下级）举办、状态为已发布或已完成、开始日期（北京时间）在"
_SERVED = "在该区域（含下级）举办的活动中，服务日期在起止日期内（含两端）、已审核通过、来源属于 sources 的服务记录"

VIEW_DEFINITIONS: dict[str, Definition] = {
    d.id: d
    for d in [
        _d(
            "activity_count",
            "activities",
            _HELD + "起止日期内（含两端）的活动数，按所选维度（类别、阵地、服务队或月份）归组；"
            "多支服务队联合组织的活动在每支队伍下各计一次，故按服务队分组时各行之和可能大于合计。",
            "Published or completed activities held in the subtree that start (Beijing date) within the range, "
            "grouped by category, venue, team or month; a jointly organised activity counts once under each team.",
        ),
        _d(
            "activity_participants",
            "person-times",
            _SERVED + "条数（人次），按记录所属活动归组（按月份分组时按服务日期所在月份）。",
            "Approved service records dated within the range, from the given sources, at activities held in the "
            "subtree, grouped by their activity (by service month when grouping by month).",
        ),
        _d(
            "activity_hours",
            "hours",
            _SERVED + "时长之和（小时），归组方式同参与人次。",
            "Approved hours of those records, grouped the same way.",
        ),
        _d(
            "team_registered_members",
            "persons",
            "截至统计日期的在队成员（加入日期不晚于统计日期，退出日期为空或晚于统计日期）中，"
            "截至统计日期为注册志愿者（注册日期不晚于统计日期且未退出）的人数。",
            "Members on as_of (joined on or before, not left by as_of) who are registered volunteers on as_of.",
        ),
        _d(
            "team_active_members",
            "persons",
            "该队注册成员中按「活跃志愿者」口径计为活跃的人数：统计窗口（截至统计日期的 window_days 天，含当日）内"
            "至少有一条已审核通过、时长大于 0 且不少于 min_hours 小时、来源属于 sources 的服务记录，不限于本队活动。",
            "Registered members active by the participation definition (a qualifying approved record in the window, "
            "at any activity).",
        ),
        _d(
            "team_active_rate",
            "percent",
            "该队活跃成员数 ÷ 该队注册成员数 × 100%。",
            "team_active_members ÷ team_registered_members, as a percentage.",
        ),
        _d(
            "team_member_hours",
            "hours",
            "该队注册成员在统计窗口内、来源属于 sources 的已审核服务时长之和（小时），不限于本队活动；"
            "同时属于多支队伍的志愿者在每支队伍下各计一次。",
            "Approved hours in the window, from the given sources, of the team's registered members, at any "
            "activity; a volunteer in several teams counts under each.",
        ),
        _d(
            "star_volunteers",
            "persons",
            "居住地在该区域（含下级）、截至统计日期的注册志愿者，按截至统计日期（含）累计已审核、来源属于 sources 的"
            "服务时长归档：累计时长不少于第 k 档门槛且少于第 k+1 档为 k 星，0 星为未达第一档；"
            "默认门槛 100/300/600/1000/1500 小时对应一至五星（全国志愿服务星级标准），可按地区调整。",
            "Registered volunteers of the subtree on as_of by cumulative approved hours up to as_of: k stars when "
            "at least the k-th threshold and below the next (defaults 100/300/600/1000/1500 hours).",
            additive=True,
        ),
        _d(
            "star_at_least",
            "persons",
            "累计服务时长达到该档门槛的注册志愿者人数（该星级及以上）。",
            "Registered volunteers whose cumulative hours reach this threshold (this level or higher).",
            additive=True,
        ),
        _d(
            "star_share",
            "percent",
            "该星级人数 ÷ 注册志愿者数 × 100%。",
            "star_volunteers ÷ registered, as a percentage.",
        ),
        _d(
            "new_registrations",
            "persons",
            "居住地在该区域（含下级）、注册日期在该月内的志愿者人数（含之后已退出者）。",
            "Volunteers residing in the subtree whose registered_on falls in the month (later withdrawals included).",
            additive=True,
        ),
        _d(
            "monthly_hours",
            "hours",
            "居住地在该区域（含下级）的志愿者、服务日期在该月内的已审核服务时长之和（小时，签到与补录两种来源）。",
            "Approved hours (both sources) dated in the month, of volunteers residing in the subtree.",
            additive=True,
        ),
        _d(
            "monthly_activities",
            "activities",
            _HELD + "该月内的活动数。",
            "Published or completed activities held in the subtree that start (Beijing date) in the month.",
            additive=True,
        ),
    ]
}

CATALOGUE: dict[str, Definition] = {**DEFINITIONS, **VIEW_DEFINITIONS}

# Chinese names of every figure, and of what its numerator and denominator count.
LABELS: dict[str, str] = {
    "resident_population": "常住人口",
    "registered": "注册志愿者数",
    "registration_rate": "注册率（%）",
    "active": "活跃志愿者数",
    "active_rate": "活跃率（%）",
    "hours_total": "服务时长（小时）",
    "hours_per_registered": "注册志愿者人均时长（小时）",
    "hours_per_active": "活跃志愿者人均时长（小时）",
    "teams": "志愿服务队数",
    "team_coverage": "服务队覆盖率（%）",
    "activities": "活动数",
    "participants": "参与人次",
    "activity_count": "活动数",
    "activity_participants": "参与人次",
    "activity_hours": "服务时长（小时）",
    "team_registered_members": "注册成员数",
    "team_active_members": "活跃成员数",
    "team_active_rate": "成员活跃率（%）",
    "team_member_hours": "成员服务时长（小时）",
    "star_volunteers": "人数",
    "star_at_least": "达到该档人数（含以上）",
    "star_share": "占注册志愿者（%）",
    "new_registrations": "新注册志愿者数",
    "monthly_hours": "当月服务时长（小时）",
    "monthly_activities": "当月活动数",
}
PARTS: dict[str, tuple[str, str]] = {
    "registration_rate": ("注册志愿者数", "常住人口"),
    "active_rate": ("活跃志愿者数", "注册志愿者数"),
    "hours_per_registered": ("服务时长", "注册志愿者数"),
    "hours_per_active": ("服务时长", "活跃志愿者数"),
    "team_coverage": ("有 2 支及以上服务队的社区数", "社区数"),
    "team_active_rate": ("活跃成员数", "注册成员数"),
    "star_share": ("该星级人数", "注册志愿者数"),
}


def reference(key: str) -> str:
    """`id@version` of the definition behind a figure."""
    definition = CATALOGUE[key]
    return f"{definition.id}@{definition.version}"


def used(*keys: str) -> list[Definition]:
    """The definitions of the figures a view answers, in the order named."""
    return [CATALOGUE[k] for k in keys]
