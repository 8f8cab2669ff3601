"""Small server-side SVG charts: horizontal bars, columns and a line. No script, no external assets.

Drawn for a phone first: the drawing is WIDTH units wide and the page never shows it much narrower than
that (296 px inside the cards of a 360 px screen), so text of at least MIN_TEXT units stays at least
12 px on the phone; the page caps the width (`.chart` max-width), so it never grows silly on a desk.
Every chart carries its title and unit as visible text (and as <title> for screen readers); every
label is escaped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 320
MIN_TEXT = 14  # 14 units at 296/320 scale ≈ 12.95 px: the smallest text a 360 px phone shows
TITLE_TEXT = 16
TITLE_BAND = 28.0  # the visible title's line at the top of every chart
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


def text_width(content: str, size: float = MIN_TEXT) -> float:
    """Roughly how wide `content` is drawn: a Chinese character is a full em, a digit or a letter about half."""
    return sum(size if ord(char) > 0x2E80 else size * 0.58 for char in content)


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = MIN_TEXT,
    fill: str = "#333",
    bold: bool = False,
) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{max(size, MIN_TEXT)}" fill="{fill}"{weight}>'
        f"{escape(content)}</text>"
    )


def _svg(title: str, unit_note: str, height: float, body: list[str]) -> Markup:
    """The drawing, under its visible title (with the unit) and with the title for screen readers."""
    label = f"{title}（{unit_note}）" if unit_note else title
    heading = _text(0, 19, label, size=TITLE_TEXT, fill="#222", bold=True)
    return Markup(  # noqa: S704 - every piece of text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'role="img" aria-label="{escape(label)}" {FONT} class="chart">'
        f"<title>{escape(label)}</title>{heading}{''.join(body)}</svg>"
    )


def _legend(series: list[Series], y: float) -> list[str]:
    parts, x = [], 0.0
    for s in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 11:.1f}" width="13" height="13" fill="{s.color}"/>')
        parts.append(_text(x + 18, y, s.name))
        x += 18 + text_width(s.name) + 16
    return parts


def _short(label: str, room: float) -> str:
    """`label`, cut with … to fit `room` units."""
    if text_width(label) <= room:
        return label
    while label and text_width(label + "…") > room:
        label = label[:-1]
    return label + "…"


def bars(
    title: str, labels: list[str], series: list[Series], *, unit: str = "", unit_note: str = "", missing: str = "无数据"
) -> Markup:
    """Horizontal bars: each label on its own line, then one bar per series with its value beside it.

    A phone has no room for a label column beside the bars, so the label goes above its group."""
    value_room, bar, label_line = 78.0, 18.0, 20.0
    span = WIDTH - value_room
    top = TITLE_BAND + (24.0 if len(series) > 1 else 4.0)
    group = label_line + bar * len(series) + 10
    height = top + group * max(len(labels), 1) + 4
    peak, _ = axis(max((v for s in series for v in s.values if v is not None), default=0))
    body = _legend(series, TITLE_BAND + 16) if len(series) > 1 else []
    if not labels:
        body.append(_text(WIDTH / 2, top + 24, "暂无数据", anchor="middle", fill="#888"))
    for i, label in enumerate(labels):
        y = top + i * group
        body.append(_text(0, y + 15, _short(label, WIDTH), fill="#222"))
        for j, s in enumerate(series):
            value = s.values[i]
            by = y + label_line + j * bar
            length = 0.0 if value is None else max(span * value / peak, 1.0 if value else 0.0)
            if value is not None:
                body.append(
                    f'<rect x="0" y="{by:.1f}" width="{length:.1f}" height="{bar - 3}" fill="{s.color}">'
                    f"<title>{escape(f'{label} · {s.name}：{number(value, unit)}')}</title></rect>"
                )
            said = missing if value is None else number(value, unit)
            fill = "#888" if value is None else "#333"
            body.append(_text(length + 5, by + bar - 4, said, fill=fill))
    return _svg(title, unit_note, height, body)


def _frame(peak: float, step: float, top: float, plot_height: float, left: float, unit: str) -> list[str]:
    parts = []
    for k in range(round(peak / step) + 1):
        value = step * k
        y = top + plot_height - plot_height * value / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 4}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(_text(left - 5, y + 5, number(value, unit), anchor="end", fill="#666"))
    return parts


def _month_labels(labels: list[str], xs: list[float], baseline: float) -> list[str]:
    """Month names under the plot: as many as fit side by side, evenly spaced."""
    if not labels:
        return []
    room = (xs[-1] - xs[0]) / max(len(labels) - 1, 1) if len(xs) > 1 else WIDTH
    widest = max(text_width(label) for label in labels) + 6
    step = max(1, math.ceil(widest / room))
    return [
        _text(x, baseline + 19, label, anchor="middle", fill="#555")
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % step == 0
    ]


def _left(peak: float, step: float, unit: str) -> float:
    """Room for the axis numbers left of the plot."""
    widest = max(text_width(number(step * k, unit)) for k in range(round(peak / step) + 1))
    return widest + 10


def columns(
    title: str, labels: list[str], values: list[float], *, unit: str = "", unit_note: str = "", color: str = PALETTE[1]
) -> Markup:
    """Vertical columns over time (e.g. activities per month); values above the columns while they fit."""
    top, plot_height = TITLE_BAND + 14, 150.0
    peak, step = axis(max(values, default=0), whole=True)
    left = _left(peak, step, unit)
    slot = (WIDTH - left - 4) / max(len(values), 1)
    body = _frame(peak, step, top, plot_height, left, unit)
    fits = all(text_width(number(v, unit)) <= slot - 2 for v in values)
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
        if value and fits:
            body.append(_text(x + slot * 0.32, top + plot_height - height - 4, number(value, unit), anchor="middle"))
    body += _month_labels(labels, xs, top + plot_height)
    return _svg(title, unit_note, top + plot_height + 28, body)


def line(
    title: str, labels: list[str], values: list[float], *, unit: str = "", unit_note: str = "", color: str = PALETTE[0]
) -> Markup:
    """A line with points over time (e.g. hours per month)."""
    top, plot_height = TITLE_BAND + 14, 150.0
    peak, step = axis(max(values, default=0))
    left = _left(peak, step, unit)
    slot = (WIDTH - left - 4) / max(len(values), 1)
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
    return _svg(title, unit_note, top + plot_height + 28, body)
