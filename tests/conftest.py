"""One PostgreSQL database per test session (per worker, under xdist); every test starts from empty tables."""

from __future__ import annotations

import contextlib
import copy
import fcntl
import inspect
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.datastructures import State

os.environ["VOLUNTEERS_FAST_HASHING"] = "1"
os.environ["VOLUNTEERS_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ["VOLUNTEERS_DATA_DIR"] = str(Path(tempfile.gettempdir()) / "volunteers-test")
os.environ.pop("DATABASE_URL", None)

from volunteers import db, embedded
from volunteers.app import create_app
from volunteers.auth.schemas import Role
from volunteers.settings import get_settings
from volunteers.upgrade import migrate, seed

TEST_DATABASE = f"volunteers_test_{os.getpid()}"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Every async test and fixture runs on asyncio, in anyio's single runner task."""
    return "asyncio"


def pytest_configure(config: pytest.Config) -> None:
    """addopts already gives -q; a second one, as in `pytest -q`, would hide the final "N passed in Xs"."""
    config.option.verbose = max(config.option.verbose, -1)


# Modules whose tests share a module-scoped fixture too costly to build twice (the demo district):
# one worker runs each whole, in order. (xdist's --dist loadgroup marks are lost under pytest 9.)
ONE_WORKER_MODULES = {"tests/demo/test_district.py"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """For -n without --dist: tests go to workers one by one, as --dist load sends them, but each of
    ONE_WORKER_MODULES goes whole to one worker (first, since xdist starts with the largest group)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneByOne(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return OneByOne(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Mark every coroutine test for anyio before collection, so tests need no decorator."""
    if name.startswith("test") and inspect.iscoroutinefunction(obj):
        pytest.mark.anyio(obj)


logging.getLogger("httpx").setLevel(logging.WARNING)


def _with_database(dsn: str, name: str) -> str:
    """The DSN of database `name` on the server behind `dsn`."""
    url = httpx.URL(dsn)
    return str(url.copy_with(path=f"/{name}"))


def _start_embedded() -> str:
    """Start (or join) the shared embedded server; parallel workers take turns, so only one starts it."""
    data_dir = Path(os.environ["VOLUNTEERS_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "start.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        return embedded.start(data_dir)


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[str]:
    """A fresh, migrated database for this test session (for each worker: its name carries the pid)."""
    server_dsn = os.environ.get("TEST_DATABASE_URL") or _start_embedded()
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {TEST_DATABASE}")
    await admin.close()
    dsn = _with_database(server_dsn, TEST_DATABASE)
    os.environ["DATABASE_URL"] = dsn
    get_settings.cache_clear()
    db.configure(dsn)
    await migrate()
    yield dsn
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)")
    await admin.close()


@pytest.fixture(scope="session")
def built_app(database: str) -> tuple[Litestar, dict[str, Any]]:
    """The app, built once per session with a copy of its initial state: building one takes ~0.4 s."""
    application = create_app()
    return application, copy.deepcopy(dict(application.state))


@pytest.fixture
async def app(built_app: tuple[Litestar, dict[str, Any]]) -> AsyncIterator[Any]:
    """The app with its lifespan (and so its pool) running for one test, and its state (scan limits) as built."""
    application, initial_state = built_app
    application.state = State(copy.deepcopy(initial_state))
    async with running(application):
        yield application


@contextlib.asynccontextmanager
async def running(application: Litestar) -> AsyncIterator[Litestar]:
    """`application` inside its lifespan, over empty tables."""
    async with application.lifespan():
        await empty_tables()
        yield application


# Tables the tests neither empty nor copy: the bookkeeping of upgrade.migrate.
KEPT_TABLES = ("migration", "schema_definition")  # the migration log and the applied definitions
_KEPT = ", ".join(f"'{name}'" for name in KEPT_TABLES)

# One round trip: find the tables that have rows and delete those, restart the sequences that were used.
# Deleting a few rows is ~10x faster than truncating all ~30 tables; session_replication_role = replica
# skips the foreign keys and triggers while deleting, which needs a superuser (the embedded server's
# user is one); any other user gets the TRUNCATE of every table.
EMPTY_TABLES = f"""
DO $$
DECLARE
    table_name text;
    has_rows boolean;
BEGIN
    IF current_setting('is_superuser') <> 'on' THEN
        EXECUTE (
            SELECT 'TRUNCATE ' || string_agg(format('%I', tablename), ', ') || ' RESTART IDENTITY CASCADE'
            FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ({_KEPT})
        );
        RETURN;
    END IF;
    PERFORM set_config('session_replication_role', 'replica', true);
    FOR table_name IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ({_KEPT}) LOOP
        EXECUTE format('SELECT EXISTS (SELECT FROM %I)', table_name) INTO has_rows;
        IF has_rows THEN
            EXECUTE format('DELETE FROM %I', table_name);
        END IF;
    END LOOP;
    PERFORM set_config('session_replication_role', 'origin', true);
    PERFORM setval(s.oid, q.start_value, false)
    FROM pg_sequences q
    JOIN pg_class s ON s.relname = q.sequencename AND s.relnamespace = 'public'::regnamespace
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
    JOIN pg_class owner ON owner.oid = d.refobjid
    WHERE q.schemaname = 'public' AND q.last_value IS NOT NULL AND owner.relname NOT IN ({_KEPT});
END
$$
"""


async def empty_tables() -> None:
    """Empty every table but KEPT_TABLES, as TRUNCATE … RESTART IDENTITY would, and restore the seeded rows."""
    async with db.connection() as conn:
        await conn.execute(EMPTY_TABLES)
        await seed(conn)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process, on the test's event loop."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


PASSWORD = "correct-horse-battery"

# (username, role, area): the people of the small world most tests use.
#   D1 ─ S1 ─ C11, C12
#      └ S2 ─ C21
AREAS = [
    ("D1", "高新区", "district", None),
    ("S1", "东街道", "street", "D1"),
    ("S2", "西街道", "street", "D1"),
    ("C11", "东一社区", "community", "S1"),
    ("C12", "东二社区", "community", "S1"),
    ("C21", "西一社区", "community", "S2"),
]
USERS: list[tuple[str, Role, str]] = [
    ("admin_s1", "admin", "S1"),
    ("staff_s1", "staff", "S1"),
    ("staff_c11", "staff", "C11"),
    ("staff_c12", "staff", "C12"),
    ("staff_c21", "staff", "C21"),
    ("official_s1", "official", "S1"),
    ("official_d1", "official", "D1"),
]


class World:
    """A client plus logged-in headers per user of the small world."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict[str, dict[str, str]] | None = None) -> None:
        self.http = http
        self._tokens: dict[str, dict[str, str]] = dict(tokens or {})

    async def login(self, username: str) -> dict[str, str]:
        if username not in self._tokens:
            response = await self.http.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.text
            self._tokens[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return self._tokens[username]

    async def call(self, username: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, url, headers=await self.login(username), **kwargs)

    async def get(self, username: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.call(username, "GET", url, **kwargs)

    async def post(self, username: str, url: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.call(username, "POST", url, json=json, **kwargs)

    async def patch(self, username: str, url: str, json: Any = None) -> httpx.Response:
        return await self.call(username, "PATCH", url, json=json)

    async def put(self, username: str, url: str, json: Any = None) -> httpx.Response:
        return await self.call(username, "PUT", url, json=json)


@dataclass
class Rows:
    """Every row of the database (but KEPT_TABLES), and where the sequences those tables own stood."""

    tables: list[tuple[str, list[str], list[asyncpg.Record]]]
    sequences: list[tuple[str, int]]


# The tables with their stored (not generated) columns, and the used sequences they own.
STORED_COLUMNS = f"""
SELECT c.relname AS name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname NOT IN ({_KEPT})
GROUP BY c.relname
"""
USED_SEQUENCES = f"""
SELECT s.oid::regclass::text AS name, q.last_value AS value
FROM pg_sequences q
JOIN pg_class s ON s.relname = q.sequencename AND s.relnamespace = 'public'::regnamespace
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
JOIN pg_class owner ON owner.oid = d.refobjid
WHERE q.schemaname = 'public' AND q.last_value IS NOT NULL AND owner.relname NOT IN ({_KEPT})
"""

SET_SEQUENCES = "SELECT setval(n::regclass, v) FROM unnest($1::text[], $2::bigint[]) AS s(n, v)"


async def copy_rows() -> Rows:
    """Every row and sequence position, to write back later with put_back()."""
    async with db.connection() as conn:
        tables = []
        for table in await conn.fetch(STORED_COLUMNS):
            columns = ", ".join(f'"{c}"' for c in table["columns"])
            records = await conn.fetch(f'SELECT {columns} FROM "{table["name"]}"')
            if records:
                tables.append((table["name"], list(table["columns"]), records))
        sequences = [(r["name"], r["value"]) for r in await conn.fetch(USED_SEQUENCES)]
    return Rows(tables, sequences)


async def put_back(rows: Rows) -> None:
    """Make the tables in `rows` hold exactly those rows again (triggers and foreign keys off while copying)."""
    async with db.connection() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        for name, columns, records in rows.tables:
            await conn.execute(f'DELETE FROM "{name}"')
            await conn.copy_records_to_table(name, records=records, columns=columns)
        names, values = [n for n, _ in rows.sequences], [v for _, v in rows.sequences]
        await conn.execute(SET_SEQUENCES, names, values)


@dataclass
class BuiltWorld:
    """The world's rows as first built in a session, and root's token (still valid: its session row is copied)."""

    rows: Rows | None = None
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)


@pytest.fixture(scope="session")
def built_world() -> BuiltWorld:
    return BuiltWorld()


@pytest.fixture
async def world(client: httpx.AsyncClient, built_world: BuiltWorld) -> World:
    """The small area tree above, a system admin `root`, and the users listed in USERS.

    Built through the API by the session's first test (~0.25 s); later tests get the same rows
    copied back in a few milliseconds (a superuser may copy with foreign keys off; others rebuild).
    """
    from volunteers.auth.schemas import UserIn
    from volunteers.auth.service import create_user

    if built_world.rows is not None:
        await put_back(built_world.rows)
        return World(client, built_world.tokens)
    await create_user(None, UserIn(username="root", password=PASSWORD, role="admin"))
    here = World(client)
    for code, name, level, parent in AREAS:
        response = await here.post(
            "root", "/api/v1/areas", {"code": code, "name": name, "level": level, "parent_code": parent}
        )
        assert response.status_code == 201, response.text
    for username, role, area in USERS:
        await create_user(None, UserIn(username=username, password=PASSWORD, role=role, area_code=area))
    async with db.connection() as conn:
        superuser = await conn.fetchval("SELECT current_setting('is_superuser') = 'on'")
    if superuser:
        built_world.rows, built_world.tokens = await copy_rows(), dict(here._tokens)
    return here


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: VOLUNTEERS_SCREENSHOTS if set (to look at them), else the test's own folder."""
    folder = Path(os.environ.get("VOLUNTEERS_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
