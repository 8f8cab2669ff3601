"""The Litestar application: routers, lifespan, error mapping, OpenAPI."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Response
from litestar.template.config import TemplateConfig

from volunteers import db, runtime
from volunteers.activities import routes as activities_routes
from volunteers.areas import routes as areas_routes
from volunteers.audit import routes as audit_routes
from volunteers.auth import routes as auth_routes
from volunteers.auth.authentication import BearerAuthentication, current_caller, read_only_officials
from volunteers.auth.routes import LoginController
from volunteers.checkin import pages as checkin_pages
from volunteers.checkin import routes as checkin_routes
from volunteers.errors import EXCEPTION_HANDLERS
from volunteers.json_nesting import JsonNestingLimit
from volunteers.limits import ScanLimits
from volunteers.openapi import DocumentedJsonRenderPlugin
from volunteers.people import routes as people_routes
from volunteers.query_strings import Utf8QueryStrings
from volunteers.security import add_security_headers, install_log_redaction
from volunteers.settings import get_settings
from volunteers.stats import routes as stats_routes
from volunteers.stats.outputs import pages as stats_pages
from volunteers.teams import routes as teams_routes
from volunteers.transfer import routes as transfer_routes
from volunteers.venues import routes as venues_routes
from volunteers.web import landing
from volunteers.web import session as web_session
from volunteers.web import staff as staff_pages

TEMPLATES = Path(__file__).parent / "web" / "templates"
MAX_BODY = 1024 * 1024  # bytes of a request body (spreadsheet uploads have their own route-level limit)

# Each routes.py lists its staff-API controllers in CONTROLLERS.
ROUTES = (
    auth_routes,
    areas_routes,
    people_routes,
    teams_routes,
    venues_routes,
    activities_routes,
    checkin_routes,
    stats_routes,
    transfer_routes,
    audit_routes,
)


def api_controllers() -> list[Any]:
    """Every staff-API controller, domain by domain."""
    return [c for routes in ROUTES for c in routes.CONTROLLERS]


@asynccontextmanager
async def lifespan(_: Litestar) -> AsyncIterator[None]:
    """Open the database pool for the life of the app (starting embedded PostgreSQL if needed)."""
    runtime.connect()
    await db.open_pool()
    try:
        yield
    finally:
        await db.close_pool()


@get(
    "/health",
    tags=["health"],
    summary="Liveness and database reachability (no auth)",
    responses={503: ResponseSpec(dict[str, str], description="数据库不可用", generate_examples=False)},
)
async def health() -> Response[dict[str, str]]:
    try:
        async with db.connection() as conn:
            await conn.fetchval("SELECT 1", timeout=5)
    except Exception:  # any failure to reach the database is what this endpoint reports
        return Response({"status": "degraded", "database": "unavailable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


def create_app() -> Litestar:
    """Build the application."""
    logging.getLogger("volunteers").setLevel(logging.INFO)
    install_log_redaction("volunteers", "litestar", "granian", "granian.access", "uvicorn.error")
    public_api = Router(path="/api/v1", route_handlers=[LoginController, *checkin_routes.PUBLIC_CONTROLLERS])
    staff_api = Router(
        path="/api/v1",
        route_handlers=api_controllers(),
        middleware=[DefineMiddleware(BearerAuthentication)],
        guards=[read_only_officials],
        dependencies={"caller": Provide(current_caller, sync_to_thread=False)},
    )
    settings = get_settings()
    return Litestar(
        route_handlers=[
            health,
            public_api,
            staff_api,
            *checkin_pages.PAGES,
            *web_session.PAGES,
            *landing.PAGES,
            *staff_pages.PAGES,
            *stats_pages.PAGES,
        ],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        state=State(
            {
                "scan_limits": ScanLimits(settings.scans_per_client_minute, settings.scans_per_phone_minute),
            }
        ),
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[add_security_headers],
        middleware=[Utf8QueryStrings, DefineMiddleware(JsonNestingLimit, max_body=MAX_BODY)],
        request_max_body_size=MAX_BODY,
        openapi_config=OpenAPIConfig(
            title="volunteers",
            version="1.0.0",
            description="志愿服务与新时代文明实践登记系统 API",
            path="/schema",
            render_plugins=[DocumentedJsonRenderPlugin(path=["/", "/openapi.json"])],
        ),
    )
