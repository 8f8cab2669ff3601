"""One PostgreSQL database per test session; every test starts from empty tables."""

from __future__ import annotations

import inspect
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

os.environ["VOLUNTEERS_FAST_HASHING"] = "1"
os.environ["VOLUNTEERS_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ["VOLUNTEERS_DATA_DIR"] = str(Path(tempfile.gettempdir()) / "volunteers-test")
os.environ.pop("DATABASE_URL", None)

from volunteers import db, embedded
from volunteers.app import create_app
from volunteers.auth.schemas import Role
from volunteers.settings import get_settings

TEST_DATABASE = f"volunteers_test_{os.getpid()}"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Every async test and fixture runs on asyncio, in anyio's single runner task."""
    return "asyncio"


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


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[str]:
    """A fresh, migrated database for this test session."""
    server_dsn = os.environ.get("TEST_DATABASE_URL") or embedded.start(Path(os.environ["VOLUNTEERS_DATA_DIR"]))
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {TEST_DATABASE}")
    await admin.close()
    dsn = _with_database(server_dsn, TEST_DATABASE)
    os.environ["DATABASE_URL"] = dsn
    get_settings.cache_clear()
    db.configure(dsn)
    await db.migrate()
    yield dsn
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)")
    await admin.close()


@pytest.fixture
async def app(database: str) -> AsyncIterator[Any]:
    """The app with its lifespan (and so its pool) running for one test."""
    application = create_app()
    async with application.lifespan():
        await empty_tables()
        yield application


async def empty_tables() -> None:
    """Empty every table (but the migration log) and restore the seeded rows."""
    async with db.connection() as conn:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
        )
        names = ", ".join(f'"{t["tablename"]}"' for t in tables)
        await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        await db.seed(conn)


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

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self._tokens: dict[str, dict[str, str]] = {}

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


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    """The small area tree above, a system admin `root`, and the users listed in USERS."""
    from volunteers.auth.schemas import UserIn
    from volunteers.auth.service import create_user

    await create_user(None, UserIn(username="root", password=PASSWORD, role="admin"))
    here = World(client)
    for code, name, level, parent in AREAS:
        response = await here.post(
            "root", "/api/v1/areas", {"code": code, "name": name, "level": level, "parent_code": parent}
        )
        assert response.status_code == 201, response.text
    for username, role, area in USERS:
        await create_user(None, UserIn(username=username, password=PASSWORD, role=role, area_code=area))
    return here


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: VOLUNTEERS_SCREENSHOTS if set (to look at them), else the test's own folder."""
    folder = Path(os.environ.get("VOLUNTEERS_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
