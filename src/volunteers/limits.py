"""Sliding-window rate limits for check-in scans, in memory (per process: the scan path stays cheap).

Login throttling must hold across processes and restarts, so it lives in PostgreSQL (auth/throttle.py).
"""

from __future__ import annotations

import time
from collections import deque


class RateLimiter:
    """At most `limit` events per key in any `period` seconds; memory bounded by `max_keys`."""

    def __init__(self, limit: int, period: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.period = period
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}

    def spent(self, key: str) -> bool:
        """Whether `key` has used up its events for now (counts nothing)."""
        events = self._events.get(key)
        if not events:
            return False
        self._expire(events, time.monotonic())
        return len(events) >= self.limit

    def count(self, key: str) -> None:
        """Count one event for `key` (nothing past the limit: a key that keeps trying recovers on time)."""
        now = time.monotonic()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._forget_idle(now)
            events = self._events[key] = deque()
        self._expire(events, now)
        if len(events) < self.limit:
            events.append(now)

    def allow(self, key: str) -> bool:
        """Count one event for `key`; False (and nothing counted) when it is over the limit."""
        if self.spent(key):
            return False
        self.count(key)
        return True

    def _expire(self, events: deque[float], now: float) -> None:
        while events and now - events[0] >= self.period:
            events.popleft()

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, ev in self._events.items() if not ev or now - ev[-1] >= self.period]
        for key in idle or list(self._events)[: self.max_keys // 10]:
            del self._events[key]


class ScanLimits:
    """The budgets of public scans, so that no one party can hold up check-in for others.

    - Refusals per client address: an address whose scans keep being refused (junk phones, made-up codes)
      is held back, but only for what it sends itself; other addresses are not affected at all. There is
      no budget per code that everyone shares: that is what let 41 addresses close check-in for everyone.
    - Attempts per (code, phone, address): one phone cannot be hammered in and out from one place, and
      someone hammering it elsewhere cannot keep its owner out.
    """

    def __init__(self, refusals_per_client: int, per_phone: int, period: float = 60.0) -> None:
        self.clients = RateLimiter(refusals_per_client, period)
        self.phones = RateLimiter(per_phone, period)

    def client_spent(self, client: str) -> bool:
        """Whether the address has used up its refusals for now."""
        return self.clients.spent(client)

    def charge_client(self, client: str) -> None:
        """Count one refused scan (or one registration) against the address."""
        self.clients.count(client)

    def allow_phone(self, code: str, phone: str, client: str) -> bool:
        """Count one attempt for the phone at this code from this address; False when it is over its budget."""
        return self.phones.allow(f"{code}\x00{phone}\x00{client}")
