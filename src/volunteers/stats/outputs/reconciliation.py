"""What the reconciliation page (/dashboard/reconcile) shows: reported figures (a bulletin's registered and
active volunteers, rates, population, teams) against the records, through `stats.reconcile.reconcile`,
the service behind POST /api/v1/stats/reconcile, so the page and the API can never disagree.

The form carries the API's field names, flattened: `registered`, `active`, `registration_rate`,
`active_rate`, `resident_population`, `teams` (the API's `reported`), and `window_days`, `min_hours`
(its `parameters`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from volunteers.access import Caller
from volunteers.areas import service as areas
from volunteers.errors import DomainError, Invalid
from volunteers.fields import today
from volunteers.stats.definitions import SOURCE_NAMES
from volunteers.stats.outputs.charts import number
from volunteers.stats.reconcile import reconcile
from volunteers.stats.schemas import Comparison, ReconcileIn
from volunteers.validation_messages import explain, located_field
from volunteers.web.session import page_user

REPORTED = ("registered", "active", "registration_rate", "active_rate", "resident_population", "teams")
PARAMETERS = ("window_days", "min_hours")
NAMES = {
    "registered": "注册志愿者数",
    "active": "活跃志愿者数",
    "registration_rate": "注册率（%）",
    "active_rate": "活跃率（%）",
    "resident_population": "常住人口",
    "teams": "服务队数",
    "window_days": "统计窗口天数",
    "min_hours": "最低服务时长（小时）",
    "as_of": "统计日期",
    "area": "区域",
}
RATES = ("registration_rate", "active_rate")


def _invalid(exc: msgspec.ValidationError) -> Invalid:
    """A form value the API's body would refuse, said with the field's Chinese name."""
    field = located_field(str(exc)).rsplit(".", 1)[-1]
    label = f"{NAMES[field]}（{field}）" if field in NAMES else field
    return Invalid(explain(str(exc), label), field=field or None, code="invalid_field")


def _row(c: Comparison) -> dict[str, Any]:
    unit = "%" if c.figure in RATES else ""
    implied = [f"{NAMES.get(name, name)}应为 {number(value)}" for name, value in (c.implied or {}).items()]
    return {
        "figure": c.figure,
        "name": NAMES.get(c.figure, c.figure),
        "reported": number(c.reported, unit),
        "computed": "—" if c.computed is None else number(c.computed, unit),
        "difference": "—" if c.difference is None else number(c.difference) + (" 个百分点" if unit else ""),
        "agrees": c.agrees,
        "implied": "；或".join(implied),
        "note": c.note,
    }


async def _area_choices(caller: Caller) -> list[dict[str, str]]:
    items, _ = await areas.list_areas(caller, parent=None, level=None, limit=1000, offset=0)
    top = min((a.path.count("/") for a in items), default=0)
    return [{"code": a.code, "label": "　" * (a.path.count("/") - top) + a.name} for a in items]


async def reconcile_context(caller: Caller, code: str, query: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """The page's content and status: the form as typed, and the comparison once a figure is reported.

    An area outside the caller's subtree is absent (404, raised); a value the API would refuse is said
    on the page next to what was typed (422)."""
    area = await areas.get_area(caller, code)
    typed = {
        name: value.strip()[:30]
        for name in (*REPORTED, *PARAMETERS, "as_of")
        if isinstance(value := query.get(name), str)
    }
    context: dict[str, Any] = {
        "user": page_user(caller),
        "workbench": caller.role != "official",
        "area": area,
        "areas": await _area_choices(caller),
        "typed": typed,
        "as_of": typed.get("as_of") or today().isoformat(),
        "names": NAMES,
        "reported_fields": REPORTED,
        "result": None,
        "error": None,
        "error_field": None,
    }
    reported = {name: typed[name] for name in REPORTED if typed.get(name)}
    if not reported:
        return context, 200
    parameters = {name: typed[name] for name in PARAMETERS if typed.get(name)}
    body = {"area": area.code, "as_of": context["as_of"], "reported": reported, "parameters": parameters or None}
    try:
        try:
            data = msgspec.convert(body, ReconcileIn, strict=False)
        except msgspec.ValidationError as exc:
            raise _invalid(exc) from exc
        result = await reconcile(caller, data)
    except DomainError as refused:
        if refused.status != 422:
            raise
        context.update(error=refused.message, error_field=refused.field)
        return context, 422
    p = result.parameters
    context["result"] = {
        "rows": [_row(c) for c in result.comparisons],
        "consistency": result.consistency,
        "parameters": (
            f"统计窗口 {p.window_start} 至 {p.window_end}（{p.window_days} 天）· 最低服务时长 {p.min_hours:g} 小时 · "
            f"时长来源 {'、'.join(SOURCE_NAMES[s] for s in p.sources)}"
        ),
    }
    return context, 200
