"""stats_refresh() claims dirty volunteers in batches (replaces the one-argument-less version)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from volunteers.db import execute_script

ID = "2026-11-27T03:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stats_refresh() claims dirty volunteers in batches."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="stats", description=DESCRIPTION)

    async def batched_refresh() -> None:
        # CREATE OR REPLACE cannot change a signature: drop the old one, or calls become ambiguous.
        await engine_finder().run_ddl("DROP FUNCTION IF EXISTS stats_refresh()")
        await execute_script("stats/functions")

    manager.add_raw(batched_refresh)
    return manager
