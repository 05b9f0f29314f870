"""Charts as inline SVG, drawn on the server: grouped bars and lines, no JavaScript, no third-party assets.

Every function returns markup that is safe to put in a page: labels are escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = ("#b91c1c", "#1d4ed8", "#15803d", "#a16207", "#7c3aed", "#0e7490", "#be185d", "#4b5563")
_FONT = 'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def number(value: float) -> str:
    return f"{value:g}" if abs(value) >= 10 else f"{value:.2g}"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        if value >= low - step * 1e-9:
            ticks.append(round(value, 10))
        value += step
    return ticks


def _legend(
    series: Sequence[Series], x: float, y: float, width: float, extra: str | None = None
) -> tuple[list[str], float]:
    """Legend entries from (x, y), wrapped to `width`; returns the markup and the height it took."""
    items: list[tuple[str, str | None]] = [(s.name, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)]
    if extra:
        items.append((extra, None))
    parts: list[str] = []
    offset, row = 0.0, 0
    for name, colour in items:
        size = 24 + 13 * len(name)
        if offset and x + offset + size > width:
            offset, row = 0.0, row + 1
        top = y + row * 18
        if colour is None:
            parts.append(
                f'<line x1="{x + offset:.1f}" y1="{top - 4}" x2="{x + offset + 18:.1f}" y2="{top - 4}" '
                'stroke="#111827" stroke-dasharray="4 3" stroke-width="1.5"/>'
            )
            parts.append(
                f'<text x="{x + offset + 22:.1f}" y="{top}" font-size="12" {_FONT}>{escape(name)}</text>'
            )
            size += 10
        else:
            parts.append(f'<rect x="{x + offset:.1f}" y="{top - 9}" width="10" height="10" fill="{colour}"/>')
            parts.append(
                f'<text x="{x + offset + 14:.1f}" y="{top}" font-size="12" {_FONT}>{escape(name)}</text>'
            )
        offset += size
    return parts, (row + 1) * 18


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    low: float = 0.0,
    high: float | None = None,
    reference: Sequence[float | None] | None = None,
    reference_name: str | None = None,
    fmt: Callable[[float], str] = number,
    chart_id: str = "chart",
) -> Markup:
    """Grouped vertical bars: one group per category, one bar per series; `reference` a dashed mark per category."""
    values = [v for s in series for v in s.values if v is not None]
    values += [v for v in (reference or []) if v is not None]
    top = high if high is not None else (max(values) * 1.1 if values else 1.0)
    top = top if top > low else low + 1.0
    width, height, left, right, upper, lower = 760, 300, 56, 16, 40, 64
    plot_w, plot_h = width - left - right, height - upper - lower
    group_w = plot_w / max(len(categories), 1)
    bar_w = max(2.0, min(28.0, (group_w * 0.8) / max(len(series), 1)))

    def y_of(value: float) -> float:
        return upper + plot_h * (1 - (min(max(value, low), top) - low) / (top - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" font-size="14" font-weight="600" {_FONT}>{escape(title)}</text>',
    ]
    for tick in _ticks(low, top):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" {_FONT}>{fmt(tick)}</text>'
        )
    for c, category in enumerate(categories):
        x0 = left + c * group_w + (group_w - bar_w * len(series)) / 2
        for i, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else None
            if value is None:
                continue
            y = y_of(value)
            colour = PALETTE[i % len(PALETTE)]
            parts.append(
                f'<rect x="{x0 + i * bar_w:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{upper + plot_h - y:.1f}" fill="{colour}"><title>{escape(s.name)} · '
                f"{escape(category)}: {fmt(value)}</title></rect>"
            )
        if reference and c < len(reference) and reference[c] is not None:
            y = y_of(float(reference[c]))  # type: ignore[arg-type]
            parts.append(
                f'<line x1="{left + c * group_w + 4:.1f}" y1="{y:.1f}" x2="{left + (c + 1) * group_w - 4:.1f}" '
                f'y2="{y:.1f}" stroke="#111827" stroke-dasharray="4 3" stroke-width="1.5">'
                f"<title>{escape(reference_name or '')} · {escape(category)}: {fmt(float(reference[c]))}</title></line>"  # type: ignore[arg-type]
            )
        label_x = left + (c + 0.5) * group_w
        parts.append(
            f'<text x="{label_x:.1f}" y="{upper + plot_h + 16}" font-size="11" text-anchor="middle" '
            f"{_FONT}>{escape(category[:10])}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{upper + plot_h}" x2="{width - right}" y2="{upper + plot_h}" stroke="#6b7280"/>'
    )
    legend, legend_height = _legend(
        series, left, height - lower + 40, width - right, reference_name if reference else None
    )
    parts += legend
    parts.append("</svg>")
    total = height - lower + 30 + legend_height
    parts[0] = parts[0].replace(f'viewBox="0 0 {width} {height}"', f'viewBox="0 0 {width} {total:.0f}"')
    return Markup("".join(parts))


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    low: float | None = None,
    high: float | None = None,
    fmt: Callable[[float], str] = number,
    chart_id: str = "trend",
) -> Markup:
    """Lines over ordered labels (school years); a gap where a value is missing; points carry their value."""
    values = [v for s in series for v in s.values if v is not None]
    bottom = low if low is not None else (min(values) * 0.95 if values else 0.0)
    top = high if high is not None else (max(values) * 1.05 if values else 1.0)
    if top <= bottom:
        top = bottom + 1.0
    width, height, left, right, upper, lower = 760, 260, 56, 24, 40, 48
    plot_w, plot_h = width - left - right, height - upper - lower
    inset = 40.0
    step = (plot_w - 2 * inset) / max(len(labels) - 1, 1)

    def x_of(i: int) -> float:
        return left + inset + (i * step if len(labels) > 1 else plot_w / 2 - inset)

    def y_of(value: float) -> float:
        return upper + plot_h * (1 - (value - bottom) / (top - bottom))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" font-size="14" font-weight="600" {_FONT}>{escape(title)}</text>',
    ]
    for tick in _ticks(bottom, top):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" {_FONT}>{fmt(tick)}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{upper + plot_h + 16}" font-size="11" text-anchor="middle" '
            f"{_FONT}>{escape(label)}</text>"
        )
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        dash = ' stroke-dasharray="5 3"' if k % 2 else ""
        run: list[str] = []
        for i, value in enumerate(s.values):
            if value is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
                    )
                run = []
                continue
            run.append(f"{x_of(i):.1f},{y_of(value):.1f}")
            parts.append(
                f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(s.name)} · {escape(labels[i])}: {fmt(value)}</title></circle>"
            )
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
    legend, legend_height = _legend(series, left, height - lower + 36, width - right)
    parts += legend
    parts.append("</svg>")
    total = height - lower + 26 + legend_height
    parts[0] = parts[0].replace(f'viewBox="0 0 {width} {height}"', f'viewBox="0 0 {width} {total:.0f}"')
    return Markup("".join(parts))


@dataclass(frozen=True)
class Interval:
    """One row of an interval chart: a name, an estimate with its interval, and whether to mark the row."""

    name: str
    estimate: float
    lower: float
    upper: float
    marked: bool = False


def interval_chart(
    rows: Sequence[Interval],
    *,
    title: str,
    marked_name: str = "相对薄弱学校",
    fmt: Callable[[float], str] = number,
    chart_id: str = "intervals",
) -> Markup:
    """Horizontal intervals (a forest plot) around a zero line: one row per entity, best first as given.

    An interval wholly above 0 is green, wholly below red, across 0 grey; a marked row (a weaker school) has
    a triangle before its name and a bold label.
    """
    values = [v for r in rows for v in (r.lower, r.upper)] + [0.0]
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 or 1.0
    low, high = low - pad, high + pad
    width, left, right, upper, row_h = 760, 200, 24, 40, 22
    plot_w = width - left - right
    height = upper + row_h * max(len(rows), 1) + 36

    def x_of(value: float) -> float:
        return left + plot_w * (value - low) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="chart" role="img" '
        f'viewBox="0 0 {width} {height + 24}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="8" y="18" font-size="14" font-weight="600" {_FONT}>{escape(title)}</text>',
    ]
    bottom = upper + row_h * max(len(rows), 1)
    for tick in _ticks(low, high):
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{upper - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#e5e7eb"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle" {_FONT}>{fmt(tick)}</text>'
        )
    zero = x_of(0.0)
    parts.append(f'<line x1="{zero:.1f}" y1="{upper - 6}" x2="{zero:.1f}" y2="{bottom}" stroke="#111827"/>')
    for k, r in enumerate(rows):
        y = upper + row_h * k + row_h / 2
        colour = "#15803d" if r.lower > 0 else "#b91c1c" if r.upper < 0 else "#6b7280"
        label = ("▲ " if r.marked else "") + r.name
        weight = ' font-weight="700" fill="#a16207"' if r.marked else ""
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end"{weight} {_FONT}'
            f' class="{"marked" if r.marked else "row"}">{escape(label[:16])}</text>'
        )
        parts.append(
            f'<line x1="{x_of(r.lower):.1f}" y1="{y:.1f}" x2="{x_of(r.upper):.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle cx="{x_of(r.estimate):.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{escape(r.name)}: '
            f"{fmt(r.estimate)} [{fmt(r.lower)}, {fmt(r.upper)}]</title></circle>"
        )
    legend_y = bottom + 34
    parts.append(
        f'<text x="8" y="{legend_y}" font-size="12" {_FONT}>'
        f'<tspan fill="#15803d">● 显著为正</tspan>  <tspan fill="#6b7280">● 不显著</tspan>  '
        f'<tspan fill="#b91c1c">● 显著为负</tspan>  <tspan fill="#a16207" font-weight="700">▲ {escape(marked_name)}</tspan>'
        "</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))
