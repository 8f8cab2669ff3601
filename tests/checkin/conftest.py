"""Small builders for check-in tests: volunteers, activities, a code, and a clock to stand still."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import World
from volunteers import clock
from volunteers.activities.tables import Activity, ActivityCategory
from volunteers.areas.tables import Area
from volunteers.people.tables import Volunteer

START = datetime(2026, 3, 5, 6, 0, tzinfo=UTC)  # 14:00 Beijing, Lei Feng Day
END = START + timedelta(hours=3)

_numbers = itertools.count(1)


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


async def area_id(code: str) -> int:
    row = await Area.select(Area.id).where(Area.code == code).first()
    assert row is not None
    return int(row["id"])


async def make_volunteer(
    area: str = "C11", *, phone: str | None = None, status: str = "active", name: str = "张三丰"
) -> dict[str, Any]:
    """A volunteer row, written straight to the table."""
    n = next(_numbers)
    phone = phone or f"139{n:08d}"
    withdrawn = date(2026, 1, 2) if status == "withdrawn" else None
    rows = await Volunteer.insert(
        Volunteer(
            volunteer_no=f"ZYT{n:08d}",
            name=name,
            phone=phone,
            area=await area_id(area),
            registered_on=date(2026, 1, 1),
            consent_on=date(2026, 1, 1),
            status=status,
            withdrawn_on=withdrawn,
        )
    ).returning(Volunteer.id, Volunteer.volunteer_no, Volunteer.phone)
    return dict(rows[0])


async def make_activity(area: str = "C11", *, status: str = "published", **settings: Any) -> int:
    """A published 14:00–17:00 activity (Beijing time), written straight to the table."""
    category = await ActivityCategory.select(ActivityCategory.id).first()
    assert category is not None
    values: dict[str, Any] = {"starts_at": START, "ends_at": END, **settings}
    rows = await Activity.insert(
        Activity(
            title="读书分享会：雷锋日特别场",
            category=category["id"],
            area=await area_id(area),
            status=status,
            **values,
        )
    ).returning(Activity.id)
    return int(rows[0]["id"])


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
