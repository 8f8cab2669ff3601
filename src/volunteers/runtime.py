"""How a process reaches its database, and the one way a `volunteers` command runs async work on it.

`connect()` points the engine at the configured database: `DATABASE_URL`, else the embedded server in
the data directory, started if it is not running. `run(work)` is what a command calls to work on the
data: connect, open a small pool, apply pending migrations, await `work()`, close the pool. Transactions
stay where the API has them, in the services a command calls, so a command writes exactly what the same
call through the API would. `backup` and `restore` take only `connect()`'s DSN: pg_dump and pg_restore
are their own clients, and a backup must not migrate what it copies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from volunteers import db, embedded
from volunteers.settings import get_settings
from volunteers.upgrade import migrate

T = TypeVar("T")

# A command is one client doing one thing at a time; the app's pool size is for many requests.
COMMAND_POOL_SIZE = 2


@dataclass(frozen=True, slots=True)
class Database:
    """The database a process uses: its DSN, and the embedded server's data directory (None for `DATABASE_URL`)."""

    dsn: str
    embedded_dir: Path | None

    @property
    def embedded(self) -> bool:
        """Whether this is the embedded server."""
        return self.embedded_dir is not None

    def describe(self) -> str:
        """Where the data lives, for a command's first line of output."""
        return f"embedded PostgreSQL in {self.embedded_dir}" if self.embedded_dir else "DATABASE_URL"


def connect() -> Database:
    """Point the engine at the configured database (starting the embedded server if it is the one)."""
    settings = get_settings()
    if settings.database_url:
        database = Database(settings.database_url, None)
    else:
        database = Database(embedded.start(settings.data_dir), settings.data_dir)
    db.configure(database.dsn)
    return database


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work()` against the configured database, migrated, with a pool open for its duration."""
    connect()
    return asyncio.run(_with_pool(work))


async def _with_pool(work: Callable[[], Awaitable[T]]) -> T:
    await db.open_pool(max_size=COMMAND_POOL_SIZE)
    try:
        await migrate()
        return await work()
    finally:
        await db.close_pool()
