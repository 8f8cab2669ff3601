"""The database: the Piccolo engine and its pool, and SQL files (the embedded server is in embedded.py)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from enum import IntEnum
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

os.environ.setdefault("PICCOLO_CONF", "volunteers.piccolo_conf")

# The SQL files: inside the installed package (the wheel maps the top-level sql/ to volunteers/sql),
# else beside src/ in a checkout (an editable install points into the source tree).
_PACKAGED_SQL = resources.files("volunteers") / "sql"
SQL_DIR: Traversable = _PACKAGED_SQL if _PACKAGED_SQL.is_dir() else Path(__file__).resolve().parents[2] / "sql"


class LockClass(IntEnum):
    """The first key of every two-key transaction-level advisory lock (`pg_advisory_xact_lock(class, key)`),
    so that locks taken for different purposes never wait on each other by sharing a number."""

    LOGIN_USERNAME = 1  # auth/throttle.py: attempts at one username
    LOGIN_ADDRESS = 2  # auth/throttle.py: attempts from one address
    STATS_REFRESH = 3  # sql/stats/functions.sql: refreshers take turns (key 0)
    ID_LOOKUPS = 4  # people/search.py: one staff user's exact look-ups
    VOLUNTEER_TIME = 5  # checkin/records.py: one volunteer's service time (overlaps)
    DEFINITIONS = 6  # definitions.py: processes applying the database definitions take turns (key 0)
    NEW_ACTIVITY_FORM = 7  # web/staff/activities.py: one user's "new activity" form, sent twice at once


class Transaction(PostgresTransaction):
    """Piccolo's transaction, but the connection goes back to the pool even when BEGIN,
    COMMIT or ROLLBACK itself fails (a timeout, a server gone away); Piccolo 1.38 keeps it,
    and after `max_size` such failures every request would wait for a connection forever."""

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()  # type: ignore[no-untyped-call]
        try:
            self.transaction = self.connection.transaction()
            await self.begin()  # type: ignore[no-untyped-call]
        except BaseException:
            await self._give_back(broken=True)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        broken = True
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
            broken = False
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back(broken=broken)
        return exception is None

    async def _give_back(self, *, broken: bool) -> None:
        if broken:
            self.connection.terminate()
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        elif not broken:
            await self.connection.close()


class Engine(PostgresEngine):
    """The PostgreSQL engine with `Transaction` above, and no connection made when it is built."""

    async def check_version(self) -> None:
        # Piccolo connects at import to log the server version; the DSN is only known after `configure`
        # (the embedded server may not be started yet), so the attempt could only warn or wait on a stranger.
        return None

    def transaction(self, allow_nested: bool = True) -> Transaction:
        return Transaction(engine=self, allow_nested=allow_nested)


# The one engine; `piccolo_conf` hands it to Piccolo. Its DSN is set by `configure`, before the pool opens.
ENGINE = Engine(config={"dsn": os.environ.get("DATABASE_URL", "")})


def configure(dsn: str) -> None:
    """Point the Piccolo engine (and so every query) at `dsn`."""
    os.environ["DATABASE_URL"] = dsn
    ENGINE.config = {"dsn": dsn}


def engine() -> Engine:
    """The one Piccolo engine."""
    return ENGINE


async def _keep_session(_: asyncpg.Connection[Any]) -> None:
    """Skip asyncpg's per-release RESET ALL round trip: the app keeps no session state
    (no SET, no LISTEN, only transaction-scoped advisory locks), and open transactions
    are still rolled back by the pool."""


# Seconds to open a connection (a database that is down answers at once; one that is unreachable
# must not hold a request for asyncpg's default 60 s) and to run one statement.
CONNECT_TIMEOUT = 5
COMMAND_TIMEOUT = 30


async def open_pool(max_size: int = 20) -> None:
    """Open the shared asyncpg pool (used by Piccolo and by the SQL files)."""
    await engine().start_connection_pool(
        min_size=1, max_size=max_size, timeout=CONNECT_TIMEOUT, command_timeout=COMMAND_TIMEOUT, reset=_keep_session
    )


async def close_pool() -> None:
    """Close the shared pool."""
    await engine().close_connection_pool()


@cache
def sql(name: str) -> str:
    """The text of `sql/{name}.sql`."""
    return SQL_DIR.joinpath(f"{name}.sql").read_text(encoding="utf-8")


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


async def fetchval(name: str, *args: Any) -> Any:
    """Run `sql/{name}.sql` with bound arguments and return the first column of the first row."""
    async with connection() as conn:
        return await conn.fetchval(sql(name), *args)


async def execute(name: str, *args: Any) -> str:
    """Run the one statement of `sql/{name}.sql` with bound arguments and return its command tag."""
    async with connection() as conn:
        status: str = await conn.execute(sql(name), *args)
        return status
