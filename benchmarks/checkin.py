"""Check-in throughput: POST /api/v1/checkin/{code} against a bare one-INSERT endpoint.

Both are served by granian (one worker) against the same embedded PostgreSQL; wrk loads
each from a separate process on 127.0.0.1 with many distinct volunteers. Run:
    uv run python benchmarks/checkin.py [--seconds 10] [--connections 50]
Last line: ratio=… p99_ms=… rps=… baseline_rps=…
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from volunteers import db, embedded  # noqa: E402
from volunteers.upgrade import migrate  # noqa: E402

PER_THREAD = 400_000  # distinct phones per wrk thread
THREADS = 2

LUA = """
local counter = 0
local threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
request = function()
  counter = counter + 1
  local n = tid * %(per_thread)d + first + counter
  local body = string.format('{"phone":"13%%09d","nonce":"bench-%%d-%%d-%%d","action":"in"}', n, run, tid, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def prepare(server_dsn: str) -> tuple[str, str]:
    """A fresh database with one open activity, its code, and many volunteers. Returns (dsn, code)."""
    admin = await asyncpg.connect(server_dsn)
    await admin.execute("DROP DATABASE IF EXISTS bench_checkin WITH (FORCE)")
    await admin.execute("CREATE DATABASE bench_checkin")
    await admin.close()
    dsn = server_dsn.replace("/postgres?", "/bench_checkin?")
    db.configure(dsn)
    await migrate()
    conn = await asyncpg.connect(dsn)
    await conn.execute(
        "INSERT INTO area (code, name, level, parent, path) VALUES ('D1', '高新区', 'district', NULL, '/D1/')"
    )
    area = await conn.fetchval("SELECT id FROM area WHERE code = 'D1'")
    category = await conn.fetchval("SELECT id FROM activity_category ORDER BY id LIMIT 1")
    now = datetime.now(UTC)
    activity = await conn.fetchval(
        "INSERT INTO activity (title, category, area, starts_at, ends_at, status, daily_cap_minutes)"
        " VALUES ('雷锋日', $1, $2, $3, $4, 'published', 720) RETURNING id",
        category,
        area,
        now - timedelta(minutes=10),
        now + timedelta(hours=6),
    )
    code = "benchcode2345678"
    await conn.execute("INSERT INTO checkin_code (activity, code) VALUES ($1, $2)", activity, code)
    today = date.today()
    rows = [
        (f"ZYB{n:09d}", f"志愿者{n}", f"13{n:09d}", area, today, today)
        for tid in range(THREADS)
        for n in range(tid * PER_THREAD + 1, tid * PER_THREAD + PER_THREAD + 1)
    ]
    await conn.copy_records_to_table(
        "volunteer", records=rows, columns=["volunteer_no", "name", "phone", "area", "registered_on", "consent_on"]
    )
    await conn.execute(
        "CREATE TABLE bench_scan (id bigserial PRIMARY KEY, phone text, nonce text, action text, at timestamptz)"
    )
    await conn.execute("ANALYZE")
    await conn.close()
    return dsn, code


def serve(target: str, port: int, dsn: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "VOLUNTEERS_SCANS_PER_CLIENT_MINUTE": "100000000",
        "VOLUNTEERS_SCANS_PER_PHONE_MINUTE": "100000000",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT / 'benchmarks'}",
    }
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--workers",
        "1",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-ws",
        "--log-level",
        "warning",
        target,
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def load(url: str, seconds: int, connections: int, run: int) -> dict[str, float]:
    """Run wrk; return rps, p50 and p99 in ms, and the count of non-2xx answers."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        first = 0 if run % 10 == 0 else PER_THREAD // 4  # the warm-up and the measured run use other phones
        script.write(f"run = {run}\nfirst = {first}\n" + LUA % {"per_thread": PER_THREAD})
    out = subprocess.run(
        ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def measure(name: str, target: str, url_path: str, dsn: str, args: argparse.Namespace, run: int) -> dict[str, float]:
    port = free_port()
    process = serve(target, port, dsn)
    try:
        load(f"http://127.0.0.1:{port}{url_path}", 2, args.connections, run * 10)  # warm-up
        result = load(f"http://127.0.0.1:{port}{url_path}", args.seconds, args.connections, run * 10 + 1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(
        f"{name:9} rps={result['rps']:.0f} p50_ms={result['p50']:.2f} p99_ms={result['p99']:.2f}"
        f" non_2xx={result['errors']:.0f}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("benchmarks/checkin.py needs wrk: apt-get install wrk")
    server_dsn = embedded.start(Path(tempfile.gettempdir()) / "volunteers-bench")
    print("preparing: one open activity and", THREADS * PER_THREAD, "volunteers …", flush=True)
    dsn, code = asyncio.run(prepare(server_dsn))
    ours = measure("checkin", "volunteers.app:create_app", f"/api/v1/checkin/{code}", dsn, args, 1)
    base = measure("baseline", "baseline_app:create_app", "/insert", dsn, args, 2)
    scans = asyncio.run(count_ok(dsn))
    print(f"scans recorded ok: {scans}")
    print(
        f"ratio={ours['rps'] / base['rps']:.2f} p99_ms={ours['p99']:.1f} rps={ours['rps']:.0f} "
        f"baseline_rps={base['rps']:.0f} p50_ms={ours['p50']:.1f} baseline_p99_ms={base['p99']:.1f} "
        f"errors={ours['errors']:.0f}"
    )


async def count_ok(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM scan WHERE result = 'ok'"))
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
