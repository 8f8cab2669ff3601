"""`volunteers stats participation`: the real command, in its own process, against the test database."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import World
from tests.factories import add_population, add_record, add_volunteer, held

COMMAND = Path(sys.executable).parent / "volunteers"
AS_OF = "2026-06-30"


async def run(*args: str) -> tuple[int, str, bytes]:
    """Run `volunteers stats participation …`; returns (exit code, stderr, stdout bytes)."""
    process = await asyncio.create_subprocess_exec(
        str(COMMAND),
        "stats",
        "participation",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "COLUMNS": "160"},
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, err.decode(), out


async def district() -> None:
    await add_population("D1", 2026, 2000)
    place = await held("C11", date(2026, 5, 1))
    for code, minutes in (("C11", 90), ("C12", 30), ("C21", 0)):
        someone = await add_volunteer(code, date(2025, 1, 1))
        if minutes:
            await add_record(someone, place, date(2026, 5, 1), minutes)
    await add_volunteer("C21", date(2025, 1, 1), withdrawn_on=date(2026, 1, 1))


async def test_table_with_breakdown(world: World) -> None:
    await district()
    code, err, out = await run("--area", "D1", "--as-of", AS_OF, "--breakdown")
    assert code == 0, err
    text = out.decode()
    api = (
        await world.get(
            "root", "/api/v1/stats/participation", params={"area": "D1", "as_of": AS_OF, "breakdown": "children"}
        )
    ).json()
    assert api["figures"]["registered"]["value"] == 3 and api["figures"]["active_rate"]["value"] == 66.67
    lines = text.splitlines()
    registered = next(line for line in lines if "注册志愿者数" in line and "registered@2026.1" in line)
    assert registered.split("│")[2].strip() == "3"
    rate = next(line for line in lines if "活跃率（%）" in line and "active_rate@2026.1" in line)
    assert [cell.strip() for cell in rate.split("│")[2:5]] == ["66.67%", "2", "3"]
    population_rate = next(line for line in lines if "registration_rate@2026.1" in line)
    assert [cell.strip() for cell in population_rate.split("│")[2:5]] == ["0.15%", "3", "2,000"]
    assert "东街道（S1）" in text and "西街道（S2）" in text
    assert "窗口 2025-07-01 至 2026-06-30（365 天）" in text
    assert "registered@2026.1 注册志愿者数：居住地在该区域（含下级）的志愿者中" in text


async def test_xlsx_and_csv_files(world: World, tmp_path: Path) -> None:
    await district()
    target = tmp_path / "d1.xlsx"
    code, err, _ = await run(
        "--area", "D1", "--as-of", AS_OF, "--breakdown", "--format", "xlsx", "--output", str(target)
    )
    assert code == 0, err
    book = load_workbook(target)
    assert book.sheetnames == ["参与统计", "口径说明"]
    rows = list(book["参与统计"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["D1", "S1", "S2"]
    header = list(rows[0])
    assert rows[1][header.index("注册志愿者数")] == 3 and rows[3][header.index("注册志愿者数")] == 1
    code, err, out = await run("--area", "S1", "--as-of", AS_OF, "--format", "csv", "--sources", "manual")
    assert code == 0, err
    assert out.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["注册志愿者数"] == "2" and row["活跃志愿者数"] == "0"  # no manual records


async def test_refusals(world: World, tmp_path: Path) -> None:
    code, err, _ = await run("--area", "NOPE", "--as-of", AS_OF)
    assert code == 1 and "区域 NOPE 不存在" in err
    code, err, _ = await run("--area", "D1", "--as-of", "2026-13-01")
    assert code == 2 and "日期格式应为 YYYY-MM-DD" in err
    code, err, _ = await run("--area", "D1%'", "--as-of", AS_OF)
    assert code == 2 and "区域编码" in err
    code, err, _ = await run("--area", "D1", "--as-of", AS_OF, "--window-days", "0")
    assert code == 1 and "统计窗口天数" in err
    code, err, _ = await run(
        "--area", "D1", "--as-of", AS_OF, "--format", "xlsx", "--output", str(tmp_path / "no" / "x.xlsx")
    )
    assert code == 1 and "无法写入" in err
