"""`volunteers stats participation --area CODE --as-of DATE [--breakdown] [--format table|xlsx|csv]`.

Runs as the system (every area), prints each figure with its numerator, denominator and
definition, or writes the same XLSX/CSV the API exports.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from volunteers import runtime
from volunteers.access import Caller
from volunteers.errors import DomainError
from volunteers.stats.definitions import (
    CATALOGUE,
    DEFAULT_MIN_HOURS,
    DEFAULT_WINDOW_DAYS,
    LABELS,
    PARTS,
    SOURCE_NAMES,
)
from volunteers.stats.figures import participation
from volunteers.stats.outputs import exports
from volunteers.stats.outputs.charts import number
from volunteers.stats.query import split_sources
from volunteers.stats.schemas import AreaFigures, Figure, FigureQuery, ParticipationOut

AREA_CODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# The command line reads everything, as a system administrator would.
SYSTEM = Caller(user_id=0, username="system", role="admin", area_id=None, area_code=None, area_path=None)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text[:40]}") from exc


def register(commands: Any) -> None:
    """Add `stats participation` to the `volunteers` command."""
    stats = commands.add_parser("stats", help="participation statistics (as the system, every area)")
    actions = stats.add_subparsers(dest="action", required=True)
    figures = actions.add_parser(
        "participation",
        help="participation figures of an area as of a date",
        description="Each figure with its value, numerator, denominator and definition.",
    )
    figures.add_argument("--area", required=True, help="area code, e.g. D1")
    figures.add_argument("--as-of", required=True, type=_date, help="YYYY-MM-DD")
    figures.add_argument("--breakdown", action="store_true", help="also every child area (and the area's own row)")
    figures.add_argument("--window-days", type=int, default=DEFAULT_WINDOW_DAYS)
    figures.add_argument("--min-hours", type=float, default=DEFAULT_MIN_HOURS)
    figures.add_argument("--sources", help="checkin,manual (default: both)")
    figures.add_argument("--format", choices=["table", "xlsx", "csv"], default="table")
    figures.add_argument("--output", type=Path, help="file to write (xlsx/csv; default: a name like the API's)")
    figures.set_defaults(func=participation_command)


async def _participation(args: argparse.Namespace) -> ParticipationOut:
    query = FigureQuery(
        area=args.area,
        as_of=args.as_of,
        window_days=args.window_days,
        min_hours=args.min_hours,
        sources=split_sources(args.sources),
        breakdown=args.breakdown,
    )
    return await participation(SYSTEM, query)


def _cell(f: Figure, part: str) -> str:
    """A value as published: rates with two decimals and %, hours with two decimals, counts whole."""
    value = getattr(f, part)
    if value is None:
        return "缺少" if part == "value" and f.missing else "—"
    if part == "value" and f.unit == "percent":
        return number(value, "%")
    if f.unit == "hours" and part != "denominator":
        return f"{value:,.2f}"
    return number(value)


def figure_table(block: AreaFigures | ParticipationOut, title: str) -> Table:
    """One area's figures: value, numerator, denominator, definition."""
    table = Table(title=title, title_justify="left")
    for header, justify in (
        ("指标", "left"),
        ("数值", "right"),
        ("分子", "right"),
        ("分母", "right"),
        ("口径", "left"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for key, f in block.figures.items():
        label = LABELS[key]
        if key in PARTS:
            label += f"\n  = {PARTS[key][0]} ÷ {PARTS[key][1]}"
        table.add_row(label, _cell(f, "value"), _cell(f, "numerator"), _cell(f, "denominator"), f.definition)
    return table


def print_tables(out: ParticipationOut, console: Console) -> None:
    p = out.parameters
    console.print(
        f"{out.area.name}（{out.area.code}） 统计日期 {out.as_of} · 窗口 {p.window_start} 至 {p.window_end}"
        f"（{p.window_days} 天）· 最低时长 {p.min_hours:g} 小时 · 来源 {'、'.join(SOURCE_NAMES[s] for s in p.sources)}"
        f" · 口径版本 {out.definitions_version}"
    )
    console.print(figure_table(out, f"{out.area.name}（合计，含下级）"))
    for child in out.children or []:
        console.print(figure_table(child, f"{child.area.name}（{child.area.code}）"))
    console.print("口径：")
    for key in out.figures:
        d = CATALOGUE[key]
        console.print(f"  {d.id}@{d.version} {LABELS[key]}：{d.zh}", highlight=False)


def participation_command(args: argparse.Namespace) -> int:
    """Compute the figures and print them, or write the export file."""
    errors = Console(stderr=True)
    if not AREA_CODE.match(args.area):
        errors.print(f"volunteers: 区域编码只能由字母、数字和连字符组成（1–32 位）：{args.area[:40]!r}")
        return 2
    try:
        out = runtime.run(lambda: _participation(args))
    except DomainError as exc:
        errors.print(f"volunteers: {exc.message}（{exc.code}）")
        return 1
    if args.format == "table":
        print_tables(out, Console(width=max(Console().width, 100)))
        return 0
    table = exports.participation_table(out)
    content = exports.xlsx_bytes(table) if args.format == "xlsx" else exports.csv_bytes(table)
    if args.output is None and args.format == "csv":
        sys.stdout.buffer.write(content)
        return 0
    target: Path = args.output or Path(f"{table.stem}.{args.format}")
    try:
        target.write_bytes(content)
    except OSError as exc:
        errors.print(f"volunteers: 无法写入 {target}：{exc.strerror}")
        return 1
    errors.print(f"volunteers: 已写入 {target}（{len(content)} 字节）")
    return 0
