"""Login throttling per username and per address, kept in PostgreSQL.

Every worker process and every restart sees the same counts. An attempt is counted before its
password is checked, so guesses sent all at once are refused like guesses sent one after another.
A success takes its own attempt back and clears the username's count; the address keeps its
failures, so guessing at many accounts from one place stays limited.
"""

from __future__ import annotations

import ipaddress

from volunteers import db
from volunteers.errors import TooManyAttempts

PER_USERNAME = 5
PER_ADDRESS = 20
PERIOD_SECONDS = 15 * 60

# Advisory lock classes (two-key form): 1 usernames, 2 addresses, always taken in that order.
_USERNAME_LOCKS, _ADDRESS_LOCKS = 1, 2


async def count_attempt(username: str, address: str) -> int:
    """Count one attempt for `username` (any case) from `address` and return its id; 429 over a limit."""
    key, place = username_key(username), address_key(address)
    async with db.connection() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2)), pg_advisory_xact_lock($3, hashtext($4))",
            _USERNAME_LOCKS,
            key,
            _ADDRESS_LOCKS,
            place,
        )
        attempt: int | None = await conn.fetchval(
            db.sql("auth/login_attempt"), key, place, PER_USERNAME, PER_ADDRESS, PERIOD_SECONDS
        )
    if attempt is None:
        raise TooManyAttempts("登录失败次数过多，请 15 分钟后再试", code="too_many_attempts")
    return attempt


async def login_succeeded(username: str, attempt: int) -> None:
    """Take the successful attempt back and clear the username's failures (not its addresses')."""
    async with db.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _USERNAME_LOCKS, username_key(username))
        await conn.execute("DELETE FROM login_attempt WHERE id = $1", attempt)
        await conn.execute(
            "UPDATE login_attempt SET cleared = true WHERE username = $1 AND NOT cleared", username_key(username)
        )


def username_key(username: str) -> str:
    # Lower-casing can lengthen a name ("İ" → "i̇"); the column holds 64 characters, as a login name does.
    return username.lower()[:64]


def address_key(host: str) -> str:
    """An IPv4 address as it is; an IPv6 address by its /64, which one subscriber usually holds whole."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
