"""Login throttling per username and per address, kept in PostgreSQL.

Every worker process and every restart sees the same counts. An attempt is counted before its
password is checked and forgotten when it succeeds, so guesses sent all at once are refused
like guesses sent one after another.
"""

from __future__ import annotations

from volunteers import db
from volunteers.errors import TooManyAttempts

PER_USERNAME = 5
PER_ADDRESS = 20
PERIOD_SECONDS = 15 * 60

_USERNAME_LOCKS, _ADDRESS_LOCKS = 1, 2  # advisory lock classes; always taken in this order


async def count_attempt(username: str, address: str) -> None:
    """Count one attempt for `username` (any case) from `address`; 429 when either is over its limit."""
    key = username.lower()
    async with db.connection() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2)), pg_advisory_xact_lock($3, hashtext($4))",
            _USERNAME_LOCKS,
            key,
            _ADDRESS_LOCKS,
            address,
        )
        await conn.execute("DELETE FROM login_attempt WHERE at < now() - make_interval(secs => $1)", PERIOD_SECONDS)
        counted = await conn.fetchval(
            db.sql("auth/login_attempt"), key, address, PER_USERNAME, PER_ADDRESS, PERIOD_SECONDS
        )
    if counted is None:
        raise TooManyAttempts("登录失败次数过多，请 15 分钟后再试", code="too_many_attempts")


async def forget_attempts(username: str) -> None:
    """A successful login clears the username's attempts (its address keeps its failures)."""
    async with db.connection() as conn:
        await conn.execute("DELETE FROM login_attempt WHERE username = $1", username.lower())
