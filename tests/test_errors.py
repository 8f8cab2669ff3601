"""Database failures that say "not now" rather than "wrong request" answer 503 problems, not 500."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import get

from tests.conftest import running
from volunteers import db
from volunteers.app import create_app

RENAME = "UPDATE area SET name = name || '改' WHERE code = $1"


async def rename_both(conn: Any, mine: str, theirs: str, pause: float) -> None:
    """Rename one area, then the other, in a transaction that is rolled back either way."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute(RENAME, mine)
        await asyncio.sleep(pause)
        await conn.execute(RENAME, theirs)
    finally:
        await transaction.rollback()


@get("/test-only/deadlock")
async def provoke_deadlock() -> None:
    """Two transactions each rename one area, then the other's: PostgreSQL breaks the cycle by failing one."""
    pool = db.engine().pool
    assert pool is not None
    async with pool.acquire() as first, pool.acquire() as second:
        outcomes = await asyncio.gather(
            rename_both(first, "S1", "S2", 0.1), rename_both(second, "S2", "S1", 0.3), return_exceptions=True
        )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


@get("/test-only/lock-wait")
async def wait_too_long_for_a_lock() -> None:
    """One transaction holds a row; another may wait only 50 ms for it."""
    pool = db.engine().pool
    assert pool is not None
    async with pool.acquire() as holder, pool.acquire() as waiter, holder.transaction(), waiter.transaction():
        await holder.execute(RENAME, "S1")
        await waiter.execute("SET LOCAL lock_timeout = '50ms'")
        await waiter.execute(RENAME, "S1")


@pytest.fixture
async def app(database: str) -> AsyncIterator[Any]:
    """An app of this module's own: its tests register test-only routes, which must not reach other tests."""
    async with running(create_app()) as application:
        yield application


@pytest.mark.parametrize(
    ("route", "url"),
    [(provoke_deadlock, "/test-only/deadlock"), (wait_too_long_for_a_lock, "/test-only/lock-wait")],
    ids=["deadlock", "lock_timeout"],
)
async def test_a_busy_database_is_a_503_to_retry(app: Any, world: Any, route: Any, url: str) -> None:
    """The areas S1 and S2 of `world` are the rows the routes fight over."""
    app.register(route)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        response = await http.get(url)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "try_again"
