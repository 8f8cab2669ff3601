"""`volunteers demo`: build the demo district on an empty database and print what it holds."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from volunteers import runtime
from volunteers.demo.district import DEFAULT_SEED
from volunteers.fields import today

if TYPE_CHECKING:  # the generator pulls in the whole app; load it only when the command runs
    from volunteers.demo.generate import DemoResult

EARLIEST = date(2000, 1, 1)


def register(commands: Any) -> None:
    """Add the `demo` subcommand to the `volunteers` command."""
    demo = commands.add_parser("demo", help="build the seeded demo district (高新区) on an empty database")
    demo.add_argument(
        "--as-of",
        type=as_of_date,
        default=None,
        help="YYYY-MM-DD: the last day of the demo year (default: today in Beijing)",
    )
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    demo.set_defaults(func=run)


def as_of_date(text: str) -> date:
    """An ISO date for --as-of."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD，例如 2026-06-30（收到 {text!r}）") from None


def run(args: argparse.Namespace) -> int:
    """Build the demo (exit 1 if the database is not empty, 2 for a bad date)."""
    from volunteers.demo.generate import DatabaseNotEmpty, build_demo

    as_of: date = args.as_of or today()
    if not EARLIEST <= as_of <= today():
        print(f"volunteers: --as-of {as_of} 应在 {EARLIEST} 与今天（{today()}）之间", file=sys.stderr)
        return 2
    try:
        result: DemoResult = runtime.run(lambda: build_demo(as_of, args.seed))
    except DatabaseNotEmpty as exc:
        print(f"volunteers: {exc}。请换一个空的数据库（VOLUNTEERS_DATA_DIR 或 DATABASE_URL）再试。", file=sys.stderr)
        return 1
    print(summary(result))
    return 0


async def build_if_empty() -> DemoResult | None:
    """For `serve --demo`: the demo as of today if the database is empty, else None."""
    from volunteers.demo.generate import build_demo, is_empty

    if not await is_empty():
        return None
    return await build_demo(today())


def summary(result: DemoResult) -> str:
    """What was written, the figures an official would look at, and the logins (shown once)."""
    c = result.counts
    first = result.as_of - timedelta(days=364)
    lines = [
        f"volunteers: demo district 高新区 (GX) as of {result.as_of}, seed {result.seed}, "
        f"written in {result.seconds:.1f} s",
        f"  areas        1 district, {c['streets']} streets, {c['communities']} communities; "
        f"resident population {c['population']:,}",
        f"  teams        {c['teams']}; venues {c['venues']}",
        f"  registered   {c['registered']:,} volunteers = {_percent(c['registered'], c['population'])} of residents"
        f" ({c['withdrawn']:,} more have withdrawn)",
        f"  active       {c['active']:,} = {_percent(c['active'], c['registered'])} of registered"
        f" (an approved record between {first} and {result.as_of})",
        f"  activities   {c['activities']:,} ({c['activities_in_year']:,} held in that year)",
        f"  records      {c['total']:,}: {c['approved']:,} approved, {c['pending']:,} pending, "
        f"{c['rejected']:,} rejected; {c['manual']:,} manual (补录), {c['auto_closed']:,} auto-closed",
        f"  hours        {c['minutes_in_year'] / 60:,.0f} approved hours in that year; {c['scans']:,} scans logged",
        "demo logins (shown once, write them down):",
    ]
    for login in result.logins:
        lines.append(
            f"  {login.username:<13} {login.role:<9} {login.area_name}（{login.area_code}） {login.purpose}"
            f"  password: {login.password}"
        )
    return "\n".join(lines)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "–"
