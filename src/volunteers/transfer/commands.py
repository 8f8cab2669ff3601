"""`volunteers import KIND FILE --area CODE [--dry-run] [--partial]`: the API's import, as the system."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from volunteers import db
from volunteers.errors import DomainError
from volunteers.settings import get_settings
from volunteers.transfer.columns import KINDS
from volunteers.transfer.readers import MB, ImportLimits
from volunteers.transfer.schemas import ImportReport
from volunteers.upgrade import migrate

SHOWN_ERRORS = 100


def register(commands: Any) -> None:
    """Add `import` to the `volunteers` command."""
    command = commands.add_parser(
        "import",
        help="import an XLSX or CSV file (volunteers, teams, memberships, activities, service-records)",
        description="Check every row with the API's rules, then write them (all or nothing unless --partial).",
    )
    command.add_argument("kind", choices=list(KINDS))
    command.add_argument("file", type=Path)
    command.add_argument("--area", required=True, help="area code: the import's scope and the default area of rows")
    command.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    command.add_argument("--partial", action="store_true", help="write the valid rows even if others have errors")
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.add_argument("--marked", type=Path, help="also write the file marked with its errors (XLSX) here")
    command.set_defaults(func=import_file)


def import_file(args: argparse.Namespace) -> int:
    """Run the import and print its report; exit 0 if every row was fine, 1 otherwise."""
    console = Console(stderr=True)
    try:
        size = args.file.stat().st_size
    except OSError as exc:
        console.print(f"volunteers: 无法读取文件 {args.file}：{exc.strerror}")
        return 1
    limit = ImportLimits.from_env().max_bytes
    if size > limit:
        console.print(f"volunteers: 文件超过 {limit // MB} MB，不能导入；请拆分成几个文件")
        return 1
    content = args.file.read_bytes()
    settings = get_settings()
    db.resolve_database_url(settings.database_url, settings.data_dir)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("读取", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        try:
            outcome = asyncio.run(_run(args, content, progress))
        except DomainError as exc:
            console.print(f"volunteers: {exc.message}（{exc.code}）")
            return 1
    if args.marked is not None:
        from volunteers.transfer.workbooks import annotated

        args.marked.write_bytes(annotated(content, outcome.sheet, outcome.header, outcome.errors))
    report: ImportReport = outcome.report
    if args.json:
        sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    else:
        _print(Console(), report, outcome.refused)
    return 1 if report.error_count else 0


async def _run(args: argparse.Namespace, content: bytes, progress: Any) -> Any:
    from volunteers.transfer.imports import run_import

    await db.open_pool(max_size=2)
    try:
        await migrate()
        return await run_import(
            None,
            args.kind,
            content,
            args.file.name,
            args.area,
            dry_run=args.dry_run,
            partial=args.partial,
            progress=progress,
        )
    finally:
        await db.close_pool()


def _print(console: Console, report: ImportReport, refused: bool) -> None:
    if report.errors:
        table = Table("行", "列", "值", "问题", title=f"{report.error_count} 个错误", title_justify="left")
        for error in report.errors[:SHOWN_ERRORS]:
            table.add_row(str(error.row), error.column, error.value, error.message)
        console.print(table)
        if report.error_count > SHOWN_ERRORS:
            console.print(f"……另有 {report.error_count - SHOWN_ERRORS} 个错误（--json 或 --marked 可看全部）")
    if report.ignored_columns:
        console.print(f"忽略的列：{'、'.join(report.ignored_columns)}")
    if refused:
        verdict = "有错误，什么也没有写入（改正后重新导入，或用 --partial 只写入正确的行）"
    elif report.dry_run:
        verdict = "试运行，什么也没有写入"
    else:
        verdict = "已写入"
    console.print(
        f"{report.file}：{report.rows} 行，{report.valid} 行正确；新增 {report.created}，更新 {report.updated}，"
        f"未变 {report.unchanged}；{verdict}"
    )
