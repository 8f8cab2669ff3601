"""Login throttling: guessing stays limited, and nobody can lock an owner out from elsewhere."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import PASSWORD, World
from volunteers import db
from volunteers.auth import throttle
from volunteers.auth.tables import LoginKnownAddress

OFFICE = "203.0.113.50"  # a shared office NAT
HOME = "198.51.100.7"


async def log_in(app: Any, address: str, username: str, password: str = PASSWORD) -> httpx.Response:
    """POST /api/v1/auth/token as a client at `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.post("/api/v1/auth/token", json={"username": username, "password": password})


def botnet(start: int, count: int) -> list[str]:
    """`count` addresses no one has used before (each its own IPv6 /64), one per guess."""
    return [f"2001:db8:{n // 65536:x}:{n % 65536:x}::1" for n in range(start, start + count)]


async def an_earlier_minute() -> None:
    """Move every counted attempt one minute (and a second) into the past."""
    async with db.connection() as conn:
        await conn.execute("UPDATE login_attempt SET at = at - interval '61 seconds'")


async def test_the_owner_gets_in_from_an_address_that_has_not_been_failing(app: Any, world: World) -> None:
    for _ in range(throttle.PAIR_ATTEMPTS):
        assert (await log_in(app, OFFICE, "staff_c11", "wrong-guess")).status_code == 401
    here = await log_in(app, OFFICE, "staff_c11")
    assert here.status_code == 429 and here.json()["code"] == "too_many_attempts"
    elsewhere = await log_in(app, HOME, "staff_c11")
    assert elsewhere.status_code == 200, elsewhere.text


async def test_a_known_user_behind_a_failing_office_address_still_gets_in(app: Any, world: World) -> None:
    """Twenty-odd failures from the office NAT refuse strangers there, not those who log in from it."""
    assert (await log_in(app, OFFICE, "staff_c12")).status_code == 200
    statuses = [(await log_in(app, OFFICE, f"nobody{n}", "wrong-guess")).status_code for n in range(25)]
    assert statuses == [401] * throttle.ADDRESS_ATTEMPTS + [429] * (25 - throttle.ADDRESS_ATTEMPTS)
    known = await log_in(app, OFFICE, "staff_c12")
    assert known.status_code == 200, known.text
    stranger = await log_in(app, OFFICE, "staff_c21")
    assert stranger.status_code == 429 and "此网络地址登录失败次数过多" in stranger.json()["detail"]
    # ... who can still log in from elsewhere
    assert (await log_in(app, HOME, "staff_c21")).status_code == 200


async def test_a_known_address_keeps_its_own_pair_budget(app: Any, world: World) -> None:
    """Known or not, one address guesses at one account 5 times in 15 minutes."""
    assert (await log_in(app, OFFICE, "staff_c12")).status_code == 200
    for _ in range(throttle.PAIR_ATTEMPTS):
        assert (await log_in(app, OFFICE, "staff_c12", "wrong-guess")).status_code == 401
    assert (await log_in(app, OFFICE, "staff_c12", "wrong-guess")).status_code == 429


async def test_guessing_from_many_addresses_is_slowed_to_one_a_minute(app: Any, world: World) -> None:
    """The written budget: 10 guesses at one account in an hour, then one a minute, from any number of addresses."""
    assert (await log_in(app, OFFICE, "staff_c11")).status_code == 200  # the owner's office, known
    first = [(await log_in(app, a, "staff_c11", "wrong-guess")).status_code for a in botnet(0, 15)]
    assert first == [401] * throttle.ACCOUNT_ATTEMPTS + [429] * (15 - throttle.ACCOUNT_ATTEMPTS)
    slowed = await log_in(app, HOME, "staff_c11")  # the owner, from an address never used before
    assert slowed.status_code == 429 and "每分钟只允许尝试一次" in slowed.json()["detail"]
    assert (await log_in(app, OFFICE, "staff_c11")).status_code == 200  # from the known office: no slow-down

    for minute in range(1, 60):  # the rest of the hour: 10 + 59 guesses in all, within the 70 written down
        await an_earlier_minute()
        statuses = [(await log_in(app, a, "staff_c11", "wrong-guess")).status_code for a in botnet(100 * minute, 3)]
        assert statuses == [401, 429, 429], (minute, statuses)


async def test_guesses_from_many_addresses_at_once_are_counted_one_by_one(app: Any, world: World) -> None:
    guesses = [log_in(app, a, "staff_c11", f"guess-{n}") for n, a in enumerate(botnet(0, 20))]
    statuses = sorted(r.status_code for r in await asyncio.gather(*guesses))
    assert statuses == [401] * throttle.ACCOUNT_ATTEMPTS + [429] * (20 - throttle.ACCOUNT_ATTEMPTS)


async def test_a_success_does_not_refill_a_guessers_budget(app: Any, world: World) -> None:
    assert (await log_in(app, OFFICE, "staff_c11")).status_code == 200
    for address in botnet(0, throttle.ACCOUNT_ATTEMPTS):
        assert (await log_in(app, address, "staff_c11", "wrong-guess")).status_code == 401
    assert (await log_in(app, OFFICE, "staff_c11")).status_code == 200
    assert (await log_in(app, botnet(50, 1)[0], "staff_c11", "wrong-guess")).status_code == 429


async def test_a_success_clears_its_own_typos(app: Any, world: World) -> None:
    for _ in range(throttle.PAIR_ATTEMPTS - 1):
        assert (await log_in(app, HOME, "staff_c21", "wrong-guess")).status_code == 401
    assert (await log_in(app, HOME, "staff_c21")).status_code == 200
    for _ in range(throttle.PAIR_ATTEMPTS - 1):
        assert (await log_in(app, HOME, "staff_c21", "wrong-guess")).status_code == 401
    assert (await log_in(app, HOME, "staff_c21")).status_code == 200


async def test_a_password_change_forgets_the_known_addresses(app: Any, world: World) -> None:
    assert (await log_in(app, OFFICE, "staff_c21")).status_code == 200
    assert await LoginKnownAddress.count().where(LoginKnownAddress.username == "staff_c21") == 1
    users = (await world.get("root", "/api/v1/users")).json()["items"]
    target = next(u for u in users if u["username"] == "staff_c21")
    changed = await world.patch("root", f"/api/v1/users/{target['id']}", {"password": "lantern-orchard-47-drift"})
    assert changed.status_code == 200, changed.text
    assert await LoginKnownAddress.count().where(LoginKnownAddress.username == "staff_c21") == 0
