"""What every kind's import provides, and the staging step they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from volunteers import db
from volunteers.transfer.checks import RowCheck, Scope
from volunteers.transfer.columns import KindSpec


@dataclass(slots=True)
class Plan:
    """Rows to insert, rows to update (each differs from what is stored), and rows already as stored."""

    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    unchanged: int = 0


class KindImport(ABC):
    """One kind's rules: `check` one row (no database), `resolve` rows against what is stored, `write` them.

    `check` returns the row's candidate (anything with a `row: RowCheck`) or None when the row
    has errors; `keys` names what must be unique inside one file.
    """

    spec: KindSpec
    # sql/transfer/<staging>_stage.sql creates the temp table import_<staging> (…_clear.sql empties it for the
    # next chunk), …_insert/_update.sql apply it
    staging: str
    columns: tuple[str, ...]  # staging columns, in the order of the tuples in a Plan

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.claimed: dict[Any, int] = {}  # stored record (or new key) -> the first row acting on it
        self.staged = False
        # What the report says about ID numbers on file, charged as exact ID lookups (people.search.charge_id_lookups):
        self.id_numbers_compared = False  # some row's ID number was compared with those on file
        self.id_numbers_found: list[str] = []  # hashes of the rows' ID numbers on file for another volunteer

    async def prepare(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Load what `check` needs from the database (categories, teams…); default: nothing."""

    @abstractmethod
    def check(self, row: RowCheck) -> Any:
        """The row's candidate, or None when the row has errors (recorded on `row`)."""

    def keys(self, candidate: Any) -> list[tuple[str, Any]]:
        """(field, value) pairs no two rows of one file may share."""
        return []

    @abstractmethod
    async def resolve(self, conn: asyncpg.Connection[Any], candidates: list[Any]) -> Plan:
        """Match the candidates with what is stored: what to insert, what to update, what is unchanged."""

    async def write(self, conn: asyncpg.Connection[Any], plan: Plan) -> tuple[int, int]:
        """COPY the plan into the staging table, then apply it with set-based SQL; (created, updated)."""
        if not plan.inserts and not plan.updates:
            return 0, 0
        table = f"import_{self.staging}"
        await conn.execute(db.sql(f"transfer/{self.staging}_{'clear' if self.staged else 'stage'}"))
        self.staged = True
        rows = [(None, *r) for r in plan.inserts] + list(plan.updates)
        await conn.copy_records_to_table(table, records=rows, columns=["target", *self.columns])
        created = _count(await conn.execute(db.sql(f"transfer/{self.staging}_insert"), *self.insert_arguments()))
        updated = _count(await conn.execute(db.sql(f"transfer/{self.staging}_update"), *self.update_arguments()))
        await self.after_write(conn)
        return created, updated

    def insert_arguments(self) -> tuple[Any, ...]:
        """Bound parameters of the insert statement; default: none."""
        return ()

    def update_arguments(self) -> tuple[Any, ...]:
        """Bound parameters of the update statement; default: none."""
        return ()

    async def after_write(self, conn: asyncpg.Connection[Any]) -> None:  # noqa: B027 - an optional hook
        """Anything that follows the upsert (links between rows); default: nothing."""


def _count(status: str) -> int:
    """The row count of an `INSERT 0 n` / `UPDATE n` command tag."""
    return int(status.rsplit(" ", 1)[-1])


def claim(row: RowCheck, claimed: dict[Any, int], key: Any, column: str, what: str) -> bool:
    """Refuse a second row of the file acting on the same record (stored or new); True for the first."""
    first = claimed.setdefault(key, row.number)
    if first != row.number:
        row.error(column, "duplicate_in_file", f"与第 {first} 行是同一{what}，同一文件中只能出现一次")
        return False
    return True
