"""Builders for the attendance and hours page tests: an activity at the door (through the API), volunteers,
scans, a page session; the still clock is the check-in tests' (`frozen`, `Clock`)."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.checkin.conftest import Clock, frozen
from tests.conftest import World
from tests.factories import END, START
from tests.web.test_staff_home import hidden, log_in, page_client

_PHONES = itertools.count(1)  # phones stay unique however many Doors a test opens

__all__ = ["END", "START", "Clock", "Door", "frozen", "hidden", "log_in", "page_client", "session"]


class Door:
    """Rows made through the JSON API as the world's users, so each passed the app's own rules."""

    def __init__(self, world: World) -> None:
        self.world = world

    async def activity(self, area: str = "C11", user: str = "staff_c11", **settings: Any) -> int:
        """A published 14:00–17:00 activity with a live check-in code."""
        body = {
            "title": settings.pop("title", f"{area} 读书分享会"),
            "category": "读书分享会",
            "area_code": area,
            "starts_at": settings.pop("starts_at", START).isoformat(),
            "ends_at": settings.pop("ends_at", END).isoformat(),
            **settings,
        }
        created = await self.world.post(user, "/api/v1/activities", body)
        assert created.status_code == 201, created.text
        activity_id = int(created.json()["id"])
        published = await self.world.post(user, f"/api/v1/activities/{activity_id}/publish")
        assert published.status_code == 200, published.text
        return activity_id

    async def code(self, activity_id: int, user: str = "staff_c11") -> str:
        shown = await self.world.get(user, f"/api/v1/activities/{activity_id}/checkin-code")
        if shown.status_code == 200:
            return str(shown.json()["code"])
        issued = await self.world.post(user, f"/api/v1/activities/{activity_id}/checkin-code")
        assert issued.status_code == 201, issued.text
        return str(issued.json()["code"])

    async def volunteer(self, name: str, area: str = "C11", user: str = "staff_c11") -> dict[str, Any]:
        phone = f"139{next(_PHONES):08d}"
        created = await self.world.post(user, "/api/v1/volunteers", {"name": name, "phone": phone, "area_code": area})
        assert created.status_code == 201, created.text
        return {"id": int(created.json()["id"]), "phone": phone, "name": name}

    async def scan(self, code: str, phone: str, action: str = "in") -> None:
        body = {"phone": phone, "nonce": secrets.token_urlsafe(12), "action": action}
        answer = await self.world.http.post(f"/api/v1/checkin/{code}", json=body)
        assert answer.status_code == 200, answer.text

    async def manual(
        self, volunteer_id: int, activity_id: int, start: datetime, minutes: int = 60, user: str = "staff_c11"
    ) -> int:
        body = {
            "volunteer_id": volunteer_id,
            "activity_id": activity_id,
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=minutes)).isoformat(),
            "reason": "纸质签到表补录",
        }
        created = await self.world.post(user, "/api/v1/service-records", body)
        assert created.status_code == 201, created.text
        return int(created.json()["id"])

    async def record(self, record_id: int, user: str = "root") -> dict[str, Any]:
        shown = await self.world.get(user, f"/api/v1/service-records/{record_id}")
        assert shown.status_code == 200, shown.text
        body: dict[str, Any] = shown.json()
        return body


@asynccontextmanager
async def session(app: Any, username: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A browser-like client logged in as `username` through the login form, and its CSRF token."""
    async with page_client(app) as http:
        done = await log_in(http, username)
        assert done.status_code == 303, done.text
        yield http, hidden((await http.get("/staff")).text)
