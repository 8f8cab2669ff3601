"""The permission matrix: every route of the app × every role × inside / outside the caller's area.

MATRIX maps each "METHOD /path" of `create_app().routes` to who may call it and how to build a call
for it. A route without an entry fails, so no endpoint can be added unguarded; an entry for a route
that is gone fails too. Each role (matrix_world.ROLES) calls each route for these cases:
- inside: an object of the caller's own community (C11, or C21 for staff_c21 and official_d1);
- outside: the same kind of object in the other community;
- above: for routes that name an area by code, the area just above the caller's (S1 for staff_c11);
- a ref (volunteer, venue, team, area, activity): an object inside whose body, or list filter,
  names an object of the other community;
- unfiltered: a list or page without its filter.

The rules (see `want`):
- reads: admin, staff and officials; inside → 200; outside → 404, or for a list filtered to an
  outside area or object, 200 with nothing in it;
- writes: admin and staff; officials → 403 read_only; outside → 403 (404 where the object itself
  is invisible); an id in the body that points outside → 403 outside_scope; a refused write
  changes no row of any table;
- admin routes: anyone else → 403 admin_only (officials' writes: read_only);
- no response mentions an object, area, area code or phone number of the side outside the caller's
  subtree, none shows a whole ID number, officials see no whole phone number; and every
  staff-API route answers 401 without a valid token.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import AREAS, PASSWORD, World
from tests.matrix_world import ABOVE, AREA_OF, LEAK_MARKS, NAME_MARK, ROLE_OF, ROLES, Scene, fingerprint
from volunteers.app import create_app
from volunteers.fields import local_day, today

# ---- what an entry says ------------------------------------------------------------------------

PUBLIC = "public"  # no staff login at all (login, check-in by phone, health, OpenAPI)
PAGE = "page"  # a staff page with its own cookie session: a scoped read
WORKBENCH = "workbench"  # a staff workbench page (/staff…): the page session, staff and admins only
READ = "read"  # staff API, any role, scoped to the caller's subtree
WRITE = "write"  # staff API, admin and staff, scoped
ANY_WRITE = "any_write"  # a POST officials may make too (it compares figures, writing nothing), scoped
ADMIN_READ = "admin_read"
ADMIN_WRITE = "admin_write"
GLOBAL_READ = "global_read"  # any role; nothing in it belongs to an area
GLOBAL_ANY_WRITE = "global_any_write"  # logging out
GLOBAL_ADMIN_WRITE = "global_admin_write"  # activity categories: the district's shared list, system admins only

WRITES = {WRITE, ANY_WRITE, ADMIN_WRITE, GLOBAL_ANY_WRITE, GLOBAL_ADMIN_WRITE}
ADMIN_ONLY = {ADMIN_READ, ADMIN_WRITE, GLOBAL_ADMIN_WRITE}
GLOBAL = {GLOBAL_READ, GLOBAL_ANY_WRITE, GLOBAL_ADMIN_WRITE}

OK = frozenset({200, 201, 204})
HIDDEN = frozenset({403, 404})  # a write on an object outside the subtree: forbidden, or not even visible
FORBIDDEN = frozenset({403})


@dataclass(frozen=True)
class Ask:
    """Build a call as `who` for an object in `area`; `elsewhere` moves ids in the body to another area."""

    who: str
    area: str
    elsewhere: dict[str, str] = field(default_factory=dict)
    everything: bool = False  # a list without its filter: whatever the caller may see

    def at(self, ref: str) -> str:
        return self.elsewhere.get(ref, self.area)

    @property
    def inside(self) -> bool:
        return self.area == ROLES[self.who][0] and not self.elsewhere and not self.everything


@dataclass
class Call:
    url: str
    params: dict[str, Any] | None = None
    json: Any = None
    files: Any = None
    data: dict[str, Any] | None = None
    token: str | None = None  # a bearer token other than the caller's usual one
    session: bool = False  # a page: the token travels in the session cookie
    verify: Callable[[httpx.Response], Awaitable[list[str]]] | None = None  # after an allowed call


Builder = Callable[[Scene, Ask], Awaitable[Call | None]]


@dataclass(frozen=True)
class Entry:
    access: str
    build: Builder
    reason: str = ""
    lists: bool = False  # a list/export filtered by area: outside answers 200 with nothing in it
    refs: tuple[str, ...] = ()  # ids in the body (for lists: filters) that may point into another area
    outside: frozenset[int] = FORBIDDEN  # a write outside the subtree
    inside: frozenset[int] = OK  # an allowed call inside
    above: bool = False  # the route names an area by its code: the area above the caller's is outside too
    admin: bool = False  # a workbench page for admins only: staff get 403 admin_only, as from the API


def public(reason: str, build: Builder) -> Entry:
    return Entry(PUBLIC, build, reason=reason)


def page(build: Builder) -> Entry:
    return Entry(PAGE, build, reason="staff page: the session cookie of /login, scoped like the API", above=True)


def workbench(
    path: str | Builder,
    *,
    admin: bool = False,
    inside: frozenset[int] = frozenset({200}),
    outside: frozenset[int] = FORBIDDEN,
) -> Entry:
    """A workbench page at `path` (or the call a builder makes); `inside`: what staff and admins get in their area."""

    async def plain(s: Scene, a: Ask) -> Call:
        assert isinstance(path, str)
        return Call(path, session=True)

    reason = "workbench page: the /login session, staff and admins, scoped like the API"
    build = plain if isinstance(path, str) else path
    return Entry(WORKBENCH, build, reason=reason, admin=admin, inside=inside, outside=outside)


# ---- workbench: volunteers, teams, venues (issue 12, w-people) ----------------------------------------------
# A workbench form carries the CSRF token `send` puts in every session call's vol_csrf cookie; an allowed one
# answers 303 (to the page that shows the result); outside the caller's subtree 403 or 404, changing nothing.

MATRIX_CSRF = "matrix-csrf-token-of-the-workbench-forms"
FormBuilder = Callable[[Scene, Ask], Awaitable[tuple[str, dict[str, Any]]]]


def workbench_at(template: str) -> Entry:
    """A workbench page of one standing object of the area (`{p.volunteer}`…): outside the subtree, 404."""

    async def build(s: Scene, a: Ask) -> Call:
        return Call(template.format(p=s.places[a.area]), session=True)

    reason = "workbench page of an object: the /login session, staff and admins; outside the subtree 404 as the API"
    return Entry(WORKBENCH, build, reason=reason, inside=frozenset({200}), outside=frozenset({404}))


def workbench_form(build_form: FormBuilder) -> Entry:
    """A workbench form posting the API's fields for an object of the area, with the CSRF token."""

    async def build(s: Scene, a: Ask) -> Call:
        path, data = await build_form(s, a)
        return Call(path, data={**data, "csrf": MATRIX_CSRF}, session=True)

    reason = "workbench form: the /login session and CSRF, staff and admins, scoped like the API"
    return Entry(WORKBENCH, build, reason=reason, inside=frozenset({303}), outside=HIDDEN)


async def register_form(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
    return "/staff/volunteers", {"name": s.name(a.area, "志愿者"), "phone": s.phone(), "area_code": a.area}


async def volunteer_form(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
    volunteer_id = await s.volunteer(a.area)
    body = {"name": s.name(a.area, "改名"), "phone": s.phones[a.area][-1], "area_code": a.area}
    return f"/staff/volunteers/{volunteer_id}", body


def volunteer_status_form(action: str, start: str = "active") -> FormBuilder:
    async def build(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
        return f"/staff/volunteers/{await s.volunteer(a.area, start)}/{action}", {"on": str(today())}

    return build


def team_form_body(s: Scene, area: str) -> dict[str, Any]:
    return {"name": s.name(area, "服务队"), "area_code": area, "sponsor": f"{NAME_MARK[area]}小学", "status": "active"}


async def new_team_form(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
    return "/staff/teams", team_form_body(s, a.area)


async def team_form(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
    return f"/staff/teams/{await s.team(a.area)}", team_form_body(s, a.area)


async def add_member_form(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
    return f"/staff/teams/{await s.team(a.area)}/members/add", {"volunteer_id": await s.volunteer(a.area)}


async def new_venue_form(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
    return "/staff/venues", {"name": s.name(a.area, "书屋"), "kind": "book_house", "area_code": a.area}


async def venue_form(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
    body = {"name": s.name(a.area, "实践站"), "kind": "station", "area_code": a.area}
    return f"/staff/venues/{await s.venue(a.area)}", body


def member_form(action: str, body: dict[str, Any]) -> FormBuilder:
    async def build(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
        team_id, _ = await s.membership(a.area)
        [member] = (await s.root("GET", f"{API}/teams/{team_id}/members"))["items"]
        return f"/staff/teams/{team_id}/members/{member['id']}/{action}", body

    return build


# ---- workbench: the attendance screen and the hours queue (issue 12, w-hours)
async def attendance_page(s: Scene, a: Ask) -> Call:
    return Call(f"/staff/activities/{s.places[a.area].activity}/attendance", session=True)


async def hand_check_in(s: Scene, a: Ask) -> Call:
    body = {
        "volunteer_id": await s.volunteer(a.area),
        "action": "in",
        "reason": "手机没电，工作人员代签",
        "csrf": MATRIX_CSRF,
    }
    return Call(f"/staff/activities/{s.places[a.area].activity}/attendance/checkin", data=body, session=True)


async def close_page(s: Scene, a: Ask) -> Call:
    activity = await s.activity(a.area, "published")  # a fresh one: the standing activity stays open
    return Call(f"/staff/activities/{activity}/attendance/close", data={"csrf": MATRIX_CSRF}, session=True)


def decide_page(action: str, **fields: str) -> Builder:
    async def build(s: Scene, a: Ask) -> Call:
        body = {"id": [await s.record(a.area), await s.record(a.area)], "csrf": MATRIX_CSRF, **fields}
        return Call(f"/staff/hours/{action}", data=body, session=True)

    return build


async def entry_form(s: Scene, a: Ask) -> Call:
    body = {**s.record_body(await s.volunteer(a.area), s.places[a.area].activity), "csrf": MATRIX_CSRF}
    return Call("/staff/hours/new", data=body, session=True)


# ---- workbench: activities (issue 12, w-activities) ----------------------------------------------------------


def activity_form(s: Scene, a: Ask) -> dict[str, Any]:
    """The activity form as the page posts it (field names are the API's)."""
    rules = {"opens_before_minutes": 30, "closes_after_minutes": 30, "rounding_minutes": 1, "daily_cap_minutes": 720}
    return {**s.activity_body(a.area), **rules, "approval": "auto"}


async def new_activity_form(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
    return "/staff/activities/new", activity_form(s, a)


def activity_page_form(
    action: str, start: str = "draft", form: Callable[[Scene, Ask], dict[str, Any]] | None = None
) -> FormBuilder:
    async def build(s: Scene, a: Ask) -> tuple[str, dict[str, Any]]:
        return f"/staff/activities/{await s.activity(a.area, start)}{action}", form(s, a) if form else {}

    return build


def activity_page() -> Entry:
    """An activity's workbench page: a fresh draft of the caller's area; outside the subtree, 404."""

    async def build(s: Scene, a: Ask) -> Call:
        return Call(f"/staff/activities/{await s.activity(a.area)}", session=True)

    reason = "workbench page of an activity: the /login session, staff and admins; outside the subtree 404"
    return Entry(WORKBENCH, build, reason=reason, inside=frozenset({200}), outside=frozenset({404}))


def read(build: Builder, *, above: bool = False) -> Entry:
    return Entry(READ, build, above=above)


def write(build: Builder, *, refs: tuple[str, ...] = (), outside: frozenset[int] = HIDDEN, **kw: Any) -> Entry:
    return Entry(WRITE, build, refs=refs, outside=outside, **kw)


# ---- builders ----------------------------------------------------------------------------------

API = "/api/v1"
STREET = {"C11": "S1", "C21": "S2"}
AREA_NAMES = {code: name for code, name, _, _ in AREAS}
LEVEL_BELOW = {"D1": "street", "S1": "community", "S2": "community"}


def url(template: str, *, session: bool = False) -> Builder:
    """A call whose URL needs only the standing objects of the area: `{p.team}`, `{a.area}`… (`session`: a page)"""

    async def build(s: Scene, a: Ask) -> Call:
        return Call(template.format(p=s.places.get(a.area), a=a), session=session)

    return build


def fill(template: Any, s: Scene, area: str) -> Any:
    """`{area}`, `{street}`, `{today}` and `{p.<object>}` (the area's standing objects) in a parameter."""
    if not isinstance(template, str):
        return template
    day = today()
    return template.format(
        area=area,
        street=STREET.get(area),
        p=s.places.get(area),
        today=day,
        year_ago=day - timedelta(days=365),
        year=day.year,
    )


def listing(path: str, main: tuple[str, str], by: dict[str, str], fixed: dict[str, Any]) -> Builder:
    """A list filtered by `main` (e.g. area={area}); with a ref elsewhere, filtered by that object alone."""

    async def build(s: Scene, a: Ask) -> Call:
        params = {k: fill(v, s, a.area) for k, v in fixed.items()}
        for ref, area in a.elsewhere.items():
            params[by[ref]] = getattr(s.places[area], ref)
        if not a.elsewhere and not a.everything:
            params[main[0]] = fill(main[1], s, a.area)
        return Call(path, params=params)

    return build


def lists(
    path: str, main: tuple[str, str] = ("area", "{area}"), by: dict[str, str] | None = None, **fixed: Any
) -> Entry:
    """A list or export: filtered to an outside area, or by an outside object (`by`: ref → query), it is empty."""
    by = by or {}
    return Entry(READ, listing(path, main, by, fixed), lists=True, refs=tuple(by), above=main[0] == "area")


def stats(path: str, **fixed: Any) -> Builder:
    return listing(path, ("area", "{area}"), {}, fixed)


def same(path: str) -> Builder:
    """An unfiltered call: the same for every area (outside has no variant of its own)."""

    async def build(s: Scene, a: Ask) -> Call | None:
        return Call(path) if a.inside else None

    return build


async def logout(s: Scene, a: Ask) -> Call:
    token = (await s.http.post(f"{API}/auth/token", json={"username": a.who, "password": PASSWORD})).json()

    async def revoked(_: httpx.Response) -> list[str]:
        me = await s.http.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
        return [] if me.status_code == 401 else [f"the token still works after logout ({me.status_code})"]

    return Call(f"{API}/auth/logout", token=token["access_token"], verify=revoked)


async def new_user(s: Scene, a: Ask) -> Call:
    body = {"username": f"new{s.number()}", "password": PASSWORD, "role": "staff", "area_code": a.area}
    return Call(f"{API}/users", json=body)


async def show_user(s: Scene, a: Ask) -> Call:
    user_id = s.places[a.area].user if a.area in s.places else await s.user(a.area)
    return Call(f"{API}/users/{user_id}")


async def patch_user(s: Scene, a: Ask) -> Call:
    return Call(f"{API}/users/{await s.user(a.area)}", json={"role": "official"})


async def new_area(s: Scene, a: Ask) -> Call:
    """Inside: a child of the caller's own area (communities have none: 422). Outside: under C21/C11."""
    parent = (AREA_OF[a.who] or "D1") if a.inside else a.area
    n = s.number()
    level = LEVEL_BELOW.get(parent, "community")
    return Call(
        f"{API}/areas",
        json={"code": f"N{n}", "name": f"{NAME_MARK.get(a.area, '')}新区{n}", "level": level, "parent_code": parent},
    )


async def rename_area(s: Scene, a: Ask) -> Call:
    """Renamed to its own name: the whole update runs, and the markers of LEAK_MARKS stay true."""
    return Call(f"{API}/areas/{a.area}", json={"name": AREA_NAMES[a.area]})


async def population(s: Scene, a: Ask) -> Call:
    body = {"resident_population": 12000, "source": "统计公报", "as_of": "2025-12-31"}
    return Call(f"{API}/areas/{a.area}/population/2025", json=body)


async def new_volunteer(s: Scene, a: Ask) -> Call:
    body = {"name": s.name(a.area, "新人"), "phone": s.phone(), "area_code": a.area}
    return Call(f"{API}/volunteers", json=body)


async def patch_volunteer(s: Scene, a: Ask) -> Call:
    body = {"name": s.name(a.area, "改名"), "area_code": a.at("area")}
    return Call(f"{API}/volunteers/{await s.volunteer(a.area)}", json=body)


def volunteer_status(action: str, start: str = "active") -> Builder:
    async def build(s: Scene, a: Ask) -> Call:
        volunteer_id = await s.volunteer(a.area, start)
        return Call(f"{API}/volunteers/{volunteer_id}/{action}", json={"on": str(today())})

    return build


async def new_team(s: Scene, a: Ask) -> Call:
    body = {"name": s.name(a.area, "新队"), "area_code": a.area, "sponsor": "衡州小学"}
    return Call(f"{API}/teams", json=body)


async def patch_team(s: Scene, a: Ask) -> Call:
    body = {"sponsor": "金化科技", "area_code": a.at("area")}
    return Call(f"{API}/teams/{await s.team(a.area)}", json=body)


async def add_member(s: Scene, a: Ask) -> Call:
    volunteer_id = await s.volunteer(a.at("volunteer"))
    return Call(f"{API}/teams/{s.places[a.area].team}/members", json={"volunteer_id": volunteer_id})


async def leave_team(s: Scene, a: Ask) -> Call:
    team_id, volunteer_id = await s.membership(a.area)
    return Call(f"{API}/teams/{team_id}/members/{volunteer_id}/leave")


async def change_role(s: Scene, a: Ask) -> Call:
    team_id, volunteer_id = await s.membership(a.area)
    return Call(f"{API}/teams/{team_id}/members/{volunteer_id}", json={"role": "leader"})


async def new_venue(s: Scene, a: Ask) -> Call:
    return Call(f"{API}/venues", json={"name": s.name(a.area, "驿站"), "kind": "station", "area_code": a.area})


async def patch_venue(s: Scene, a: Ask) -> Call:
    body = {"address": "幸福路 1 号", "area_code": a.at("area")}
    return Call(f"{API}/venues/{await s.venue(a.area)}", json=body)


async def new_category(s: Scene, a: Ask) -> Call:
    n = s.number()
    return Call(f"{API}/activity-categories", json={"code": f"new_{n}", "name": f"新类别{n}"})


async def patch_category(s: Scene, a: Ask) -> Call:
    return Call(f"{API}/activity-categories/{await s.category()}", json={"sort_order": 9})


async def new_activity(s: Scene, a: Ask) -> Call:
    if a.area not in s.places:  # an area above the caller's: no venue or team there
        return Call(f"{API}/activities", json=s.activity_body(a.area))
    venue, team = s.places[a.at("venue")].venue, s.places[a.at("team")].team
    return Call(f"{API}/activities", json=s.activity_body(a.area, venue_id=venue, team_ids=[team]))


async def patch_activity(s: Scene, a: Ask) -> Call:
    body = {
        "title": s.name(a.area, "改期读书会"),
        "venue_id": s.places[a.at("venue")].venue,
        "team_ids": [s.places[a.at("team")].team],
        "area_code": a.at("area"),
    }
    return Call(f"{API}/activities/{await s.activity(a.area)}", json=body)


def activity_action(action: str, start: str, body: Any = None) -> Builder:
    async def build(s: Scene, a: Ask) -> Call:
        return Call(f"{API}/activities/{await s.activity(a.area, start)}/{action}", json=body)

    return build


async def staff_scan(s: Scene, a: Ask) -> Call:
    volunteer_id = await s.volunteer(a.at("volunteer"))
    body = {"volunteer_id": volunteer_id, "action": "in", "reason": "手机没电，工作人员代签"}
    return Call(f"{API}/activities/{s.places[a.area].activity}/attendance", json=body)


async def manual_record(s: Scene, a: Ask) -> Call:
    volunteer_id = await s.volunteer(a.at("volunteer"))
    return Call(f"{API}/service-records", json=s.record_body(volunteer_id, s.places[a.area].activity))


def record_action(action: str, body: Any = None) -> Builder:
    async def build(s: Scene, a: Ask) -> Call:
        return Call(f"{API}/service-records/{await s.record(a.area)}/{action}", json=body)

    return build


async def reconcile(s: Scene, a: Ask) -> Call:
    return Call(f"{API}/stats/reconcile", json={"area": a.area, "as_of": str(today()), "reported": {"registered": 3}})


async def snapshot(s: Scene, a: Ask) -> Call:
    return Call(f"{API}/stats/snapshots", json={"title": s.name(a.area, "快照"), "area": a.area, "as_of": str(today())})


async def import_volunteers(s: Scene, a: Ask) -> Call:
    rows = [["姓名", "手机号", "所属社区"], [s.name(a.area, "导入"), s.phone(), a.area]]
    content = ("\r\n".join(",".join(r) for r in rows) + "\r\n").encode()
    return Call(
        f"{API}/imports/volunteers",
        files={"file": ("名单.csv", content, "text/csv")},
        data={"area": a.area, "dry_run": "false", "partial": "false"},
    )


def pages(path: str, **params: Any) -> Builder:
    async def build(s: Scene, a: Ask) -> Call:
        return Call(path, params=params if a.everything else {**params, "area": a.area}, session=True)

    return build


def anonymous(path: str, method_body: Callable[[Scene], dict[str, Any]] | None = None, form: bool = False) -> Builder:
    """A public call; `{code}` in the path is the standing check-in code of C11."""

    async def build(s: Scene, a: Ask) -> Call:
        target = path.format(code=s.places["C11"].code)
        body = method_body(s) if method_body else None
        return Call(target, data=body) if form else Call(target, json=body)

    return build


def scan_body(s: Scene) -> dict[str, Any]:
    return {"phone": s.phone(), "nonce": f"nonce-{s.number():08d}", "action": "in"}


def register_body(s: Scene) -> dict[str, Any]:
    phone, nonce = s.phone(), f"n-{s.number():08d}"
    return {
        "name": "路人甲",
        "phone": phone,
        "area_code": "C11",
        "birth_date": "1990-01-01",
        "nonce": nonce,
        "consent": True,
    }


# ---- workbench forms: imports, users, areas (issue 12, admin pages) ------------------------------------------

SEE_OTHER = frozenset({303})  # a form that worked sends the browser on to the page that shows it


def form(path: str, body: Callable[[Scene, Ask], Awaitable[dict[str, Any]]]) -> Builder:
    """A workbench form posted with its CSRF token; `{user}` in the path is a fresh account of the area."""

    async def build(s: Scene, a: Ask) -> Call:
        target = path.format(user=await s.user(a.area) if "{user}" in path else "", area=a.area)
        return Call(target, data={**await body(s, a), "csrf": MATRIX_CSRF}, session=True)

    return build


async def nothing(s: Scene, a: Ask) -> dict[str, Any]:
    return {}


async def new_account(s: Scene, a: Ask) -> dict[str, Any]:
    return {"username": f"wb{s.number()}", "password": PASSWORD, "role": "staff", "area_code": a.area}


async def new_password(s: Scene, a: Ask) -> dict[str, Any]:
    return {"password": "another-lantern-9931"}


async def child_area(s: Scene, a: Ask) -> dict[str, Any]:
    n = s.number()
    return {"code": f"W{n}", "name": f"新社区{n}", "level": "community", "parent_code": STREET[a.area]}


async def same_name(s: Scene, a: Ask) -> dict[str, Any]:
    return {"name": AREA_NAMES[a.area]}


async def residents(s: Scene, a: Ask) -> dict[str, Any]:
    return {"year": "2025", "resident_population": "12000", "source": "统计公报", "as_of": "2025-12-31"}


async def upload_sheet(s: Scene, a: Ask) -> Call:
    """A one-row volunteer sheet, checked (dry run) as the import page's first step."""
    call = await import_volunteers(s, a)
    return Call(
        "/staff/imports/upload",
        files=call.files,
        data={**(call.data or {}), "kind": "volunteers", "dry_run": "true", "csrf": MATRIX_CSRF},
        session=True,
    )


TODAY = "{today}"

# ---- the matrix --------------------------------------------------------------------------------

MATRIX: dict[str, Entry] = {
    # public: nothing here needs, or may demand, a staff token
    "GET /health": public("liveness probe for the load balancer", url("/health")),
    "POST /api/v1/auth/token": public(
        "logging in is how a token is obtained",
        anonymous(f"{API}/auth/token", lambda s: {"username": "staff_c11", "password": PASSWORD}),
    ),
    "POST /api/v1/checkin/{code:str}": public(
        "the volunteer's phone checks in by code and phone number, no login",
        anonymous(f"{API}/checkin/{{code}}", scan_body),
    ),
    "POST /api/v1/checkin/{code:str}/register": public(
        "first-timers register on the spot by code, no login",
        anonymous(f"{API}/checkin/{{code}}/register", register_body),
    ),
    "GET /c/{code:str}": public("the phone check-in page behind the QR code", anonymous("/c/{code}")),
    "POST /c/{code:str}": public("the phone check-in form", anonymous("/c/{code}", scan_body, form=True)),
    "POST /c/{code:str}/register": public(
        "the phone registration form", anonymous("/c/{code}/register", register_body, form=True)
    ),
    "GET /c/{code:str}/qr.svg": public("the QR image of a live code", anonymous("/c/{code}/qr.svg")),
    "GET /c/{code:str}/poster": public("the printable poster of a live code", anonymous("/c/{code}/poster")),
    "GET /c/{code:str}/qr.png": public("the QR picture of a live code, for chat groups", anonymous("/c/{code}/qr.png")),
    "GET /": public("the landing page: links to the staff login, the dashboard and the public pages", anonymous("/")),
    "GET /login": public("the staff login form", anonymous("/login")),
    "POST /login": public("the staff login form's submission (CSRF-checked)", anonymous("/login", form=True)),
    "POST /logout": public(
        "ends the page session (CSRF-checked); harmless without one", anonymous("/logout", form=True)
    ),
    "GET /schema": public("the OpenAPI document", anonymous("/schema")),
    "GET /schema/openapi.json": public("the OpenAPI document", anonymous("/schema/openapi.json")),
    "GET /schema/{path:str}": public("other renderings of the OpenAPI document", anonymous("/schema/openapi.yaml")),
    # staff pages with their own session
    "GET /dashboard": page(pages("/dashboard")),
    "GET /dashboard/export": page(pages("/dashboard/export", what="participation", format="csv")),
    "GET /dashboard/reconcile": page(pages("/dashboard/reconcile", registered="3", active_rate="50")),
    "GET /staff": workbench("/staff"),
    # workbench: volunteers, teams, venues (issue 12, w-people)
    "GET /staff/volunteers": workbench("/staff/volunteers"),
    "GET /staff/volunteers/new": workbench("/staff/volunteers/new"),
    "POST /staff/volunteers": workbench_form(register_form),
    "GET /staff/volunteers/{volunteer_id:int}": workbench_at("/staff/volunteers/{p.volunteer}"),
    "POST /staff/volunteers/{volunteer_id:int}": workbench_form(volunteer_form),
    "POST /staff/volunteers/{volunteer_id:int}/suspend": workbench_form(volunteer_status_form("suspend")),
    "POST /staff/volunteers/{volunteer_id:int}/withdraw": workbench_form(volunteer_status_form("withdraw")),
    "POST /staff/volunteers/{volunteer_id:int}/reinstate": workbench_form(
        volunteer_status_form("reinstate", "suspended")
    ),
    "GET /staff/teams": workbench("/staff/teams"),
    "GET /staff/teams/new": workbench("/staff/teams/new"),
    "POST /staff/teams": workbench_form(new_team_form),
    "GET /staff/teams/{team_id:int}": workbench_at("/staff/teams/{p.team}"),
    "POST /staff/teams/{team_id:int}": workbench_form(team_form),
    "POST /staff/teams/{team_id:int}/members/add": workbench_form(add_member_form),
    "POST /staff/teams/{team_id:int}/members/{membership_id:int}/role": workbench_form(
        member_form("role", {"role": "leader"})
    ),
    "POST /staff/teams/{team_id:int}/members/{membership_id:int}/leave": workbench_form(
        member_form("leave", {"left_on": str(today())})
    ),
    "GET /staff/venues": workbench("/staff/venues"),
    "GET /staff/venues/new": workbench("/staff/venues/new"),
    "POST /staff/venues": workbench_form(new_venue_form),
    "GET /staff/venues/{venue_id:int}": workbench_at("/staff/venues/{p.venue}"),
    "POST /staff/venues/{venue_id:int}": workbench_form(venue_form),
    # issue 12, imports, exports and the admin pages (users, areas); the landing page and reconciliation are
    # with the public routes and the dashboard
    "GET /staff/imports": workbench("/staff/imports"),
    "GET /staff/imports/{kind:str}/template": workbench("/staff/imports/volunteers/template"),
    "POST /staff/imports/upload": workbench(upload_sheet),
    "GET /staff/exports": workbench("/staff/exports"),
    "GET /staff/exports/{kind:str}": workbench("/staff/exports/volunteers"),
    "GET /staff/users": workbench("/staff/users", admin=True),
    "POST /staff/users/new": workbench(form("/staff/users/new", new_account), admin=True, inside=SEE_OTHER),
    "GET /staff/users/{user_id:int}": workbench(url("/staff/users/{p.user}", session=True), admin=True),
    "POST /staff/users/{user_id:int}/password": workbench(
        form("/staff/users/{user}/password", new_password), admin=True, inside=SEE_OTHER
    ),
    "POST /staff/users/{user_id:int}/deactivate": workbench(
        form("/staff/users/{user}/deactivate", nothing), admin=True, inside=SEE_OTHER
    ),
    "POST /staff/users/{user_id:int}/activate": workbench(
        form("/staff/users/{user}/activate", nothing), admin=True, inside=SEE_OTHER
    ),
    "GET /staff/areas": workbench("/staff/areas", admin=True),
    "GET /staff/areas/{code:str}": workbench(url("/staff/areas/{a.area}", session=True), admin=True),
    "POST /staff/areas/new": workbench(form("/staff/areas/new", child_area), admin=True, inside=SEE_OTHER),
    "POST /staff/areas/{code:str}/rename": workbench(
        form("/staff/areas/{area}/rename", same_name), admin=True, inside=SEE_OTHER
    ),
    "POST /staff/areas/{code:str}/population": workbench(
        form("/staff/areas/{area}/population", residents), admin=True, inside=SEE_OTHER
    ),
    # workbench: the attendance screen and the hours queue (issue 12, w-hours)
    "GET /staff/activities/{activity_id:int}/attendance": workbench(attendance_page, outside=HIDDEN),
    "POST /staff/activities/{activity_id:int}/attendance/checkin": workbench(hand_check_in, inside=OK, outside=HIDDEN),
    "POST /staff/activities/{activity_id:int}/attendance/close": workbench(close_page, inside=OK, outside=HIDDEN),
    "GET /staff/hours": workbench("/staff/hours"),
    "POST /staff/hours/approve": workbench(decide_page("approve"), inside=OK, outside=HIDDEN),
    "POST /staff/hours/reject": workbench(decide_page("reject", reason="重复记录"), inside=OK, outside=HIDDEN),
    "GET /staff/hours/new": workbench("/staff/hours/new"),
    "POST /staff/hours/new": workbench(entry_form, inside=frozenset({303}), outside=HIDDEN),  # then to the queue
    # workbench: activities (issue 12, w-activities)
    "GET /staff/activities": workbench("/staff/activities"),
    "GET /staff/activities/new": workbench("/staff/activities/new"),
    "POST /staff/activities/new": workbench_form(new_activity_form),
    "GET /staff/activities/{activity_id:int}": activity_page(),
    "POST /staff/activities/{activity_id:int}/edit": workbench_form(activity_page_form("/edit", form=activity_form)),
    "POST /staff/activities/{activity_id:int}/publish": workbench_form(activity_page_form("/publish")),
    "POST /staff/activities/{activity_id:int}/cancel": workbench_form(
        activity_page_form("/cancel", form=lambda s, a: {"reason": "场地临时有安排"})
    ),
    "POST /staff/activities/{activity_id:int}/complete": workbench_form(activity_page_form("/complete", "published")),
    "POST /staff/activities/{activity_id:int}/rotate-code": workbench_form(
        activity_page_form("/rotate-code", "published", form=lambda s, a: {"confirm": "yes"})
    ),
    # auth and users
    "POST /api/v1/auth/logout": Entry(GLOBAL_ANY_WRITE, logout),
    "GET /api/v1/auth/me": Entry(GLOBAL_READ, url(f"{API}/auth/me")),
    "GET /api/v1/users": Entry(ADMIN_READ, same(f"{API}/users")),
    "POST /api/v1/users": Entry(ADMIN_WRITE, new_user, outside=FORBIDDEN, above=True),
    "GET /api/v1/users/{user_id:int}": Entry(ADMIN_READ, show_user, above=True),
    "PATCH /api/v1/users/{user_id:int}": Entry(ADMIN_WRITE, patch_user, outside=HIDDEN, above=True),
    # areas
    "GET /api/v1/areas": lists(f"{API}/areas", main=("parent", "{street}")),
    "POST /api/v1/areas": write(new_area, outside=FORBIDDEN, inside=frozenset({201, 422}), above=True),
    "GET /api/v1/areas/{code:str}": read(url(API + "/areas/{a.area}"), above=True),
    "PATCH /api/v1/areas/{code:str}": write(rename_area, above=True),
    "GET /api/v1/areas/{code:str}/children": read(url(API + "/areas/{a.area}/children"), above=True),
    # population belongs to the admins of the area above (staff: admin_only; an admin's own area: 403 too)
    "PUT /api/v1/areas/{code:str}/population/{year:int}": Entry(ADMIN_WRITE, population, outside=HIDDEN, above=True),
    "GET /api/v1/areas/{code:str}/population": read(url(API + "/areas/{a.area}/population"), above=True),
    # volunteers
    "GET /api/v1/volunteers": lists(f"{API}/volunteers"),
    "POST /api/v1/volunteers": write(new_volunteer, outside=FORBIDDEN, above=True),
    "GET /api/v1/volunteers/{volunteer_id:int}": read(url(API + "/volunteers/{p.volunteer}")),
    "PATCH /api/v1/volunteers/{volunteer_id:int}": write(patch_volunteer, refs=("area",)),
    "POST /api/v1/volunteers/{volunteer_id:int}/suspend": write(volunteer_status("suspend")),
    "POST /api/v1/volunteers/{volunteer_id:int}/withdraw": write(volunteer_status("withdraw")),
    "POST /api/v1/volunteers/{volunteer_id:int}/reinstate": write(volunteer_status("reinstate", "suspended")),
    "GET /api/v1/volunteers/{volunteer_id:int}/teams": read(url(API + "/volunteers/{p.volunteer}/teams")),
    # teams and members
    "GET /api/v1/teams": lists(f"{API}/teams"),
    "POST /api/v1/teams": write(new_team, outside=FORBIDDEN, above=True),
    "GET /api/v1/teams/{team_id:int}": read(url(API + "/teams/{p.team}")),
    "PATCH /api/v1/teams/{team_id:int}": write(patch_team, refs=("area",)),
    "GET /api/v1/teams/{team_id:int}/members": read(url(API + "/teams/{p.team}/members")),
    "POST /api/v1/teams/{team_id:int}/members": write(add_member, refs=("volunteer",)),
    "POST /api/v1/teams/{team_id:int}/members/{volunteer_id:int}/leave": write(leave_team),
    "PATCH /api/v1/teams/{team_id:int}/members/{volunteer_id:int}": write(change_role),
    # venues
    "GET /api/v1/venues": lists(f"{API}/venues"),
    "POST /api/v1/venues": write(new_venue, outside=FORBIDDEN, above=True),
    "GET /api/v1/venues/{venue_id:int}": read(url(API + "/venues/{p.venue}")),
    "PATCH /api/v1/venues/{venue_id:int}": write(patch_venue, refs=("area",)),
    # activity categories: one list for the whole district
    "GET /api/v1/activity-categories": Entry(GLOBAL_READ, url(f"{API}/activity-categories")),
    "POST /api/v1/activity-categories": Entry(GLOBAL_ADMIN_WRITE, new_category),
    "PATCH /api/v1/activity-categories/{category_id:int}": Entry(GLOBAL_ADMIN_WRITE, patch_category),
    # activities
    "GET /api/v1/activities": lists(f"{API}/activities", by={"team": "team", "venue": "venue"}),
    "POST /api/v1/activities": write(new_activity, refs=("venue", "team"), outside=FORBIDDEN, above=True),
    "GET /api/v1/activities/{activity_id:int}": read(url(API + "/activities/{p.activity}")),
    "PATCH /api/v1/activities/{activity_id:int}": write(patch_activity, refs=("venue", "team", "area")),
    "POST /api/v1/activities/{activity_id:int}/publish": write(activity_action("publish", "draft")),
    "POST /api/v1/activities/{activity_id:int}/cancel": write(activity_action("cancel", "draft", {"reason": "下雨"})),
    "POST /api/v1/activities/{activity_id:int}/complete": write(activity_action("complete", "published")),
    # check-in codes, attendance
    "POST /api/v1/activities/{activity_id:int}/checkin-code": write(activity_action("checkin-code", "draft")),
    "GET /api/v1/activities/{activity_id:int}/checkin-code": read(url(API + "/activities/{p.activity}/checkin-code")),
    "GET /api/v1/activities/{activity_id:int}/attendance": read(url(API + "/activities/{p.activity}/attendance")),
    "POST /api/v1/activities/{activity_id:int}/attendance": write(staff_scan, refs=("volunteer",)),
    "POST /api/v1/activities/{activity_id:int}/close": write(activity_action("close", "published")),
    # service records
    "GET /api/v1/service-records": lists(
        f"{API}/service-records", main=("activity", "{p.activity}"), by={"volunteer": "volunteer"}
    ),
    "POST /api/v1/service-records": write(manual_record, refs=("volunteer",)),
    "GET /api/v1/service-records/{record_id:int}": read(url(API + "/service-records/{p.record}")),
    "POST /api/v1/service-records/{record_id:int}/approve": write(record_action("approve")),
    "POST /api/v1/service-records/{record_id:int}/reject": write(record_action("reject", {"reason": "时间不符"})),
    # statistics: the area is a required parameter; one outside the subtree is absent (404)
    "GET /api/v1/stats/definitions": Entry(GLOBAL_READ, url(f"{API}/stats/definitions")),
    "GET /api/v1/stats/participation": read(stats(f"{API}/stats/participation", as_of=TODAY), above=True),
    "GET /api/v1/stats/activities": read(
        stats(f"{API}/stats/activities", **{"from": "{year_ago}", "to": TODAY, "group": "category"}), above=True
    ),
    "GET /api/v1/stats/teams": read(stats(f"{API}/stats/teams", as_of=TODAY), above=True),
    "GET /api/v1/stats/stars": read(stats(f"{API}/stats/stars", as_of=TODAY), above=True),
    "GET /api/v1/stats/monthly": read(
        stats(f"{API}/stats/monthly", **{"from": "{year}-01", "to": "{year}-12"}), above=True
    ),
    "GET /api/v1/stats/participation/export": read(
        stats(f"{API}/stats/participation/export", as_of=TODAY, format="csv"), above=True
    ),
    "GET /api/v1/stats/activities/export": read(
        stats(
            f"{API}/stats/activities/export", **{"from": "{year_ago}", "to": TODAY, "group": "month", "format": "csv"}
        ),
        above=True,
    ),
    "GET /api/v1/stats/teams/export": read(stats(f"{API}/stats/teams/export", as_of=TODAY, format="csv"), above=True),
    "GET /api/v1/stats/stars/export": read(stats(f"{API}/stats/stars/export", as_of=TODAY, format="csv"), above=True),
    "GET /api/v1/stats/monthly/export": read(
        stats(f"{API}/stats/monthly/export", **{"from": "{year}-01", "to": "{year}-12", "format": "csv"}), above=True
    ),
    "POST /api/v1/stats/reconcile": Entry(ANY_WRITE, reconcile, above=True),
    "POST /api/v1/stats/snapshots": Entry(WRITE, snapshot, outside=HIDDEN, above=True),
    "GET /api/v1/stats/snapshots": read(same(f"{API}/stats/snapshots")),
    "GET /api/v1/stats/snapshots/{snapshot_id:int}": read(url(API + "/stats/snapshots/{p.snapshot}")),
    # imports and exports
    "POST /api/v1/imports/{kind:str}": write(import_volunteers, outside=FORBIDDEN, above=True),
    "GET /api/v1/imports/{kind:str}/template": Entry(GLOBAL_READ, url(f"{API}/imports/volunteers/template")),
    "GET /api/v1/exports/volunteers": lists(f"{API}/exports/volunteers", format="csv"),
    "GET /api/v1/exports/teams": lists(f"{API}/exports/teams", format="csv"),
    "GET /api/v1/exports/memberships": lists(f"{API}/exports/memberships", by={"team": "team"}, format="csv"),
    "GET /api/v1/exports/activities": lists(
        f"{API}/exports/activities", by={"team": "team", "venue": "venue"}, format="csv"
    ),
    "GET /api/v1/exports/service-records": lists(
        f"{API}/exports/service-records", by={"activity": "activity", "volunteer": "volunteer"}, format="csv"
    ),
    # the audit trail
    "GET /api/v1/audit": Entry(
        ADMIN_READ,
        listing(f"{API}/audit", ("entity_id", "{p.volunteer}"), {}, {"entity": "volunteer"}),
        lists=True,
    ),
}


# ---- what each role must get -------------------------------------------------------------------


@dataclass(frozen=True)
class Want:
    statuses: frozenset[int]
    code: str | None = None  # the problem's `code`
    empty: bool = False  # a list/export with no rows
    nonempty: bool = False  # a list/export with at least one row (the filter really matched)
    unchanged: bool = False  # no table may change


def want(entry: Entry, who: str, case: str) -> Want:
    """What `who` must get from `entry` for `case`: "inside", "outside", or the name of a ref pointing outside."""
    role, access = ROLE_OF[who], entry.access
    writes = access in WRITES
    if writes and role == "official" and access not in (ANY_WRITE, GLOBAL_ANY_WRITE):
        return Want(FORBIDDEN, code="read_only", unchanged=True)
    if access == GLOBAL_ADMIN_WRITE and AREA_OF[who] is not None:
        return Want(FORBIDDEN, code="system_admin_only", unchanged=True)
    if access in ADMIN_ONLY and role != "admin":
        return Want(FORBIDDEN, code="admin_only", unchanged=writes)
    if case == "inside":
        return Want(entry.inside, nonempty=entry.lists)
    if case == "unfiltered":
        return Want(entry.inside)
    if case == "above" and not writes:
        return Want(frozenset({200})) if entry.lists else Want(frozenset({404}))
    if case not in ("outside", "above") and not writes:
        return Want(frozenset({200}), empty=True) if entry.lists else Want(frozenset({404}))
    if case not in ("outside", "above"):
        return Want(FORBIDDEN, code="outside_scope", unchanged=True)
    if access == ANY_WRITE:
        return Want(frozenset({404}), unchanged=True)
    if writes:
        return Want(entry.outside, unchanged=True)
    return Want(frozenset({200}), empty=True) if entry.lists else Want(frozenset({404}))


def cases(entry: Entry, who: str) -> list[tuple[str, Ask]]:
    """The calls `who` makes of `entry`: inside; outside and each ref outside, where something is outside."""
    home, away = ROLES[who]
    found = [("inside", Ask(who, home))]
    if away is not None and entry.access not in GLOBAL:
        found.append(("outside", Ask(who, away)))
        found += [(ref, Ask(who, home, {ref: away})) for ref in entry.refs]
        if entry.lists or entry.access == PAGE:
            found.append(("unfiltered", Ask(who, home, everything=True)))
    if entry.above and who in ABOVE:
        found.append(("above", Ask(who, ABOVE[who])))
    return found


# ---- calling and judging -----------------------------------------------------------------------


def method_and_path(key: str) -> tuple[str, str]:
    method, path = key.split(" ", 1)
    return method, path


async def send(scene: Scene, method: str, call: Call, token: str | None) -> httpx.Response:
    """Make `call` with `token` (None: anonymous) as a bearer header, or as the page session cookie."""
    scene.http.cookies.clear()  # pages set cookies; each call carries only what it means to
    headers = {}
    if token is not None:
        if call.session:
            headers["Cookie"] = f"vol_session={token}; vol_csrf={MATRIX_CSRF}"
        else:
            headers["Authorization"] = f"Bearer {token}"
    return await scene.http.request(
        method, call.url, params=call.params, json=call.json, files=call.files, data=call.data, headers=headers
    )


def body_rows(response: httpx.Response) -> int | None:
    """Rows in a list (`items`, or a bare JSON list) or a CSV export (lines after the header)."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json") or kind.startswith("application/problem+json"):
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("items"), list):
            return len(body["items"])
        return len(body) if isinstance(body, list) else None
    if kind.startswith("text/csv"):
        lines = [line for line in response.content.decode("utf-8-sig").splitlines() if line.strip(", ")]
        return len(lines) - 1
    return None


# Every volunteer of the scene has a 139… phone: officials see them masked (139****0001), never whole.
WHOLE_PHONE = re.compile(r"(?<![0-9])139[0-9]{8}(?![0-9])")
# No answer shows any digit of an ID number, not even masked: beside a birth date it would narrow the number.
MASKED_ID = re.compile(r"[0-9]{6}\*+[0-9]{3}[0-9X]")


def judge(response: httpx.Response, wanted: Want, who: str, scene: Scene) -> list[str]:
    problems = []
    text = response.content.decode("utf-8", errors="ignore")
    if response.status_code not in wanted.statuses:
        problems.append(f"{response.status_code}, expected {sorted(wanted.statuses)}: {text[:300]}")
    elif wanted.code is not None and (response.json().get("code") if response.content else None) != wanted.code:
        problems.append(f"code {response.json().get('code')!r}, expected {wanted.code!r}")
    elif wanted.empty and body_rows(response) != 0:
        problems.append(f"expected nothing, got {body_rows(response)} rows: {text[:300]}")
    elif wanted.nonempty and not body_rows(response):
        problems.append(f"expected rows, got {body_rows(response)}: {text[:300]}")
    away = ROLES[who][1]
    if away is not None:
        leaks = [mark for mark in (*LEAK_MARKS[away], *scene.phones.get(away, [])) if mark in text]
        if leaks:
            problems.append(f"mentions {leaks} of {away}, outside the caller's subtree: {text[:300]}")
    shown = [number for number in scene.id_numbers if number in text]
    if shown:
        problems.append(f"shows whole ID numbers {shown}")
    if MASKED_ID.search(text):
        problems.append(f"shows ID digits: {MASKED_ID.search(text)}")
    births = {f"{n[6:10]}-{n[10:12]}-{n[12:14]}" for n in scene.id_numbers}
    if ROLE_OF[who] == "official" and [born for born in births if born in text]:
        problems.append(f"shows an official a birth date of {sorted(b for b in births if b in text)}")
    if ROLE_OF[who] == "official" and WHOLE_PHONE.search(text):
        problems.append(f"shows an official a whole phone number: {WHOLE_PHONE.search(text)}")
    return problems


async def check_route(scene: Scene, key: str, entry: Entry) -> list[str]:
    """Every role × case of one route; the problems found, each naming route, role and case."""
    method, _ = method_and_path(key)
    failures = []
    for who in ROLES:
        for case, ask in cases(entry, who):
            call = await entry.build(scene, ask)
            if call is None:
                continue
            wanted = want(entry, who, case)
            before = await fingerprint() if wanted.unchanged else None
            response = await send(scene, method, call, call.token or await scene.token(who))
            problems = judge(response, wanted, who, scene)
            if before is not None:
                after = await fingerprint()
                changed = sorted(t for t in after if after[t] != before.get(t))
                if changed:
                    problems.append(f"refused, yet changed {changed}")
            if not problems and call.verify is not None and response.status_code < 300:
                problems += await call.verify(response)
            failures += [f"{key} as {who} ({case}): {p}" for p in problems]
    return failures


def group_of(key: str) -> str:
    """The domain a route belongs to: `volunteers` for /api/v1/volunteers/…, `dashboard` for /dashboard…"""
    parts = method_and_path(key)[1].strip("/").split("/")
    return parts[2] if parts[:2] == ["api", "v1"] else parts[0]


def app_routes() -> set[str]:
    """Every "METHOD /path" the app serves (HEAD and OPTIONS aside)."""
    return {
        f"{method} {route.path}"
        for route in create_app().routes
        for method in route.methods
        if method not in ("HEAD", "OPTIONS")
    }


STAFF = sorted(k for k, e in MATRIX.items() if e.access not in (PUBLIC, PAGE, WORKBENCH))
GROUPS = sorted({group_of(k) for k, e in MATRIX.items() if e.access not in (PUBLIC, WORKBENCH)})


@pytest.fixture
async def scene(world: World) -> Scene:
    return await Scene(world).build()


# ---- the tests ---------------------------------------------------------------------------------


def test_every_route_has_an_entry_and_every_entry_a_route() -> None:
    routes = app_routes()
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, f"routes without a permission-matrix entry (add one to MATRIX): {missing}"
    assert not stale, f"MATRIX entries for routes that no longer exist: {stale}"
    assert all(e.reason for e in MATRIX.values() if e.access in (PUBLIC, PAGE, WORKBENCH))


@pytest.mark.parametrize("group", GROUPS)
async def test_route_matrix(scene: Scene, group: str) -> None:
    failures = []
    for key in sorted(k for k in MATRIX if group_of(k) == group and MATRIX[k].access != PUBLIC):
        failures += await check_route(scene, key, MATRIX[key])
    assert not failures, "\n".join(failures)


async def test_staff_api_refuses_calls_without_a_valid_token(scene: Scene) -> None:
    revoked = (await scene.http.post(f"{API}/auth/token", json={"username": "staff_c11", "password": PASSWORD})).json()
    await send(scene, "POST", Call(f"{API}/auth/logout"), revoked["access_token"])
    tokens = {"no token": None, "a forged token": "x" * 43, "a revoked token": revoked["access_token"]}
    failures = []
    for key in STAFF:
        method, _ = method_and_path(key)
        call = await MATRIX[key].build(scene, Ask("root", "C11"))
        assert call is not None
        before = await fingerprint()
        for label, token in tokens.items():
            response = await send(scene, method, call, token)
            body = response.json() if response.content else {}
            if response.status_code != 401:
                failures.append(f"{key} with {label}: {response.status_code}, expected 401: {response.text[:200]}")
            elif set(body) - {"type", "title", "status", "detail", "code", "instance"}:
                failures.append(f"{key} with {label}: the 401 carries more than a problem: {body}")
        if await fingerprint() != before:
            failures.append(f"{key}: a call without a valid token changed a table")
    assert not failures, "\n".join(failures)


async def test_public_routes_need_no_token_and_pages_send_strangers_to_login(scene: Scene) -> None:
    failures = []
    for key, entry in sorted(MATRIX.items()):
        if entry.access not in (PUBLIC, PAGE, WORKBENCH):
            continue
        method, _ = method_and_path(key)
        call = await entry.build(scene, Ask("root", "C11"))
        assert call is not None
        response = await send(scene, method, call, None)
        if entry.access == PAGE and (response.status_code != 303 or response.headers["location"] != "/login"):
            failures.append(f"{key} without a session: {response.status_code}, expected 303 to /login")
        back = f"/login?next={call.url}"
        if entry.access == WORKBENCH and (response.status_code != 303 or response.headers["location"] != back):
            failures.append(f"{key} without a session: {response.status_code}, expected 303 to {back}")
        if entry.access == PUBLIC and (response.status_code == 401 or response.status_code >= 500):
            failures.append(f"{key} without a token: {response.status_code}: {response.text[:200]}")
    assert not failures, "\n".join(failures)


async def test_workbench_pages_are_for_staff_and_admins(scene: Scene) -> None:
    failures = []
    for key, entry in sorted(MATRIX.items()):
        if entry.access != WORKBENCH:
            continue
        method, _ = method_and_path(key)
        staff = FORBIDDEN if entry.admin else entry.inside  # admin pages: 403 admin_only, as the API answers
        for who, wanted in (
            ("official_s1", FORBIDDEN),
            ("official_d1", FORBIDDEN),
            ("staff_c11", staff),
            ("admin_s1", entry.inside),
        ):
            call = await entry.build(scene, Ask(who, ROLES[who][0]))
            assert call is not None
            response = await send(scene, method, call, await scene.token(who))
            if response.status_code not in wanted:
                failures.append(f"{key} as {who}: {response.status_code}, expected {sorted(wanted)}")
    assert not failures, "\n".join(failures)


async def test_workbench_pages_of_another_area_answer_404_or_403_and_change_nothing(scene: Scene) -> None:
    """staff_c21 asking for C11's objects, by id in the path or in the form; pages the same for every area aside."""
    failures = []
    token = await scene.token("staff_c21")
    for key, entry in sorted(MATRIX.items()):
        if entry.access != WORKBENCH:
            continue
        method, _ = method_and_path(key)
        own, other = (
            await entry.build(scene, Ask("staff_c21", "C21")),
            await entry.build(scene, Ask("staff_c21", "C11")),
        )
        assert own is not None and other is not None
        if (own.url, own.params, own.data) == (other.url, other.params, other.data):
            continue  # nothing in the call names an area or an object
        before = await fingerprint()
        response = await send(scene, method, other, token)
        if response.status_code not in entry.outside:
            failures.append(f"{key} outside: {response.status_code}, expected {sorted(entry.outside)}")
        if await fingerprint() != before:
            failures.append(f"{key} outside: refused, yet changed a table")
        leaks = [mark for mark in LEAK_MARKS["C11"] if mark in response.text]
        if leaks:
            failures.append(f"{key} outside: mentions {leaks}")
    assert not failures, "\n".join(failures)


async def test_an_official_of_s1_asking_for_s2_gets_404(scene: Scene) -> None:
    """The street next door, by its own code: statistics API, exports and the dashboard page alike."""
    token = await scene.token("official_s1")
    calls = [
        Call(f"{API}/stats/participation", params={"area": "S2", "as_of": str(today())}),
        Call(f"{API}/stats/participation/export", params={"area": "S2", "as_of": str(today()), "format": "csv"}),
        Call("/dashboard", params={"area": "S2"}, session=True),
        Call("/dashboard/export", params={"area": "S2", "format": "csv"}, session=True),
    ]
    for call in calls:
        response = await send(scene, "GET", call, token)
        assert response.status_code == 404, (call.url, response.status_code, response.text[:300])
        assert not [m for m in LEAK_MARKS["C21"] if m in response.text and m != '"S2"'], response.text
    inside = await send(scene, "GET", Call("/dashboard", params={"area": "S1"}, session=True), token)
    assert inside.status_code == 200 and "东街道" in inside.text


async def test_a_street_admin_cannot_see_or_change_the_system_admin(scene: Scene) -> None:
    root_id = (await scene.root("GET", f"{API}/users", params={"limit": 500}))["items"][0]
    assert root_id["username"] == "root"
    before = await fingerprint()
    token = await scene.token("admin_s1")
    show = await send(scene, "GET", Call(f"{API}/users/{root_id['id']}"), token)
    change = await send(scene, "PATCH", Call(f"{API}/users/{root_id['id']}", json={"password": "x" * 12}), token)
    create = await send(
        scene, "POST", Call(f"{API}/users", json={"username": "boss", "password": "x" * 12, "role": "admin"}), token
    )
    listed = await send(scene, "GET", Call(f"{API}/users", params={"limit": 500}), token)
    assert (show.status_code, change.status_code, create.status_code) == (404, 404, 403)
    assert "root" not in {u["username"] for u in listed.json()["items"]}
    assert await fingerprint() == before


@pytest.mark.parametrize(
    ("kind", "rows"),
    [
        # a volunteer of C21 put into a team of C11
        ("memberships", [["服务队", "手机号"], ["{team}", "{away_phone}"]]),
        # hours for a volunteer of C21 at an activity of C11 (0.1 h from its start: over, as records must be)
        (
            "service-records",
            [["活动名称", "手机号", "服务日期", "服务时长"], ["{activity}", "{away_phone}", "{activity_day}", "0.1"]],
        ),
        # an activity of C11 at a venue of C21
        (
            "activities",
            [
                ["活动名称", "活动类别", "开始时间", "结束时间", "阵地"],
                ["读书会", "大众读书会", "{start}", "{end}", "{away_venue}"],
            ],
        ),
        # a team, and a volunteer, registered into C21 from an import into C11
        ("teams", [["服务队名称", "发起单位", "区域编码"], ["新队", "衡州小学", "C21"]]),
        ("volunteers", [["姓名", "手机号", "区域编码"], ["新人", "13700000001", "C21"]]),
    ],
)
async def test_import_rows_naming_things_outside_the_callers_subtree_write_nothing(
    scene: Scene, kind: str, rows: list[list[str]]
) -> None:
    """Rows are ids in bodies too: staff of C11 importing into C11, each row pointing into C21."""
    home, away = scene.places["C11"], scene.places["C21"]
    activity = await scene.root("GET", f"{API}/activities/{home.activity}")
    names = {
        "team": (await scene.root("GET", f"{API}/teams/{home.team}"))["name"],
        "activity": activity["title"],
        # the day it started (just before midnight it started yesterday): a row of hours on that day
        "activity_day": str(local_day(datetime.fromisoformat(activity["starts_at"]))),
        "away_venue": (await scene.root("GET", f"{API}/venues/{away.venue}"))["name"],
        "away_phone": scene.phones["C21"][0],
        "today": str(today()),
        "start": f"{today()} 09:00",
        "end": f"{today()} 11:00",
    }
    content = "\r\n".join(",".join(cell.format(**names) for cell in row) for row in rows).encode()
    before = await fingerprint()
    for partial in ("false", "true"):
        response = await send(
            scene,
            "POST",
            Call(
                f"{API}/imports/{kind}",
                files={"file": ("名单.csv", content, "text/csv")},
                data={"area": "C11", "partial": partial},
            ),
            await scene.token("staff_c11"),
        )
        # all-or-nothing refuses the file (422); partial writes the valid rows, and there are none (200)
        assert response.status_code == (200 if partial == "true" else 422), response.text
        report = response.json()
        assert report["written"] == 0 and report["error_count"] == 1, response.text
        assert report["errors"][0]["code"] in ("outside_scope", "unknown_area", "unknown_venue"), response.text
        assert await fingerprint() == before, f"partial={partial}: {response.text}"


async def test_attendance_masks_the_phone_of_a_visitor_from_outside_the_callers_subtree(scene: Scene) -> None:
    """A C21 volunteer who checked in at C11's activity: C11 staff see who came, not their number."""
    url = f"{API}/activities/{scene.places['C11'].activity}/attendance"
    visitor = scene.places["C11"].visitor
    seen = {}
    for who in ("staff_c11", "root", "official_d1"):
        items = (await send(scene, "GET", Call(url), await scene.token(who))).json()["items"]
        seen[who] = {row["name"][:2]: row["phone"] for row in items}
    assert seen["staff_c11"]["访客"] == f"{visitor[:3]}****{visitor[-4:]}"
    assert seen["root"]["访客"] == visitor
    assert seen["official_d1"]["访客"] == f"{visitor[:3]}****{visitor[-4:]}"
    own = next(phone for name, phone in seen["staff_c11"].items() if name.startswith("东一"))
    assert "*" not in own
