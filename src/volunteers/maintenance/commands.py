"""`volunteers backup FILE` and `volunteers restore FILE`: the whole database, by pg_dump / pg_restore."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from volunteers import backup, runtime


def register(commands: Any) -> None:
    """Add the `backup` and `restore` subcommands to the `volunteers` command."""
    dump = commands.add_parser(
        "backup", help="write the whole database to FILE (pg_dump custom format, same PostgreSQL version)"
    )
    dump.add_argument("file", type=Path, metavar="FILE")
    dump.set_defaults(func=run_backup)

    load = commands.add_parser(
        "restore", help="replace the whole database with the backup in FILE (stop the app first)"
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--yes", action="store_true", help="do not ask before replacing the data")
    load.set_defaults(func=run_restore)


def _describe(outcome: backup.Outcome) -> str:
    tools = outcome.tools
    return (
        f"database {outcome.database.name} (PostgreSQL {outcome.database.server_version}), "
        f"{tools.pg_dump.name}/{tools.pg_restore.name} {tools.major} from {tools.origin} ({tools.pg_dump.parent})"
    )


def run_backup(args: argparse.Namespace) -> int:
    """Dump the database to FILE (exit 1 with the reason if it cannot)."""
    database = runtime.connect()
    try:
        outcome = asyncio.run(backup.backup(database.dsn, args.file, embedded=database.embedded))
    except backup.BackupError as exc:
        print(f"volunteers: backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"volunteers: backed up {_describe(outcome)}")
    print(f"  to {outcome.file} ({outcome.size:,} bytes)")
    print("  ID numbers in it stay encrypted: keep VOLUNTEERS_SECRET_KEY to read them after a restore")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Replace the database with FILE, in one transaction (exit 1 with the reason if it cannot)."""
    if not args.file.is_file():
        print(f"volunteers: no backup file at {args.file}", file=sys.stderr)
        return 1
    database = runtime.connect()
    if not args.yes and sys.stdin.isatty():
        answer = input(f"volunteers: replace every table of the configured database with {args.file}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("volunteers: nothing restored")
            return 1
    try:
        outcome = asyncio.run(backup.restore(database.dsn, args.file, embedded=database.embedded))
    except backup.BackupError as exc:
        print(f"volunteers: restore failed, the database is unchanged: {exc}", file=sys.stderr)
        return 1
    print(f"volunteers: restored {outcome.file} into {_describe(outcome)}")
    print("  `volunteers serve` applies any migrations newer than the backup when it starts")
    return 0
