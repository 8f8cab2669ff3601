"""Participation figures for a large district: the precomputed fast path against the naive query.

Builds its own database: 1 district, 10 streets, 100 communities, ≥ 1,000,000 volunteers
(loaded with COPY) and ≥ 10,000,000 service records over five years (generated set-based
inside PostgreSQL), rebuilds the derived tables, then times the participation call with
breakdown=children for the district, warm, for several as-of dates, against the reference
SQL (COUNT DISTINCT over the raw records) in the same run, and checks both agree. Run:
    uv run python benchmarks/stats.py [--volunteers 1000000] [--records 10000000] [--keep]
Last line: ratio=… ms=… reference_ms=…
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from volunteers import db, embedded  # noqa: E402
from volunteers.access import Caller  # noqa: E402
from volunteers.stats.counts import reference_counts  # noqa: E402
from volunteers.stats.definitions import SOURCES  # noqa: E402
from volunteers.stats.figures import parameters, participation, rounded  # noqa: E402
from volunteers.stats.schemas import FigureQuery  # noqa: E402
from volunteers.stats.targets import Target, children_of, readable_area  # noqa: E402
from volunteers.upgrade import migrate  # noqa: E402

TODAY = date(2026, 11, 27)
YEARS = 5
SYSTEM = Caller(user_id=0, username="bench", role="admin", area_id=None, area_code=None, area_path=None)
ADDITIVE = ("registered", "active", "hours_total", "participants")


def step(message: str, started: float) -> float:
    now = time.perf_counter()
    print(f"  {message} ({now - started:.1f} s)", flush=True)
    return now


async def build(dsn: str, volunteers: int, records: int) -> None:
    conn = await asyncpg.connect(dsn)
    t = time.perf_counter()
    await conn.execute("""
        INSERT INTO area (id, code, name, level, parent, path)
            VALUES (1, 'GX', '高新区', 'district', NULL, '/GX/');
        INSERT INTO area (id, code, name, level, parent, path)
            SELECT 1 + s, 'GX' || lpad(s::text, 2, '0'), '街道' || s, 'street', 1,
                   '/GX/GX' || lpad(s::text, 2, '0') || '/'
            FROM generate_series(1, 10) s;
        INSERT INTO area (id, code, name, level, parent, path)
            SELECT 100 + c, 'GX' || lpad(((c - 1) / 10 + 1)::text, 2, '0') || lpad(c::text, 3, '0'), '社区' || c,
                   'community', 1 + (c - 1) / 10,
                   '/GX/GX' || lpad(((c - 1) / 10 + 1)::text, 2, '0') || '/GX' || lpad(((c - 1) / 10 + 1)::text, 2, '0')
                   || lpad(c::text, 3, '0') || '/'
            FROM generate_series(1, 100) c;
        SELECT setval('area_id_seq', 300);
        INSERT INTO area_population (area, year, resident_population, source, as_of)
            SELECT a.id, y, CASE a.level WHEN 'district' THEN 6000000 WHEN 'street' THEN 600000 ELSE 60000 END,
                   'benchmark', make_date(y, 12, 31)
            FROM area a CROSS JOIN generate_series(2020, 2026) y;
    """)
    t = step("areas and populations", t)
    rng = random.Random(20261127)
    first_day = TODAY - timedelta(days=365 * YEARS + 400)
    rows = []
    for n in range(1, volunteers + 1):
        registered = first_day + timedelta(days=rng.randrange(365 * YEARS + 400))
        withdrawn = registered + timedelta(days=rng.randrange(30, 1500)) if rng.random() < 0.06 else None
        area = 100 + rng.randrange(1, 101) if rng.random() < 0.97 else 1 + rng.randrange(1, 11)
        rows.append(
            (
                n,
                f"ZY{n:010d}",
                f"v{n}",
                f"13{n:09d}",
                area,
                registered,
                registered,
                "withdrawn" if withdrawn else "active",
                withdrawn,
            )
        )
    await conn.execute("SET session_replication_role = replica")  # no dirty marks while loading
    await conn.copy_records_to_table(
        "volunteer",
        records=rows,
        columns=[
            "id",
            "volunteer_no",
            "name",
            "phone",
            "area",
            "registered_on",
            "consent_on",
            "status",
            "withdrawn_on",
        ],
    )
    del rows
    await conn.execute("SELECT setval('volunteer_id_seq', $1)", volunteers)
    t = step(f"{volunteers:,} volunteers (COPY)", t)
    activities = 100 * 12 * YEARS * 8  # eight a month in every community
    await conn.execute(
        """
        INSERT INTO activity (id, title, category, area, starts_at, ends_at, status)
        SELECT g, '活动' || g, 1 + g % 12, 101 + g % 100,
               ($1::date - (g % ($2::int * 365)) * interval '1 day') + interval '6 hours',
               ($1::date - (g % ($2::int * 365)) * interval '1 day') + interval '9 hours',
               CASE WHEN g % 50 = 0 THEN 'cancelled' ELSE 'completed' END
        FROM generate_series(1, $3::int) g
    """,
        TODAY,
        YEARS,
        activities,
    )
    await conn.execute("SELECT setval('activity_id_seq', $1)", activities)
    t = step(f"{activities:,} activities", t)
    chunk = 2_000_000
    for start in range(0, records, chunk):
        await conn.execute(
            """
            INSERT INTO service_record (volunteer, activity, area, service_date, source, status, started_at, ended_at,
                                        seconds, minutes)
            SELECT v, a.id, a.area, (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date,
                   CASE WHEN g % 7 = 0 THEN 'manual' ELSE 'checkin' END,
                   CASE WHEN g % 31 = 0 THEN 'rejected' WHEN g % 17 = 0 THEN 'pending' ELSE 'approved' END,
                   a.starts_at, a.ends_at, m * 60, m
            -- each volunteer serves at ten different activities: (volunteer, activity) pairs never repeat
            FROM (SELECT g, 1 + g % $3 AS v, 1 + ((g % $3) * 31 + (g / $3) * 4801) % $4 AS act,
                         (30 + (g * 13) % 150) AS m
                  FROM generate_series($1::int, $2::int) g) s
            JOIN activity a ON a.id = s.act
            ON CONFLICT DO NOTHING
        """,
            start + 1,
            min(start + chunk, records),
            volunteers,
            activities,
        )
        t = step(f"service records {min(start + chunk, records):,}", t)
    await conn.execute("SET session_replication_role = origin")
    await conn.execute("ANALYZE")
    t = step("analyze", t)
    await conn.execute("SELECT stats_mark_all()")
    refreshed = await conn.fetchval("SELECT stats_refresh()")
    await conn.execute("VACUUM ANALYZE")
    step(f"derived tables rebuilt for {refreshed:,} volunteers", t)
    print(f"  records: {await conn.fetchval('SELECT count(*) FROM service_record'):,}", flush=True)
    await conn.close()


async def reference(area: Target, targets: list[Target], as_of: date) -> dict[str, dict[str, int]]:
    p = parameters(FigureQuery(area=area.code, as_of=as_of, window_days=365, min_hours=0, sources=list(SOURCES)))
    return {t.code + ("/own" if t.own else ""): await reference_counts(t, p) for t in targets}


async def measure(as_of: date, runs: int) -> tuple[float, float, bool]:
    fast_times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await participation(SYSTEM, FigureQuery(area="GX", as_of=as_of, breakdown=True))
        fast_times.append((time.perf_counter() - started) * 1000)
    area = await readable_area(SYSTEM, "GX")
    children = await children_of(area)
    own = Target(area.id, area.code, area.name, area.level, area.path, own=True)
    started = time.perf_counter()
    naive = await reference(area, [area, *children, own], as_of)
    reference_ms = (time.perf_counter() - started) * 1000
    fast = {result.area.code: result.figures} | {
        c.area.code + ("/own" if c.area.own_only else ""): c.figures for c in result.children or []
    }
    same = True
    for key, counts in naive.items():
        if key not in fast:
            same = same and all(int(v) == 0 for v in counts.values())
            continue
        figures = fast[key]
        expected = {
            "registered": counts["registered"],
            "active": counts["active"],
            "hours_total": rounded(counts["minutes"] / 60),
            "participants": counts["participants"],
        }
        got = {name: figures[name].value for name in ADDITIVE}
        if got != expected:
            print(f"  MISMATCH {key} as of {as_of}: fast {got} reference {expected}")
            same = False
    return statistics.median(fast_times[1:]), reference_ms, same


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volunteers", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="reuse the database built by an earlier run")
    args = parser.parse_args()
    server = embedded.start(Path(tempfile.gettempdir()) / "volunteers-bench")
    dsn = server.replace("/postgres?", "/bench_stats?")
    if not args.reuse:
        admin = await asyncpg.connect(server)
        await admin.execute("DROP DATABASE IF EXISTS bench_stats WITH (FORCE)")
        await admin.execute("CREATE DATABASE bench_stats")
        await admin.close()
        db.configure(dsn)
        await migrate()
        print("building the district …", flush=True)
        await build(dsn, args.volunteers, args.records)
    db.configure(dsn)
    db.COMMAND_TIMEOUT = 3600  # the reference query takes minutes at this size
    await db.open_pool(max_size=4)
    try:
        results = []
        for as_of in (TODAY, TODAY - timedelta(days=400), date(2023, 3, 5)):
            ms, reference_ms, same = await measure(as_of, args.runs)
            results.append((ms, reference_ms, same))
            print(
                f"as_of={as_of} fast_ms={ms:.1f} reference_ms={reference_ms:.0f} "
                f"ratio={reference_ms / ms:.0f} identical={same}",
                flush=True,
            )
    finally:
        await db.close_pool()
    ms = statistics.median(r[0] for r in results)
    reference_ms = statistics.median(r[1] for r in results)
    identical = all(r[2] for r in results)
    print(f"ratio={reference_ms / ms:.1f} ms={ms:.1f} reference_ms={reference_ms:.0f} identical={identical}")


if __name__ == "__main__":
    asyncio.run(main())
