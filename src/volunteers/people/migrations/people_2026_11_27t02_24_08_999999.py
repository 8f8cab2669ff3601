"""Sequence behind the unified volunteer number."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T02:24:08:999999"
VERSION = "1.38.0"
DESCRIPTION = "Sequence behind the unified volunteer number."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="people", description=DESCRIPTION)

    async def volunteer_number_sequence() -> None:
        await engine_finder().run_ddl("CREATE SEQUENCE IF NOT EXISTS volunteer_no_seq")

    manager.add_raw(volunteer_number_sequence)
    return manager
