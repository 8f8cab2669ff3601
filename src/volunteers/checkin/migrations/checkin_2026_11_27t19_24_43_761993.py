"""Who entered a manual record (service_record.entered_by: the workbench's queue shows it, and four eyes keeps
that user from approving it), and a small index for the approval queue: pending records by service day (the
queue over a whole district reads the few pending records, not every record of the district).
"""

from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

from volunteers.ddl_migration import DDLMigration


class StaffUser(Table, tablename="staff_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


ID = "2026-11-27T19:24:43:761993"
VERSION = "1.38.0"
DESCRIPTION = "Who entered a manual record; pending records by service day."

DDL = ("CREATE INDEX service_record_pending ON service_record (service_date, id) WHERE status = 'pending'",)
UNDO_DDL = "DROP INDEX IF EXISTS service_record_pending"


async def forwards():
    manager = DDLMigration(migration_id=ID, app_name="checkin", description=DESCRIPTION, ddl=DDL)

    manager.add_column(
        table_class_name="ServiceRecord",
        tablename="service_record",
        column_name="entered_by",
        db_column_name="entered_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": StaffUser,
            "on_delete": OnDelete.set_null,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def undo_ddl():
        await engine_finder().run_ddl(UNDO_DDL)

    manager.add_raw_backwards(undo_ddl)

    return manager
