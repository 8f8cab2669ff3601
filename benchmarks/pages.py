"""Workbench pages on the demo district: each page's server time against the JSON API call serving the same data.

Issue 12's "Done means": every workbench page answers in < 300 ms server time on the demo district. Builds the
demo district (as `volunteers demo --as-of 2026-06-30` does) in its own embedded database, drives the app
in-process (httpx over ASGI, inside the app's lifespan, as the tests do), logs in through the /login form (with
its CSRF token) as the district admin (gx_admin) and a community's staff (lujia_staff), and times each page:
median and p95 of N warm requests, and the median of the API call that serves the same data where one exists
(bearer token), so a page's cost over its data is a ratio. In-process time is server time: no socket, no browser.
A baseline is the API's nearest call, not always the same work: a volunteer's or a team's page also lists records
and members, the dashboard draws more than the participation figures; a high ratio there is not overhead alone.
Run:
    uv run python benchmarks/pages.py [--runs 15] [--reuse]
Last line: pages=… slowest_ms=… slowest=… over_300ms=… ratio_median=…
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("VOLUNTEERS_FAST_HASHING", "1")  # only the benchmark's own logins hash passwords

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from volunteers import db, embedded  # noqa: E402
from volunteers.fields import today  # noqa: E402
from volunteers.settings import get_settings  # noqa: E402
from volunteers.upgrade import migrate  # noqa: E402

AS_OF = date(2026, 6, 30)
DATABASE = "bench_pages"
COMMUNITY = "GX-HX-01"  # lujia_staff's community
LIMIT_MS = 300.0
USERS = ("gx_admin", "lujia_staff")


@dataclass(frozen=True)
class Figure:
    user: str
    page: str
    median_ms: float
    p95_ms: float
    api: str | None
    api_median_ms: float | None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def timed(
    http: httpx.AsyncClient, url: str, runs: int, headers: dict[str, str] | None = None
) -> list[float] | None:
    """N warm requests (after two untimed ones); each must answer 200. None if the first is refused (403): the
    page is not for this role (staff users are for admins), which the permission matrix tests, not this."""
    times = []
    for n in range(runs + 2):
        started = time.perf_counter()
        response = await http.get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if n == 0 and response.status_code == 403:
            return None
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text[:300]}")
        if n >= 2:
            times.append(elapsed)
    return times


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    if not found:
        raise RuntimeError(f"no hidden field {name!r} in the login form")
    return found.group(1)


async def log_in(http: httpx.AsyncClient, username: str, password: str) -> None:
    """The /login form, with its CSRF token; the session cookie stays in the client."""
    form = await http.get("/login")
    answer = await http.post(
        "/login", data={"username": username, "password": password, "csrf": hidden(form.text, "csrf")}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"login as {username} answered {answer.status_code}: {answer.text[:300]}")


async def token(http: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    answer = await http.post("/api/v1/auth/token", json={"username": username, "password": password})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def chosen_rows(dsn: str) -> dict[str, str]:
    """The busiest activity and volunteer of lujia_staff's community, one of its teams, a phone prefix."""
    conn = await asyncpg.connect(dsn)
    try:
        activity = await conn.fetchval(
            """SELECT a.id FROM activity a JOIN area ar ON ar.id = a.area JOIN service_record r ON r.activity = a.id
               WHERE ar.code = $1 GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1""",
            COMMUNITY,
        )
        volunteer = await conn.fetchrow(
            """SELECT v.id, v.phone FROM volunteer v JOIN area ar ON ar.id = v.area
               JOIN service_record r ON r.volunteer = v.id
               WHERE ar.code = $1 GROUP BY v.id ORDER BY count(*) DESC, v.id LIMIT 1""",
            COMMUNITY,
        )
        team = await conn.fetchval(
            "SELECT t.id FROM team t JOIN area ar ON ar.id = t.area WHERE ar.code = $1 ORDER BY t.id LIMIT 1",
            COMMUNITY,
        )
    finally:
        await conn.close()
    return {
        "activity": str(activity),
        "volunteer": str(volunteer["id"]),
        "phone": str(volunteer["phone"])[:7],
        "team": str(team),
    }


def pages_of(ids: dict[str, str], area: str) -> list[tuple[str, str | None]]:
    """(page, the API call serving the same data or None)."""
    a, v, t, phone = ids["activity"], ids["volunteer"], ids["team"], ids["phone"]
    return [
        ("/staff", None),
        ("/staff/activities", "/api/v1/activities"),
        (f"/staff/activities/{a}", f"/api/v1/activities/{a}"),
        (f"/staff/activities/{a}/attendance", f"/api/v1/activities/{a}/attendance"),
        ("/staff/hours", "/api/v1/service-records?status=pending"),
        ("/staff/hours?status=all", "/api/v1/service-records"),
        ("/staff/volunteers", "/api/v1/volunteers"),
        ("/staff/volunteers?q=张", "/api/v1/volunteers?q=张"),
        (f"/staff/volunteers?q={phone}", f"/api/v1/volunteers?q={phone}"),
        (f"/staff/volunteers/{v}", f"/api/v1/volunteers/{v}"),
        ("/staff/teams", "/api/v1/teams"),
        (f"/staff/teams/{t}", f"/api/v1/teams/{t}"),
        ("/staff/venues", "/api/v1/venues"),
        ("/staff/imports", None),
        ("/staff/exports", None),
        ("/staff/users", "/api/v1/users"),
        ("/staff/areas", "/api/v1/areas"),
        ("/dashboard", f"/api/v1/stats/participation?area={area}&as_of={today()}&breakdown=children"),
    ]


async def prepare(server: str, reuse: bool) -> tuple[str, dict[str, str]]:
    """The demo's database (built unless reused) and the demo logins' passwords."""
    dsn = server.replace("/postgres?", f"/{DATABASE}?")
    passwords_file = Path(tempfile.gettempdir()) / "volunteers-bench-pages.passwords"
    if reuse and passwords_file.exists():
        return dsn, dict(line.split(" ", 1) for line in passwords_file.read_text().splitlines())
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {DATABASE}")
    await admin.close()
    db.configure(dsn)
    await migrate()
    from volunteers.demo.generate import build_demo

    print(f"building the demo district as of {AS_OF} …", flush=True)
    await db.open_pool(max_size=2)
    try:
        result = await build_demo(AS_OF)
    finally:
        await db.close_pool()
    print(f"  written in {result.seconds:.1f} s: {result.counts}", flush=True)
    passwords = {login.username: login.password for login in result.logins}
    passwords_file.write_text("\n".join(f"{k} {v}" for k, v in passwords.items()))
    passwords_file.chmod(0o600)  # a throwaway database's logins, for --reuse
    return dsn, passwords


async def measure(dsn: str, passwords: dict[str, str], runs: int) -> list[Figure]:
    os.environ["DATABASE_URL"] = dsn
    get_settings.cache_clear()
    db.configure(dsn)
    from volunteers.app import create_app

    app: Any = create_app()  # httpx's ASGI type is narrower than Litestar's __call__; the tests pass it as Any
    ids = await chosen_rows(dsn)
    print(f"rows: {ids}", flush=True)
    figures = []
    async with app.lifespan():
        for user in USERS:
            area = "GX" if user == "gx_admin" else COMMUNITY
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                await log_in(http, user, passwords[user])
                bearer = await token(http, user, passwords[user])
                for page, api in pages_of(ids, area):
                    times = await timed(http, page, runs)
                    if times is None:
                        print(f"{user:<12} {page:<44} 403: not for this role", flush=True)
                        continue
                    api_times = await timed(http, api, runs, bearer) if api else None
                    api_ms = statistics.median(api_times) if api_times else None
                    figures.append(Figure(user, page, statistics.median(times), percentile(times, 0.95), api, api_ms))
                    f = figures[-1]
                    api_text = f"{f.api_median_ms:8.1f}" if f.api_median_ms is not None else "       –"
                    print(f"{user:<12} {page:<44} {f.median_ms:8.1f} {f.p95_ms:8.1f} {api_text}", flush=True)
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="reuse the demo built by an earlier run")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would bury the table
    server = embedded.start(Path(tempfile.gettempdir()) / "volunteers-bench")
    dsn, passwords = await prepare(server, args.reuse)
    print(f"{'user':<12} {'page':<44} {'median':>8} {'p95':>8} {'api med':>8}  (ms, N={args.runs} warm)", flush=True)
    figures = await measure(dsn, passwords, args.runs)
    slowest = max(figures, key=lambda f: f.median_ms)
    over = sum(1 for f in figures if f.median_ms >= LIMIT_MS)
    ratios = [f.median_ms / f.api_median_ms for f in figures if f.api_median_ms]
    print(
        f"pages={len(figures)} slowest_ms={slowest.median_ms:.1f} slowest={slowest.page} "
        f"slowest_user={slowest.user} over_300ms={over} "
        f"max_p95_ms={max(f.p95_ms for f in figures):.1f} ratio_median={statistics.median(ratios):.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
