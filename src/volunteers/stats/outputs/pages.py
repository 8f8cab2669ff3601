"""The dashboard page, its downloads and the reconciliation page, behind the site's login session
(volunteers.web.session).

The pages call the same services as the API (dashboard.py builds what the dashboard shows; the
reconciliation page is `stats.reconcile.reconcile`, as POST /api/v1/stats/reconcile), so a figure on
a page is the figure the API answers; refusals are shown on the page, not as problem details.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.response import Template

from volunteers.access import Caller
from volunteers.errors import DomainError, Invalid, NotFound
from volunteers.fields import today
from volunteers.stats.figures import participation
from volunteers.stats.outputs import dashboard, exports
from volunteers.stats.outputs.reconciliation import reconcile_context
from volunteers.stats.schemas import FigureQuery
from volunteers.stats.views import team_figures
from volunteers.web.session import HEADERS, NoSession, Page, csrf_token, message_page, session_caller, to_login

_AREA = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    dependencies = {"caller": Provide(session_caller)}  # no session: to /login
    exception_handlers = {NoSession: to_login}

    @get("/dashboard")
    async def dashboard(self, request: Request[Any, Any, Any], caller: Caller) -> Page:
        query = request.query_params
        code: str | None = None
        try:
            code = await _area_code(caller, query.get("area"))
            context = await dashboard.load(caller, code, _as_of(query.get("as_of")))
        except DomainError as refused:
            return message_page(request, caller, *_refusal(refused, code))
        token, cookies = csrf_token(request)
        context["csrf"] = token
        return Template("dashboard.html", context=context, cookies=cookies, headers=HEADERS)

    @get("/dashboard/export")
    async def export(self, request: Request[Any, Any, Any], caller: Caller) -> Page:
        """The dashboard's downloads (participation by child area, or per team), with the page's session."""
        query = request.query_params
        what, file_format = query.get("what", "participation"), query.get("format", "xlsx")
        code: str | None = None
        try:
            if what not in ("participation", "teams") or file_format not in ("xlsx", "csv"):
                raise Invalid("只能下载 participation 或 teams，格式 xlsx 或 csv", field="what", code="invalid_export")
            code = await _area_code(caller, query.get("area"))
            as_of = _as_of(query.get("as_of"))
            if what == "teams":
                table = exports.teams_table(await team_figures(caller, FigureQuery(area=code, as_of=as_of)))
            else:
                figures = await participation(caller, FigureQuery(area=code, as_of=as_of, breakdown=True))
                table = exports.participation_table(figures)
        except DomainError as refused:
            return message_page(request, caller, *_refusal(refused, code))
        return exports.download(table, file_format)

    @get("/dashboard/reconcile")
    async def reconcile(self, request: Request[Any, Any, Any], caller: Caller) -> Page:
        """Reported figures against the records (a GET form: it compares, writing nothing)."""
        query = request.query_params
        code: str | None = None
        try:
            code = await _area_code(caller, query.get("area"))
            context, status = await reconcile_context(caller, code, query)
        except DomainError as refused:
            return message_page(request, caller, *_refusal(refused, code))
        token, cookies = csrf_token(request)
        context["csrf"] = token
        return Template("reconcile.html", context=context, status_code=status, cookies=cookies, headers=HEADERS)


PAGES = [DashboardPages]
