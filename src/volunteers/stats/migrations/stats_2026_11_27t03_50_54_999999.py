"""Monthly sums beside the daily ones, filled from the daily tables; refresh keeps both."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from volunteers.db import execute_script

ID = "2026-11-27T03:50:54:999999"
VERSION = "1.38.0"
DESCRIPTION = "Monthly sums beside the daily ones, filled from the daily tables."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="stats", description=DESCRIPTION)

    async def monthly_sums() -> None:
        await execute_script("stats/functions")
        await execute_script("stats/monthly")

    manager.add_raw(monthly_sums)
    return manager
