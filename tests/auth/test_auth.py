"""Logging in and out, tokens, staff users, and the role guards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import PASSWORD, World
from volunteers.auth.tables import StaffSession


async def test_login_returns_a_bearer_token(world: World) -> None:
    response = await world.http.post("/api/v1/auth/token", json={"username": "staff_c11", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 40
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC)
    me = await world.http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": "staff_c11", "role": "staff", "area_code": "C11"}


async def test_wrong_password_and_unknown_user_look_the_same(world: World) -> None:
    wrong = await world.http.post("/api/v1/auth/token", json={"username": "staff_c11", "password": "nope-nope"})
    unknown = await world.http.post("/api/v1/auth/token", json={"username": "ghost", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "bad_credentials"
    assert wrong.headers["content-type"].startswith("application/problem+json")


async def test_every_api_call_needs_a_token(world: World) -> None:
    for url in ["/api/v1/areas", "/api/v1/areas/C11", "/api/v1/users", "/api/v1/audit", "/api/v1/auth/me"]:
        response = await world.http.get(url)
        assert response.status_code == 401, url
        assert "items" not in response.text
    bad = await world.http.get("/api/v1/areas", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_token"
    basic = await world.http.get("/api/v1/areas", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert basic.status_code == 401
    posted = await world.http.post("/api/v1/areas", json={"code": "X", "name": "x", "level": "district"})
    assert posted.status_code == 401


async def test_logout_revokes_at_once(world: World) -> None:
    headers = await world.login("official_s1")
    assert (await world.http.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await world.http.get("/api/v1/areas", headers=headers)).status_code == 401


async def test_expired_token_is_refused(world: World) -> None:
    headers = await world.login("staff_c11")
    await StaffSession.update({StaffSession.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        StaffSession.id > 0
    )
    response = await world.http.get("/api/v1/areas", headers=headers)
    assert response.status_code == 401


async def test_officials_only_read(world: World) -> None:
    response = await world.post(
        "official_d1", "/api/v1/areas", {"code": "C99", "name": "x", "level": "community", "parent_code": "S1"}
    )
    assert response.status_code == 403 and response.json()["code"] == "read_only"
    assert (await world.get("root", "/api/v1/areas/C99")).status_code == 404


async def test_admin_creates_users_only_in_subtree(world: World) -> None:
    created = await world.post(
        "admin_s1",
        "/api/v1/users",
        {"username": "new_c12", "password": "long-enough-pw", "role": "staff", "area_code": "C12"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["area_code"] == "C12"
    outside = await world.post(
        "admin_s1",
        "/api/v1/users",
        {"username": "new_c21", "password": "long-enough-pw", "role": "staff", "area_code": "C21"},
    )
    assert outside.status_code == 403
    system = await world.post(
        "admin_s1", "/api/v1/users", {"username": "boss", "password": "long-enough-pw", "role": "admin"}
    )
    assert system.status_code == 403
    staff_without_area = await world.post(
        "root", "/api/v1/users", {"username": "lost", "password": "long-enough-pw", "role": "staff"}
    )
    assert staff_without_area.status_code == 422 and staff_without_area.json()["field"] == "area_code"
    duplicate = await world.post(
        "root",
        "/api/v1/users",
        {"username": "new_c12", "password": "long-enough-pw", "role": "staff", "area_code": "C12"},
    )
    assert duplicate.status_code == 409
    short = await world.post(
        "root", "/api/v1/users", {"username": "shorty", "password": "short", "role": "staff", "area_code": "C12"}
    )
    assert short.status_code == 400
    login = await world.http.post("/api/v1/auth/token", json={"username": "new_c12", "password": "long-enough-pw"})
    assert login.status_code == 200


async def test_user_management_is_for_admins_in_scope(world: World) -> None:
    assert (await world.get("staff_s1", "/api/v1/users")).status_code == 403
    assert (await world.get("official_d1", "/api/v1/users")).status_code == 403
    listed = (await world.get("admin_s1", "/api/v1/users")).json()
    assert {u["username"] for u in listed["items"]} == {"admin_s1", "staff_s1", "staff_c11", "staff_c12", "official_s1"}
    everyone = (await world.get("root", "/api/v1/users")).json()
    assert everyone["total"] == 8
    c21 = next(u for u in everyone["items"] if u["username"] == "staff_c21")
    assert (await world.get("admin_s1", f"/api/v1/users/{c21['id']}")).status_code == 404
    assert (await world.patch("admin_s1", f"/api/v1/users/{c21['id']}", {"is_active": False})).status_code == 404


async def test_deactivating_a_user_ends_their_sessions(world: World) -> None:
    headers = await world.login("staff_c12")
    users = (await world.get("admin_s1", "/api/v1/users")).json()["items"]
    target = next(u for u in users if u["username"] == "staff_c12")
    response = await world.patch("admin_s1", f"/api/v1/users/{target['id']}", {"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert (await world.http.get("/api/v1/areas", headers=headers)).status_code == 401
    again = await world.http.post("/api/v1/auth/token", json={"username": "staff_c12", "password": PASSWORD})
    assert again.status_code == 401
    trail = (
        await world.get("root", "/api/v1/audit", params={"entity": "staff_user", "entity_id": str(target["id"])})
    ).json()
    assert trail["items"][0]["after"]["is_active"] is False
    assert "password" not in str(trail["items"])


async def test_password_change_takes_effect(world: World) -> None:
    users = (await world.get("root", "/api/v1/users")).json()["items"]
    target = next(u for u in users if u["username"] == "staff_c21")
    assert (
        await world.patch("root", f"/api/v1/users/{target['id']}", {"password": "brand-new-secret"})
    ).status_code == 200
    old = await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": PASSWORD})
    new = await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": "brand-new-secret"})
    assert (old.status_code, new.status_code) == (401, 200)


async def test_health_needs_no_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_openapi_schema_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/areas" in paths and "/api/v1/auth/token" in paths
