"""The `volunteers` command: serve, db upgrade, users create."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any

from volunteers import db, embedded
from volunteers.settings import get_settings
from volunteers.upgrade import migrate

# Modules that add their own subcommands: each has `register(commands)`, where `commands`
# is the argparse sub-parsers object; the handler it sets takes the parsed Namespace.
COMMAND_MODULES: tuple[str, ...] = (
    "volunteers.demo.commands",
    "volunteers.transfer.commands",
    "volunteers.stats.commands",
    "volunteers.maintenance.commands",
)


def _connect() -> str:
    settings = get_settings()
    return db.resolve_database_url(settings.database_url, settings.data_dir)


async def _with_database(work: Callable[[], Awaitable[Any]]) -> Any:
    await db.open_pool(max_size=2)
    try:
        await migrate()
        return await work()
    finally:
        await db.close_pool()


async def _first_admin() -> str | None:
    """On an empty database, create `admin` with a random password and return it."""
    from volunteers.auth.schemas import UserIn
    from volunteers.auth.service import create_user
    from volunteers.auth.tables import StaffUser

    if await StaffUser.count() > 0:
        return None
    password = secrets.token_urlsafe(12)
    await create_user(None, UserIn(username="admin", password=password, role="admin"))
    return password


def serve(args: argparse.Namespace) -> int:
    """Apply migrations, then serve the app with granian until Ctrl-C."""
    from granian import Granian
    from granian.constants import Interfaces

    dsn = _connect()
    if args.demo:
        _build_demo_if_empty()
    password = asyncio.run(_with_database(_first_admin))
    where = (
        "embedded PostgreSQL in " + str(get_settings().data_dir) if not get_settings().database_url else "DATABASE_URL"
    )
    print(f"volunteers: database ready ({where})")
    if password:
        print("volunteers: created the system administrator (shown once, write it down):")
        print(f"  username: admin\n  password: {password}")
    print(f"volunteers: listening on http://{args.host}:{args.port}  (health: /health, API docs: /schema)")
    print(
        f"  log in: curl -X POST http://{args.host}:{args.port}/api/v1/auth/token "
        '-H \'content-type: application/json\' -d \'{"username":"…","password":"…"}\'  '
        f"(or open http://{args.host}:{args.port}/login)"
    )
    sys.stdout.flush()
    assert dsn
    supervisor = None if get_settings().database_url else embedded.Supervisor(get_settings().data_dir).start()
    try:
        Granian(
            "volunteers.app:create_app",
            factory=True,
            address=args.host,
            port=args.port,
            interface=Interfaces.ASGI,
            workers=args.workers,
            log_access=False,
        ).serve()
    finally:
        if supervisor is not None:
            supervisor.stop()
    return 0


def _build_demo_if_empty() -> None:
    """`serve --demo`: write the demo district (as of today) if the database is empty."""
    from volunteers.demo.commands import build_if_empty, summary

    result = asyncio.run(_with_database(build_if_empty))
    if result is None:
        print("volunteers: the database is not empty; --demo leaves it as it is")
    else:
        print(summary(result))


def upgrade(_: argparse.Namespace) -> int:
    """Apply pending migrations."""
    _connect()
    asyncio.run(_with_database(lambda: asyncio.sleep(0)))
    print("volunteers: database is up to date")
    return 0


def create_user(args: argparse.Namespace) -> int:
    """Create a staff user (an admin without --area administers everything)."""
    import msgspec

    from volunteers.auth.schemas import UserIn
    from volunteers.auth.service import create_user as create
    from volunteers.errors import DomainError

    try:
        data = msgspec.convert(
            {"username": args.username, "password": args.password, "role": args.role, "area_code": args.area},
            UserIn,
        )
    except msgspec.ValidationError as exc:
        print(f"volunteers: invalid input: {exc}", file=sys.stderr)
        return 2
    _connect()
    try:
        user = asyncio.run(_with_database(lambda: create(None, data)))
    except DomainError as exc:
        print(f"volunteers: {exc.message}", file=sys.stderr)
        return 1
    print(f"volunteers: created {user.role} {user.username} (area: {user.area_code or 'all'})")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    top = argparse.ArgumentParser(prog="volunteers", description="志愿服务登记系统")
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="run the web app (embedded PostgreSQL unless DATABASE_URL is set)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--demo", action="store_true", help="build the demo district first if the database is empty")
    run.set_defaults(func=serve)

    database = commands.add_parser("db", help="database maintenance").add_subparsers(dest="action", required=True)
    database.add_parser("upgrade", help="apply migrations").set_defaults(func=upgrade)

    users = commands.add_parser("users", help="staff users").add_subparsers(dest="action", required=True)
    create = users.add_parser("create", help="create a staff user")
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--role", required=True, choices=["admin", "staff", "official"])
    create.add_argument("--area", help="area code (omit for the system administrator)")
    create.set_defaults(func=create_user)

    for module in COMMAND_MODULES:
        import_module(module).register(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `volunteers` console script."""
    args = parser().parse_args(argv)
    result: int = args.func(args)
    return result
