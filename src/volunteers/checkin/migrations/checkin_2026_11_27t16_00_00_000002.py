"""One volunteer's approved service time never overlaps itself: an exclusion constraint, and automatic approvals
that would overlap left pending (sql/checkin/record_overlap.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from volunteers.db import execute_script

ID = "2026-11-27T16:00:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "Approved service records of one volunteer never overlap."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)

    async def no_overlap() -> None:
        await execute_script("checkin/record_overlap")

    manager.add_raw(no_overlap)
    return manager
