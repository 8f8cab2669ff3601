"""What every workbench page shares: who is logged in, CSRF on every form, the layout, and refusals as pages.

A page controller subclasses `StaffPages`: its handlers take `caller: Caller` (the session's staff user;
a stranger is sent to /login and comes back afterwards) and, to change something, `form: Form` (the posted
form, its CSRF token already checked). A `DomainError` a service raises becomes the staff message page
with the same status, so a handler only parses, calls the service and renders. Form fields carry the JSON
API's field names, so `struct_from(form, SomeIn)` turns a form into the API's request Struct.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import quote

import msgspec
from litestar import Controller, Request
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect, Template

from volunteers.access import Caller
from volunteers.errors import DomainError, Forbidden, Invalid, labelled
from volunteers.fields import local_time
from volunteers.validation_messages import explain, located_field
from volunteers.web.session import HEADERS, csrf_ok, csrf_token, local_path, page_caller, page_user

S = TypeVar("S")
Form = FormMultiDict

# (path, label, roles that see it): the workbench's sections, in the order of a day's work.
SECTIONS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("/staff", "首页", frozenset({"admin", "staff"})),
    ("/staff/activities", "活动", frozenset({"admin", "staff"})),
    ("/staff/hours", "工时审核", frozenset({"admin", "staff"})),
    ("/staff/volunteers", "志愿者", frozenset({"admin", "staff"})),
    ("/staff/teams", "服务队", frozenset({"admin", "staff"})),
    ("/staff/venues", "阵地", frozenset({"admin", "staff"})),
    ("/staff/imports", "导入导出", frozenset({"admin", "staff"})),
    ("/staff/users", "账号", frozenset({"admin"})),
    ("/staff/areas", "区域", frozenset({"admin"})),
    ("/dashboard", "统计", frozenset({"admin", "staff", "official"})),
)


class NotLoggedIn(Exception):
    """No valid session: the page sends the browser to /login, to come back to `back`."""

    def __init__(self, back: str) -> None:
        super().__init__(back)
        self.back = back


def _here(request: Request[Any, Any, Any]) -> str:
    """This page's path and query, to come back to after logging in (always a local path)."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    return request.url.path + (f"?{query}" if query else "")


async def workbench_caller(request: Request[Any, Any, Any]) -> Caller:
    """Dependency: the logged-in staff user; officials keep the dashboard (403 on the workbench)."""
    caller = await page_caller(request)
    if caller is None:
        raise NotLoggedIn(_here(request) if request.method == "GET" else request.url.path)
    request.state.caller = caller  # for a refusal's page, which cannot look it up again (handlers are sync)
    if caller.role == "official":
        raise Forbidden("统计查看账号请使用统计仪表盘（/dashboard）", code="read_only")
    return caller


async def checked_form(request: Request[Any, Any, Any], caller: Caller) -> Form:
    """Dependency: the posted form, refused (403) unless it carries this browser's CSRF token.

    It takes the caller, so the session is asked first: Litestar resolves independent dependencies
    concurrently, and a stranger's post must go to the login page (303), not to whichever refusal came first.
    """
    form = await request.form()
    if not await csrf_ok(request, form):
        raise Forbidden("页面已过期或来自别的网站，请刷新页面后重试", code="csrf_failed")
    return form


def render(
    request: Request[Any, Any, Any], caller: Caller | None, template: str, status: int = 200, **context: Any
) -> Template:
    """A workbench page: the layout's user, sections and CSRF token, then the page's own context."""
    token, cookies = csrf_token(request)
    sections = [(path, label) for path, label, roles in SECTIONS if caller is not None and caller.role in roles]
    frame = {
        "csrf": token,
        "user": page_user(caller) if caller else None,
        "sections": sections,
        "here": request.url.path,
    }
    return Template(
        f"staff/{template}", context={**frame, **context}, status_code=status, cookies=cookies, headers=HEADERS
    )


def _to_login(request: Request[Any, Any, Any], exc: NotLoggedIn) -> Redirect:
    return Redirect(f"/login?next={quote(exc.back, safe='/')}", status_code=303, headers=HEADERS)


def _refused(request: Request[Any, Any, Any], exc: DomainError) -> Template:
    caller: Caller | None = request.state.get("caller")
    back = request.headers.get("referer") or "/staff"
    return render(request, caller, "message.html", status=exc.status, message=exc.message, back=_local(back))


def _local(url: str) -> str:
    """Only a path of this site may be a link back (a referer could name any site)."""
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
    return local_path(path) or "/staff"


class StaffPages(Controller):
    """The base of every workbench controller: the session caller, the checked form, refusals as pages."""

    include_in_schema = False
    dependencies = {
        "caller": Provide(workbench_caller),
        "form": Provide(checked_form),
    }
    exception_handlers = {NotLoggedIn: _to_login, DomainError: _refused}


def fields_of(form: Form, names: Iterable[str], lists: Iterable[str] = ()) -> dict[str, Any]:
    """The named fields a form filled in (blank ones left out), `lists` as lists of all their values."""
    data: dict[str, Any] = {}
    many = set(lists)
    for name in names:
        if name in many:
            values = [v.strip() for v in form.getall(name, []) if isinstance(v, str) and v.strip()]
            data[name] = values
        elif isinstance(value := form.get(name), str) and value.strip():
            data[name] = value.strip()
    return data


def struct_from(data: dict[str, Any], kind: type[S]) -> S:
    """The API's request Struct from form fields (text converted as the API would), or a 422 naming the field."""
    try:
        return msgspec.convert(data, kind, strict=False)
    except msgspec.ValidationError as exc:
        field = located_field(str(exc))
        raise Invalid(explain(str(exc), labelled(field)), field=field or None, code="invalid_field") from exc


local = local_time  # how a workbench page shows a time (2026-03-05 14:00)
