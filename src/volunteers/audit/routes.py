"""The audit trail, for admins."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import Parameter

from volunteers.access import Caller
from volunteers.audit import service
from volunteers.audit.schemas import AuditOut, AuditPage
from volunteers.fields import Limit, Offset


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]
    opt = {"problems": (403,)}  # admins only: the service refuses anyone else

    @get("/", summary="Audit entries in your subtree, newest first; filter by entity and id")
    async def index(
        self,
        caller: Caller,
        entity: Annotated[str | None, Parameter(max_length=32)] = None,
        entity_id: Annotated[str | None, Parameter(max_length=64)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> AuditPage:
        rows, total = await service.list_entries(caller, entity=entity, entity_id=entity_id, limit=limit, offset=offset)
        return AuditPage(items=msgspec.convert(rows, list[AuditOut]), total=total)


CONTROLLERS = [AuditController]
