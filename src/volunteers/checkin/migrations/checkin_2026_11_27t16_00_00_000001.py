"""Public check-in hardening (issue 10): checkin_scan() binds a nonce to its code, phone's volunteer, action and
kind (a replay for anything else is refused as `nonce_reused`), answers a registration of an already registered
phone like any other without checking anyone in, and scans refused over a rate limit are counted in
`scan_refusal_tally` instead of one `scan` row each."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigSerial, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique
from piccolo.engine import engine_finder

from volunteers.db import execute_script

ID = "2026-11-27T16:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "Nonces bound to code, volunteer and action; neutral answers to registrations; a tally of refusals."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)

    async def bound_nonces_and_neutral_registrations() -> None:
        # CREATE OR REPLACE cannot change a signature (p_registration is added): drop the old one first.
        await engine_finder().run_ddl(
            "DROP FUNCTION IF EXISTS checkin_scan(text, integer, text, integer, text, text, text, text, integer, text,"
            " timestamptz)"
        )
        await execute_script("checkin/functions")

    manager.add_raw(bound_nonces_and_neutral_registrations)

    manager.add_table(
        class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        column_name="id",
        db_column_name="id",
        column_class_name="BigSerial",
        column_class=BigSerial,
        params={
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        column_name="code",
        db_column_name="code",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 32,
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        column_name="client",
        db_column_name="client",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        column_name="result",
        db_column_name="result",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 32,
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        column_name="window_start",
        db_column_name="window_start",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
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

    manager.add_column(
        table_class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        column_name="attempts",
        db_column_name="attempts",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
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

    manager.add_column(
        table_class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        column_name="last_at",
        db_column_name="last_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
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

    manager.add_constraint(
        table_class_name="ScanRefusalTally",
        tablename="scan_refusal_tally",
        constraint_name="scan_refusal_tally_window",
        constraint_class=Unique,
        params={
            "columns": ["code", "client", "result", "window_start"],
            "nulls_distinct": True,
        },
        schema=None,
    )

    return manager
