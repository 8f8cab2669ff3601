"""Authentication: bearer tokens to callers, and the staff API's read-only guard for officials.

Every other role rule (admins only, system admins only) is asked by the services, from `volunteers.access`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from volunteers import db
from volunteers.access import Caller
from volunteers.errors import Unauthorized

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_hash(token: str) -> str:
    """Tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


async def caller_for_token(token: str) -> Caller | None:
    """The live caller behind `token`, or None if it is unknown, expired or revoked."""
    row = await db.fetchrow("auth/caller", token_hash(token))
    if row is None:
        return None
    return Caller(
        user_id=row["id"],
        username=row["username"],
        role=row["role"],
        area_id=row["area_id"],
        area_code=row["area_code"],
        area_path=row["area_path"],
    )


class BearerAuthentication(AbstractAuthenticationMiddleware):
    """Every /api/v1 call but login carries `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp) -> None:
        # Every method, OPTIONS too: Litestar lets OPTIONS through unauthenticated by default, and the router's
        # guards then met a request without a caller (500 on every staff path). The API serves no CORS preflight.
        super().__init__(app, exclude_http_methods=[])

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 200:
            raise Unauthorized("请先登录：缺少有效的访问令牌（Authorization: Bearer …）")
        caller = await caller_for_token(token)
        if caller is None:
            raise Unauthorized("访问令牌无效、已过期或已注销，请重新登录", code="invalid_token")
        return AuthenticationResult(user=caller, auth=token)


def read_only_officials(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Officials only read; the exceptions (`opt={"any_role": True}`) are posts that change no record.

    The staff API's one guard, kept on its router: it refuses an official's write before the request is even
    parsed, whatever the route, so no write route depends on its service remembering the role.
    """
    caller: Caller = connection.user
    if connection.scope.get("method") not in SAFE_METHODS and not handler.opt.get("any_role"):
        caller.require_writer()


def current_caller(request: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """Dependency: the authenticated caller."""
    caller: Caller = request.user
    return caller
