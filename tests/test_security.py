"""Login throttling, security headers, and no personal data in the logs."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, World
from volunteers.app import create_app
from volunteers.areas import service as areas_service
from volunteers.auth.throttle import address_key
from volunteers.security import redact


async def test_login_is_throttled_per_username(world: World) -> None:
    for _ in range(5):
        wrong = await world.http.post("/api/v1/auth/token", json={"username": "staff_c11", "password": "wrong-guess"})
        assert wrong.status_code == 401
    blocked = await world.http.post("/api/v1/auth/token", json={"username": "staff_c11", "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.json()["code"] == "too_many_attempts"
    # another user is not affected
    other = await world.http.post("/api/v1/auth/token", json={"username": "staff_c12", "password": PASSWORD})
    assert other.status_code == 200


async def test_login_is_throttled_per_address(world: World) -> None:
    for n in range(20):
        await world.http.post("/api/v1/auth/token", json={"username": f"nobody{n}", "password": "wrong-guess"})
    blocked = await world.http.post("/api/v1/auth/token", json={"username": "staff_c12", "password": PASSWORD})
    assert blocked.status_code == 429


async def test_a_success_clears_the_count(world: World) -> None:
    for _ in range(4):
        await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": "wrong-guess"})
    assert (
        await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": PASSWORD})
    ).status_code == 200
    for _ in range(4):
        await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": "wrong-guess"})
    assert (
        await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": PASSWORD})
    ).status_code == 200


@pytest.mark.parametrize("url", ["/health", "/c/zzzzzzzzzzzzzzzz", "/api/v1/areas", "/schema/openapi.json"])
async def test_security_headers(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_redact_masks_personal_data() -> None:
    line = 'login {"username":"a","password":"hunter22"} Bearer abc.DEF-123 phone 13812345678 id 43042119900101123X'
    masked = redact(line)
    assert "hunter22" not in masked and "abc.DEF-123" not in masked
    assert "13812345678" not in masked and "138****5678" in masked
    # no character of an ID number: beside a birth date, its first 6 and last 4 were the whole number
    assert "[身份证号]" in masked and "430421" not in masked and "123X" not in masked


async def test_an_unexpected_error_logs_no_personal_data(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom for 13812345678 with Bearer secret-token-value and 43042119900101123X")

    monkeypatch.setattr(areas_service, "get_area", broken)
    headers = await world.login("staff_c11")
    with caplog.at_level(logging.INFO):
        response = await world.http.get("/api/v1/areas/C11", headers=headers)
    assert response.status_code == 500
    assert "13812345678" not in response.text
    logged = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert "boom" in logged
    for secret in ("13812345678", "secret-token-value", "43042119900101123X", headers["Authorization"].split()[1]):
        assert secret not in logged


async def test_guesses_sent_at_once_are_counted_one_by_one(world: World) -> None:
    """Twenty wrong passwords fired together: five are checked, the rest refused before any check."""
    guesses = [
        world.http.post("/api/v1/auth/token", json={"username": "staff_c11", "password": f"guess-{n}"})
        for n in range(20)
    ]
    statuses = sorted(r.status_code for r in await asyncio.gather(*guesses))
    assert statuses == [401] * 5 + [429] * 15


async def test_throttling_outlives_the_process(app: Any, world: World) -> None:
    """A fresh app (as in another worker process, or after a restart) sees the same failures.

    The pool is process-wide and already open, so the second app needs no lifespan of its own."""
    for _ in range(5):
        await world.http.post("/api/v1/auth/token", json={"username": "staff_c11", "password": "wrong-guess"})
    other: Any = create_app()  # Litestar types its scope more narrowly than httpx's ASGI callable
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://t") as c:
        blocked = await c.post("/api/v1/auth/token", json={"username": "STAFF_C11", "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.json()["code"] == "too_many_attempts"


async def test_a_name_that_grows_when_lower_cased_is_still_just_a_wrong_login(world: World) -> None:
    response = await world.http.post("/api/v1/auth/token", json={"username": "İ" * 64, "password": "wrong-guess"})
    assert response.status_code == 401 and response.json()["code"] == "bad_credentials"


async def test_a_success_keeps_the_address_failures(world: World) -> None:
    """Logging in clears the username's count, not the guesses its address made (20 per address)."""
    for _ in range(4):
        await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": "wrong-guess"})
    assert (
        await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": PASSWORD})
    ).status_code == 200
    for n in range(16):
        await world.http.post("/api/v1/auth/token", json={"username": f"nobody{n}", "password": "wrong-guess"})
    blocked = await world.http.post("/api/v1/auth/token", json={"username": "staff_c12", "password": PASSWORD})
    assert blocked.status_code == 429


async def test_one_ipv6_subscriber_is_one_address(app: Any, world: World) -> None:
    """Addresses of one IPv6 /64 share a count, so hopping inside it gains no guesses."""
    for n in range(20):
        transport = httpx.ASGITransport(app=app, client=(f"2001:db8:1:2::{n + 1:x}", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            await http.post("/api/v1/auth/token", json={"username": f"nobody{n}", "password": "wrong-guess"})
    transport = httpx.ASGITransport(app=app, client=("2001:db8:1:2:ffff::1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        same = await http.post("/api/v1/auth/token", json={"username": "staff_c12", "password": PASSWORD})
    transport = httpx.ASGITransport(app=app, client=("2001:db8:1:3::1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        neighbour = await http.post("/api/v1/auth/token", json={"username": "staff_c12", "password": PASSWORD})
    assert (same.status_code, neighbour.status_code) == (429, 200)


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("testclient", "testclient"),
    ],
)
def test_address_keys(host: str, key: str) -> None:
    assert address_key(host) == key
