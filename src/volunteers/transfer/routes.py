"""Imports (multipart upload, blank templates) and exports (XLSX or CSV) of the registry's lists."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

import anyio
from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter

from volunteers.access import Caller
from volunteers.activities.schemas import Status as ActivityStatus
from volunteers.fields import AreaQuery, IdQuery, SearchQuery
from volunteers.people.schemas import Status as VolunteerStatus
from volunteers.teams.schemas import MemberStatus, TeamStatus
from volunteers.transfer import exports
from volunteers.transfer.columns import kind_spec
from volunteers.transfer.imports import run_import
from volunteers.transfer.readers import MB, ImportLimits
from volunteers.transfer.schemas import FileFormat, ImportForm, ImportReport
from volunteers.transfer.workbooks import XLSX, annotated, template

KindPath = Annotated[
    str, Parameter(max_length=40, description="volunteers, teams, memberships, activities, service-records")
]
FormatQuery = Annotated[FileFormat, Parameter(query="format", description="xlsx（默认）或 csv（UTF-8 带 BOM）")]

# The multipart envelope around a file at the limit needs a little room; the file itself is checked exactly.
_UPLOAD_BODY_LIMIT = ImportLimits.from_env().max_bytes + MB

_IMPORT_DOC = """Upload a spreadsheet (multipart form: `file` .xlsx or .csv, `area` area code, `dry_run`, `partial`).

Every row is checked with the API's rules before anything is written. All-or-nothing by default:
any error → 422 with the report and nothing written; `partial=true` writes the valid rows (200).
`dry_run=true` checks and reports what would be created and updated, writing nothing.
`?format=xlsx` answers with the uploaded sheet itself, an added 错误说明 column and the bad cells
shaded, instead of the JSON report (same status; counts in `X-Import-*` headers)."""


def _attachment(name: str) -> str:
    return f"attachment; filename=\"{quote(name.encode('ascii', 'replace'))}\"; filename*=UTF-8''{quote(name)}"


class ImportController(Controller):
    path = "/imports"
    tags = ["imports"]

    @post(
        "/{kind:str}",
        status_code=200,
        request_max_body_size=_UPLOAD_BODY_LIMIT,
        summary="Import volunteers, teams, memberships, activities or service records from XLSX/CSV",
        description=_IMPORT_DOC,
        responses={
            200: ResponseSpec(ImportReport, description="检查或导入完成：报告或标注后的表格", generate_examples=False),
            422: ResponseSpec(
                ImportReport, description="导入被拒绝：逐行错误报告，未写入任何数据", generate_examples=False
            ),
        },
    )
    async def upload(
        self,
        caller: Caller,
        kind: KindPath,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        answer: Annotated[Literal["json", "xlsx"], Parameter(query="format")] = "json",
    ) -> Response[Any]:
        kind_spec(kind)
        content = await data.file.read()
        outcome = await run_import(
            caller, kind, content, data.file.filename, data.area, dry_run=data.dry_run, partial=data.partial
        )
        status = 422 if outcome.refused else 200
        if answer == "json":
            return Response[ImportReport](outcome.report, status_code=status)
        marked = await anyio.to_thread.run_sync(annotated, content, outcome.sheet, outcome.header, outcome.errors)
        report = outcome.report
        return Response(
            marked,
            status_code=status,
            media_type=XLSX,
            headers={
                "Content-Disposition": _attachment(f"导入检查_{report.file.rsplit('.', 1)[0]}.xlsx"),
                "X-Import-Rows": str(report.rows),
                "X-Import-Valid": str(report.valid),
                "X-Import-Written": str(report.written),
                "X-Import-Errors": str(report.error_count),
            },
        )

    @get("/{kind:str}/template", summary="A blank XLSX with the kind's Chinese headers and a sheet explaining them")
    async def template(self, kind: KindPath) -> Response[bytes]:
        spec = kind_spec(kind)
        content = await anyio.to_thread.run_sync(template, spec)
        return Response(
            content, media_type=XLSX, headers={"Content-Disposition": _attachment(f"{spec.label}导入模板.xlsx")}
        )


def _file(export: exports.ExportFile) -> Response[bytes]:
    return Response(
        export.content, media_type=export.media_type, headers={"Content-Disposition": _attachment(export.filename)}
    )


class ExportController(Controller):
    path = "/exports"
    tags = ["exports"]

    @get("/volunteers", summary="Volunteers as XLSX/CSV (filters as GET /volunteers); ID numbers masked")
    async def volunteers(
        self,
        caller: Caller,
        file_format: FormatQuery = "xlsx",
        area: AreaQuery = None,
        status: VolunteerStatus | None = None,
        q: SearchQuery = None,
    ) -> Response[bytes]:
        rows = await exports.volunteer_rows(caller, area=area, status=status, q=q)
        return _file(await exports.export_file("volunteers", rows, file_format, area))

    @get("/teams", summary="Teams as XLSX/CSV (filters as GET /teams)")
    async def teams(
        self,
        caller: Caller,
        file_format: FormatQuery = "xlsx",
        area: AreaQuery = None,
        status: TeamStatus | None = None,
        q: SearchQuery = None,
    ) -> Response[bytes]:
        rows = await exports.team_rows(caller, area=area, status=status, q=q)
        return _file(await exports.export_file("teams", rows, file_format, area))

    @get("/memberships", summary="Team members as XLSX/CSV: by area, team, and current/former/all (default all)")
    async def memberships(
        self,
        caller: Caller,
        file_format: FormatQuery = "xlsx",
        area: AreaQuery = None,
        team: IdQuery = None,
        status: MemberStatus = "all",
    ) -> Response[bytes]:
        rows = await exports.membership_rows(caller, area=area, team=team, status=None if status == "all" else status)
        return _file(await exports.export_file("memberships", rows, file_format, area))

    @get("/activities", summary="Activities as XLSX/CSV (filters as GET /activities)")
    async def activities(
        self,
        caller: Caller,
        file_format: FormatQuery = "xlsx",
        area: AreaQuery = None,
        team: IdQuery = None,
        venue: IdQuery = None,
        category: Annotated[str | None, Parameter(max_length=50)] = None,
        status: ActivityStatus | None = None,
        from_: Annotated[date | None, Parameter(query="from")] = None,
        to: date | None = None,
    ) -> Response[bytes]:
        rows = await exports.activity_rows(
            caller, area=area, team=team, venue=venue, category=category, status=status, from_=from_, to=to
        )
        return _file(await exports.export_file("activities", rows, file_format, area))

    @get("/service-records", summary="Service records as XLSX/CSV: by area, activity, volunteer, status, source, dates")
    async def service_records(
        self,
        caller: Caller,
        file_format: FormatQuery = "xlsx",
        area: AreaQuery = None,
        activity: IdQuery = None,
        volunteer: IdQuery = None,
        status: Literal["pending", "approved", "rejected"] | None = None,
        source: Literal["checkin", "manual"] | None = None,
        from_: Annotated[date | None, Parameter(query="from")] = None,
        to: date | None = None,
    ) -> Response[bytes]:
        rows = await exports.record_rows(
            caller,
            area=area,
            activity=activity,
            volunteer=volunteer,
            status=status,
            source=source,
            from_=from_,
            to=to,
        )
        return _file(await exports.export_file("service-records", rows, file_format, area))


CONTROLLERS = [ImportController, ExportController]
