"""Real HTTP and real Chromium for page tests: the test's app served by uvicorn on the test's loop."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"]


def require_chromium() -> None:
    """Skip without Chromium, unless CI said browser tests must run (then fail)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("VOLUNTEERS_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (VOLUNTEERS_REQUIRE_BROWSER=1) but /usr/bin/chromium is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """Serve the running `app` (lifespan already entered) over real HTTP on this event loop."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError("the test server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
