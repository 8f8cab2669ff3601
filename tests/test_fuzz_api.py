"""API fuzzing: schemathesis against the app's own OpenAPI document, as every role and as nobody.

The app is served for real (uvicorn on the test's event loop, so its asyncpg pool stays on that loop) and
schemathesis sends its requests from a worker thread. For each role, every operation gets a bounded number
of generated requests, valid and invalid; ids, area codes, check-in codes, phones and times are swapped for
real ones part of the time (schemathesis `flatmap_*` hooks), so requests reach real records, not only 404s
and 422s. Every answer must be no 5xx, have a documented status, content type and headers, and match its
documented schema. More examples, or fresh random ones, on demand:
`VOLUNTEERS_FUZZ_EXAMPLES=50 VOLUNTEERS_FUZZ_RANDOM=1 uv run pytest tests/test_fuzz_api.py`.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import anyio
import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.browser import served
from tests.conftest import World
from volunteers import clock
from volunteers.fields import LOCAL_TZ

ROLES = ["root", "staff_c11", "official_s1"]  # system admin, community staff, street official
EXAMPLES = int(os.environ.get("VOLUNTEERS_FUZZ_EXAMPLES", "10"))  # per operation and role, valid and invalid each
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Logging out revokes the fuzzer's own token: test_logout_answers_as_documented covers it.
NOT_FUZZED = {"POST /api/v1/auth/logout"}
# Every generated /users/{user_id} naming a fuzzing user is steered to this one, so no run locks itself out.
SPARE_USER = "staff_c12"
PUBLIC = [
    "GET /health",
    "POST /api/v1/auth/token",
    "POST /api/v1/checkin/{code}",
    "POST /api/v1/checkin/{code}/register",
]
PROBLEM_KEYS = {"type", "title", "status", "code", "detail", "field", "errors"}


class Realm:
    """Real values the fuzzer swaps in for generated ones, by parameter or body-field name."""

    def __init__(self) -> None:
        self.values: dict[str, list[Any]] = {}
        self.checkin_codes: list[str] = []
        self.protected_users: set[int] = set()
        self.spare_user = 0

    def known(self, path: str, name: str, *, in_path: bool) -> list[Any]:
        if in_path and name == "code" and path.startswith("/api/v1/checkin/"):
            return self.checkin_codes
        return self.values.get(name, [])


async def build_realm(world: World) -> Realm:
    """On top of `world`'s areas and users: volunteers, teams, a venue, open activities with codes, scans,
    a manual service record and a snapshot, inside and outside staff_c11's community."""
    realm = Realm()
    now = clock.now().astimezone(LOCAL_TZ)

    async def created(user: str, url: str, body: dict[str, Any] | None = None, status: int = 201) -> Any:
        response = await world.post(user, url, body)
        assert response.status_code == status, (url, response.text)
        return response.json()

    volunteers = [
        await created("staff_c11", "/api/v1/volunteers", {"name": "张三", "phone": "13800138000", "area_code": "C11"}),
        await created("staff_c11", "/api/v1/volunteers", {"name": "李四", "phone": "13800138001", "area_code": "C11"}),
        await created("staff_c21", "/api/v1/volunteers", {"name": "王五", "phone": "13900139000", "area_code": "C21"}),
    ]
    team = await created(
        "staff_c11", "/api/v1/teams", {"name": "东一读书队", "area_code": "C11", "sponsor": "衡州小学"}
    )
    other_team = await created(
        "staff_c21", "/api/v1/teams", {"name": "西一服务队", "area_code": "C21", "sponsor": "金化科技"}
    )
    await created("staff_c11", f"/api/v1/teams/{team['id']}/members", {"volunteer_id": volunteers[0]["id"]})
    venue = await created("staff_c11", "/api/v1/venues", {"name": "东一书屋", "kind": "book_house", "area_code": "C11"})
    window = {"starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(hours=5)).isoformat()}
    reading = {"title": "读书分享会", "category": "parent_child_reading", **window}
    activity = await created(
        "staff_c11",
        "/api/v1/activities",
        {**reading, "area_code": "C11", "team_ids": [team["id"]], "venue_id": venue["id"]},
    )
    other = await created("staff_c21", "/api/v1/activities", {**reading, "area_code": "C21"})
    for item in (activity, other):
        if item["status"] == "draft":
            await created("root", f"/api/v1/activities/{item['id']}/publish", status=200)
    code = (await created("staff_c11", f"/api/v1/activities/{activity['id']}/checkin-code"))["code"]
    other_code = (await created("staff_c21", f"/api/v1/activities/{other['id']}/checkin-code"))["code"]
    for action in ("in", "out"):
        scan = {"phone": volunteers[0]["phone"], "nonce": f"fuzz-setup-{action}", "action": action}
        await created("staff_c11", f"/api/v1/checkin/{code}", scan, status=200)
    manual = {
        "volunteer_id": volunteers[1]["id"],
        "activity_id": activity["id"],
        "started_at": window["starts_at"],
        "ended_at": (now - timedelta(minutes=10)).isoformat(),
        "reason": "现场负责人补录",
    }
    await created("staff_c11", "/api/v1/service-records", manual)
    snapshot = {"title": "上半年统计", "area": "S1", "as_of": now.date().isoformat()}
    snapshot_id = (await created("staff_s1", "/api/v1/stats/snapshots", snapshot))["id"]

    users = (await world.get("root", "/api/v1/users", params={"limit": 500})).json()["items"]
    user_ids = {u["username"]: u["id"] for u in users}
    categories = (await world.get("root", "/api/v1/activity-categories")).json()
    records = (await world.get("root", "/api/v1/service-records")).json()["items"]
    areas = ["C11", "S1", "C21", "D1", "C12"]
    realm.checkin_codes = [code, other_code]
    realm.protected_users = {user_ids[role] for role in ROLES}
    realm.spare_user = user_ids[SPARE_USER]
    realm.values = {
        "volunteer_id": [v["id"] for v in volunteers],
        "volunteer": [volunteers[0]["id"]],
        "team_id": [team["id"], other_team["id"]],
        "team": [team["id"]],
        "team_ids": [[team["id"]], [other_team["id"]], []],
        "venue_id": [venue["id"]],
        "activity_id": [activity["id"], other["id"]],
        "activity": [activity["id"]],
        "record_id": [r["id"] for r in records],
        "snapshot_id": [snapshot_id],
        "category_id": [c["id"] for c in categories][:3],
        "category": ["parent_child_reading"],
        "user_id": [realm.spare_user],
        "code": areas,
        "area": areas,
        "area_code": areas,
        "parent_code": areas,
        "year": [now.year, now.year - 1],
        "kind": ["volunteers", "teams", "memberships", "activities", "service-records"],
        "phone": [v["phone"] for v in volunteers],
        "as_of": [now.date().isoformat()],
        "starts_at": [window["starts_at"], (now + timedelta(days=1)).isoformat()],
        "ends_at": [window["ends_at"], (now + timedelta(days=1, hours=2)).isoformat()],
        "started_at": [window["starts_at"]],
        "ended_at": [(now - timedelta(minutes=5)).isoformat()],
    }
    return realm


def realistic(realm: Realm, path: str, values: Any, *, in_path: bool = False) -> st.SearchStrategy[Any]:
    """The generated dict, each field with a known real value swapped for it about half of the time."""
    if not isinstance(values, dict):
        return st.just(values)
    fields = {}
    for name, value in values.items():
        real = realm.known(path, name, in_path=in_path)
        fields[name] = st.one_of(st.just(value), st.sampled_from(real)) if real else st.just(value)
    return st.fixed_dictionaries(fields)


def spare_the_fuzzers(realm: Realm, path_parameters: Any) -> Any:
    """A user id naming one of the fuzzing users becomes the spare user's (see SPARE_USER)."""
    if not isinstance(path_parameters, dict) or "user_id" not in path_parameters:
        return path_parameters
    try:
        named = int(str(path_parameters["user_id"]))  # coverage cases send ids as text, "01" too
    except ValueError:
        return path_parameters
    return {**path_parameters, "user_id": realm.spare_user} if named in realm.protected_users else path_parameters


def load_schema(raw: dict[str, Any], realm: Realm) -> Any:
    """The served document as a schemathesis schema, with hooks steering generated values to real ones."""
    schema = schemathesis.openapi.from_dict(raw, config=schemathesis.Config())

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
        steered = realistic(realm, context.operation.path, path_parameters, in_path=True)
        return steered.map(lambda values: spare_the_fuzzers(realm, values))

    @schema.hook
    def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
        return realistic(realm, context.operation.path, query)

    @schema.hook
    def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
        return realistic(realm, context.operation.path, body)

    return schema


async def served_schema(base_url: str, realm: Realm) -> Any:
    """The document the running app serves at /schema/openapi.json, loaded for fuzzing."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get("/schema/openapi.json")
    assert response.status_code == 200
    return load_schema(response.json(), realm)


def validate(case: Case[Any], response: Any, headers: dict[str, str]) -> None:
    """Run CHECKS; schemathesis's FailureGroup becomes a plain AssertionError with its report."""
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except FailureGroup as failures:
        raise AssertionError(str(failures)) from None


def label_of(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def requires_login(operation: Any) -> bool:
    return bool(operation.definition.raw.get("security"))


class Outcome:
    """What a run saw: failures per operation, and the statuses each operation answered."""

    def __init__(self) -> None:
        self.failures: dict[str, str] = {}
        self.statuses: dict[str, Counter[int]] = {}

    @property
    def calls(self) -> int:
        return sum(sum(seen.values()) for seen in self.statuses.values())

    def report(self) -> str:
        return "\n\n".join(f"== {label}\n{text[:3000]}" for label, text in sorted(self.failures.items()))

    def run(self, label: str, test: Callable[[], None]) -> None:
        try:
            test()
        except Exception as exc:  # every operation runs; all failures are reported together
            self.failures[label] = f"{type(exc).__name__}: {exc}"


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=os.environ.get("VOLUNTEERS_FUZZ_RANDOM") != "1",
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing request is reported as is
        suppress_health_check=list(HealthCheck),
    )


def fuzz(schema: Any, realm: Realm, base_url: str, headers: dict[str, str], examples: int) -> Outcome:
    """Every operation: schemathesis's coverage cases (boundary values, missing and wrong parts, other methods),
    then `examples` random valid and `examples` random invalid requests; all checks on every answer."""
    outcome = Outcome()
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        label = label_of(operation)
        if label in NOT_FUZZED:
            continue
        seen = outcome.statuses.setdefault(label, Counter())
        outcome.run(label, partial(cover_operation, schema, realm, operation, base_url, session, headers, seen))
        if label not in outcome.failures:
            outcome.run(label, fuzz_operation(operation, base_url, session, headers, seen, examples))
    return outcome


def cover_operation(
    schema: Any,
    realm: Realm,
    operation: Any,
    base_url: str,
    session: requests.Session,
    headers: dict[str, str],
    seen: Counter[int],
) -> None:
    """Schemathesis's deterministic coverage cases for one operation, valid and invalid (no hooks apply)."""
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    config = schema.config.generation_for(operation=operation)
    for case in schema.iter_coverage_cases(operation, generation_modes=modes, generation_config=config):
        case.path_parameters = spare_the_fuzzers(realm, case.path_parameters)
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        seen[response.status_code] += 1
        validate(case, response, headers)


def fuzz_operation(
    operation: Any, base_url: str, session: requests.Session, headers: dict[str, str], seen: Counter[int], examples: int
) -> Callable[[], None]:
    """The hypothesis test of one operation; `seen` counts the statuses it gets."""
    login_needed = requires_login(operation)
    modes = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @fuzz_settings(2 * examples)
    @given(case=modes)
    def run(case: Case[Any]) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        seen[response.status_code] += 1
        validate(case, response, headers)
        if login_needed:  # schemathesis also drops or garbles the documented Authorization, expecting 401
            ours = response.request.headers.get("Authorization") == headers["Authorization"]
            assert (response.status_code == 401) != ours, f"{response.request.headers}: {response.text}"

    return run


@pytest.mark.parametrize("role", ROLES)
async def test_every_operation_holds_under_fuzzing(app: Any, world: World, role: str) -> None:
    realm = await build_realm(world)
    headers = await world.login(role)
    async with served(app) as base_url:
        schema = await served_schema(base_url, realm)
        started = time.monotonic()
        outcome = await anyio.to_thread.run_sync(fuzz, schema, realm, base_url, headers, EXAMPLES)
        elapsed = time.monotonic() - started
    print(f"\n{role}: {outcome.calls} calls to {len(outcome.statuses)} operations in {elapsed:.0f}s")
    if os.environ.get("VOLUNTEERS_FUZZ_STATUSES"):
        for label, seen in sorted(outcome.statuses.items()):
            print(f"  {label}: {dict(sorted(seen.items()))}")
    assert not outcome.failures, outcome.report()
    assert len(outcome.statuses) == sum(1 for _ in schema.get_all_operations()) - len(NOT_FUZZED)
    assert (await world.get(role, "/api/v1/auth/me")).status_code == 200, "the role is still logged in"
    if role == "root":  # the steering works: reads of real records answered 200, not only 404
        missed = [
            label for label, seen in outcome.statuses.items() if "GET" in label and "{" in label and not seen[200]
        ]
        assert not missed, f"no generated request reached a real record: {missed}"


def refused_without_login(schema: Any, base_url: str, credentials: list[dict[str, str]]) -> Outcome:
    """Every operation behind the login, called with each of `credentials`: a 401 problem, nothing else."""
    outcome = Outcome()
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        if requires_login(operation):
            seen = outcome.statuses.setdefault(label_of(operation), Counter())
            outcome.run(label_of(operation), refusal_test(operation, base_url, session, credentials, seen))
    return outcome


def refusal_test(
    operation: Any, base_url: str, session: requests.Session, credentials: list[dict[str, str]], seen: Counter[int]
) -> Callable[[], None]:
    @fuzz_settings(2 * len(credentials))
    @given(case=operation.as_strategy(), sent=st.sampled_from(credentials))
    def run(case: Case[Any], sent: dict[str, str]) -> None:
        response = case.call(base_url=base_url, session=session, headers=sent, timeout=30)
        seen[response.status_code] += 1
        validate(case, response, sent)
        assert response.status_code == 401, response.text
        assert set(response.json()) <= PROBLEM_KEYS, response.text

    return run


async def test_unauthenticated_calls_get_401_and_never_data(app: Any, world: World) -> None:
    realm = await build_realm(world)  # real records exist behind the ids the requests name
    revoked = await world.login("staff_s1")
    assert (await world.http.post("/api/v1/auth/logout", headers=revoked)).status_code == 204
    credentials = [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic cm9vdDpyb290"}, revoked]
    async with served(app) as base_url:
        schema = await served_schema(base_url, realm)
        outcome = await anyio.to_thread.run_sync(refused_without_login, schema, base_url, credentials)
    assert not outcome.failures, outcome.report()
    public = sorted(label_of(r.ok()) for r in schema.get_all_operations() if not requires_login(r.ok()))
    assert public == PUBLIC  # a new operation without the login must be added here knowingly
    assert all(set(seen) == {401} for seen in outcome.statuses.values())


async def test_logout_answers_as_documented(app: Any, world: World) -> None:
    async with served(app) as base_url:
        schema = await served_schema(base_url, Realm())
        logout = schema["/api/v1/auth/logout"]["POST"]
        me = schema["/api/v1/auth/me"]["GET"]
        for user in ("staff_c11", "official_s1"):
            headers = await world.login(user)
            for operation, status in ((me, 200), (logout, 204), (logout, 401), (me, 401)):
                case = operation.Case()
                call = partial(case.call, base_url=base_url, headers=headers)
                response = await anyio.to_thread.run_sync(call)
                validate(case, response, headers)
                assert response.status_code == status, (user, label_of(operation), response.text)


GOOD_SHEET = "姓名,手机号\r\n赵六,13700137000\r\n"
BAD_SHEET = "姓名,手机号\r\n赵六,123\r\n"


@pytest.mark.parametrize(
    ("rows", "answer", "status"),
    [
        pytest.param(GOOD_SHEET, "json", 200, id="good-json"),
        pytest.param(GOOD_SHEET, "xlsx", 200, id="good-xlsx"),
        pytest.param(BAD_SHEET, "json", 422, id="bad-json"),
        pytest.param(BAD_SHEET, "xlsx", 422, id="bad-xlsx"),
    ],
)
async def test_imports_answer_as_documented(app: Any, world: World, rows: str, answer: str, status: int) -> None:
    """Multipart uploads, made by hand: a dry run of a good and a bad sheet, as a JSON report or marked XLSX."""
    headers = await world.login("staff_c11")
    async with served(app) as base_url:
        upload = (await served_schema(base_url, Realm()))["/api/v1/imports/{kind}"]["POST"]
        case = upload.Case(
            path_parameters={"kind": "volunteers"},
            query={"format": answer},
            body={"file": rows.encode(), "area": "C11", "dry_run": True},
            media_type="multipart/form-data",
        )
        response = await anyio.to_thread.run_sync(partial(case.call, base_url=base_url, headers=headers))
    assert response.status_code == status, response.text
    validate(case, response, headers)


async def test_what_fuzzing_found_stays_fixed(app: Any, world: World) -> None:
    """Requests that once answered 500, an undocumented status or locked the fuzzer out, replayed with CHECKS."""
    await build_realm(world)
    today = clock.now().astimezone(LOCAL_TZ).date().isoformat()
    users = (await world.get("root", "/api/v1/users")).json()["items"]
    root_id = next(u["id"] for u in users if u["username"] == "root")
    manual = {"volunteer_id": 1, "started_at": "2026-01-01T09:00:00+08:00", "ended_at": "2026-01-01T10:00:00+08:00"}
    found: list[tuple[str, str, str, dict[str, Any], dict[str, Any], int]] = [
        # A published rate near zero implied a denominator beyond Decimal's 28 digits: 500.
        (
            "root",
            "POST",
            "/api/v1/stats/reconcile",
            {},
            {"area": "S1", "as_of": today, "reported": {"active_rate": 1.5e-80, "active": 5018}},
            200,
        ),
        (
            "root",
            "POST",
            "/api/v1/stats/reconcile",
            {},
            {"area": "S1", "as_of": today, "reported": {"registration_rate": 5e-324, "registered": 10**9}},
            200,
        ),
        # A manual record naming an activity that does not exist answered 404 instead of 422 on the field.
        ("staff_c11", "POST", "/api/v1/service-records", {}, {**manual, "activity_id": 999999, "reason": "补录"}, 422),
        # The fuzzer, as root, deactivated root: an admin can no longer lock themself out.
        ("root", "PATCH", "/api/v1/users/{user_id}", {"user_id": root_id}, {"is_active": False}, 422),
        ("root", "PATCH", "/api/v1/users/{user_id}", {"user_id": root_id}, {"role": "staff"}, 422),
    ]
    async with served(app) as base_url:
        schema = await served_schema(base_url, Realm())
        for user, method, path, parameters, body, status in found:
            headers = await world.login(user)
            case = schema[path][method].Case(path_parameters=parameters, body=body, media_type="application/json")
            response = await anyio.to_thread.run_sync(partial(case.call, base_url=base_url, headers=headers))
            assert response.status_code == status, (path, response.text)
            validate(case, response, headers)
    assert (await world.get("root", "/api/v1/auth/me")).json()["role"] == "admin"


async def test_options_needs_the_token_like_every_method(world: World) -> None:
    """Litestar let OPTIONS through unauthenticated and the router's guards then met no caller: 500 on every path."""
    for path in ("/api/v1/areas", "/api/v1/users/1", "/api/v1/activities/1/close"):
        anonymous = await world.http.options(path)
        assert anonymous.status_code == 401, (path, anonymous.text)
        assert anonymous.headers["content-type"].startswith("application/problem+json")
        allowed = await world.http.options(path, headers=await world.login("root"))
        assert allowed.status_code == 204 and allowed.headers["allow"], (path, allowed.text)
    assert (await world.get("root", "/api/v1/auth/me")).status_code == 200  # and the caller is still logged in


async def test_the_document_describes_every_problem(client: httpx.AsyncClient) -> None:
    """What the fuzzing relies on, read directly: problem answers, login, file types, strict request bodies."""
    document = (await client.get("/schema/openapi.json")).json()
    operations = {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if path.startswith("/api/v1/")
    }
    for label, operation in operations.items():
        responses = operation["responses"]
        assert "503" in responses, label
        assert ("401" in responses) == ("security" in operation) or label == "POST /api/v1/auth/token", label
        for status, response in responses.items():
            if int(status) >= 400:
                assert "application/problem+json" in response["content"], (label, status)
    assert {"401", "429"} <= set(operations["POST /api/v1/auth/token"]["responses"])
    assert {"404", "409", "410", "429"} <= set(operations["POST /api/v1/checkin/{code}"]["responses"])
    assert "403" not in operations["GET /api/v1/volunteers"]["responses"]  # reads outside the area are 404
    assert "403" in operations["GET /api/v1/audit"]["responses"]  # admins only
    assert set(operations["GET /api/v1/exports/teams"]["responses"]["200"]["content"]) == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
    }
    schemas = document["components"]["schemas"]
    assert schemas["TeamIn"]["additionalProperties"] is False  # unknown fields are refused (400)
    assert "anyOf" in schemas["Figure"]["properties"]["numerator"]  # int | float: an integer is also a number
    assert "503" in document["paths"]["/health"]["get"]["responses"]
