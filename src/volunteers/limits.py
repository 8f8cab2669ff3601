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

    def allow(self, key: str) -> bool:
        """Count one event for `key`; False when it is over the limit."""
        now = time.monotonic()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._forget_idle(now)
            events = self._events[key] = deque()
        while events and now - events[0] >= self.period:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, ev in self._events.items() if not ev or now - ev[-1] >= self.period]
        for key in idle or list(self._events)[: self.max_keys // 10]:
            del self._events[key]


class ScanLimits:
    """The two limits a scan must pass: its client address and its code."""

    def __init__(self, per_client: int, per_code: int) -> None:
        self.clients = RateLimiter(per_client)
        self.codes = RateLimiter(per_code)

    def allow(self, client: str, code: str) -> bool:
        """Whether this scan may go ahead."""
        return self.clients.allow(client) and self.codes.allow(code)
