"""`volunteers demo` and `serve --demo`: the command line, and refusing a database in use."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from typing import Any

import anyio
import pytest

from tests.conftest import World
from volunteers import db
from volunteers.cli import parser
from volunteers.demo import DEFAULT_SEED, DatabaseNotEmpty, build_demo, generate
from volunteers.demo.commands import build_if_empty, run
from volunteers.fields import today


async def counts() -> dict[str, int]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM area) AS areas, (SELECT count(*) FROM staff_user) AS users,"
            " (SELECT count(*) FROM volunteer) AS volunteers, (SELECT count(*) FROM audit_entry) AS audit"
        )
    assert row is not None
    return dict(row)


def test_demo_subcommand_is_registered() -> None:
    args = parser().parse_args(["demo", "--as-of", "2026-06-30"])
    assert args.func is run
    assert (args.as_of, args.seed) == (date(2026, 6, 30), DEFAULT_SEED)
    assert parser().parse_args(["demo", "--seed", "7"]).as_of is None
    assert parser().parse_args(["serve", "--demo"]).demo is True
    assert parser().parse_args(["serve"]).demo is False


def test_a_malformed_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parser().parse_args(["demo", "--as-of", "30/06/2026"])
    assert stopped.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_a_future_date_is_refused_before_touching_the_database(capsys: pytest.CaptureFixture[str]) -> None:
    tomorrow = today() + timedelta(days=1)
    assert run(argparse.Namespace(as_of=tomorrow, seed=1)) == 2
    assert str(tomorrow) in capsys.readouterr().err


async def test_refuses_a_database_with_areas_or_logins(world: World) -> None:
    before = await counts()
    with pytest.raises(DatabaseNotEmpty) as refused:
        await build_demo(date(2026, 6, 30), 1)
    assert "不是空的" in str(refused.value) and refused.value.areas == 6
    assert await build_if_empty() is None
    assert await counts() == before


async def test_command_exits_1_on_a_database_in_use(world: World, database: str) -> None:
    before = await counts()
    program = "import sys; from volunteers.cli import main; sys.exit(main(['demo', '--as-of', '2026-06-30']))"
    with anyio.fail_after(120):
        done = await anyio.run_process(
            [sys.executable, "-c", program], env={**os.environ, "DATABASE_URL": database}, check=False
        )
    assert done.returncode == 1, done.stderr
    assert "数据库不是空的" in done.stderr.decode()
    assert await counts() == before


async def test_a_failure_half_way_leaves_the_database_empty(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(generate, "plan_memberships", broken)  # after areas and logins are written
    with pytest.raises(RuntimeError, match="disk full"):
        await build_demo(date(2026, 6, 30), 1)
    assert await counts() == {"areas": 0, "users": 0, "volunteers": 0, "audit": 0}


async def test_builds_beside_the_administrator_serve_created(app: Any) -> None:
    """`serve` makes `admin` on an empty database; `volunteers demo` afterwards still builds, and brings
    its own system administrator (no area) for what only one may change, such as activity categories."""
    from volunteers.auth.schemas import UserIn
    from volunteers.auth.service import create_user

    await create_user(None, UserIn(username="admin", password="correct-horse-battery", role="admin"))
    built = await build_demo(date(2026, 6, 30), 1)
    system = [login for login in built.logins if login.area_code == "不限区域"]
    assert [(login.username, login.role) for login in system] == [("sys_admin", "admin")]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM staff_user WHERE area IS NULL") == 2
