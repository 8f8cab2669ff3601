"""Small server-side SVG charts: horizontal bars, columns and a line. No script, no external assets.

Every label is escaped; the SVG scales to its container (viewBox, width 100%), so one drawing
serves a laptop and a phone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 480
FONT = 'font-family="PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"'
PALETTE = ("#c0392b", "#2c7fb8", "#e6a23c", "#3b8b5a", "#7d5ba6", "#8c8c8c")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    color: str = PALETTE[0]


def number(value: float | None, unit: str = "") -> str:
    """1,234 or 17.16 or 17.16% — how a figure reads on the page."""
    if value is None:
        return "无数据"
    if unit == "%":
        return f"{value:,.2f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def axis(value: float, *, whole: bool = False) -> tuple[float, float]:
    """(top, step) of an axis from 0 that holds `value` in at most five steps of 1, 2, 2.5 or 5 × 10^k."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    multipliers = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    step = next(float(m * power) for m in multipliers if raw <= m * power)
    if whole:
        step = max(step, 1.0)
    return round(step * math.ceil(value / step - 1e-9), 10), step


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 13, fill: str = "#333") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">'
        f"{escape(content)}</text>"
    )


def _svg(title: str, height: float, body: list[str]) -> Markup:
    return Markup(  # noqa: S704 - every piece of text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'role="img" aria-label="{escape(title)}" {FONT} class="chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(series: list[Series], y: float) -> list[str]:
    parts, x = [], 8.0
    for s in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{s.color}"/>')
        parts.append(_text(x + 16, y, s.name, size=12))
        x += 16 + 13 * len(s.name) + 18
    return parts


def bars(title: str, labels: list[str], series: list[Series], *, unit: str = "", missing: str = "无数据") -> Markup:
    """Horizontal bars, one group per label, one bar per series; a missing value says `missing`."""
    label_width, value_width, bar = 116, 84, 18
    span = WIDTH - label_width - value_width
    top = 28.0 if len(series) > 1 else 8.0
    group = bar * len(series) + 12
    height = top + group * max(len(labels), 1) + 8
    peak, _ = axis(max((v for s in series for v in s.values if v is not None), default=0))
    body = _legend(series, 16) if len(series) > 1 else []
    if not labels:
        body.append(_text(WIDTH / 2, top + 20, "暂无数据", anchor="middle", fill="#888"))
    for i, label in enumerate(labels):
        y = top + i * group
        shown = label if len(label) <= 7 else label[:6] + "…"
        body.append(_text(label_width - 8, y + group / 2 + 1, shown, anchor="end", size=14))
        for j, s in enumerate(series):
            value = s.values[i]
            by = y + j * bar
            length = 0.0 if value is None else max(span * value / peak, 1.0 if value else 0.0)
            if value is not None:
                body.append(
                    f'<rect x="{label_width}" y="{by:.1f}" width="{length:.1f}" height="{bar - 3}" fill="{s.color}">'
                    f"<title>{escape(f'{label} · {s.name}：{number(value, unit)}')}</title></rect>"
                )
            said = missing if value is None else number(value, unit)
            fill = "#888" if value is None else "#333"
            body.append(_text(label_width + length + 6, by + bar - 5, said, size=13, fill=fill))
    return _svg(title, height, body)


def _frame(peak: float, step: float, top: float, plot_height: float, left: float, unit: str) -> list[str]:
    parts = []
    for k in range(round(peak / step) + 1):
        value = step * k
        y = top + plot_height - plot_height * value / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 8}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(_text(left - 6, y + 4, number(value, unit), anchor="end", size=12, fill="#666"))
    return parts


def _month_labels(labels: list[str], xs: list[float], baseline: float) -> list[str]:
    parts = []
    step = 1 if len(labels) <= 6 else math.ceil(len(labels) / 6)
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % step == 0:
            parts.append(_text(x, baseline + 16, label, anchor="middle", size=12, fill="#555"))
    return parts


def columns(title: str, labels: list[str], values: list[float], *, unit: str = "", color: str = PALETTE[1]) -> Markup:
    """Vertical columns over time (e.g. activities per month)."""
    left, top, plot_height = 44.0, 14.0, 170.0
    peak, step = axis(max(values, default=0), whole=True)
    slot = (WIDTH - left - 8) / max(len(values), 1)
    body = _frame(peak, step, top, plot_height, left, unit)
    xs = []
    for i, value in enumerate(values):
        x = left + i * slot + slot * 0.18
        height = plot_height * value / peak
        xs.append(x + slot * 0.32)
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_height - height:.1f}" width="{slot * 0.64:.1f}" '
            f'height="{height:.1f}" fill="{color}">'
            f"<title>{escape(f'{labels[i]}：{number(value, unit)}')}</title></rect>"
        )
        if value:
            body.append(
                _text(x + slot * 0.32, top + plot_height - height - 4, number(value, unit), anchor="middle", size=12)
            )
    body += _month_labels(labels, xs, top + plot_height)
    return _svg(title, top + plot_height + 26, body)


def line(title: str, labels: list[str], values: list[float], *, unit: str = "", color: str = PALETTE[0]) -> Markup:
    """A line with points over time (e.g. hours per month)."""
    left, top, plot_height = 44.0, 14.0, 170.0
    peak, step = axis(max(values, default=0))
    slot = (WIDTH - left - 8) / max(len(values), 1)
    body = _frame(peak, step, top, plot_height, left, unit)
    points = [
        (left + i * slot + slot / 2, top + plot_height - plot_height * value / peak) for i, value in enumerate(values)
    ]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5"/>')
    for (x, y), label, value in zip(points, labels, values, strict=True):
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
            f"<title>{escape(f'{label}：{number(value, unit)}')}</title></circle>"
        )
    body += _month_labels(labels, [x for x, _ in points], top + plot_height)
    return _svg(title, top + plot_height + 26, body)
