"""Sustained mixed load against the granian-served app, then a recount of the statistics.

Check-ins and check-outs from thousands of volunteers, staff CRUD, hours entered by hand and
approved (so active volunteers and hours are not zero), statistics calls and exports, from a
separate process on 127.0.0.1, for a bounded time (default 5 minutes). Prints throughput per
kind, p50/p99, errors and the server's memory over the run, then checks the participation
figures against a recount from the raw records. Memory growth is measured from the end of a
warm-up (the first tenth of the run, at least 20 s: pools, caches and the allocator filling
up) to the end; the growth from the cold start is printed beside it. Run:
    uv run python benchmarks/soak.py [--minutes 5] [--concurrency 32]
Last line: rps=… errors=… p99_ms=… memory_growth_pct=… memory_growth_cold_pct=… drift=…
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import queue as queues
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from checkin import free_port, serve  # noqa: E402

from volunteers import db, embedded  # noqa: E402
from volunteers.fields import LOCAL_TZ, today  # noqa: E402
from volunteers.upgrade import migrate  # noqa: E402

VOLUNTEERS = 5000
ACTIVITIES = 20  # open now: ids 1..20, scanned into and out of
PAST_ACTIVITIES = 10  # yesterday 09:00–12:00 Beijing time: ids 21..30, hours entered by hand
COMMUNITIES = ["GX0101", "GX0102", "GX0201", "GX0202"]


async def prepare(server_dsn: str) -> str:
    admin = await asyncpg.connect(server_dsn)
    await admin.execute("DROP DATABASE IF EXISTS bench_soak WITH (FORCE)")
    await admin.execute("CREATE DATABASE bench_soak")
    await admin.close()
    dsn = server_dsn.replace("/postgres?", "/bench_soak?")
    db.configure(dsn)
    await migrate()
    conn = await asyncpg.connect(dsn)
    await conn.execute("""
        INSERT INTO area (id, code, name, level, parent, path) VALUES
            (1, 'GX', '高新区', 'district', NULL, '/GX/'),
            (2, 'GX01', '一街道', 'street', 1, '/GX/GX01/'), (3, 'GX02', '二街道', 'street', 1, '/GX/GX02/'),
            (4, 'GX0101', '一社区', 'community', 2, '/GX/GX01/GX0101/'),
            (5, 'GX0102', '二社区', 'community', 2, '/GX/GX01/GX0102/'),
            (6, 'GX0201', '三社区', 'community', 3, '/GX/GX02/GX0201/'),
            (7, 'GX0202', '四社区', 'community', 3, '/GX/GX02/GX0202/');
        SELECT setval('area_id_seq', 10);
        INSERT INTO area_population (area, year, resident_population, source, as_of)
            VALUES (1, 2026, 200000, 'soak', '2026-12-31');
    """)
    day = today()
    await conn.copy_records_to_table(
        "volunteer",
        records=[(f"ZY{n:010d}", f"v{n}", f"13{n:09d}", 4 + n % 4, day, day) for n in range(1, VOLUNTEERS + 1)],
        columns=["volunteer_no", "name", "phone", "area", "registered_on", "consent_on"],
    )
    await conn.execute("SELECT setval('volunteer_no_seq', $1)", VOLUNTEERS + 1)
    now = datetime.now(UTC)
    for n in range(1, ACTIVITIES + 1):
        activity = await conn.fetchval(
            "INSERT INTO activity (title, category, area, starts_at, ends_at, status, approval, reentry_allowed)"
            " VALUES ($1, 1, $2, $3, $4, 'published', 'auto', true) RETURNING id",
            f"活动{n}",
            4 + n % 4,
            now - timedelta(minutes=20),
            now + timedelta(hours=3),
        )
        await conn.execute("INSERT INTO checkin_code (activity, code) VALUES ($1, $2)", activity, f"soakcode{n:08d}")
    morning = yesterday_at(9)
    for n in range(1, PAST_ACTIVITIES + 1):
        await conn.execute(
            "INSERT INTO activity (title, category, area, starts_at, ends_at, status, approval)"
            " VALUES ($1, 2, $2, $3, $4, 'completed', 'staff')",
            f"昨日活动{n}",
            4 + n % 4,
            morning,
            morning + timedelta(hours=3),
        )
    await conn.close()
    from volunteers.auth.schemas import UserIn
    from volunteers.auth.service import create_user

    await db.open_pool(max_size=2)
    await create_user(None, UserIn(username="soak", password="soak-password-1", role="admin", area_code="GX"))
    await db.close_pool()
    return dsn


def yesterday_at(hour: int) -> datetime:
    return datetime.combine(today() - timedelta(days=1), clock_time(hour), LOCAL_TZ)


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (granian's worker), in kB."""
    total = 0
    for candidate in [pid, *children(pid)]:
        for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


async def drive(
    base: str, seconds: float, concurrency: int, results: dict[str, list[float]], errors: dict[str, int]
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        token = (await http.post("/api/v1/auth/token", json={"username": "soak", "password": "soak-password-1"})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        deadline = time.monotonic() + seconds
        inside: set[tuple[int, int]] = set()
        morning = yesterday_at(9)

        async def record_hours(rng: random.Random) -> httpx.Response:
            """A staff member enters a past stint by hand (补录) and approves it; a repeat is a 409."""
            started = morning + timedelta(minutes=rng.randrange(0, 120))
            created = await http.post(
                "/api/v1/service-records",
                headers=headers,
                json={
                    "volunteer_id": rng.randrange(1, VOLUNTEERS + 1),
                    "activity_id": ACTIVITIES + rng.randrange(1, PAST_ACTIVITIES + 1),
                    "started_at": started.isoformat(),
                    "ended_at": (started + timedelta(minutes=rng.randrange(15, 90))).isoformat(),
                    "reason": "纸质签到表补录",
                },
            )
            if created.status_code != 201:
                return created
            return await http.post(f"/api/v1/service-records/{created.json()['id']}/approve", headers=headers)

        async def one(rng: random.Random) -> None:
            roll = rng.random()
            if roll < 0.6:
                kind = "scan"
                volunteer, activity = rng.randrange(1, VOLUNTEERS + 1), rng.randrange(1, ACTIVITIES + 1)
                action = "out" if (volunteer, activity) in inside else "in"
                request = http.post(
                    f"/api/v1/checkin/soakcode{activity:08d}",
                    json={"phone": f"13{volunteer:09d}", "nonce": secrets.token_urlsafe(12), "action": action},
                )
            elif roll < 0.68:
                kind = "hours"
                request = record_hours(rng)
            elif roll < 0.8:
                kind = "staff"
                if rng.random() < 0.5:
                    phone = f"15{rng.randrange(10**9):09d}"
                    request = http.post(
                        "/api/v1/volunteers",
                        headers=headers,
                        json={"name": "新志愿者", "phone": phone, "area_code": rng.choice(COMMUNITIES)},
                    )
                else:
                    request = http.get("/api/v1/volunteers", headers=headers, params={"q": "v1", "limit": 20})
            elif roll < 0.92:
                kind = "stats"
                request = http.get(
                    "/api/v1/stats/participation",
                    headers=headers,
                    params={"area": "GX", "as_of": today().isoformat(), "breakdown": "children"},
                )
            else:
                kind = "export"
                request = http.get(
                    "/api/v1/exports/volunteers",
                    headers=headers,
                    params={"format": "csv", "area": rng.choice(COMMUNITIES)},
                )
            started = time.perf_counter()
            try:
                response = await request
            except httpx.HTTPError:
                errors[kind] += 1
                return
            results[kind].append((time.perf_counter() - started) * 1000)
            if response.status_code >= 500 or (
                kind != "scan" and response.status_code >= 400 and response.status_code != 409
            ):
                errors[kind] += 1
            elif kind == "scan" and response.status_code == 200:
                (inside.add if action == "in" else inside.discard)((volunteer, activity))

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                await one(rng)

        await asyncio.gather(*[worker(n) for n in range(concurrency)])


def load_process(base: str, seconds: float, concurrency: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    asyncio.run(drive(base, seconds, concurrency, results, errors))
    queue.put((dict(results), dict(errors)))


async def drift(dsn: str, base: str) -> int:
    """Figures that differ between the API's participation call and a recount from the records."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        token = (await http.post("/api/v1/auth/token", json={"username": "soak", "password": "soak-password-1"})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        params = {"area": "GX", "as_of": today().isoformat()}
        body = (await http.get("/api/v1/stats/participation", headers=headers, params=params)).json()
    conn = await asyncpg.connect(dsn)
    window = today() - timedelta(days=364)
    recount = await conn.fetchrow(db.sql("stats/reference"), "/GX/%", today(), window, 0, ["checkin", "manual"])
    await conn.close()
    figures = body["figures"]
    pairs = [
        ("registered", figures["registered"]["value"], recount["registered"]),
        ("active", figures["active"]["value"], recount["active"]),
        ("participants", figures["participants"]["value"], recount["participants"]),
        ("hours_total", figures["hours_total"]["value"], round(recount["minutes"] / 60, 2)),
    ]
    for name, api, raw in pairs:
        print(f"  {name}: api={api} recount={raw}{'' if api == raw else '  DRIFT'}")
    return sum(1 for _, api, raw in pairs if api != raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    server_dsn = embedded.start(Path(tempfile.gettempdir()) / "volunteers-bench")
    dsn = asyncio.run(prepare(server_dsn))
    port = free_port()
    process = serve("volunteers.app:create_app", port, dsn)
    base = f"http://127.0.0.1:{port}"
    try:
        time.sleep(1)
        cold_kb = rss_kb(process.pid)
        queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        loader = multiprocessing.Process(target=load_process, args=(base, args.minutes * 60, args.concurrency, queue))
        started = time.monotonic()
        loader.start()
        samples = []  # (seconds into the run, kB), every 10 s while the load runs
        while True:
            try:
                results, errors = queue.get(timeout=10)
                break
            except queues.Empty:
                samples.append((time.monotonic() - started, rss_kb(process.pid)))
                if not loader.is_alive() or samples[-1][0] > args.minutes * 60 + 120:
                    raise SystemExit("the load process died") from None
        loader.join(timeout=30)
        end_kb = rss_kb(process.pid)
        warm_up = max(20.0, args.minutes * 6)
        warm_kb = next((kb for at, kb in samples if at >= warm_up), cold_kb)
        drifted = asyncio.run(drift(dsn, base))
    finally:
        process.terminate()
        process.wait(timeout=10)
    seconds = args.minutes * 60
    everything: list[float] = []
    for kind in ("scan", "hours", "staff", "stats", "export"):
        times = results.get(kind, [])
        everything += times
        if times:
            q = statistics.quantiles(times, n=100)
            print(
                f"{kind:7} rps={len(times) / seconds:7.1f} p50_ms={q[49]:7.1f} p99_ms={q[98]:7.1f} "
                f"errors={errors.get(kind, 0)}"
            )
    growth, cold_growth = ((end_kb - kb) * 100 / kb for kb in (warm_kb, cold_kb))
    print("server memory (MB) every 10 s: " + " ".join(f"{kb / 1024:.0f}" for _, kb in samples))
    print(
        f"server memory: cold {cold_kb / 1024:.0f} MB, after warm-up ({warm_up:.0f} s) {warm_kb / 1024:.0f} MB, "
        f"end {end_kb / 1024:.0f} MB ({growth:+.1f} % since warm-up, {cold_growth:+.1f} % since cold)"
    )
    p99 = statistics.quantiles(everything, n=100)[98]
    print(
        f"rps={len(everything) / seconds:.0f} errors={sum(errors.values())} p99_ms={p99:.1f} "
        f"memory_growth_pct={growth:.1f} memory_growth_cold_pct={cold_growth:.1f} drift={drifted}"
    )


if __name__ == "__main__":
    os.environ.setdefault("VOLUNTEERS_SCANS_PER_CLIENT_MINUTE", "100000000")
    os.environ.setdefault("VOLUNTEERS_SCANS_PER_PHONE_MINUTE", "100000000")
    main()
