"""`volunteers serve` brings the embedded PostgreSQL back by itself when its postmaster dies."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.test_crash_safety import free_port, stop_group
from volunteers.settings import public_url_for

VOLUNTEERS = Path(sys.executable).with_name("volunteers")


def health(url: str) -> int | None:
    try:
        return httpx.get(f"{url}/health", timeout=5).status_code
    except httpx.HTTPError:
        return None


def wait_for(url: str, status: int, seconds: float, process: subprocess.Popen[bytes], log: Path) -> float:
    """Seconds until /health answers `status`."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        assert process.poll() is None, log.read_text()[-3000:]
        if health(url) == status:
            return time.monotonic() - began
        time.sleep(0.1)
    raise AssertionError(f"/health never answered {status} in {seconds} s:\n{log.read_text()[-3000:]}")


def logged(log: Path, line: str, seconds: float) -> str:
    """The log's text once it holds `line`."""
    began = time.monotonic()
    while line not in (text := log.read_text()):
        assert time.monotonic() - began < seconds, f"never logged {line!r}:\n{text[-3000:]}"
        time.sleep(0.1)
    return text


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split()[0])


def test_serve_restarts_a_dead_embedded_postgres(tmp_path: Path) -> None:
    # The server runs as its own system user when we are root: its folder must be one it can reach.
    data_dir = Path(tempfile.gettempdir()) / f"volunteers-supervised-{os.getpid()}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir()
    env = {**os.environ, "VOLUNTEERS_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("VOLUNTEERS_PUBLIC_URL", None)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [str(VOLUNTEERS), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(url, 200, 120, process, log)
        started = log.read_text()
        # posters carry where `serve` listens, not a default port; a newcomer sees no platformdirs warning
        assert f"posters and QR codes link to {url}" in started, started
        assert "XDG_RUNTIME_DIR" not in started, started
        first = postmaster_pid(data_dir / "pg")
        os.kill(first, signal.SIGKILL)

        wait_for(url, 503, 10, process, log)
        back_after = wait_for(url, 200, 30, process, log)
        assert back_after < 15
        assert postmaster_pid(data_dir / "pg") != first
        # the supervisor logs once its restart has returned, which can be a moment after the server answers
        text = logged(log, "embedded PostgreSQL restarted, ", seconds=15)
        assert "embedded PostgreSQL in" in text and "is not running; restarting it" in text, text[-3000:]
    finally:
        stop_group(process)
        # `serve` stops the server it started on the way out; a pid left behind would be a stray server
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            os.kill(postmaster_pid(data_dir / "pg"), signal.SIGKILL)
        shutil.rmtree(data_dir, ignore_errors=True)


def test_public_url_follows_where_serve_listens() -> None:
    assert public_url_for("127.0.0.1", 8741) == "http://127.0.0.1:8741"
    assert public_url_for("::1", 8741) == "http://[::1]:8741"
    everywhere = "0.0.0.0"  # noqa: S104 - a listening address given to the function, nothing binds it
    lan = public_url_for(everywhere, 8741)
    assert lan.startswith("http://") and lan.endswith(":8741") and everywhere not in lan
