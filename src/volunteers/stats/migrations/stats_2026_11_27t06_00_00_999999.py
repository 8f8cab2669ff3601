"""Refreshes take turns and marks lock what they mark: under load, concurrent refreshes deadlocked, and a
write could be left out of the figures for good when a refresh took its volunteer's mark mid-write."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from piccolo.engine import engine_finder

from volunteers.db import execute_script

ID = "2026-11-27T06:00:00:999999"
VERSION = "1.38.0"
DESCRIPTION = "stats_refresh() callers take turns, a batch per call if asked; dirty marks lock the row they find."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="stats", description=DESCRIPTION)

    async def refresh_safely_under_load() -> None:
        # CREATE OR REPLACE cannot change a signature (a batch limit is added): drop the old one first.
        await engine_finder().run_ddl("DROP FUNCTION IF EXISTS stats_refresh(integer)")
        await execute_script("stats/functions")
        await execute_script("stats/triggers")

    manager.add_raw(refresh_safely_under_load)
    return manager
