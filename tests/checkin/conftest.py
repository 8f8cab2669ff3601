"""Check-in test helpers: a clock to stand still, a code, a scan (the rows come from tests.factories)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.conftest import World
from tests.factories import START
from volunteers import clock


class Clock:
    """A settable stand-in for volunteers.clock.now."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """The app's clock, standing at the activity's start until a test moves it."""
    stand_in = Clock(START)
    monkeypatch.setattr(clock, "now", stand_in)
    yield stand_in


async def issue_code(world: World, activity_id: int, user: str = "staff_c11") -> str:
    response = await world.post(user, f"/api/v1/activities/{activity_id}/checkin-code")
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def nonce() -> str:
    return secrets.token_urlsafe(12)


async def scan(world: World, code: str, phone: str, action: str = "in", *, with_nonce: str | None = None) -> Any:
    return await world.http.post(
        f"/api/v1/checkin/{code}", json={"phone": phone, "nonce": with_nonce or nonce(), "action": action}
    )
