"""Imports on the workbench (/staff/imports): choose a kind and an area of my subtree, upload a sheet, read the
row-level report, download the sheet marked with its errors, then confirm; blank templates to download.

Every run is `transfer.imports.run_import`, as the API's upload (same checks, same all-or-nothing, same size
limits); the marked sheet is `transfer.workbooks.annotated`, as the API's `?format=xlsx`. Nothing is stored
between the check and the write: the confirmation asks for the same file again, with `dry_run=false`, and
carries the SHA-256 of the file that was checked (`checked`); a different file is only checked again, never
written unseen. Downloading the marked sheet never writes.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

import anyio
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Response, Template

from volunteers.access import Caller
from volunteers.errors import DomainError, Invalid
from volunteers.transfer.columns import KINDS, KindSpec, kind_spec
from volunteers.transfer.imports import run_import
from volunteers.transfer.readers import MB, ImportLimits
from volunteers.transfer.workbooks import XLSX, annotated, template
from volunteers.web.session import HEADERS
from volunteers.web.staff.areas import area_options
from volunteers.web.staff.frame import Form, StaffPages, render

# The multipart envelope around a file at the limit needs a little room; the file itself is checked exactly.
UPLOAD_BODY_LIMIT = ImportLimits.from_env().max_bytes + MB
SHOWN_ERRORS = 200  # on the page; the marked sheet has every one
_DIGEST = 64


def attachment(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    """A file download named in Chinese (RFC 6266 filename*), never cached."""
    ascii_name = quote(filename.encode("ascii", "replace"))
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={**HEADERS, "Content-Disposition": disposition})


def _kinds() -> list[dict[str, str]]:
    return [{"name": spec.name, "label": spec.label} for spec in KINDS.values()]


def _flag(form: Form, name: str) -> bool:
    return str(form.get(name, "")).lower() in ("true", "on", "1", "yes")


class ImportPages(StaffPages):
    @get("/staff/imports")
    async def index(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        wanted = request.query_params.get("kind", "")
        typed = {"kind": wanted if wanted in KINDS else "volunteers", "area": caller.area_code or ""}
        return await self._page(request, caller, typed=typed)

    @get("/staff/imports/{kind:str}/template")
    async def template(self, caller: Caller, kind: str) -> Response[bytes]:
        spec = kind_spec(kind[:40])
        return attachment(await anyio.to_thread.run_sync(template, spec), XLSX, f"{spec.label}导入模板.xlsx")

    @post("/staff/imports/upload", status_code=200, request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template | Response[bytes]:
        typed = {name: str(form.get(name, "")).strip()[:40] for name in ("kind", "area")}
        typed["partial"] = "true" if _flag(form, "partial") else ""
        upload = form.get("file")
        try:
            spec = _kind(typed["kind"])
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid("请选择要导入的文件（file）：.xlsx 或 .csv", field="file", code="file_required")
            content = await upload.read()
        except Invalid as refused:
            return await self._page(request, caller, typed=typed, error=refused, status=422)
        digest = hashlib.sha256(content).hexdigest()
        download = form.get("format") == "xlsx"
        dry_run = download or form.get("dry_run") != "false"  # the page checks first unless told to write
        checked = str(form.get("checked", ""))[:_DIGEST]
        changed = not dry_run and bool(checked) and checked != digest
        if changed:
            dry_run = True  # not the file that was checked: check this one, write nothing
        try:
            outcome = await run_import(
                caller,
                spec.name,
                content,
                upload.filename,
                typed["area"],
                dry_run=dry_run,
                partial=bool(typed["partial"]),
            )
        except DomainError as refused:
            if refused.status not in (413, 422):
                raise  # an area outside the subtree: 403, as the API answers
            return await self._page(request, caller, typed=typed, error=refused, status=refused.status)
        report = outcome.report
        if download:
            marked = await anyio.to_thread.run_sync(annotated, content, outcome.sheet, outcome.header, outcome.errors)
            return attachment(marked, XLSX, f"导入检查_{report.file.rsplit('.', 1)[0]}.xlsx")
        return await self._page(
            request,
            caller,
            typed=typed,
            report=report,
            label=spec.label,
            digest=digest,
            changed=changed,
            errors=report.errors[:SHOWN_ERRORS],
            status=422 if outcome.refused else 200,
        )

    async def _page(
        self,
        request: Request[Any, Any, Any],
        caller: Caller,
        *,
        typed: dict[str, str],
        error: DomainError | None = None,
        status: int = 200,
        **report: Any,
    ) -> Template:
        limits = ImportLimits.from_env()
        return render(
            request,
            caller,
            "imports.html",
            status=status,
            kinds=_kinds(),
            areas=await area_options(caller),
            typed=typed,
            error=error.message if error else None,
            error_field=error.field if error else None,
            max_mb=limits.max_bytes // MB,
            max_rows=limits.max_rows,
            shown_errors=SHOWN_ERRORS,
            **report,
        )


def _kind(name: str) -> KindSpec:
    """The kind chosen in the form's picker (its API name), or a 422 naming the field."""
    if name not in KINDS:
        raise Invalid(f"请选择导入的类型（kind）：{'、'.join(s.label for s in KINDS.values())}", field="kind")
    return KINDS[name]
