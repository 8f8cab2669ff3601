"""At most one open membership per volunteer and team."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T02:24:11:999999"
VERSION = "1.38.0"
DESCRIPTION = "At most one open membership per volunteer and team."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="teams", description=DESCRIPTION)

    async def one_open_membership() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS membership_open_unique ON membership (team, volunteer) WHERE left_on IS NULL"
        )

    manager.add_raw(one_open_membership)
    return manager
