"""Domain errors and their one mapping to RFC 9457 problem details."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.types import ExceptionHandler, ExceptionHandlersMap

from volunteers.validation_messages import explain, located_field

log = logging.getLogger("volunteers")

FIELD_LABELS = {
    "name": "名称/姓名",
    "phone": "手机号",
    "id_number": "身份证号",
    "birth_date": "出生日期",
    "gender": "性别",
    "registered_on": "注册日期",
    "guardian": "监护人",
    "area_code": "所属区域",
    "parent_code": "上级区域",
    "code": "编码",
    "level": "层级",
    "sponsor": "发起单位",
    "founded_on": "成立日期",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "capacity": "人数上限",
    "category": "活动类别",
    "venue_id": "阵地",
    "team_ids": "服务队",
    "volunteer_id": "志愿者",
    "role": "角色",
    "username": "用户名",
    "password": "密码",
    "resident_population": "常住人口",
    "joined_on": "加入日期",
    "left_on": "退出日期",
    "categories": "服务类别",
    "status": "状态",
    "nonce": "提交编号",
    "action": "签到/签退",
    "reason": "原因",
    "started_at": "开始时间",
    "activity_id": "活动",
    "title": "活动名称",
    "kind": "阵地类型",
    "approval": "审核方式",
    "opens_before_minutes": "开始前可签到的分钟数",
    "closes_after_minutes": "结束后可签退的分钟数",
    "rounding_minutes": "时长取整的分钟数",
    "daily_cap_minutes": "每日时长上限（分钟）",
    "reentry_allowed": "允许再次签到",
    "address": "地址",
    "consent_on": "同意日期",
    "on": "日期",
    "q": "搜索词",
    "data": "请求内容",
    "limit": "每页条数",
    "offset": "起始位置",
    "area": "区域",
    "as_of": "截至日期",
    "team_id": "服务队",
    "window_days": "统计窗口天数",
    "min_hours": "最少时长",
    "sources": "时长来源",
    "breakdown": "细分",
    "format": "文件格式",
}


def field_label(field: str) -> str:
    """The Chinese label staff see for an API field name."""
    return FIELD_LABELS.get(re.split(r"[.\[]", field, maxsplit=1)[0], field)


def labelled(field: str) -> str:
    """`名称/姓名（name）`: the Chinese label with the API's name beside it, or the name alone if it has no label."""
    label = field_label(field)
    return f"{label}（{field}）" if label != field else field


class DomainError(Exception):
    """A refusal with a stable code, an HTTP status and a message staff can read."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
        self.extra = extra or {}


class Invalid(DomainError):
    """Input that breaks a rule (422)."""

    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    """Missing, or outside the caller's area: the two are indistinguishable (404)."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """A write the caller's role or area does not allow (403)."""

    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    """No valid token (401)."""

    status = 401
    code = "unauthorized"


class Conflict(DomainError):
    """A duplicate, or a change the current state does not allow (409)."""

    status = 409
    code = "conflict"


class TooManyAttempts(DomainError):
    """Throttled: too many attempts in a short time (429)."""

    status = 429
    code = "rate_limited"


class Unavailable(DomainError):
    """The database cannot be reached right now (503)."""

    status = 503
    code = "database_unavailable"


# Constraint name -> (status, code, field, Chinese message); names are set in the tables.
CONSTRAINT_MESSAGES: dict[str, tuple[int, str, str | None, str]] = {}


def register_constraint(name: str, status: int, code: str, field: str | None, message: str) -> None:
    """Say how a violated database constraint reads to staff."""
    CONSTRAINT_MESSAGES[name] = (status, code, field, message)


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem-details response."""
    body: dict[str, Any] = {
        "type": f"urn:volunteers:problem:{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if field:
        body["field"] = field
    body.update(extra or {})
    return Response(body, status_code=status, media_type="application/problem+json", headers=headers)


# What a person sees at the top of the error page, by status.
_PAGE_HEADLINES = {
    400: "提交的内容有误",
    401: "请先登录",
    403: "没有权限",
    404: "找不到该页面",
    409: "无法完成操作",
    413: "提交的内容过大",
    422: "提交的内容有误",
    429: "操作过于频繁",
    503: "系统暂时繁忙",
}


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """A browser asking for a page (not the JSON API): errors answer as an HTML page in Chinese."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _answer(request: Request[Any, Any, Any], response: Response[dict[str, Any]]) -> Response[Any]:
    """The problem response, or for a browser's page request the same status and message as a friendly page."""
    if not wants_page(request):
        return response
    body: dict[str, Any] = response.content
    status = response.status_code or 500
    return Template(
        template_name="error.html",
        context={
            "headline": _PAGE_HEADLINES.get(status, "出错了"),
            "detail": body["detail"],
            "retry": status == 503,
        },
        status_code=status,
        headers=dict(response.headers),
        media_type="text/html",
    )


def _pages_too(handler: Callable[[Request[Any, Any, Any], Any], Response[dict[str, Any]]]) -> ExceptionHandler[Any]:
    def answer(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
        return _answer(request, handler(request, exc))

    return answer


def _domain(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return problem(exc.status, exc.code, exc.message, field=exc.field, extra=exc.extra)


def _validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        message = str(item.get("message", ""))
        field = located_field(message, str(item.get("key", "")))
        errors.append({"field": field, "code": "invalid_field", "message": explain(message, labelled(field))})
    detail = "请求内容格式不正确" if not errors else "；".join(e["message"] for e in errors)
    return problem(400, "invalid_request", detail, extra={"errors": errors})


_HTTP_CODES = {
    400: ("invalid_request", "请求格式不正确"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "没有权限"),
    404: ("not_found", "找不到该资源"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
}


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if status >= 500:
        return _internal(_, exc)
    code, message = _HTTP_CODES.get(status, ("client_error", "请求有误"))
    return problem(status, code, message, headers=exc.headers)


def _postgres(_: Request[Any, Any, Any], exc: asyncpg.PostgresError) -> Response[dict[str, Any]]:
    constraint = getattr(exc, "constraint_name", None) or ""
    if constraint in CONSTRAINT_MESSAGES:
        status, code, field, message = CONSTRAINT_MESSAGES[constraint]
        return problem(status, code, message, field=field)
    if isinstance(exc, asyncpg.UniqueViolationError):
        return problem(409, "duplicate", "记录已存在，不能重复添加")
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return problem(409, "in_use", "关联的记录不存在或仍被引用")
    if isinstance(exc, asyncpg.CheckViolationError | asyncpg.NotNullViolationError):
        return problem(422, "validation_failed", "数据不符合规则")
    if isinstance(exc, asyncpg.DataError):
        return problem(400, "invalid_input", "输入的数据无法识别（超出范围或包含非法字符）")
    return _internal(_, exc)


def _connection_lost(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.warning("database unavailable: %s", type(exc).__name__)
    return problem(503, "database_unavailable", "数据库暂时不可用，请稍后重试", headers={"Retry-After": "5"})


def _try_again(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.warning("database busy: %s", type(exc).__name__)
    return problem(503, "try_again", "数据库正忙（并发冲突或等待超时），请稍后重试", headers={"Retry-After": "1"})


def _internal(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error", exc_info=exc)
    return problem(500, "internal_error", "服务器内部错误，已记录，请稍后重试")


# Errors that say the database is not there right now, not that the request is wrong: SQLSTATE
# class 08 connection exception ("connection was closed in the middle of operation" when the server
# goes away), 53 insufficient resources (too many connections, disk full), 57 operator intervention
# (admin/crash shutdown, "the database system is starting up", a cancelled statement); and asyncpg's
# InternalClientError, which a connection the server terminates mid-query can raise ("cannot switch
# to state 12; another operation is in progress", MagicStack/asyncpg#1069).
UNAVAILABLE: tuple[type[Exception], ...] = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InternalClientError,
)

_HANDLERS: dict[type[Exception], Callable[[Request[Any, Any, Any], Any], Response[dict[str, Any]]]] = {
    DomainError: _domain,
    ValidationException: _validation,
    HTTPException: _http,
    asyncpg.PostgresError: _postgres,
    **dict.fromkeys(UNAVAILABLE, _connection_lost),
    # A deadlock (40P01) or serialization failure (40001) rolled the transaction back, or a lock was not
    # granted in time (55P03, e.g. the statistics refresh); the same request may well succeed at once.
    **dict.fromkeys(
        (
            asyncpg.exceptions.DeadlockDetectedError,
            asyncpg.exceptions.SerializationError,
            asyncpg.exceptions.LockNotAvailableError,
        ),
        _try_again,
    ),
    asyncpg.InterfaceError: _connection_lost,
    ConnectionError: _connection_lost,
    OSError: _connection_lost,
    TimeoutError: _connection_lost,
    Exception: _internal,
}
EXCEPTION_HANDLERS: ExceptionHandlersMap = {kind: _pages_too(handler) for kind, handler in _HANDLERS.items()}
