"""Deeply nested JSON is refused before anything decodes it.

Litestar decodes a request body to Python objects before checking it against the handler's
Struct, and msgspec recurses once per level: ten thousand `[` were a RecursionError and a 500
on every JSON endpoint, the public ones included. No body this API takes nests deeper than
three levels, so `MAX_DEPTH` leaves room and still stops the attack at the door, in one pass
over the bytes and without decoding them.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from volunteers.errors import DomainError

MAX_DEPTH = 32

# A JSON string, escapes included: brackets inside strings do not nest anything. An unterminated string
# runs to the end of the body, so no match is ever tried again from a later quote (which made the
# scan quadratic: a megabyte of `\"` would have held the event loop for an hour).
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.?)*(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")
# Bodies that are parsed as forms or files, never as JSON.
_NOT_JSON = (b"multipart/form-data", b"application/x-www-form-urlencoded")


def nesting_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar)."""
    brackets = _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate((1 if b in _OPENING else -1 for b in brackets), initial=0))


class JsonNestingLimit:
    """ASGI middleware: a body nested deeper than `MAX_DEPTH` answers 400 `too_deeply_nested`.

    The body is read whole (up to `max_body` bytes) and handed on unchanged; a larger one is passed
    through uninspected for the app's own size limit to refuse.
    """

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not _may_be_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[ReceiveMessage] = []
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if not message.get("more_body") or size > self.max_body:
                break
        if size <= self.max_body and nesting_depth(b"".join(chunks)) > MAX_DEPTH:
            raise DomainError(f"请求内容嵌套过深（最多 {MAX_DEPTH} 层），请检查提交的数据", code="too_deeply_nested")

        async def replay() -> ReceiveMessage:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _may_be_json(scope: Scope) -> bool:
    if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        return False
    headers: Any = scope.get("headers", ())
    content_type = next((value for name, value in headers if name == b"content-type"), b"").lower()
    return not content_type.startswith(_NOT_JSON)
