"""Database functions and triggers are definitions, not history: each lives in a `CREATE OR REPLACE` file in
sql/, and after the migrations (which build tables, columns, indexes and constraints) the files of DEFINITIONS
are applied in that order, each only when its text has changed since it was last applied (its SHA-256 is kept
in the table `schema_definition`).

A changed file runs again whole, so every statement in it must be safe to repeat: CREATE OR REPLACE FUNCTION and
CREATE OR REPLACE TRIGGER (PostgreSQL 14 and later). CREATE OR REPLACE cannot change a function's arguments or
result type: a file that changes them drops the old signature first (`DROP FUNCTION IF EXISTS f(old types)`).
Taking a file off the list leaves its objects in the database until a definition drops them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import asyncpg

from volunteers import db

# In this order: a trigger's function before the trigger, and each file may use those above it.
DEFINITIONS: tuple[str, ...] = (
    "checkin/functions",  # the hours rules and the one-round-trip scan, checkin_scan()
    "checkin/hold_overlap",  # an automatic approval that would overlap approved time stays pending
    "stats/triggers",  # writes to service records and volunteers mark volunteers dirty
    "stats/functions",  # stats_refresh() recomputes the dirty volunteers; stats_mark_all()
)


def sha256(text: str) -> str:
    """The hex SHA-256 of a definition's text, as kept in `schema_definition`."""
    return hashlib.sha256(text.encode()).hexdigest()


async def apply(conn: asyncpg.Connection[Any], names: Sequence[str] = DEFINITIONS) -> list[str]:
    """Apply each definition of `names` whose text changed since it was last applied, in order, in one
    transaction under an advisory lock (two processes starting at once take turns); return those applied."""
    applied: list[str] = []
    async with conn.transaction():
        await conn.execute(db.sql("definitions/lock"), db.LockClass.DEFINITIONS)
        await conn.execute(db.sql("definitions/log"))
        known = {row["name"]: row["sha256"] for row in await conn.fetch(db.sql("definitions/applied"))}
        for name in names:
            text = db.sql(name)
            digest = sha256(text)
            if known.get(name) == digest:
                continue
            await conn.execute(text)
            await conn.execute(db.sql("definitions/record"), name, digest)
            applied.append(name)
    return applied
