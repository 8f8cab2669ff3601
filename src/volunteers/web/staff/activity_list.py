"""The workbench's activity list (/staff/activities): the caller's subtree, filtered by status, dates, area and
a title search, a page at a time. The filters are the API's (`status`, `area`, `from`, `to`) plus `q`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from volunteers import db
from volunteers.access import Caller
from volunteers.activities.service import STATUS_LABELS
from volunteers.areas.service import list_areas
from volunteers.errors import Invalid
from volunteers.fields import LOCAL_TZ, like_literal
from volunteers.web.staff.frame import local

PAGE_SIZE = 20
FILTERS = ("q", "status", "area", "from", "to")
DATE_LABELS = {"from": "开始日期", "to": "结束日期"}


def span(start: datetime, end: datetime) -> str:
    """2026-03-05 14:00–17:00, or both dates when it runs over midnight (district time)."""
    first, last = local(start), local(end)
    return f"{first}–{last[11:]}" if first[:10] == last[:10] else f"{first} – {last}"


def _day(filters: dict[str, str], name: str) -> date | None:
    text = filters[name]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        label = DATE_LABELS[name]
        raise Invalid(f"{label}（{name}）不是有效日期，应如 2026-05-01", field=name, code="invalid_date") from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ)


def _offset(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 9 else 0


async def _rows(caller: Caller, filters: dict[str, str], offset: int) -> list[dict[str, Any]]:
    """One page of matching activities; a malformed filter is a 422 naming it."""
    if filters["status"] and filters["status"] not in STATUS_LABELS:
        raise Invalid(f"状态（status）只能是 {'、'.join(STATUS_LABELS.values())} 之一", field="status")
    first, last = _day(filters, "from"), _day(filters, "to")
    if first and last and last < first:
        raise Invalid(f"结束日期（to）{last} 早于开始日期（from）{first}", field="to", code="to_before_from")
    rows = await db.fetch(
        "web/activities_list",
        caller.scope_prefix,
        filters["area"] or None,
        filters["status"] or None,
        _start_of(first) if first else None,
        _start_of(last) + timedelta(days=1) if last else None,
        f"%{like_literal(filters['q'])}%" if filters["q"] else None,
        PAGE_SIZE,
        offset,
    )
    return [
        {
            **dict(r),
            "status_label": STATUS_LABELS[r["status"]],
            "when": span(r["starts_at"], r["ends_at"]),
        }
        for r in rows
    ]


async def list_context(caller: Caller, query: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """What the list page shows for these query parameters, and its status (422 for a malformed filter)."""
    filters = {name: str(query.get(name) or "").strip()[:100] for name in FILTERS}
    offset = _offset(str(query.get("offset") or ""))
    areas, _ = await list_areas(caller, parent=None, level=None, limit=1000, offset=0)
    depth = min((a.path.count("/") for a in areas), default=0)
    context: dict[str, Any] = {
        "filters": filters,
        "statuses": STATUS_LABELS,
        "areas": [{"code": a.code, "name": a.name, "indent": a.path.count("/") - depth} for a in areas],
        "rows": [],
        "total": 0,
        "error": None,
        "previous": None,
        "next": None,
        "offset": offset,
    }
    try:
        rows = await _rows(caller, filters, offset)
    except Invalid as exc:
        context["error"] = {"field": exc.field or "", "message": exc.message}
        return context, 422
    total = int(rows[0]["total"]) if rows else 0
    kept = {name: value for name, value in filters.items() if value}
    if offset > 0:
        context["previous"] = "?" + urlencode({**kept, "offset": max(offset - PAGE_SIZE, 0)})
    if offset + PAGE_SIZE < total:
        context["next"] = "?" + urlencode({**kept, "offset": offset + PAGE_SIZE})
    context.update(rows=rows, total=total, first=offset + 1, last=offset + len(rows))
    return context, 200
