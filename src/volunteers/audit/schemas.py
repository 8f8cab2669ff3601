"""Response bodies for the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct


class AuditOut(Struct):
    id: int
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: str
    area_code: str | None
    before: Any
    after: Any


class AuditPage(Struct):
    items: list[AuditOut]
    total: int
