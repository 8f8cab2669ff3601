"""Partial unique indexes and the SQL functions of the check-in path."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from volunteers.db import execute_script

ID = "2026-11-27T02:28:18:999999"
VERSION = "1.38.0"
DESCRIPTION = "Partial unique indexes and the SQL functions of the check-in path."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)

    async def indexes_and_functions() -> None:
        await execute_script("checkin/schema")
        await execute_script("checkin/functions")

    manager.add_raw(indexes_and_functions)
    return manager
