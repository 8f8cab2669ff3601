"""Writing and reading the audit trail."""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from volunteers.access import Caller
from volunteers.audit.tables import AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a Struct or dict (dates as ISO strings)."""
    if value is None:
        return None
    return msgspec.to_builtins(value)


async def record(
    caller: Caller | None,
    action: str,
    entity: str,
    entity_id: Any,
    *,
    area_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one audit entry; call inside the transaction that makes the change."""
    await AuditEntry.insert(
        AuditEntry(
            user=caller.user_id if caller else None,
            username=caller.username if caller else "system",
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            area=area_id,
            before=msgspec.json.encode(_plain(before)).decode() if before is not None else None,
            after=msgspec.json.encode(_plain(after)).decode() if after is not None else None,
        )
    )


async def list_entries(
    caller: Caller, *, entity: str | None, entity_id: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Entries about things inside the caller's subtree, newest first (admins only)."""
    caller.require_admin()
    where: Combinable = AuditEntry.id > 0
    if caller.area_path is not None:
        where = where & AuditEntry.area.path.like(caller.scope_prefix)
    if entity:
        where = where & (AuditEntry.entity == entity)
    if entity_id:
        where = where & (AuditEntry.entity_id == entity_id)
    rows = (
        await AuditEntry.select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.username,
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.area.code.as_alias("area_code"),
            AuditEntry.before,
            AuditEntry.after,
        )
        .where(where)
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
    )
    total = await AuditEntry.count().where(where)
    return rows, total
