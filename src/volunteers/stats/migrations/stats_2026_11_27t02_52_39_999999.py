"""Dirty-marking triggers, lookup indexes and the refresh function of the statistics."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from volunteers.db import execute_script

ID = "2026-11-27T02:52:39:999999"
VERSION = "1.38.0"
DESCRIPTION = "Dirty-marking triggers, lookup indexes and the refresh function of the statistics."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="stats", description=DESCRIPTION)

    async def triggers_and_functions() -> None:
        await execute_script("stats/triggers")
        await execute_script("stats/functions")

    manager.add_raw(triggers_and_functions)
    return manager
