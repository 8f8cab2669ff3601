"""`?q=张` sent as raw UTF-8 bytes (as curl sends it) finds what `?q=%E5%BC%A0` finds (issue 12, fix on the way)."""

from __future__ import annotations

import json
from typing import Any

from volunteers.query_strings import percent_encoded


async def raw_get(app: Any, path: str, query: bytes, headers: dict[str, str]) -> Any:
    """GET through ASGI with the query string's bytes exactly as given (httpx would percent-encode them)."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
        "root_path": "",
    }
    await app(scope, receive, send)
    return json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


async def test_raw_utf8_search_finds_the_volunteer(app: Any, world: Any) -> None:
    created = await world.post(
        "staff_c11", "/api/v1/volunteers", {"name": "张三", "phone": "13800138000", "area_code": "C11"}
    )
    assert created.status_code == 201, created.text
    headers = await world.login("staff_c11")
    encoded = await raw_get(app, "/api/v1/volunteers", b"q=%E5%BC%A0", headers)
    raw = await raw_get(app, "/api/v1/volunteers", "q=张".encode(), headers)
    assert [v["name"] for v in encoded["items"]] == ["张三"]
    assert raw == encoded


def test_only_non_ascii_bytes_are_encoded() -> None:
    assert percent_encoded(b"q=%E5&limit=5") == b"q=%E5&limit=5"
    assert percent_encoded("q=张 三&a=b".encode()) == b"q=%E5%BC%A0 %E4%B8%89&a=b"
