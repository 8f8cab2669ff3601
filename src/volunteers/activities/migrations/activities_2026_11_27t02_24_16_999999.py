"""Seed the activity categories named in DESIGN.md."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from volunteers.db import sql

ID = "2026-11-27T02:24:16:999999"
VERSION = "1.38.0"
DESCRIPTION = "Seed the activity categories named in DESIGN.md."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="activities", description=DESCRIPTION)

    async def seed_categories() -> None:
        await engine_finder().run_ddl(sql("seed/categories"))

    manager.add_raw(seed_categories)
    return manager
