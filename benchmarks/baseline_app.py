"""The baseline for benchmarks/checkin.py: a bare Litestar endpoint doing one asyncpg INSERT."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, post
from litestar.datastructures import State
from msgspec import Struct


class Body(Struct):
    phone: str
    nonce: str
    action: str


@asynccontextmanager
async def pool(app: Litestar) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=20)
    try:
        yield
    finally:
        await app.state.pool.close()


@post("/insert", status_code=200)
async def insert(data: Body, state: State) -> dict[str, str]:
    await state.pool.execute(
        "INSERT INTO bench_scan (phone, nonce, action, at) VALUES ($1, $2, $3, now())",
        data.phone,
        data.nonce,
        data.action,
    )
    return {"result": "ok"}


def create_app() -> Litestar:
    return Litestar([insert], lifespan=[pool])
