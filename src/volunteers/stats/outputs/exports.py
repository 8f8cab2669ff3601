"""Statistics as files: XLSX (figures plus a sheet stating every definition and parameter) and CSV.

CSV is UTF-8 with a byte-order mark so Excel opens the Chinese headers correctly. Every cell is
written by `volunteers.spreadsheet_cells`, so text that a spreadsheet would run as a formula
(a team called "=HYPERLINK(…)") stays plain text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from litestar.response import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from volunteers import clock
from volunteers.fields import LOCAL_TZ
from volunteers.spreadsheet_cells import append_row, write_csv
from volunteers.stats.definitions import CATALOGUE, LABELS, PARTS, SOURCE_NAMES, Definition
from volunteers.stats.schemas import (
    ActivityGroupsOut,
    AreaRef,
    Figure,
    MonthlyOut,
    ParticipationOut,
    StarsOut,
    TeamsOut,
)
from volunteers.stats.views.activities import GROUP_NAMES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEVEL_NAMES = {"district": "区", "street": "街道", "community": "社区"}
UNIT_NAMES = {
    "persons": "人",
    "percent": "%",
    "hours": "小时",
    "teams": "支",
    "activities": "项",
    "person-times": "人次",
}
PARTICIPATION_FIGURES = [
    (k, k)
    for k in (
        "resident_population",
        "registered",
        "registration_rate",
        "active",
        "active_rate",
        "hours_total",
        "hours_per_registered",
        "hours_per_active",
        "teams",
        "team_coverage",
        "activities",
        "participants",
    )
]


@dataclass
class Table:
    """One exported table: its rows, and everything needed to reproduce them."""

    sheet: str
    stem: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    parameters: list[tuple[str, str]] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)


def _plain(label: str) -> str:
    return label.replace("（%）", "").replace("（小时）", "")


def figure_headers(columns: list[tuple[str, str]]) -> list[str]:
    """Headers for figures named (key in the response, definition id): value, then parts of a ratio."""
    headers = []
    for _, key in columns:
        headers.append(LABELS[key])
        if key == "resident_population":
            headers += ["人口年份", "人口来源"]
        if key in PARTS:
            numerator, denominator = PARTS[key]
            headers += [f"{_plain(LABELS[key])}分子（{numerator}）", f"{_plain(LABELS[key])}分母（{denominator}）"]
    return headers


def figure_cells(columns: list[tuple[str, str]], figures: dict[str, Figure]) -> list[Any]:
    cells: list[Any] = []
    for name, key in columns:
        f = figures[name]
        cells.append(f.value)
        if key == "resident_population":
            cells += [f.year, f.source]
        if key in PARTS:
            cells += [f.numerator, f.denominator]
    return cells


def _area_cells(area: AreaRef, scope: str) -> list[Any]:
    return [area.code, area.name, LEVEL_NAMES.get(area.level, area.level), scope]


def _sources(sources: list[str]) -> str:
    return "、".join(SOURCE_NAMES.get(s, s) for s in sources)


def _stamp() -> str:
    return clock.now().astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S（北京时间）")


def participation_table(out: ParticipationOut) -> Table:
    """The participation figures of an area (and, with the breakdown, of each child)."""
    rows = [[*_area_cells(out.area, "合计（含下级）"), *figure_cells(PARTICIPATION_FIGURES, out.figures)]]
    for child in out.children or []:
        scope = "仅本级" if child.area.own_only else "含下级"
        rows.append([*_area_cells(child.area, scope), *figure_cells(PARTICIPATION_FIGURES, child.figures)])
    p = out.parameters
    return Table(
        sheet="参与统计",
        stem=f"participation-{out.area.code}-{out.as_of}",
        title=f"志愿服务参与统计-{out.area.code}-{out.as_of}",
        headers=["区域编码", "区域名称", "层级", "统计范围", *figure_headers(PARTICIPATION_FIGURES)],
        rows=rows,
        parameters=[
            ("区域", f"{out.area.name}（{out.area.code}）"),
            ("统计日期", out.as_of.isoformat()),
            ("统计窗口", f"{p.window_start} 至 {p.window_end}（{p.window_days} 天，含两端）"),
            ("最低时长（小时）", f"{p.min_hours:g}"),
            ("计入来源", _sources(p.sources)),
            ("分项", "按下级区域" if out.children is not None else "无"),
            ("计算方式", "预计算表" if out.method == "precomputed" else "直接查询原始记录"),
            ("口径版本", out.definitions_version),
        ],
        definitions=[CATALOGUE[k] for _, k in PARTICIPATION_FIGURES],
    )


TEAM_FIGURES = [
    ("registered_members", "team_registered_members"),
    ("active_members", "team_active_members"),
    ("active_rate", "team_active_rate"),
    ("hours", "team_member_hours"),
]


def teams_table(out: TeamsOut) -> Table:
    """Every listed team with its members' figures."""
    p = out.parameters
    return Table(
        sheet="服务队统计",
        stem=f"teams-{out.area.code}-{out.as_of}",
        title=f"志愿服务队统计-{out.area.code}-{out.as_of}",
        headers=["服务队编号", "服务队名称", "发起单位", "所属区域编码", "所属区域", *figure_headers(TEAM_FIGURES)],
        rows=[
            [t.id, t.name, t.sponsor, t.area.code, t.area.name, *figure_cells(TEAM_FIGURES, t.figures)]
            for t in out.items
        ],
        parameters=[
            ("区域", f"{out.area.name}（{out.area.code}）"),
            ("统计日期", out.as_of.isoformat()),
            ("统计窗口", f"{p.window_start} 至 {p.window_end}（{p.window_days} 天，含两端）"),
            ("最低时长（小时）", f"{p.min_hours:g}"),
            ("计入来源", _sources(p.sources)),
            ("服务队数", str(out.total)),
            ("列出范围", out.listed),
        ],
        definitions=out.definitions,
    )


ACTIVITY_FIGURES = [
    ("activities", "activity_count"),
    ("participants", "activity_participants"),
    ("hours", "activity_hours"),
]


def activities_table(out: ActivityGroupsOut) -> Table:
    """Activity groupings with a total row that counts every activity once."""
    rows = [[r.key or "", r.label, *figure_cells(ACTIVITY_FIGURES, r.figures)] for r in out.rows]
    rows.append(["", "合计", *figure_cells(ACTIVITY_FIGURES, out.total)])
    return Table(
        sheet="活动统计",
        stem=f"activities-{out.group}-{out.area.code}-{out.start}-{out.end}",
        title=f"活动统计（按{GROUP_NAMES[out.group]}）-{out.area.code}-{out.start}-{out.end}",
        headers=["编码", GROUP_NAMES[out.group], *figure_headers(ACTIVITY_FIGURES)],
        rows=rows,
        parameters=[
            ("区域", f"{out.area.name}（{out.area.code}）"),
            ("起止日期", f"{out.start} 至 {out.end}（含两端）"),
            ("分组", GROUP_NAMES[out.group]),
            ("计入来源", _sources(out.sources)),
            ("说明", out.note),
        ],
        definitions=out.definitions,
    )


STAR_FIGURES = [("volunteers", "star_volunteers"), ("at_least", "star_at_least"), ("share", "star_share")]


def stars_table(out: StarsOut) -> Table:
    """Volunteers by star level, for the area and (with the breakdown) each child."""
    blocks = [(out.area, "合计（含下级）", out.levels)]
    blocks += [(c.area, "仅本级" if c.area.own_only else "含下级", c.levels) for c in out.children or []]
    rows = [
        [*_area_cells(area, scope), level.stars, level.threshold_hours, *figure_cells(STAR_FIGURES, level.figures)]
        for area, scope, levels in blocks
        for level in levels
    ]
    return Table(
        sheet="星级统计",
        stem=f"stars-{out.area.code}-{out.as_of}",
        title=f"志愿者星级统计-{out.area.code}-{out.as_of}",
        headers=["区域编码", "区域名称", "层级", "统计范围", "星级", "门槛（小时）", *figure_headers(STAR_FIGURES)],
        rows=rows,
        parameters=[
            ("区域", f"{out.area.name}（{out.area.code}）"),
            ("统计日期", out.as_of.isoformat()),
            ("星级门槛（小时）", " / ".join(f"{t:g}" for t in out.thresholds)),
            ("计入来源", _sources(out.sources)),
        ],
        definitions=out.definitions,
    )


MONTH_FIGURES = [
    ("new_registrations", "new_registrations"),
    ("registered", "registered"),
    ("active", "active"),
    ("active_rate", "active_rate"),
    ("hours", "monthly_hours"),
    ("activities", "monthly_activities"),
]


def monthly_table(out: MonthlyOut) -> Table:
    """The monthly series."""
    return Table(
        sheet="月度统计",
        stem=f"monthly-{out.area.code}-{out.start}-{out.end}",
        title=f"月度统计-{out.area.code}-{out.start}-{out.end}",
        headers=["月份", "月末日期", *figure_headers(MONTH_FIGURES)],
        rows=[[r.month, r.month_end.isoformat(), *figure_cells(MONTH_FIGURES, r.figures)] for r in out.rows],
        parameters=[
            ("区域", f"{out.area.name}（{out.area.code}）"),
            ("起止月份", f"{out.start} 至 {out.end}"),
            ("注册、活跃的统计日期", "每月最后一天"),
            ("活跃口径参数", "统计窗口 365 天，最低时长 0 小时，计入签到、补录"),
        ],
        definitions=out.definitions,
    )


def _width(values: list[Any]) -> int:
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)) for v in values if v is not None), default=4)
    return min(max(longest + 2, 8), 60)


def _sheet(ws: Any, rows: list[list[Any]], header_rows: tuple[int, ...] = (1,)) -> None:
    for row in rows:
        append_row(ws, row)
    for number in header_rows:
        for cell in ws[number]:
            cell.font = Font(bold=True)
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = _width([c.value for c in column])


def xlsx_bytes(table: Table) -> bytes:
    """The table on its sheet, then "口径说明": parameters, and every definition with its version."""
    book = Workbook()
    figures = book.active
    figures.title = table.sheet
    _sheet(figures, [table.headers, *table.rows])
    figures.freeze_panes = "A2"
    notes = book.create_sheet("口径说明")
    parameters = [["参数", "取值"], *[list(p) for p in table.parameters], ["导出时间", _stamp()]]
    definitions = [
        ["指标", "口径编号", "版本", "单位", "口径说明", "Definition (English)"],
        *[
            [LABELS.get(d.id, d.id), d.id, d.version, UNIT_NAMES.get(d.unit, d.unit), d.zh, d.en]
            for d in table.definitions
        ],
    ]
    _sheet(notes, [*parameters, [], *definitions], header_rows=(1, len(parameters) + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(table: Table) -> bytes:
    """The table alone, UTF-8 with a byte-order mark, CRLF line ends (as Excel writes)."""
    return write_csv(table.headers, table.rows)


def download(table: Table, file_format: str) -> Response[bytes]:
    """The file as an attachment named after what it holds."""
    if file_format == "csv":
        body, media_type = csv_bytes(table), "text/csv; charset=utf-8"
    else:
        body, media_type = xlsx_bytes(table), XLSX
    name = f"{table.stem}.{file_format}"
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(f'{table.title}.{file_format}')}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
