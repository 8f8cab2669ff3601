"""Every published figure's definition: id, version, Chinese and English text, parameters."""

from __future__ import annotations

from msgspec import Struct

VERSION = "2026.1"
DEFAULT_WINDOW_DAYS = 365
DEFAULT_MIN_HOURS = 0.0
SOURCES = ("checkin", "manual")


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
