"""The `volunteers` command: serve, db upgrade, users create."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys

from volunteers import embedded, runtime
from volunteers.demo import commands as demo_commands
from volunteers.maintenance import commands as maintenance_commands
from volunteers.settings import PUBLIC_URL, get_settings, public_url_for
from volunteers.stats import commands as stats_commands
from volunteers.transfer import commands as transfer_commands

# Modules that add their own subcommands: each has `register(commands)`, where `commands`
# is the argparse sub-parsers object; the handler it sets takes the parsed Namespace.
COMMAND_MODULES = (demo_commands, transfer_commands, stats_commands, maintenance_commands)


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

    if not os.environ.get(PUBLIC_URL):
        os.environ[PUBLIC_URL] = public_url_for(args.host, args.port)  # the workers read it when they start
        get_settings.cache_clear()
    database = runtime.connect()
    if args.demo:
        _build_demo_if_empty()
    password = runtime.run(_first_admin)
    print(f"volunteers: database ready ({database.describe()})")
    if password:
        print("volunteers: created the system administrator (shown once, write it down):")
        print(f"  username: admin\n  password: {password}")
    print(f"volunteers: listening on http://{args.host}:{args.port}  (health: /health, API docs: /schema)")
    print(
        f"  log in: curl -X POST http://{args.host}:{args.port}/api/v1/auth/token "
        '-H \'content-type: application/json\' -d \'{"username":"…","password":"…"}\'  '
        f"(or open http://{args.host}:{args.port}/login)"
    )
    print(f"  posters and QR codes link to {get_settings().public_base_url}  (set {PUBLIC_URL} to change it)")
    sys.stdout.flush()
    supervisor = None if database.embedded_dir is None else embedded.Supervisor(database.embedded_dir).start()
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
    result = runtime.run(demo_commands.build_if_empty)
    if result is None:
        print("volunteers: the database is not empty; --demo leaves it as it is")
    else:
        print(demo_commands.summary(result))


def upgrade(_: argparse.Namespace) -> int:
    """Apply pending migrations."""
    runtime.run(lambda: asyncio.sleep(0))
    print("volunteers: database is up to date")
    return 0


def create_user(args: argparse.Namespace) -> int:
    """Create a staff user (an admin without --area administers everything)."""
    import msgspec

    from volunteers.auth.schemas import UserIn
    from volunteers.auth.service import create_user as create
    from volunteers.errors import DomainError, labelled
    from volunteers.validation_messages import explain, located_field

    try:
        data = msgspec.convert(
            {"username": args.username, "password": args.password, "role": args.role, "area_code": args.area},
            UserIn,
        )
    except msgspec.ValidationError as exc:
        field = located_field(str(exc))
        print(f"volunteers: {explain(str(exc), labelled(field))}", file=sys.stderr)
        return 2
    try:
        user = runtime.run(lambda: create(None, data))
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
        module.register(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `volunteers` console script."""
    args = parser().parse_args(argv)
    result: int = args.func(args)
    return result
