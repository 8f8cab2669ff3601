"""Bringing a database up to date, as `volunteers db upgrade`, `serve` and the test set-up do: Piccolo's migrations
build the tables, then the definitions (functions, triggers) are applied, then the seeded reference rows.
Each step is idempotent, so a second upgrade changes nothing."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import asyncpg
from piccolo.apps.migrations.commands.forwards import run_forwards

from volunteers import db, definitions

SEEDS = ["seed/categories"]


async def migrate() -> None:
    """Apply every pending migration, then every changed definition, then the seeds."""
    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
    async with db.connection() as conn, conn.transaction():
        await definitions.apply(conn)
        await seed(conn)


async def seed(conn: asyncpg.Connection[Any]) -> None:
    """Insert the seeded reference rows (idempotent: `ON CONFLICT DO NOTHING`; the test set-up calls it too)."""
    for name in SEEDS:
        await conn.execute(db.sql(name))
