"""The site's staff login session: the /login and /logout pages, the session cookie, CSRF.

The session is the bearer token of `auth.service.login`, kept in an HttpOnly, SameSite=Strict
cookie. Every form that changes something carries a CSRF token compared with a cookie of the
same value (double submit), so a page on another site cannot post here on a user's behalf.
Staff pages find their user with `page_caller` and send strangers to /login.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Response, Template

from volunteers import clock
from volunteers.access import Caller
from volunteers.auth import service as auth
from volunteers.auth.authentication import caller_for_token
from volunteers.errors import TooManyAttempts, Unauthorized
from volunteers.settings import get_settings

SESSION = "vol_session"
CSRF = "vol_csrf"
HOME = "/dashboard"  # where an official's login lands; staff land on their workbench
WORKBENCH = "/staff"
Page = Template | Redirect | Response[Any]
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,200}$")
# Security headers (CSP, frame, sniffing) come from volunteers.security on every response.
HEADERS = {"Cache-Control": "no-store"}
ROLES = {"admin": "管理员", "staff": "工作人员", "official": "统计查看"}


def _secure(request: Request[Any, Any, Any]) -> bool:
    return request.url.scheme == "https" or get_settings().public_base_url.startswith("https://")


def _cookie(request: Request[Any, Any, Any], key: str, value: str, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=key, value=value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )


def csrf_token(request: Request[Any, Any, Any]) -> tuple[str, list[Cookie]]:
    """The CSRF token of this browser, and the cookie to set when it is new."""
    current = request.cookies.get(CSRF, "")
    if _TOKEN.match(current):
        return current, []
    fresh = secrets.token_urlsafe(32)
    return fresh, [_cookie(request, CSRF, fresh)]


async def csrf_ok(request: Request[Any, Any, Any], form: Any) -> bool:
    """Whether a posted form carries this browser's CSRF token."""
    cookie = request.cookies.get(CSRF, "")
    sent = str(form.get("csrf", ""))[:200]
    return bool(_TOKEN.match(cookie)) and secrets.compare_digest(cookie.encode(), sent.encode())


async def page_caller(request: Request[Any, Any, Any]) -> Caller | None:
    """The logged-in staff user behind the session cookie, if any."""
    token = request.cookies.get(SESSION, "")
    return await caller_for_token(token) if _TOKEN.match(token) else None


class NoSession(Exception):
    """A page asked for without a valid session: the browser goes to /login (`to_login`)."""


async def session_caller(request: Request[Any, Any, Any]) -> Caller:
    """Dependency of a session page: its logged-in user, or NoSession."""
    caller = await page_caller(request)
    if caller is None:
        raise NoSession
    return caller


def to_login(_: Request[Any, Any, Any], __: NoSession) -> Redirect:
    return Redirect("/login", status_code=303)


def page_user(caller: Caller) -> dict[str, str]:
    """Who is logged in, as a page's header names them."""
    return {"name": caller.username, "role": ROLES.get(caller.role, caller.role)}


def message_page(
    request: Request[Any, Any, Any], caller: Caller | None, message: str, status: int, back: str = HOME
) -> Template:
    """A staff page that says only why it cannot show what was asked, with a way back."""
    token, cookies = csrf_token(request)
    user = page_user(caller) if caller else None
    context = {"error": message, "back": back, "csrf": token, "user": user}
    return Template("dashboard.html", context=context, status_code=status, cookies=cookies, headers=HEADERS)


# A path of this site: printable ASCII only (a browser drops tabs and newlines, so "/\t/evil.example" would
# become "//evil.example"), and not "//" or "/\\" (which browsers read as another host).
_LOCAL_PATH = re.compile(r"/(?![/\\])[\x21-\x7e]{0,499}")


def local_path(wanted: str | None) -> str | None:
    """`wanted` if it is a path of this site that is safe to send a browser to, else None."""
    return wanted if wanted and _LOCAL_PATH.fullmatch(wanted) else None


def landing(role: str, wanted: str | None = None) -> str:
    """Where a login lands: the page asked for before logging in (a path of this site only), else home."""
    return local_path(wanted) or (HOME if role == "official" else WORKBENCH)


def _login_page(
    request: Request[Any, Any, Any], error: str | None = None, status: int = 200, username: str = "", wanted: Any = ""
) -> Template:
    token, cookies = csrf_token(request)
    wanted = request.query_params.get("next", "") if request.method == "GET" else wanted
    context = {"csrf": token, "error": error, "username": username, "next": wanted if isinstance(wanted, str) else ""}
    return Template("login.html", context=context, status_code=status, cookies=cookies, headers=HEADERS)


class LoginPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(self, request: Request[Any, Any, Any]) -> Page:
        caller = await page_caller(request)
        if caller is not None:
            return Redirect(landing(caller.role, request.query_params.get("next")), status_code=303)
        return _login_page(request)

    @post("/login", status_code=200)
    async def login(self, request: Request[Any, Any, Any]) -> Page:
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        wanted = form.get("next")
        if not await csrf_ok(request, form):
            return _login_page(
                request, "页面已过期，请重新输入后登录", status=403, username=username[:64], wanted=wanted
            )
        valid = 0 < len(username) <= 64 and 0 < len(password) <= 200 and "\x00" not in username + password
        try:
            if not valid:
                raise Unauthorized("用户名或密码错误", code="bad_credentials")
            address = request.client.host if request.client else "unknown"
            token = await auth.login(username, password, address=address)
        except TooManyAttempts as throttled:
            return _login_page(request, throttled.message, status=429, username=username[:64], wanted=wanted)
        except Unauthorized:
            return _login_page(request, "用户名或密码错误", status=401, username=username[:64], wanted=wanted)
        lifetime = int((token.expires_at - clock.now()).total_seconds())
        cookies = [
            _cookie(request, SESSION, token.access_token, max_age=lifetime),
            _cookie(request, CSRF, secrets.token_urlsafe(32)),  # a fresh CSRF token for the new session
        ]
        caller = await caller_for_token(token.access_token)
        target = landing(caller.role if caller else "official", wanted if isinstance(wanted, str) else None)
        return Redirect(target, status_code=303, cookies=cookies, headers=HEADERS)

    @post("/logout", status_code=200)
    async def logout(self, request: Request[Any, Any, Any]) -> Page:
        form = await request.form()
        if not await csrf_ok(request, form):
            caller = await page_caller(request)
            return message_page(request, caller, "退出请求未通过安全校验，请返回仪表盘后重试。", 403)
        token = request.cookies.get(SESSION, "")
        if _TOKEN.match(token):
            await auth.logout(token)
        gone = Redirect("/login", status_code=303, headers=HEADERS)
        gone.delete_cookie(SESSION, path="/")
        return gone


PAGES = [LoginPages]
