"""Import throughput: 100,000 volunteers from a CSV and from an XLSX, against a raw COPY of the same rows.

All three write into the same embedded PostgreSQL (emptied between runs). The import does
everything `POST /api/v1/imports/volunteers` does (read, check every row with the API's
rules, encrypt ID numbers, lock and match stored volunteers, COPY into staging, one
INSERT … SELECT, one audit entry); the baseline COPYs the finished rows straight into
`volunteer`. Run:
    uv run python benchmarks/imports.py [--rows 100000]
Last line: csv_rows_per_s=… xlsx_rows_per_s=… copy_rows_per_s=… ratio=… (ratio: CSV import ÷ raw COPY)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
BENCH_DIR = Path(tempfile.gettempdir()) / "volunteers-bench"
os.environ.setdefault("VOLUNTEERS_SECRET_KEY", "benchmark-secret-key")
os.environ["VOLUNTEERS_DATA_DIR"] = str(BENCH_DIR)

from openpyxl import Workbook  # noqa: E402

from volunteers import db, embedded  # noqa: E402
from volunteers.people.identity import encrypt_id_number, id_number_hash  # noqa: E402
from volunteers.transfer.imports import run_import  # noqa: E402
from volunteers.upgrade import migrate  # noqa: E402

COMMUNITIES = [("C11", "东一社区"), ("C12", "东二社区"), ("C13", "东三社区"), ("C14", "东四社区")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
HEADERS = ["姓名", "手机号", "身份证号", "性别", "出生日期", "所属社区", "注册日期"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: date, serial: int) -> str:
    body = f"430421{born:%Y%m%d}{serial:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def people(count: int) -> list[list[str]]:
    """`count` adults with distinct phones and ID numbers, as a community's sheet lists them."""
    rng = random.Random(20240305)
    rows = []
    for n in range(count):
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        serial = n % 1000
        number = id_number(born, serial)
        rows.append(
            [
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                f"13{n:09d}",
                number,
                "男" if serial % 2 else "女",
                born.isoformat(),
                COMMUNITIES[n % len(COMMUNITIES)][1],
                (date(2024, 1, 1) + timedelta(days=n % 365)).isoformat(),
            ]
        )
    # distinct ID numbers: the serial cycles every 1,000 rows, the birth dates make the rest unique
    seen: set[str] = set()
    for row in rows:
        while row[2] in seen:
            born = date.fromisoformat(row[4]) + timedelta(days=1)
            row[4], row[2] = born.isoformat(), id_number(born, int(row[2][14:17]))
        seen.add(row[2])
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    lines = [",".join(HEADERS)] + [",".join(r) for r in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("志愿者")
    sheet.append(["东区志愿者花名册"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row[0], row[1], row[2], row[3], date.fromisoformat(row[4]), row[5], date.fromisoformat(row[6])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def prepare(server_dsn: str) -> str:
    admin = await asyncpg.connect(server_dsn)
    await admin.execute("DROP DATABASE IF EXISTS bench_imports WITH (FORCE)")
    await admin.execute("CREATE DATABASE bench_imports")
    await admin.close()
    dsn = server_dsn.replace("/postgres?", "/bench_imports?")
    db.configure(dsn)
    await db.open_pool(max_size=4)
    await migrate()
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO area (code, name, level, parent, path) VALUES ('D1', '高新区', 'district', NULL, '/D1/')"
        )
        await conn.execute(
            "INSERT INTO area (code, name, level, parent, path)"
            " SELECT 'S1', '东街道', 'street', id, '/D1/S1/' FROM area WHERE code = 'D1'"
        )
        for code, name in COMMUNITIES:
            await conn.execute(
                "INSERT INTO area (code, name, level, parent, path)"
                " SELECT $1::text, $2, 'community', id, '/D1/S1/' || $1::text || '/' FROM area WHERE code = 'S1'",
                code,
                name,
            )
    return dsn


async def empty() -> None:
    async with db.connection() as conn:
        await conn.execute("TRUNCATE volunteer, audit_entry RESTART IDENTITY CASCADE")
        await conn.execute("ALTER SEQUENCE volunteer_no_seq RESTART")
        await conn.execute("VACUUM ANALYZE volunteer")


async def timed_import(content: bytes, filename: str, count: int) -> float:
    await empty()
    started = time.perf_counter()
    outcome = await run_import(None, "volunteers", content, filename, "S1")
    elapsed = time.perf_counter() - started
    report = outcome.report
    if report.created != count or report.error_count:
        raise SystemExit(f"{filename}: created {report.created} of {count}, {report.error_count} errors")
    return elapsed


async def timed_copy(rows: list[list[str]]) -> float:
    """COPY the same people, already encrypted and numbered, straight into `volunteer`."""
    await empty()
    async with db.connection() as conn:
        areas = {r["name"]: r["id"] for r in await conn.fetch("SELECT id, name FROM area")}
    records = [
        (
            f"ZY{n:010d}",
            r[0],
            r[1],
            encrypt_id_number(r[2]),
            id_number_hash(r[2]),
            "male" if r[3] == "男" else "female",
            date.fromisoformat(r[4]),
            areas[r[5]],
            date.fromisoformat(r[6]),
            date.fromisoformat(r[6]),
        )
        for n, r in enumerate(rows, 1)
    ]
    columns = [
        "volunteer_no",
        "name",
        "phone",
        "id_number_cipher",
        "id_number_hash",
        "gender",
        "birth_date",
        "area",
        "registered_on",
        "consent_on",
    ]
    async with db.connection() as conn:
        started = time.perf_counter()
        await conn.copy_records_to_table("volunteer", records=records, columns=columns)
        return time.perf_counter() - started


async def run(count: int) -> None:
    server_dsn = embedded.start(BENCH_DIR)
    await prepare(server_dsn)
    try:
        rows = people(count)
        csv_content, xlsx_content = as_csv(rows), as_xlsx(rows)
        print(f"{count:,} volunteers: CSV {len(csv_content) / 1e6:.1f} MB, XLSX {len(xlsx_content) / 1e6:.1f} MB")
        await timed_import(as_csv(rows[:1000]), "warm-up.csv", 1000)
        csv_seconds = await timed_import(csv_content, "bench.csv", count)
        print(f"csv import   {csv_seconds:6.2f} s  {count / csv_seconds:10,.0f} rows/s")
        xlsx_seconds = await timed_import(xlsx_content, "bench.xlsx", count)
        print(f"xlsx import  {xlsx_seconds:6.2f} s  {count / xlsx_seconds:10,.0f} rows/s")
        copy_seconds = await timed_copy(rows)
        print(f"raw COPY     {copy_seconds:6.2f} s  {count / copy_seconds:10,.0f} rows/s")
    finally:
        await db.close_pool()
    csv_rate, xlsx_rate, copy_rate = count / csv_seconds, count / xlsx_seconds, count / copy_seconds
    print(
        f"csv_rows_per_s={csv_rate:.0f} xlsx_rows_per_s={xlsx_rate:.0f} copy_rows_per_s={copy_rate:.0f} "
        f"ratio={csv_rate / copy_rate:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    asyncio.run(run(parser.parse_args().rows))


if __name__ == "__main__":
    main()
