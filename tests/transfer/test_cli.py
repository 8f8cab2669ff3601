"""`volunteers import`: the same import from the command line, as the system."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio

from tests.conftest import World
from tests.factories import volunteer_count
from tests.transfer.files import csv, xlsx

COMMAND = "import sys; from volunteers.cli import main; sys.exit(main(sys.argv[1:]))"


async def volunteers_cli(*args: str | Path) -> tuple[int, str, str]:
    result = await anyio.run_process(
        [sys.executable, "-c", COMMAND, *map(str, args)], check=False, env={**os.environ, "COLUMNS": "200"}
    )
    return result.returncode, result.stdout.decode(), result.stderr.decode()


async def test_cli_import_writes_and_prints_the_report(world: World, tmp_path: Path) -> None:
    sheet = tmp_path / "名单.xlsx"
    sheet.write_bytes(
        xlsx([["姓名", "手机号", "所属社区"], ["张三", 13800138000.0, "C11"], ["李四", "13800138001", "C21"]])
    )
    code, out, err = await volunteers_cli("import", "volunteers", sheet, "--area", "S1", "--json")
    assert code == 1, err
    report = json.loads(out)
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(3, "unknown_area")]
    assert await volunteer_count() == 0
    code, out, err = await volunteers_cli("import", "volunteers", sheet, "--area", "D1", "--dry-run")
    assert code == 0 and "新增 2" in out and "试运行" in out, (out, err)
    assert await volunteer_count() == 0
    code, out, err = await volunteers_cli("import", "volunteers", sheet, "--area", "D1")
    assert code == 0 and "新增 2" in out and "已写入" in out, (out, err)
    assert await volunteer_count() == 2
    entries = (await world.get("root", "/api/v1/audit", params={"entity": "import"})).json()["items"]
    assert [(e["username"], e["after"]["created"]) for e in entries] == [("system", 2)]


async def test_cli_partial_and_marked_file(world: World, tmp_path: Path) -> None:
    sheet = tmp_path / "a.csv"
    sheet.write_bytes(csv([["姓名", "手机号"], ["张三", "13800138000"], ["李四", "123"]], encoding="gb18030"))
    marked = tmp_path / "marked.xlsx"
    code, out, _ = await volunteers_cli("import", "volunteers", sheet, "--area", "C11", "--partial", "--marked", marked)
    assert code == 1
    assert "1 个错误" in out and "手机号" in out and "新增 1" in out
    assert marked.read_bytes().startswith(b"PK")
    assert await volunteer_count() == 1


async def test_cli_refusals(world: World, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    code, _, err = await volunteers_cli("import", "volunteers", junk, "--area", "C11")
    assert code == 1 and "not_a_spreadsheet" in err
    code, _, err = await volunteers_cli("import", "volunteers", tmp_path / "missing.xlsx", "--area", "C11")
    assert code == 1 and "无法读取" in err
    code, _, err = await volunteers_cli("import", "volunteers", junk, "--area", "C99")
    assert code == 1 and "C99" in err
