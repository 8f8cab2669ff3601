"""Database failures that say "not now" rather than "wrong request" answer 503 problems, not 500."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from litestar import get

from volunteers import db

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


async def test_a_deadlock_is_a_503_to_retry_and_writes_nothing(app: Any, world: Any) -> None:
    app.register(provoke_deadlock)
    before = (await world.get("root", "/api/v1/areas")).json()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        response = await http.get("/test-only/deadlock")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "try_again"
    assert (await world.get("root", "/api/v1/areas")).json() == before
