"""The built wheel works on its own: installed outside the checkout, it migrates, serves and answers."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

from tests.test_crash_safety import free_port, stop_group

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - our own build and install commands
        [str(c) for c in command], capture_output=True, text=True, env=env, cwd=cwd, timeout=600, check=False
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout + done.stderr


def test_the_wheel_installed_elsewhere_migrates_serves_and_answers(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv is not None, "uv runs the test suite, so it is on PATH"
    run(uv, "build", "--wheel", "--out-dir", tmp_path / "dist", cwd=ROOT)
    wheel = next((tmp_path / "dist").glob("volunteers-*.whl"))
    venv = tmp_path / "venv"
    run(uv, "venv", "--quiet", venv)
    run(uv, "pip", "install", "--quiet", "--python", venv / "bin" / "python", wheel)
    command = venv / "bin" / "volunteers"

    # somewhere the checkout's sql/ cannot be found, with an embedded database of its own
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data_dir = Path(tempfile.gettempdir()) / f"volunteers-wheel-{os.getpid()}"  # reachable by the server's user
    shutil.rmtree(data_dir, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH")}
    env |= {"VOLUNTEERS_DATA_DIR": str(data_dir), "VOLUNTEERS_SECRET_KEY": "wheel-test-secret"}
    try:
        assert "database is up to date" in run(command, "db", "upgrade", env=env, cwd=elsewhere)
        assert "database is up to date" in run(command, "db", "upgrade", env=env, cwd=elsewhere)
        port = free_port()
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(  # noqa: S603 - our own command
                [str(command), "serve", "--port", str(port)],
                env=env,
                cwd=elsewhere,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            began = time.monotonic()
            while True:
                assert server.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() - began < 120, log.read_text()[-3000:]
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                        break
                time.sleep(0.2)
            password = re.search(r"password: (\S+)", log.read_text())
            assert password is not None, log.read_text()[-3000:]
            login = httpx.post(
                f"{url}/api/v1/auth/token", json={"username": "admin", "password": password.group(1)}, timeout=10
            )
            assert login.status_code == 200, login.text
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            area = {"code": "D1", "name": "高新区", "level": "district"}
            assert httpx.post(f"{url}/api/v1/areas", json=area, headers=headers, timeout=10).status_code == 201
            figures = httpx.get(  # a statistics call: SQL files read from the installed package
                f"{url}/api/v1/stats/participation",
                params={"area": "D1", "as_of": str(date.today())},
                headers=headers,
                timeout=30,
            )
            assert figures.status_code == 200, figures.text + log.read_text()[-4000:]
            assert figures.json()["figures"]["registered"]["value"] == 0
        finally:
            stop_group(server)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
