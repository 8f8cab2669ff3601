"""Who is calling, and which areas they may see and change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from volunteers import db
from volunteers.errors import Forbidden, NotFound, Unauthorized

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated staff user; `area_path` None means the whole system."""

    user_id: int
    username: str
    role: str
    area_id: int | None
    area_code: str | None
    area_path: str | None

    def covers(self, path: str | None) -> bool:
        """Whether the area at `path` lies in the caller's subtree."""
        if self.area_path is None:
            return True
        return path is not None and path.startswith(self.area_path)

    def require_read(self, path: str | None, what: str = "记录") -> None:
        """Outside the subtree reads as absent (404), so nothing leaks."""
        if not self.covers(path):
            raise NotFound(f"{what}不存在")

    def require_write(self, path: str | None, what: str = "记录") -> None:
        """Writes need a writing role and an area inside the subtree (403 otherwise)."""
        if self.role == "official":
            raise Forbidden("统计查看账号只能查看，不能修改", code="read_only")
        if not self.covers(path):
            raise Forbidden(f"{what}不在您管辖的区域内，不能修改", code="outside_scope")

    def sees_whole_phone(self, path: str | None) -> bool:
        """Whole phone numbers only for staff and admins whose subtree holds the person's area; masked otherwise.

        A volunteer from elsewhere who checks in at one of the caller's activities stays a stranger's number.
        """
        return self.role != "official" and self.covers(path)

    @property
    def scope_prefix(self) -> str:
        """A LIKE prefix matching the caller's subtree paths."""
        return f"{self.area_path or '/'}%"


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
    """Officials only read; the one exception is logging out."""
    caller: Caller = connection.user
    if (
        connection.scope.get("method") not in SAFE_METHODS
        and caller.role == "official"
        and not handler.opt.get("any_role")
    ):
        raise Forbidden("统计查看账号只能查看，不能修改", code="read_only")


def admins_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """User management and the audit trail are for admins."""
    if connection.user.role != "admin":
        raise Forbidden("只有管理员可以进行此操作", code="admin_only")


def system_admins_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Reference data shared by every area (activity categories) is for admins of the whole system."""
    caller: Caller = connection.user
    if caller.role != "admin" or caller.area_path is not None:
        raise Forbidden("只有系统管理员（不限区域）可以修改全区共用的数据", code="system_admin_only")


def current_caller(request: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """Dependency: the authenticated caller."""
    caller: Caller = request.user
    return caller
