"""The world the permission matrix runs in: the same objects in C11 and in C21, fresh ones on demand.

Everything is made through the API as `root`, so every object passed the app's own rules. Names
carry the area's marker (东一… in C11, 西一… in C21), so a response that leaks the other side's
data can be caught by looking for the marker.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.conftest import USERS, World
from tests.factories import make_id_number
from volunteers import db
from volunteers.fields import LOCAL_TZ, today

# user → (home community, away community): the area the user's objects live in, and one outside the
# user's subtree (None where nothing is outside: root and the district official).
ROLES: dict[str, tuple[str, str | None]] = {
    "root": ("C11", None),
    "admin_s1": ("C11", "C21"),
    "staff_s1": ("C11", "C21"),
    "staff_c11": ("C11", "C21"),
    "staff_c21": ("C21", "C11"),
    "official_s1": ("C11", "C21"),
    "official_d1": ("C21", None),
}
ROLE_OF = {"root": "admin", **{name: role for name, role, _ in USERS}}
AREA_OF: dict[str, str | None] = {"root": None, **{name: area for name, _, area in USERS}}

# The parent of each caller's area: it lies outside the caller's subtree although the subtree lies in it.
ABOVE = {"admin_s1": "D1", "staff_s1": "D1", "staff_c11": "S1", "staff_c21": "S2", "official_s1": "D1"}

NAME_MARK = {"C11": "东一", "C21": "西一"}
# What a response to a caller must not contain when `away` lies outside the caller's subtree:
# names of that side's objects and areas, and its area codes as JSON strings.
LEAK_MARKS = {
    "C21": ("西一", "西街道", '"C21"', '"S2"'),
    "C11": ("东一", "东二", "东街道", '"C11"', '"C12"', '"S1"'),
}

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """12 → 一二: numbers in names that stay free of ASCII digits."""
    return "".join(CHINESE_DIGITS[int(d)] for d in str(n))


@dataclass
class Place:
    """The standing objects of one community: read by the matrix, never changed by it."""

    area: str
    volunteer: int
    team: int
    venue: int
    activity: int  # published, happening now, with a live check-in code
    code: str
    record: int  # a pending manual service record of `volunteer` at `activity`
    snapshot: int
    user: int
    visitor: str = ""  # the phone of a volunteer of the other community who checked in at `activity`


@dataclass
class Scene:
    """The small world plus a Place per community, and factories for fresh objects."""

    world: World
    places: dict[str, Place] = field(default_factory=dict)
    phones: dict[str, list[str]] = field(default_factory=dict)  # area → phones of the volunteers living there
    id_numbers: list[str] = field(default_factory=list)  # never shown whole, to anyone
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def http(self) -> httpx.AsyncClient:
        return self.world.http

    def number(self) -> int:
        return next(self._numbers)

    def name(self, area: str, what: str) -> str:
        return f"{NAME_MARK.get(area, '')}{what}{chinese(self.number())}"

    async def root(self, method: str, url: str, **kwargs: Any) -> Any:
        """Call the API as root; the call must succeed."""
        response = await self.world.call("root", method, url, **kwargs)
        assert response.status_code < 300, f"{method} {url} as root: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def token(self, who: str) -> str:
        return (await self.world.login(who))["Authorization"].removeprefix("Bearer ")

    # ---- fresh objects -------------------------------------------------------------------

    def phone(self) -> str:
        return f"139{self.number():08d}"

    async def volunteer(self, area: str, status: str = "active", name: str | None = None) -> int:
        body = {"name": name or self.name(area, "志愿者"), "phone": self.phone(), "area_code": area}
        volunteer_id: int = (await self.root("POST", "/api/v1/volunteers", json=body))["id"]
        self.phones.setdefault(area, []).append(body["phone"])
        if status == "suspended":
            await self.root("POST", f"/api/v1/volunteers/{volunteer_id}/suspend", json={"on": str(today())})
        return volunteer_id

    async def team(self, area: str) -> int:
        body = {"name": self.name(area, "服务队"), "area_code": area, "sponsor": f"{NAME_MARK[area]}小学"}
        team_id: int = (await self.root("POST", "/api/v1/teams", json=body))["id"]
        return team_id

    async def minor(self, area: str) -> int:
        """A ten-year-old with an ID number and a guardian: the most personal data the registry holds."""
        born = today().replace(month=3, day=7, year=today().year - 10)
        id_number = make_id_number(born, n=self.number())
        guardian = {"name": f"{NAME_MARK[area]}家长", "phone": self.phone(), "consent_on": str(today())}
        body: dict[str, Any] = {
            "name": self.name(area, "少年"),
            "phone": self.phone(),
            "area_code": area,
            "id_number": id_number,
            "birth_date": str(born),
            "guardian": guardian,
        }
        volunteer_id: int = (await self.root("POST", "/api/v1/volunteers", json=body))["id"]
        self.phones.setdefault(area, []).extend([body["phone"], guardian["phone"]])
        self.id_numbers.append(id_number)
        return volunteer_id

    async def membership(self, area: str) -> tuple[int, int]:
        """A fresh team with a fresh member: (team id, volunteer id)."""
        team_id, volunteer_id = await self.team(area), await self.volunteer(area)
        await self.root("POST", f"/api/v1/teams/{team_id}/members", json={"volunteer_id": volunteer_id})
        return team_id, volunteer_id

    async def venue(self, area: str) -> int:
        body = {"name": self.name(area, "书屋"), "kind": "book_house", "area_code": area}
        venue_id: int = (await self.root("POST", "/api/v1/venues", json=body))["id"]
        return venue_id

    def activity_body(self, area: str, **overrides: Any) -> dict[str, Any]:
        """A valid activity in `area` that is open for check-in right now."""
        now = datetime.now(LOCAL_TZ).replace(microsecond=0)
        return {
            "title": self.name(area, "读书会"),
            "category": "parent_child_reading",
            "area_code": area,
            "starts_at": (now - timedelta(minutes=10)).isoformat(),
            "ends_at": (now + timedelta(hours=3)).isoformat(),
            **overrides,
        }

    async def activity(self, area: str, status: str = "draft") -> int:
        activity_id: int = (await self.root("POST", "/api/v1/activities", json=self.activity_body(area)))["id"]
        if status in ("published", "completed"):
            await self.root("POST", f"/api/v1/activities/{activity_id}/publish")
        if status == "completed":
            await self.root("POST", f"/api/v1/activities/{activity_id}/complete")
        return activity_id

    def record_body(self, volunteer_id: int, activity_id: int) -> dict[str, Any]:
        now = datetime.now(LOCAL_TZ).replace(microsecond=0)
        return {
            "volunteer_id": volunteer_id,
            "activity_id": activity_id,
            "started_at": (now - timedelta(minutes=8)).isoformat(),
            "ended_at": (now - timedelta(minutes=2)).isoformat(),
            "reason": "纸质签到表补录",
        }

    async def record(self, area: str, volunteer_id: int | None = None) -> int:
        """A pending manual record at the area's standing activity."""
        volunteer_id = volunteer_id or await self.volunteer(area)
        body = self.record_body(volunteer_id, self.places[area].activity)
        record_id: int = (await self.root("POST", "/api/v1/service-records", json=body))["id"]
        return record_id

    async def user(self, area: str) -> int:
        body = {"username": f"user{self.number()}", "password": "correct-horse-battery", "role": "staff"}
        user_id: int = (await self.root("POST", "/api/v1/users", json={**body, "area_code": area}))["id"]
        return user_id

    async def category(self) -> int:
        n = self.number()
        body = {"code": f"matrix_{n}", "name": f"矩阵类别{chinese(n)}"}
        category_id: int = (await self.root("POST", "/api/v1/activity-categories", json=body))["id"]
        return category_id

    # ---- the standing world --------------------------------------------------------------

    async def build(self) -> Scene:
        for who in ROLES:
            await self.world.login(who)
        for area in ("C11", "C21"):
            team, volunteer = await self.team(area), await self.minor(area)
            await self.root("POST", f"/api/v1/teams/{team}/members", json={"volunteer_id": volunteer})
            venue = await self.venue(area)
            body = self.activity_body(area, team_ids=[team], venue_id=venue)
            activity = (await self.root("POST", "/api/v1/activities", json=body))["id"]
            await self.root("POST", f"/api/v1/activities/{activity}/publish")
            code = (await self.root("POST", f"/api/v1/activities/{activity}/checkin-code"))["code"]
            self.places[area] = Place(
                area=area,
                volunteer=volunteer,
                team=team,
                venue=venue,
                activity=activity,
                code=code,
                record=0,
                snapshot=0,
                user=await self.user(area),
            )
            self.places[area].record = await self.record(area, volunteer)
            await self.visit(area)
            snapshot = {"title": self.name(area, "年报"), "area": area, "as_of": str(today())}
            self.places[area].snapshot = (await self.root("POST", "/api/v1/stats/snapshots", json=snapshot))["id"]
        return self

    async def visit(self, area: str) -> None:
        """A volunteer of the other community checks in at `area`'s activity by phone, as anyone may.

        The visitor's name carries no marker: the organisers of the activity may know who came.
        """
        other = {"C11": "C21", "C21": "C11"}[area]
        await self.volunteer(other, name=f"访客{chinese(self.number())}")
        self.places[area].visitor = self.phones[other][-1]
        body = {"phone": self.places[area].visitor, "nonce": f"visit-{self.number():08d}", "action": "in"}
        response = await self.http.post(f"/api/v1/checkin/{self.places[area].code}", json=body)
        assert response.status_code == 200, response.text


async def fingerprint() -> dict[str, str]:
    """A digest of every table's rows: a refused write must leave each one as it was."""
    async with db.connection() as conn:
        tables = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
                " ORDER BY tablename"
            )
        ]
        query = " UNION ALL ".join(
            f"SELECT '{t}' AS name, (SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), ''))"
            f' FROM "{t}" x) AS digest'
            for t in tables
        )
        return {r["name"]: r["digest"] for r in await conn.fetch(query)}
