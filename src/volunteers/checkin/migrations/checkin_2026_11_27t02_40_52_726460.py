from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-27T02:40:52:726460"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="checkin", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Scan",
        tablename="scan",
        column_name="volunteer",
        db_column_name="volunteer",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ServiceRecord",
        tablename="service_record",
        column_name="volunteer",
        db_column_name="volunteer",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
