"""Login throttling that limits guessing without letting a stranger lock anyone out.

Counted in PostgreSQL, so every worker process and every restart sees the same counts. An attempt
is counted before its password is checked, under advisory locks of its username and its address,
so guesses sent all at once are refused like guesses sent one after another. Three budgets:

| counted                                       | budget                           | at most                    |
|-----------------------------------------------|----------------------------------|----------------------------|
| a username from one address (the pair)        | 5 in any 15 minutes              | 20 guesses an hour at one  |
|                                               |                                  | account from one address   |
| one address, at any usernames                 | 20 in any 15 minutes             | 80 guesses an hour from    |
|                                               |                                  | one address                |
| a username from addresses not known for it    | 10 in any hour, then 1 a minute  | 70 guesses an hour at one  |
| (any number of them: a botnet)                | (a slow-down, not a lockout)     | account from everywhere    |

(An address known for the account adds its pair's 20 an hour to the 70; a guesser has one only by
sharing the owner's network, such as an office NAT.)

A success takes its own attempt back, clears its pair's count (the owner's own typos), and makes
the address known for that username for 30 days. From a known address only the pair's budget
applies: the office a user logs in from every day stays open to them while a colleague behind
the same NAT mistypes, or a guesser there spends the address's budget on other accounts. So a
guesser cannot lock an owner out: failures at one address refuse the owner only there (the pair),
or, at an address the owner has never logged in from, for the 15 minutes the address's budget
takes to refill; failures spread over many addresses slow the owner to one attempt a minute at
addresses the owner has never logged in from, and not at all at the owner's known addresses.
A password change forgets the username's known addresses (service.update_user).
"""

from __future__ import annotations

import ipaddress

from volunteers import db
from volunteers.errors import TooManyAttempts

PAIR_ATTEMPTS = 5
ADDRESS_ATTEMPTS = 20
WINDOW_SECONDS = 15 * 60
ACCOUNT_ATTEMPTS = 10
ACCOUNT_WINDOW_SECONDS = 60 * 60
SLOW_DOWN_SECONDS = 60
KNOWN_FOR_SECONDS = 30 * 24 * 60 * 60

# Advisory locks (db.LockClass) of the username, then of the address: always taken in that order.
_USERNAME_LOCKS, _ADDRESS_LOCKS = db.LockClass.LOGIN_USERNAME, db.LockClass.LOGIN_ADDRESS

# Each refusal says how long to wait, and what still works, in the words a staff member reads.
REFUSALS = {
    "pair": "登录失败次数过多，请 15 分钟后再试",
    "address": "此网络地址登录失败次数过多，请 15 分钟后再试；曾在此网络成功登录过的账号不受影响",
    "account": (
        "该账号近期在多个网络上登录失败次数过多，为防止猜测密码，每分钟只允许尝试一次，请 1 分钟后再试；"
        "在曾成功登录过的网络上不受此限制"
    ),
}


async def count_attempt(username: str, address: str) -> int:
    """Count one attempt for `username` (any case) from `address` and return its id; 429 past a budget."""
    key, place = username_key(username), address_key(address)
    async with db.connection() as conn, conn.transaction():
        await conn.execute(db.sql("auth/login_locks"), _USERNAME_LOCKS, key, _ADDRESS_LOCKS, place)
        row = await conn.fetchrow(
            db.sql("auth/login_attempt"),
            key,
            place,
            PAIR_ATTEMPTS,
            ADDRESS_ATTEMPTS,
            WINDOW_SECONDS,
            ACCOUNT_ATTEMPTS,
            ACCOUNT_WINDOW_SECONDS,
            SLOW_DOWN_SECONDS,
            KNOWN_FOR_SECONDS,
        )
    assert row is not None  # the statement always answers one row
    if row["id"] is None:
        raise TooManyAttempts(REFUSALS[row["refusal"]], code="too_many_attempts")
    attempt: int = row["id"]
    return attempt


async def login_succeeded(username: str, address: str, attempt: int) -> None:
    """Take the successful attempt back, clear its pair's failures and remember the address, in one statement."""
    async with db.connection() as conn:
        await conn.execute(db.sql("auth/login_succeeded"), username_key(username), address_key(address), attempt)


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
