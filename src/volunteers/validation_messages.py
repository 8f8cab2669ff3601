"""msgspec's validation messages, said in Chinese: staff read every message a person can see in Chinese,
with the field named in Chinese, whether it comes from a JSON body, a query string, a form or a spreadsheet row."""

from __future__ import annotations

import re
from collections.abc import Callable

_TYPES = {
    "str": "文字",
    "int": "整数",
    "float": "数字",
    "bool": "是/否（true/false）",
    "array": "列表",
    "object": "对象",
    "null": "空值",
    "decimal": "数字",
    "date": "日期",
    "datetime": "日期时间",
    "time": "时间",
}


def _types(spelled: str) -> str:
    """`int | null` → 整数或空值."""
    return "或".join(_TYPES.get(part.strip(), part.strip()) for part in spelled.split("|"))


def _bound(kind: str, relation: str, number: str) -> str:
    if kind == "str" and relation == ">=" and number == "1":
        return "不能为空"
    unit = {"str": " 个字符", "array": " 项", "object": " 项"}.get(kind)
    if unit is not None:
        return f"最多 {number}{unit}" if relation == "<=" else f"至少 {number}{unit}"
    says = {">=": "不能小于", ">": "必须大于", "<=": "不能大于", "<": "必须小于"}
    return f"{says[relation]} {number}"


_EXAMPLES = {
    "date": "日期，如 2026-03-05",
    "datetime": "日期时间，如 2026-03-05T14:00:00+08:00",
    "time": "时间，如 14:00",
}

# (pattern, what it says): the first that matches msgspec's message wins.
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Expected `(\w+)` of length (<=|>=) (\d+)"), lambda m: _bound(m[1], m[2], m[3])),
    (re.compile(r"Expected `(\w+)` (<=|>=|<|>) (-?[\d.e+]+)"), lambda m: _bound(m[1], m[2], m[3])),
    (re.compile(r"Expected `([^`]+)`, got `([^`]+)`"), lambda m: f"应为{_types(m[1])}，收到的是{_types(m[2])}"),
    (re.compile(r"Expected `str` matching regex"), lambda _: "格式不符合要求（含有不允许的字符或写法不对）"),
    (re.compile(r"Invalid enum value '(.*)'"), lambda m: f"「{m[1]}」不是可选的值"),
    (re.compile(r"Invalid RFC3339 encoded (date|datetime|time)"), lambda m: f"应为{_EXAMPLES[m[1]]}"),
    (re.compile(r"Invalid (?:ISO 8601|RFC3339)"), lambda _: "日期或时间的写法不对"),
    (re.compile(r"Invalid UUID"), lambda _: "编号的写法不对"),
]

_AT = re.compile(r"at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]*)`")
_UNKNOWN = re.compile(r"contains unknown field `([^`]*)`")


def located_field(message: str, fallback: str = "") -> str:
    """The field a msgspec message is about (`$.a.b` → `a.b`), else `fallback` (a query parameter's name).

    A field missing from (or unknown to) a nested object is named with its object: `guardian.phone`, not the
    volunteer's own `phone`.
    """
    at = _AT.search(message)
    inside = f"{at.group(1)}." if at and at.group(1) else ""
    for pattern in (_MISSING, _UNKNOWN):
        found = pattern.search(message)
        if found and found.group(1):
            return inside + found.group(1)
    return at.group(1) if at and at.group(1) else fallback


def explain(message: str, label: str) -> str:
    """One sentence in Chinese for a msgspec validation `message` about the field labelled `label`."""
    if _MISSING.search(message):
        return f"{label}必须填写"
    if found := _UNKNOWN.search(message):
        return f"不认识的字段「{found.group(1)}」，请检查拼写"
    for pattern, say in _RULES:
        if matched := pattern.search(message):
            return f"{label}格式不正确：{say(matched)}"
    return f"{label}格式不正确"
