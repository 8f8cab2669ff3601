"""Query strings as UTF-8: curl and some phones send `?q=张` as raw UTF-8 bytes, not `%E5%BC%A0`; Litestar
reads raw bytes as Latin-1, so a search for 张 looked for 'å¼\xa0' and found nothing. Percent-encoding the
non-ASCII bytes first makes both spellings one."""

from __future__ import annotations

import re

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

_NON_ASCII = re.compile(rb"[\x80-\xff]")


def percent_encoded(raw: bytes) -> bytes:
    """`q=张` (raw UTF-8) → `q=%E5%BC%A0`; an ASCII query string is returned as it is."""
    if raw.isascii():
        return raw
    return _NON_ASCII.sub(lambda byte: b"%%%02X" % byte[0][0], raw)


class Utf8QueryStrings:
    """ASGI middleware: every request's query string reaches the app percent-encoded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and not scope["query_string"].isascii():
            scope["query_string"] = percent_encoded(scope["query_string"])
        await self.app(scope, receive, send)
