"""Reconciliation: published figures against the records, and against each other."""

from __future__ import annotations

import math
from decimal import Decimal

from volunteers.access import Caller
from volunteers.stats.figures import participation, percent, rounded
from volunteers.stats.schemas import Comparison, Consistency, ReconcileIn, ReconcileOut, ReconcileParameters

# A published rate like 17.16 stands for anything that rounds to it.
RATE_TOLERANCE = 0.005


def _rate_comparison(figure: str, reported: float, computed: float | None, implied: dict[str, float]) -> Comparison:
    difference = None if computed is None else rounded(Decimal(str(reported)) - Decimal(str(computed)))
    return Comparison(
        figure=figure,
        reported=reported,
        computed=computed,
        difference=difference,
        agrees=None if computed is None else abs(Decimal(str(reported)) - Decimal(str(computed))) <= Decimal("0.005"),
        tolerance=RATE_TOLERANCE,
        implied=implied or None,
        note=None if computed is not None else "记录中缺少计算该比率所需的数据（如常住人口）",
    )


def _count_comparison(figure: str, reported: int, computed: int | None) -> Comparison:
    return Comparison(
        figure=figure,
        reported=reported,
        computed=computed,
        difference=None if computed is None else reported - computed,
        agrees=None if computed is None else reported == computed,
        tolerance=0,
    )


def _implied(
    numerator_name: str, denominator_name: str, rate: float, numerator: int | None, denominator: int | None
) -> dict[str, float]:
    """What numerator (or denominator) the reported rate implies, given the other."""
    share = Decimal(str(rate)) / 100
    out: dict[str, float] = {}
    if denominator:
        out[numerator_name] = rounded(share * denominator, 0)
    if numerator is not None and share:
        out[denominator_name] = rounded(Decimal(numerator) / share, 0)
    return {name: v for name, v in out.items() if math.isfinite(v)}  # a rate near 0 implies no finite count


async def reconcile(caller: Caller, data: ReconcileIn) -> ReconcileOut:
    """For each reported figure: the recorded value, the difference, agreement, and what it implies."""
    p = data.parameters or ReconcileParameters()
    result = await participation(caller, p.query(data.area, data.as_of))
    f = result.figures
    r = data.reported

    def value(name: str) -> int | None:
        v = f[name].value
        return int(v) if v is not None else None

    comparisons: list[Comparison] = []
    for name in ("registered", "active", "resident_population", "teams"):
        reported = getattr(r, name)
        if reported is not None:
            comparisons.append(_count_comparison(name, reported, value(name)))
    if r.registration_rate is not None:
        registered = r.registered if r.registered is not None else value("registered")
        implied = _implied(
            "registered",
            "resident_population",
            r.registration_rate,
            registered,
            r.resident_population if r.resident_population is not None else value("resident_population"),
        )
        comparisons.append(
            _rate_comparison("registration_rate", r.registration_rate, f["registration_rate"].value, implied)
        )
    if r.active_rate is not None:
        active = r.active if r.active is not None else value("active")
        implied = _implied(
            "active",
            "registered",
            r.active_rate,
            active,
            r.registered if r.registered is not None else value("registered"),
        )
        comparisons.append(_rate_comparison("active_rate", r.active_rate, f["active_rate"].value, implied))

    consistency: list[Consistency] = []
    pairs = [
        ("registration_rate", r.registration_rate, r.registered, r.resident_population, "注册志愿者数 ÷ 常住人口"),
        ("active_rate", r.active_rate, r.active, r.registered, "活跃志愿者数 ÷ 注册志愿者数"),
    ]
    for check, rate, numerator, denominator, formula in pairs:
        if rate is None or numerator is None or not denominator:
            continue
        own = percent(numerator, denominator)
        assert own is not None
        agrees = abs(Decimal(str(rate)) - Decimal(str(own))) <= Decimal("0.005")
        note = (
            f"公布的 {rate}% 与公布的数字一致（{formula} = {own}%）"
            if agrees
            else f"公布的 {rate}% 与公布的数字不一致：{numerator} ÷ {denominator} = {own}%"
        )
        consistency.append(
            Consistency(check=check, reported_rate=rate, rate_from_reported_counts=own, agrees=agrees, note=note)
        )
    return ReconcileOut(
        area=result.area,
        as_of=data.as_of,
        parameters=result.parameters,
        comparisons=comparisons,
        consistency=consistency,
    )
