"""An import from start to end: read, check every row, resolve against what is stored, write.

Everything happens in one transaction. Rows are checked in chunks in a worker thread (CPU
work) while the database resolves and writes the chunk before: the stored records the rows
name are locked, the chunk's plan is COPYed into a staging table and applied with one
INSERT … SELECT and one UPDATE … FROM, and one audit entry records the import. All-or-nothing
unless `partial`: if any row fails, or on a dry run, the transaction is rolled back.

A report that says a row's ID number is on file for another volunteer answers an exact ID lookup, so
those rows are charged to the caller (`people.search.charge_id_lookups`) before the report is given,
in a transaction of their own that a rollback leaves standing; past the caller's budget the whole
file is refused (429) and nothing is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial as bind
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import anyio
import asyncpg

from volunteers import audit, db
from volunteers.access import Caller
from volunteers.areas import area_by_code, area_for_write
from volunteers.areas.tables import Area
from volunteers.errors import Conflict, Invalid
from volunteers.people.search import charge_id_lookups
from volunteers.transfer.checks import RowCheck, Scope
from volunteers.transfer.columns import HeaderMap, kind_spec, locate_header
from volunteers.transfer.kinds.activities import ActivityImport
from volunteers.transfer.kinds.base import KindImport, Plan
from volunteers.transfer.kinds.memberships import MembershipImport
from volunteers.transfer.kinds.records import ServiceRecordImport
from volunteers.transfer.kinds.teams import TeamImport
from volunteers.transfer.kinds.volunteers import VolunteerImport
from volunteers.transfer.readers import ImportLimits, RawSheet, read_sheet, too_many_rows
from volunteers.transfer.schemas import MAX_LISTED_ERRORS, ImportReport, RowError

IMPORTERS: dict[str, type[KindImport]] = {
    "volunteers": VolunteerImport,
    "teams": TeamImport,
    "memberships": MembershipImport,
    "activities": ActivityImport,
    "service-records": ServiceRecordImport,
}

# progress(stage, done, total): stages are "读取", "检查", "写入"
Progress = Callable[[str, int, int], None]

CHUNK = 10_000  # rows checked in one go, while the database writes the chunk before
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_AREA_CODE = re.compile(r"[A-Za-z0-9-]{1,32}")


@dataclass(slots=True)
class ImportOutcome:
    """The report, whether the import was refused (all-or-nothing with errors), and the rows it read."""

    report: ImportReport
    refused: bool
    sheet: RawSheet
    header: HeaderMap
    errors: list[RowError]


@dataclass(slots=True)
class Tally:
    """What the import did (or, on a dry run, would do) so far."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: bool = False


def clean_filename(name: str | None) -> str:
    """The file's own name (no folders, no control characters), at most 100 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    return _UNSAFE.sub("", base).strip()[:100] or "upload"


async def run_import(
    caller: Caller | None,
    kind: str,
    content: bytes,
    filename: str,
    area_code: str,
    *,
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
    limits: ImportLimits | None = None,
) -> ImportOutcome:
    """Import `content` as rows of `kind` into the subtree of `area_code`; `caller` None is the system."""
    spec = kind_spec(kind)
    if not _AREA_CODE.fullmatch(area_code or ""):
        raise Invalid("导入区域（area）应为区域编码，如 C11", field="area", code="invalid_area")
    area = await (area_for_write(caller, area_code, "area") if caller else area_by_code(area_code, "area"))
    scope = Scope(caller, area, clean_filename(filename))
    scope.index_areas(
        await Area.select(Area.id, Area.code, Area.name, Area.path).where(Area.path.like(f"{area['path']}%"))
    )
    importer = IMPORTERS[spec.name](scope)
    await importer.prepare()
    report = progress or (lambda *_: None)
    sheet, header, rows = await anyio.to_thread.run_sync(
        bind(_read, importer, content, limits or ImportLimits.from_env(), report)
    )
    async with db.engine().transaction() as transaction, db.connection() as conn:
        tally = await _check_and_write(importer, conn, rows, dry_run=dry_run, partial=partial, progress=report)
        errors = [e for r in rows for e in r.errors]
        refused = bool(errors) and not partial
        if refused or dry_run:
            await transaction.rollback()  # type: ignore[no-untyped-call]
        else:
            await _charge_lookups(caller, importer)  # before the commit: refused, the import writes nothing
            if tally.created or tally.updated:
                await _audit(scope, kind, content, len(rows), tally, len(errors))
    if refused or dry_run:
        await _charge_lookups(caller, importer)  # after the rollback, so as not to hold two connections
    bad_rows = len({e.row for e in errors})
    return ImportOutcome(
        report=ImportReport(
            kind=kind,
            file=scope.filename,
            area=area["code"],
            rows=len(rows),
            valid=len(rows) - bad_rows,
            written=0 if refused or dry_run else tally.created + tally.updated,
            created=0 if refused else tally.created,
            updated=0 if refused else tally.updated,
            unchanged=0 if refused else tally.unchanged,
            dry_run=dry_run,
            partial=partial,
            ignored_columns=header.ignored,
            errors=errors[:MAX_LISTED_ERRORS],
            error_count=len(errors),
            errors_truncated=len(errors) > MAX_LISTED_ERRORS,
        ),
        refused=refused,
        sheet=sheet,
        header=header,
        errors=errors,
    )


def _read(
    importer: KindImport, content: bytes, limits: ImportLimits, progress: Progress
) -> tuple[RawSheet, HeaderMap, list[RowCheck]]:
    """The file's data rows under its header, blank rows left out; too many is refused."""
    progress("读取", 0, 1)
    sheet = read_sheet(content, limits)
    header = locate_header(importer.spec, sheet.rows)
    rows = [RowCheck(index + 1, cells, header) for index, cells in enumerate(sheet.rows) if index > header.row]
    rows = [row for row in rows if not row.blank]
    if len(rows) > limits.max_rows:
        raise too_many_rows(limits)
    progress("读取", 1, 1)
    return sheet, header, rows


async def _check_and_write(
    importer: KindImport,
    conn: asyncpg.Connection[Any],
    rows: list[RowCheck],
    *,
    dry_run: bool,
    partial: bool,
    progress: Progress,
) -> Tally:
    """Check chunk n + 1 in a worker thread while chunk n is resolved and written, so both cores work.

    Once a row has failed in all-or-nothing mode, later chunks are still checked and resolved
    (for the report) but no longer written; the caller rolls the transaction back.
    """
    tally = Tally()
    seen: dict[tuple[str, Any], int] = {}
    chunks = [rows[at : at + CHUNK] for at in range(0, len(rows), CHUNK)]
    pending = _start_check(importer, chunks[0], seen) if chunks else None
    try:
        for number, chunk in enumerate(chunks):
            assert pending is not None
            candidates = await pending
            pending = _start_check(importer, chunks[number + 1], seen) if number + 1 < len(chunks) else None
            done = min((number + 1) * CHUNK, len(rows))
            progress("检查", done, len(rows))
            plan = await importer.resolve(conn, candidates)
            tally.failed = tally.failed or any(not row.ok for row in chunk)
            if dry_run or (tally.failed and not partial):
                created, updated = len(plan.inserts), len(plan.updates)
            else:
                created, updated = await _write(importer, conn, plan)
            tally.created, tally.updated, tally.unchanged = (
                tally.created + created,
                tally.updated + updated,
                tally.unchanged + plan.unchanged,
            )
            progress("写入", done, len(rows))
    finally:
        if pending is not None:  # something failed while the next chunk was being checked: let that end
            with contextlib.suppress(Exception):
                await pending
    return tally


def _start_check(
    importer: KindImport, chunk: list[RowCheck], seen: dict[tuple[str, Any], int]
) -> asyncio.Future[list[Any]]:
    return asyncio.ensure_future(anyio.to_thread.run_sync(_check, importer, chunk, seen))


def _check(importer: KindImport, rows: list[RowCheck], seen: dict[tuple[str, Any], int]) -> list[Any]:
    """Check each row, then refuse values the file repeats (`seen` spans chunks); the rows that passed."""
    candidates = [c for row in rows if (c := importer.check(row)) is not None]
    for candidate in candidates:
        for name, key in importer.keys(candidate):
            first = seen.setdefault((name, key), candidate.row.number)
            if first != candidate.row.number:
                label = importer.spec.column(name).header
                candidate.row.error(name, "duplicate_in_file", f"与第 {first} 行的{label}相同，同一文件中不能重复")
    return [c for c in candidates if c.row.ok]


async def _write(importer: KindImport, conn: asyncpg.Connection[Any], plan: Plan) -> tuple[int, int]:
    """Apply a plan; a concurrent change to the same records reads as a conflict, and nothing is written."""
    try:
        return await importer.write(conn, plan)
    except asyncpg.UniqueViolationError:
        raise Conflict(
            "导入期间有人同时登记或修改了相同的记录（手机号、身份证号或名称），本次什么也没有写入，请重新导入",
            code="import_conflict",
        ) from None


async def _charge_lookups(caller: Caller | None, importer: KindImport) -> None:
    """Charge the ID numbers the report says are on file for other volunteers as the caller's exact ID lookups."""
    await charge_id_lookups(caller, importer.id_numbers_found, compared=importer.id_numbers_compared)


async def _audit(scope: Scope, kind: str, content: bytes, rows: int, tally: Tally, errors: int) -> None:
    """One audit entry per import, with its counts and file, not one per row."""
    digest = hashlib.sha256(content).hexdigest()
    await audit.record(
        scope.caller,
        "import",
        "import",
        f"{kind}:{digest[:16]}",
        area_id=scope.area["id"],
        after={
            "kind": kind,
            "file": scope.filename,
            "sha256": digest,
            "area": scope.area["code"],
            "rows": rows,
            "created": tally.created,
            "updated": tally.updated,
            "unchanged": tally.unchanged,
            "errors": errors,
        },
    )
