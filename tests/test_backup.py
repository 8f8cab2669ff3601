"""`volunteers backup` and `volunteers restore`: a populated database survives the round trip row by row."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.conftest import World
from tests.factories import activity_body, make_id_number
from tests.test_migrations import drop_database, recreate_database, schema_of
from volunteers import backup

ROOT = Path(__file__).resolve().parents[1]
VOLUNTEERS = str(Path(sys.executable).parent / "volunteers")


async def run_command(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """`volunteers ARGS…` as an operator runs it, against `database_url`."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return await asyncio.to_thread(
        subprocess.run, [VOLUNTEERS, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


async def every_row(dsn: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (in a stable order), and every sequence's position."""
    conn = await asyncpg.connect(dsn)
    try:
        tables = [
            r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        rows = {
            table: [tuple(r) for r in await conn.fetch(f'SELECT t.* FROM "{table}" t ORDER BY to_jsonb(t)::text')]
            for table in tables
        }
        for seq in await conn.fetch("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"):
            name = seq["sequencename"]
            rows[f"sequence {name}"] = [tuple(await conn.fetchrow(f'SELECT last_value, is_called FROM "{name}"'))]
        return rows
    finally:
        await conn.close()


def comparable(schema: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The schema with CHECK expressions freed of casts and parentheses: PostgreSQL reparses a dumped
    `level IN (…)` as `ANY (ARRAY[('district'::varchar)::text, …])`, the same rule written differently."""
    noise = re.compile(r"::(character varying|text\[\]|text)|[()\s]")
    return {
        kind: {k: noise.sub("", v) if v.startswith("CHECK") else v for k, v in objects.items()}
        for kind, objects in schema.items()
    }


async def populate(world: World) -> None:
    """Something in every domain: population, volunteers with ID numbers, a team and members, a venue,
    an open activity with check-ins, check-outs and a decided record, a manual record, a snapshot."""
    for code, people in (("D1", 120_000), ("S1", 50_000), ("C11", 9_000)):
        response = await world.put(
            "root",
            f"/api/v1/areas/{code}/population/2025",
            {"resident_population": people, "source": "统计公报", "as_of": "2025-12-31"},
        )
        assert response.status_code == 200, response.text
    volunteers = []
    for n in range(1, 7):
        response = await world.post(
            "staff_s1",
            "/api/v1/volunteers",
            {
                "name": f"志愿者{n}",
                "phone": f"1390000{n:04d}",
                "area_code": "C11" if n % 2 else "C12",
                "id_number": make_id_number(n=n),
            },
        )
        assert response.status_code == 201, response.text
        volunteers.append(response.json())
    team = await world.post(
        "staff_s1", "/api/v1/teams", {"name": "东街道读书队", "area_code": "S1", "sponsor": "衡州小学"}
    )
    assert team.status_code == 201, team.text
    for volunteer in volunteers[:4]:
        member = await world.post(
            "staff_s1",
            f"/api/v1/teams/{team.json()['id']}/members",
            {"volunteer_id": volunteer["id"], "role": "leader" if volunteer is volunteers[0] else "member"},
        )
        assert member.status_code == 201, member.text
    venue = await world.post(
        "staff_s1", "/api/v1/venues", {"name": "东一书屋", "kind": "book_house", "area_code": "C11"}
    )
    assert venue.status_code == 201, venue.text
    now = datetime.now(UTC)
    activity = await world.post(
        "staff_s1",
        "/api/v1/activities",
        activity_body(
            starts_at=(now - timedelta(hours=1)).isoformat(),
            ends_at=(now + timedelta(hours=2)).isoformat(),
            team_ids=[team.json()["id"]],
            venue_id=venue.json()["id"],
            approval="staff",
        ),
    )
    assert activity.status_code == 201, activity.text
    activity_id = activity.json()["id"]
    assert (await world.post("staff_s1", f"/api/v1/activities/{activity_id}/publish")).status_code == 200
    code = (await world.post("staff_s1", f"/api/v1/activities/{activity_id}/checkin-code")).json()["code"]
    for n, volunteer in enumerate(volunteers[:4]):
        for action in ("in", "out") if n < 3 else ("in",):
            scan = await world.http.post(
                f"/api/v1/checkin/{code}",
                json={"phone": volunteer["phone"], "nonce": f"backup-{n}-{action}", "action": action},
            )
            assert scan.status_code == 200, scan.text
    refused = await world.http.post(f"/api/v1/checkin/{code}", json={"phone": "13999999999", "nonce": "backup-x1"})
    assert refused.status_code == 404
    records = (await world.get("staff_s1", "/api/v1/service-records", params={"activity": activity_id})).json()
    approve, reject = [r["id"] for r in records["items"] if r["ended_at"]][:2]
    assert (await world.post("staff_s1", f"/api/v1/service-records/{approve}/approve")).status_code == 200
    rejected = await world.post("staff_s1", f"/api/v1/service-records/{reject}/reject", {"reason": "未到岗"})
    assert rejected.status_code == 200, rejected.text
    snapshot = await world.post(
        "root",
        "/api/v1/stats/snapshots",
        {"title": "备份前统计", "area": "D1", "as_of": now.date().isoformat(), "breakdown": True},
    )
    assert snapshot.status_code == 201, snapshot.text


async def test_backup_and_restore_round_trip_every_row(world: World, database: str, tmp_path: Path) -> None:
    await populate(world)
    before = await every_row(database)
    expected_full = [
        "area",
        "area_population",
        "staff_user",
        "volunteer",
        "team",
        "membership",
        "venue",
        "activity",
        "activity_team",
        "checkin_code",
        "scan",
        "service_record",
        "audit_entry",
        "staff_session",
        "stats_snapshot",
        "stats_volunteer",
        "stats_volunteer_day",
        "stats_area_day",
    ]
    assert [t for t in expected_full if not before.get(t)] == []
    cipher = before["volunteer"][0][[*(await _columns(database, "volunteer"))].index("id_number_cipher")]
    assert isinstance(cipher, bytes) and b"430421" not in cipher  # encrypted at rest, and copied as such

    file = tmp_path / "volunteers.dump"
    made = await run_command("backup", str(file), database_url=database)
    assert made.returncode == 0, made.stderr
    assert f"PostgreSQL {(await backup.inspect(database)).major}" in made.stdout and file.stat().st_size > 0
    assert files_in(tmp_path) == ["volunteers.dump"]  # no partial file left behind

    # into a new, empty database: the same rows, and the same schema down to functions and triggers
    copy_name = f"volunteers_restore_{os.getpid()}"
    copy = await recreate_database(database, copy_name)
    try:
        restored = await run_command("restore", str(file), database_url=copy)
        assert restored.returncode == 0, restored.stderr
        assert await every_row(copy) == before
        assert comparable(await schema_of(copy)) == comparable(await schema_of(database))

        # over a database that moved on since the backup: back to exactly the backed-up rows
        conn = await asyncpg.connect(copy)
        try:
            await conn.execute("DELETE FROM stats_snapshot")
            await conn.execute("UPDATE volunteer SET name = '改名' WHERE id = (SELECT min(id) FROM volunteer)")
            await conn.execute("SELECT nextval('volunteer_no_seq')")
        finally:
            await conn.close()
        assert await every_row(copy) != before
        again = await run_command("restore", "--yes", str(file), database_url=copy)
        assert again.returncode == 0, again.stderr
        assert await every_row(copy) == before
    finally:
        await drop_database(database, copy_name)


async def test_a_failed_restore_changes_nothing(world: World, database: str, tmp_path: Path) -> None:
    await populate(world)
    file = tmp_path / "volunteers.dump"
    assert (await run_command("backup", str(file), database_url=database)).returncode == 0
    # something the backup does not know depends on a table it must replace: the restore stops halfway
    conn = await asyncpg.connect(database)
    try:
        await conn.execute("CREATE VIEW report_names AS SELECT name FROM volunteer")
        await conn.execute("UPDATE volunteer SET name = '改名' WHERE id = (SELECT min(id) FROM volunteer)")
        before = await every_row(database)
        result = await run_command("restore", str(file), database_url=database)
        assert result.returncode == 1
        assert "restore failed, the database is unchanged" in result.stderr and "report_names" in result.stderr
        assert await every_row(database) == before  # the one transaction rolled back every drop
        assert await conn.fetchval("SELECT count(*) FROM report_names") == len(before["volunteer"])
    finally:
        await conn.execute("DROP VIEW IF EXISTS report_names")
        await conn.close()

    missing = await run_command("restore", str(tmp_path / "nothing.dump"), database_url=database)
    assert missing.returncode == 1 and "no backup file" in missing.stderr
    assert await every_row(database) == before


async def test_a_backup_that_fails_leaves_no_file(database: str, tmp_path: Path) -> None:
    file = tmp_path / "volunteers.dump"
    result = await run_command("backup", str(file), database_url=database.replace("volunteers_test", "no_such_db"))
    assert result.returncode == 1 and "backup failed" in result.stderr
    assert files_in(tmp_path) == []


async def test_client_programs_must_match_the_server_major_version(
    database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = await backup.inspect(database)
    if not os.environ.get("TEST_DATABASE_URL"):
        # the embedded server is dumped by the binaries shipped with it
        tools = await backup.tools_for(found, embedded=True)
        assert tools.major == found.major and tools.origin == "embedded"
        assert tools.pg_dump.parent == backup.embedded_tools()[found.major]
    # a server no shipped binary matches, and nothing on PATH: say which version to install
    monkeypatch.setenv("PATH", str(tmp_path))
    newer = backup.Database(found.uri, None, found.name, "99.1", 99)
    with pytest.raises(backup.BackupError, match=r"needs pg_dump/pg_restore 99 \(pg_dump/pg_restore are not on PATH\)"):
        await backup.tools_for(newer, embedded=False)
    # a pg_dump of another major version on PATH is named, not used
    for name in ("pg_dump", "pg_restore"):
        fake = tmp_path / name
        fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 15.18'\n")
        fake.chmod(0o755)
    with pytest.raises(backup.BackupError, match=r"pg_dump 15 at .*postgresql-client-99"):
        await backup.tools_for(newer, embedded=False)


def test_password_travels_in_the_environment_not_the_command_line() -> None:
    uri, password = backup.split_password("postgresql://app:s%40cret@db.example:5432/volunteers?sslmode=require")
    assert (uri, password) == ("postgresql://app@db.example:5432/volunteers?sslmode=require", "s@cret")
    database = backup.Database(uri, password, "volunteers", "18.4", 18)
    assert database.environment()["PGPASSWORD"] == "s@cret"
    embedded = backup.split_password("postgresql://postgres:@/volunteers?host=/tmp/volunteers/pg")
    assert embedded == ("postgresql://postgres@/volunteers?host=/tmp/volunteers/pg", None)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def _columns(dsn: str, table: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position", table
        )
        return [r["column_name"] for r in rows]
    finally:
        await conn.close()
