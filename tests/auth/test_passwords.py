"""Weak staff passwords are refused wherever a password is set, whatever their length."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, World
from volunteers.auth.passwords import refuse_weak_password
from volunteers.auth.schemas import UserIn
from volunteers.auth.service import create_user
from volunteers.errors import Invalid

WEAK = [
    ("my-new_c12", "contains the username"),
    ("21c_wen-x", "the username reversed"),
    ("password", "the most common password"),
    ("12345678", "a top-10 password"),
    ("qwertyui", "a keyboard row"),
    ("11111111", "one digit repeated"),
    ("woaini1314", "a pinyin favourite"),
    ("a123456789", "a Chinese-list favourite"),
    ("zhiyuanzhe2024", "this system's name and a year"),
    ("Volunteers!", "this system's name"),
    ("东二社区123456", "the account's area name and digits"),
]


@pytest.mark.parametrize(("password", "why"), WEAK)
async def test_a_weak_password_is_refused_when_a_user_is_created(world: World, password: str, why: str) -> None:
    body = {"username": "new_c12", "password": password, "role": "staff", "area_code": "C12"}
    response = await world.post("root", "/api/v1/users", body)
    assert response.status_code == 422, (why, response.text)
    problem = response.json()
    assert problem["field"] == "password", why
    assert "密码" in problem["detail"] and "换一个更长、不常见的密码" in problem["detail"]
    listed = (await world.get("root", "/api/v1/users", params={"limit": 100})).json()["items"]
    assert "new_c12" not in {u["username"] for u in listed}


async def test_the_refusal_says_why_in_chinese(world: World) -> None:
    body = {"role": "staff", "area_code": "C12", "username": "new_c12"}
    named = (await world.post("root", "/api/v1/users", {**body, "password": "new_c12-2024"})).json()
    common = (await world.post("root", "/api/v1/users", {**body, "password": "password"})).json()
    assert (named["code"], common["code"]) == ("password_contains_username", "common_password")
    assert "密码不能包含用户名" in named["detail"] and "密码过于常见" in common["detail"]


async def test_a_weak_password_is_refused_when_a_password_is_changed(world: World) -> None:
    users = (await world.get("root", "/api/v1/users")).json()["items"]
    target = next(u for u in users if u["username"] == "staff_c21")
    for weak in ("staff_c21", "12345678", "西一社区8888"):
        refused = await world.patch("root", f"/api/v1/users/{target['id']}", {"password": weak})
        assert refused.status_code == 422 and refused.json()["field"] == "password", (weak, refused.text)
    kept = await world.http.post("/api/v1/auth/token", json={"username": "staff_c21", "password": PASSWORD})
    assert kept.status_code == 200


async def test_the_command_line_and_demo_path_checks_too(world: World) -> None:
    """`volunteers users create` and the demo call create_user without a caller; the rule is the same."""
    with pytest.raises(Invalid) as refused:
        await create_user(None, UserIn(username="cli_admin", password="12345678", role="admin"))
    assert refused.value.field == "password" and refused.value.code == "common_password"


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "long-enough-pw", "lantern-orchard-47-drift", "Huangshan-云雾-2031!", "xK9#mQ2vz"],
)
async def test_a_strong_password_is_accepted(password: str) -> None:
    await refuse_weak_password(password, username="staff_c11", context=("C11", "东一社区"))
