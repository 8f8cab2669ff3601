"""Request bodies and a shortcut for registering volunteers in tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import World

URL = "/api/v1/volunteers"


def body(**overrides: Any) -> dict[str, Any]:
    """A valid registration body for an adult in C11, without an ID number."""
    return {"name": "张三", "phone": "13800138000", "area_code": "C11", **overrides}


async def register(world: World, username: str = "staff_c11", **overrides: Any) -> dict[str, Any]:
    """Register through the API and return the created volunteer."""
    response = await world.post(username, URL, body(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def volunteer_count() -> int:
    from volunteers import db

    async with db.connection() as conn:
        count: int = await conn.fetchval("SELECT count(*) FROM volunteer")
        return count
