"""Migrations with DDL a Piccolo Table cannot declare (partial, covering and operator-class indexes, an exclusion
constraint, a sequence), written inline in the migration file.

Piccolo runs a migration's `add_raw` steps before it creates the migration's tables, so an index on a table the same
migration creates cannot be one; a `DDLMigration`'s `ddl` runs after them, in the same transaction. Functions and
triggers are not DDL of this kind: they are definitions (volunteers/definitions.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


@dataclass
class DDLMigration(MigrationManager):
    """Piccolo's migration manager, plus `ddl`: statements run in order after its tables, columns and constraints.
    Backwards, only Piccolo's own steps run (dropping a table drops its indexes and constraints)."""

    ddl: Sequence[str] = ()

    async def run(self, backwards: bool = False) -> None:
        if backwards or self.preview or not self.ddl:
            await super().run(backwards=backwards)
            return
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        async with engine.transaction():  # Piccolo's own transaction below joins this one
            await super().run()
            for statement in self.ddl:
                await engine.run_ddl(statement)
