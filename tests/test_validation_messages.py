"""Every validation message a person can see is Chinese and names the field in Chinese (issue 12, fix on the way)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from volunteers.validation_messages import explain, located_field

# What may stay Latin in a message: the API's own field name in （…） and the value the caller sent in 「…」.
_QUOTED = re.compile(r"（[^）]*）|「[^」]*」")


def english_left(message: str) -> str:
    return "".join(re.findall(r"[A-Za-z]+", _QUOTED.sub("", message)))


@pytest.mark.parametrize(
    ("method", "url", "body", "field", "says"),
    [
        ("POST", "/api/v1/venues", {"name": "书屋", "kind": "党群中心", "area_code": "C11"}, "kind", "不是可选的值"),
        ("POST", "/api/v1/teams", {"name": "队", "area_code": "C11", "colour": "红"}, "colour", "不认识的字段"),
        ("POST", "/api/v1/teams", [1, 2], "data", "应为对象，收到的是列表"),
        ("POST", "/api/v1/teams", {"area_code": "C11"}, "name", "必须填写"),
        ("POST", "/api/v1/teams", {"name": "队" * 300, "area_code": "C11"}, "name", "最多"),
        ("POST", "/api/v1/teams", {"name": "队", "area_code": "C11", "founded_on": "2026-13-01"}, "founded_on", "日期"),
        ("GET", "/api/v1/volunteers?limit=abc", None, "limit", "应为整数"),
        ("GET", "/api/v1/volunteers?limit=0", None, "limit", "不能小于"),
    ],
)
async def test_messages_are_chinese(world: Any, method: str, url: str, body: Any, field: str, says: str) -> None:
    response = await world.call("staff_c11", method, url, json=body)
    assert response.status_code == 400, response.text
    problem = response.json()
    [error] = problem["errors"]
    assert error["field"] == field
    assert says in error["message"]
    assert english_left(error["message"]) == "", error["message"]
    assert english_left(problem["detail"]) == ""


def test_the_field_named_in_the_message_is_found() -> None:
    assert located_field("Expected `int`, got `str` - at `$.ids[0]`") == "ids[0]"
    assert located_field("Object missing required field `name`", "data") == "name"
    assert located_field("Object missing required field `phone` - at `$.guardian`") == "guardian.phone"
    assert located_field("Object contains unknown field `x` - at `$.guardian`") == "guardian.x"
    assert located_field("Expected `int` >= 1", "limit") == "limit"
    assert explain("Something msgspec says one day", "名称（name）") == "名称（name）格式不正确"
