"""Staff pages: log in, log out, the dashboard, and its downloads.

The session is the bearer token of `auth.service.login`, kept in an HttpOnly, SameSite=Strict
cookie. Every form that changes something carries a CSRF token compared with a cookie of the
same value (double submit), so a page on another site cannot post here on a user's behalf.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Response, Template

from volunteers import clock
from volunteers.access import Caller
from volunteers.auth import service as auth
from volunteers.auth.authentication import caller_for_token
from volunteers.errors import DomainError, Invalid, NotFound, TooManyAttempts, Unauthorized
from volunteers.fields import today
from volunteers.settings import get_settings
from volunteers.stats import dashboard, exports, service, views

SESSION = "vol_session"
CSRF = "vol_csrf"
Page = Template | Redirect | Response[Any]
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,200}$")
_AREA = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Security headers (CSP, frame, sniffing) come from volunteers.security on every response.
HEADERS = {"Cache-Control": "no-store"}


def _secure(request: Request[Any, Any, Any]) -> bool:
    return request.url.scheme == "https" or get_settings().public_base_url.startswith("https://")


def _cookie(request: Request[Any, Any, Any], key: str, value: str, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=key, value=value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )


def _csrf(request: Request[Any, Any, Any]) -> tuple[str, list[Cookie]]:
    """The CSRF token of this browser, and the cookie to set when it is new."""
    current = request.cookies.get(CSRF, "")
    if _TOKEN.match(current):
        return current, []
    fresh = secrets.token_urlsafe(32)
    return fresh, [_cookie(request, CSRF, fresh)]


async def _csrf_ok(request: Request[Any, Any, Any], form: Any) -> bool:
    cookie = request.cookies.get(CSRF, "")
    sent = str(form.get("csrf", ""))[:200]
    return bool(_TOKEN.match(cookie)) and secrets.compare_digest(cookie.encode(), sent.encode())


async def page_caller(request: Request[Any, Any, Any]) -> Caller | None:
    """The logged-in staff user behind the session cookie, if any."""
    token = request.cookies.get(SESSION, "")
    return await caller_for_token(token) if _TOKEN.match(token) else None


def _login_page(
    request: Request[Any, Any, Any], error: str | None = None, status: int = 200, username: str = ""
) -> Template:
    token, cookies = _csrf(request)
    context = {"csrf": token, "error": error, "username": username}
    return Template("login.html", context=context, status_code=status, cookies=cookies, headers=HEADERS)


def _message(
    request: Request[Any, Any, Any], caller: Caller | None, message: str, status: int, back: str = "/dashboard"
) -> Template:
    token, cookies = _csrf(request)
    user = {"name": caller.username, "role": dashboard.ROLES.get(caller.role, caller.role)} if caller else None
    context = {"error": message, "back": back, "csrf": token, "user": user}
    return Template("dashboard.html", context=context, status_code=status, cookies=cookies, headers=HEADERS)


def _as_of(text: str | None) -> date:
    if not text:
        return today()
    if not _DATE.match(text):
        raise Invalid("统计日期格式应为 YYYY-MM-DD，例如 2026-06-30", field="as_of", code="invalid_as_of")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(f"统计日期 {text} 不是有效日期", field="as_of", code="invalid_as_of") from exc


async def _area_code(caller: Caller, text: str | None) -> str:
    code = text if text else await dashboard.home_area(caller)
    if code is None:
        raise NotFound("系统中还没有登记任何区域", code="no_areas")
    if not _AREA.match(code):
        raise NotFound("该区域不存在或不在您的管辖范围内")
    return code


def _refusal(refused: DomainError, code: str | None) -> tuple[str, int]:
    """What the page says when the figures cannot be shown."""
    if refused.status == 404 and code:
        return f"区域 {code} 不存在或不在您的管辖范围内", 404
    return refused.message, refused.status if refused.status in (404, 422) else 422


class DashboardPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(self, request: Request[Any, Any, Any]) -> Page:
        if await page_caller(request) is not None:
            return Redirect("/dashboard", status_code=303)
        return _login_page(request)

    @post("/login", status_code=200)
    async def login(self, request: Request[Any, Any, Any]) -> Page:
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        if not await _csrf_ok(request, form):
            return _login_page(request, "页面已过期，请重新输入后登录", status=403, username=username[:64])
        valid = 0 < len(username) <= 64 and 0 < len(password) <= 200 and "\x00" not in username + password
        try:
            if not valid:
                raise Unauthorized("用户名或密码错误", code="bad_credentials")
            address = request.client.host if request.client else "unknown"
            token = await auth.login(username, password, address=address)
        except TooManyAttempts as throttled:
            return _login_page(request, throttled.message, status=429, username=username[:64])
        except Unauthorized:
            return _login_page(request, "用户名或密码错误", status=401, username=username[:64])
        lifetime = int((token.expires_at - clock.now()).total_seconds())
        cookies = [
            _cookie(request, SESSION, token.access_token, max_age=lifetime),
            _cookie(request, CSRF, secrets.token_urlsafe(32)),  # a fresh CSRF token for the new session
        ]
        return Redirect("/dashboard", status_code=303, cookies=cookies, headers=HEADERS)

    @post("/logout", status_code=200)
    async def logout(self, request: Request[Any, Any, Any]) -> Page:
        form = await request.form()
        if not await _csrf_ok(request, form):
            caller = await page_caller(request)
            return _message(request, caller, "退出请求未通过安全校验，请返回仪表盘后重试。", 403)
        token = request.cookies.get(SESSION, "")
        if _TOKEN.match(token):
            await auth.logout(token)
        gone = Redirect("/login", status_code=303, headers=HEADERS)
        gone.delete_cookie(SESSION, path="/")
        return gone

    @get("/dashboard")
    async def dashboard(self, request: Request[Any, Any, Any]) -> Page:
        caller = await page_caller(request)
        if caller is None:
            return Redirect("/login", status_code=303)
        query = request.query_params
        code: str | None = None
        try:
            code = await _area_code(caller, query.get("area"))
            context = await dashboard.load(caller, code, _as_of(query.get("as_of")))
        except DomainError as refused:
            return _message(request, caller, *_refusal(refused, code))
        token, cookies = _csrf(request)
        context["csrf"] = token
        return Template("dashboard.html", context=context, cookies=cookies, headers=HEADERS)

    @get("/dashboard/export")
    async def export(self, request: Request[Any, Any, Any]) -> Page:
        """The dashboard's downloads (participation by child area, or per team), with the page's session."""
        caller = await page_caller(request)
        if caller is None:
            return Redirect("/login", status_code=303)
        query = request.query_params
        what, file_format = query.get("what", "participation"), query.get("format", "xlsx")
        code: str | None = None
        try:
            if what not in ("participation", "teams") or file_format not in ("xlsx", "csv"):
                raise Invalid("只能下载 participation 或 teams，格式 xlsx 或 csv", field="what", code="invalid_export")
            code = await _area_code(caller, query.get("area"))
            as_of = _as_of(query.get("as_of"))
            if what == "teams":
                table = exports.teams_table(await views.teams(caller, code, as_of))
            else:
                table = exports.participation_table(await service.participation(caller, code, as_of, breakdown=True))
        except DomainError as refused:
            return _message(request, caller, *_refusal(refused, code))
        return exports.download(table, file_format)


PAGES = [DashboardPages]
