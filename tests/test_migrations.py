"""Upgrades: empty database to head, nothing pending, the schema the tables declare, and the definitions
(functions, triggers) applied after migrating: by content hash, in turns, and never from a migration."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.table import sort_table_classes

from volunteers import db, definitions, upgrade
from volunteers.piccolo_conf import APP_REGISTRY
from volunteers.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]


def database_dsn(dsn: str, name: str) -> str:
    """The DSN of database `name` on the server behind `dsn`."""
    return str(httpx.URL(dsn).copy_with(path=f"/{name}"))


async def recreate_database(dsn: str, name: str) -> str:
    """Drop and create database `name` on the server behind `dsn`; return its DSN."""
    admin = await asyncpg.connect(database_dsn(dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return database_dsn(dsn, name)


async def drop_database(dsn: str, name: str) -> None:
    admin = await asyncpg.connect(database_dsn(dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def engine_pointed_at(dsn: str) -> AsyncIterator[None]:
    """Point the Piccolo engine at `dsn` for a while (no pool may be open), then back."""
    engine = db.engine()
    assert engine.pool is None, "repointing the engine while its pool is open would mix databases"
    config, url = dict(engine.config), os.environ.get("DATABASE_URL")
    db.configure(dsn)
    try:
        yield
    finally:
        engine.config = config
        if url is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = url
        get_settings.cache_clear()


async def migrated_database(dsn: str, name: str) -> str:
    """A fresh database `name` on the server behind `dsn`, upgraded: migrations, definitions, seeds."""
    target = await recreate_database(dsn, name)
    async with engine_pointed_at(target):
        await upgrade.migrate()
    return target


# --- what a schema consists of ----------------------------------------------------------------

SCHEMA_QUERIES = {
    "table": """
        SELECT table_name AS key, table_type AS definition
        FROM information_schema.tables WHERE table_schema = 'public'""",
    "column": """
        SELECT table_name || '.' || column_name AS key,
               concat_ws(' ', udt_name, character_maximum_length, numeric_precision, numeric_scale,
                         CASE is_nullable WHEN 'YES' THEN 'NULL' ELSE 'NOT NULL' END,
                         'DEFAULT ' || column_default) AS definition
        FROM information_schema.columns WHERE table_schema = 'public'""",
    # NOT NULL constraints (contype 'n' since PostgreSQL 18) are compared as column nullability
    "constraint": """
        SELECT conrelid::regclass::text || '.' || conname AS key, pg_get_constraintdef(oid) AS definition
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n'""",
    "index": """
        SELECT tablename || '.' || indexname AS key, indexdef AS definition
        FROM pg_indexes WHERE schemaname = 'public'""",
    "sequence": """
        SELECT sequence_name AS key, concat_ws(' ', data_type, start_value, increment) AS definition
        FROM information_schema.sequences WHERE sequence_schema = 'public'""",
    "function": """
        SELECT proname AS key,
               md5(string_agg(pg_get_functiondef(oid), ';' ORDER BY oid::regprocedure::text)) AS definition
        FROM pg_proc WHERE pronamespace = 'public'::regnamespace GROUP BY proname""",
    "trigger": """
        SELECT tgrelid::regclass::text || '.' || tgname AS key, pg_get_triggerdef(oid) AS definition
        FROM pg_trigger WHERE NOT tgisinternal""",
    "view": """
        SELECT viewname AS key, md5(definition) AS definition FROM pg_views WHERE schemaname = 'public'""",
}


async def schema_of(dsn: str) -> dict[str, dict[str, str]]:
    """Every table, column, constraint, index, sequence, function, trigger and view, with its definition."""
    conn = await asyncpg.connect(dsn)
    try:
        return {
            kind: {r["key"]: r["definition"] for r in await conn.fetch(query)} for kind, query in SCHEMA_QUERIES.items()
        }
    finally:
        await conn.close()


# Objects a Piccolo Table cannot declare, on purpose: made by the inline DDL of the baseline migrations.
MIGRATION_ONLY: dict[str, set[str]] = {
    # Piccolo's own log of applied migrations
    "table": {"migration"},
    "column": {f"migration.{c}" for c in ("id", "name", "app_name", "ran_on")},
    "constraint": {
        "migration.migration_pkey",
        # checkin baseline: one volunteer's approved time never overlaps itself
        "service_record.service_record_no_overlap",
    },
    "index": {
        "migration.migration_pkey",
        # checkin baseline: partial unique indexes (one live code, one scan per nonce, one record a day)
        "checkin_code.checkin_code_live_unique",
        "scan.scan_nonce_unique",
        "service_record.service_record_checkin_unique",
        "service_record.service_record_manual_unique",
        "service_record.service_record_inside",
        "service_record.service_record_no_overlap",
        # checkin, issue 12: the approval queue's pending records by service day (partial)
        "service_record.service_record_pending",
        # teams baseline: at most one open membership per volunteer and team
        "membership.membership_open_unique",
        # areas and stats baselines: subtree lookups and the day tables' covering indexes
        "area.area_path_prefix",
        "stats_registered_delta.stats_registered_delta_day",
        "stats_active_delta.stats_active_delta_day",
        "stats_area_day.stats_area_day_day",
        "stats_place_day.stats_place_day_day",
    },
    "sequence": {
        "migration_id_seq",
        # people baseline: the unified volunteer number
        "volunteer_no_seq",
    },
}

# Objects only the definitions make (volunteers/definitions.py, applied after migrating), with their own log.
DEFINITIONS_ONLY: dict[str, set[str]] = {
    "table": {"schema_definition"},
    "column": {f"schema_definition.{c}" for c in ("name", "sha256", "applied_at")},
    "constraint": {"schema_definition.schema_definition_pkey"},
    "index": {"schema_definition.schema_definition_pkey"},
    "function": {
        # sql/checkin/functions.sql: hours rules and the one-round-trip scan
        "checkin_clipped_seconds",
        "checkin_minutes",
        "checkin_scan",
        # sql/checkin/hold_overlap.sql: an automatic approval that would overlap stays pending
        "service_record_hold_overlap",
        # sql/stats/triggers.sql and sql/stats/functions.sql: dirty marking and the refresh
        "stats_mark_records",
        "stats_mark_volunteers",
        "stats_refresh",
        "stats_refresh_batch",
        "stats_mark_all",
    },
    "trigger": {
        "service_record.service_record_hold_overlap",
        *(
            f"{table}.stats_{noun}_{verb}"
            for table, noun in (("service_record", "records"), ("volunteer", "volunteers"))
            for verb in ("inserted", "updated", "deleted")
        ),
    },
}


async def tables_database(dsn: str, name: str) -> str:
    """A fresh database `name` with every Table of APP_REGISTRY created straight from its class."""
    target = await recreate_database(dsn, name)
    tables = [t for app in APP_REGISTRY.app_configs.values() for t in app.table_classes]
    conn = await asyncpg.connect(target)
    try:
        for table in sort_table_classes(tables):
            for statement in table.create_table().ddl:
                await conn.execute(statement)
    finally:
        await conn.close()
    return target


async def test_migrations_build_the_schema_the_tables_declare(database: str) -> None:
    by_migrations = await migrated_database(database, f"{_prefix()}_migrated")
    by_tables = await tables_database(database, f"{_prefix()}_tables")
    try:
        migrated, declared = await schema_of(by_migrations), await schema_of(by_tables)
    finally:
        await drop_database(database, f"{_prefix()}_migrated")
        await drop_database(database, f"{_prefix()}_tables")

    assert len(declared["table"]) >= 15, declared["table"]
    for kind in SCHEMA_QUERIES:
        ours, theirs = migrated[kind], declared[kind]
        only_migrated = set(ours) - set(theirs)
        expected = MIGRATION_ONLY.get(kind, set()) | DEFINITIONS_ONLY.get(kind, set())
        assert only_migrated == expected, (kind, sorted(only_migrated))
        assert set(theirs) - set(ours) == set(), (kind, "declared but not migrated", sorted(set(theirs) - set(ours)))
        differing = {key: (ours[key], theirs[key]) for key in ours.keys() & theirs.keys() if ours[key] != theirs[key]}
        assert differing == {}, (kind, differing)


async def test_an_empty_database_migrates_to_head(database: str) -> None:
    name = f"{_prefix()}_empty"
    empty = await recreate_database(database, name)
    try:
        assert (await schema_of(empty))["table"] == {}
        async with engine_pointed_at(empty):
            await upgrade.migrate()
            statuses = await CheckMigrationManager(app_name="all").get_migration_statuses()
            head, defined = await schema_of(empty), await definitions_state(empty)
            await upgrade.migrate()  # at head, upgrading again changes nothing
            assert await schema_of(empty) == head
            assert await definitions_state(empty) == defined  # not even a function rewritten the same
        assert len(statuses) == len(migration_files()) and all(s.has_ran for s in statuses), statuses
        assert defined["log"] == {name: definitions.sha256(db.sql(name)) for name in definitions.DEFINITIONS}
        conn = await asyncpg.connect(empty)
        try:
            assert await conn.fetchval("SELECT count(*) FROM migration") == len(statuses)
            assert await conn.fetchval("SELECT count(*) FROM activity_category") > 0  # seeded after migrating
        finally:
            await conn.close()
    finally:
        await drop_database(database, name)


async def definitions_state(dsn: str) -> dict[str, dict[str, str]]:
    """The definitions' log, and the catalogue row version (xmin) of every function and trigger: CREATE OR REPLACE
    writes a new row version even for the same text, so an unchanged xmin means the object was not applied again."""
    conn = await asyncpg.connect(dsn)
    try:
        log = await conn.fetch("SELECT name, sha256, applied_at FROM schema_definition")
        functions = await conn.fetch(
            "SELECT oid::regprocedure::text AS name, xmin::text FROM pg_proc"
            " WHERE pronamespace = 'public'::regnamespace"
        )
        triggers = await conn.fetch("SELECT tgname AS name, xmin::text FROM pg_trigger WHERE NOT tgisinternal")
    finally:
        await conn.close()
    return {
        "log": {r["name"]: r["sha256"] for r in log},
        "applied_at": {r["name"]: str(r["applied_at"]) for r in log},
        "function": {r["name"]: r["xmin"] for r in functions},
        "trigger": {r["name"]: r["xmin"] for r in triggers},
    }


async def test_a_changed_definition_is_applied_again_and_an_unchanged_one_skipped(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"{_prefix()}_changed"
    target = await migrated_database(database, name)
    conn = await asyncpg.connect(target)
    try:
        assert await definitions.apply(conn) == []
        before = await definitions_state(target)
        read = db.sql
        edited = (
            read("checkin/functions") + "\nCOMMENT ON FUNCTION checkin_minutes(integer, integer, integer) IS 'v2';\n"
        )
        monkeypatch.setattr(db, "sql", lambda n: edited if n == "checkin/functions" else read(n))

        assert await definitions.apply(conn) == ["checkin/functions"]
        after = await definitions_state(target)
        assert (
            await conn.fetchval("SELECT obj_description('checkin_minutes(integer, integer, integer)'::regprocedure)")
            == "v2"
        )
        assert after["log"] == {**before["log"], "checkin/functions": definitions.sha256(edited)}
        rewritten = {f for f in after["function"] if after["function"][f] != before["function"][f]}
        assert rewritten == {f for f in after["function"] if f.startswith("checkin_")}, rewritten
        assert after["trigger"] == before["trigger"]
        assert await definitions.apply(conn) == []  # and now it is the text on record
    finally:
        await conn.close()
        await drop_database(database, name)


async def test_processes_applying_the_definitions_at_once_take_turns(database: str) -> None:
    name = f"{_prefix()}_turns"
    target = await migrated_database(database, name)
    first, second = await asyncpg.connect(target), await asyncpg.connect(target)
    try:
        await first.execute("DELETE FROM schema_definition")  # as if every file had changed
        applied = await asyncio.gather(definitions.apply(first), definitions.apply(second))
        assert sorted(applied, key=len) == [[], list(definitions.DEFINITIONS)]
    finally:
        await first.close()
        await second.close()
        await drop_database(database, name)


async def test_migrations_alone_make_no_function_or_trigger(database: str) -> None:
    name = f"{_prefix()}_bare"
    target = await recreate_database(database, name)
    try:
        async with engine_pointed_at(target):
            with contextlib.redirect_stdout(io.StringIO()):
                result = await run_forwards("all")
        assert result.success, result.message
        schema = await schema_of(target)
        assert (schema["function"], schema["trigger"], schema["view"]) == ({}, {}, {})
        assert "volunteer" in schema["table"] and "schema_definition" not in schema["table"]
    finally:
        await drop_database(database, name)


# Function and trigger bodies belong in sql/ definitions; a migration reading sql/ would replay today's text.
NOT_IN_A_MIGRATION = (
    "CREATE FUNCTION",
    "CREATE OR REPLACE FUNCTION",
    "CREATE TRIGGER",
    "CREATE OR REPLACE TRIGGER",
    "LANGUAGE PLPGSQL",
    "EXECUTE_SCRIPT",
    "DB.SQL(",
    "FROM VOLUNTEERS IMPORT DB",
    "FROM VOLUNTEERS.DB ",
    "SQL_DIR",
)


def test_no_migration_holds_a_function_or_trigger_body_or_reads_sql_files() -> None:
    found = {}
    for app in APP_REGISTRY.app_configs.values():
        for path in Path(app.resolved_migrations_folder_path).glob("*.py"):
            text = " ".join(path.read_text(encoding="utf-8").split()).upper()
            if hits := [phrase for phrase in NOT_IN_A_MIGRATION if phrase in text]:
                found[f"{app.app_name}/{path.name}"] = hits
    assert found == {}
    assert len(migration_files()) >= len(APP_REGISTRY.app_configs)


async def test_piccolo_migrations_check_is_clean(database: str) -> None:
    env = {**os.environ, "PICCOLO_CONF": "volunteers.piccolo_conf", "DATABASE_URL": database}
    piccolo = Path(sys.executable).parent / "piccolo"
    result = subprocess.run(  # noqa: ASYNC221, S603 - a short command-line run, nothing else is waiting
        [str(piccolo), "migrations", "check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split("|") for line in result.stdout.splitlines() if line.count("|") == 3]
    statuses = {(r[0].strip(), r[1].strip()): r[3].strip() for r in rows[1:]}
    expected = migration_files()
    assert len(statuses) == len(expected) >= len(APP_REGISTRY.app_configs), result.stdout
    assert set(statuses.values()) == {"True"}, result.stdout


async def test_no_table_change_lacks_a_migration() -> None:
    """What `piccolo migrations new --auto` would write for each app: nothing."""
    pending: dict[str, Any] = {}
    for app in APP_REGISTRY.app_configs.values():
        statements = await AutoMigrationManager().get_alter_statements(app_config=app)
        found = [s for group in statements for s in group.statements]
        if found:
            pending[app.app_name] = found
    assert pending == {}


def migration_files() -> set[tuple[str, str]]:
    """(app, file name) of every migration of every app."""
    return {
        (app.app_name, path.stem)
        for app in APP_REGISTRY.app_configs.values()
        for path in Path(app.resolved_migrations_folder_path).glob(f"{app.app_name}_*.py")
    }


def _prefix() -> str:
    return f"volunteers_schema_{os.getpid()}"
