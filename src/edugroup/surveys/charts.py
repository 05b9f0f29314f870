"""Horizontal bar charts of shares as inline SVG: no scripts, no third-party assets, text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

MET = "#15803d"
NOT_MET = "#b91c1c"
NEUTRAL = "#1d4ed8"
EMPTY = "#9ca3af"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # a share in [0, 1]; None: no data
    note: str = ""  # shown after the percentage, e.g. "n=120"


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def bar_chart(
    bars: Sequence[Bar],
    *,
    target: float | None = None,
    target_label: str = "",
    title: str = "",
    width: int = 600,
    label_width: int = 150,
    value_width: int = 120,
    no_data: str = "无数据",
) -> Markup:
    """An SVG chart of shares, one bar per row, with an optional target line; bars reaching it are green.

    Three columns: the labels, the bars (0–100%) and the values, so a value never covers the target line.
    """
    row, top = 26, 22 if target is not None else 6
    plot = max(width - label_width - value_width, 60)
    height = top + row * max(len(bars), 1) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{label_width}" y="{top - 2}" width="{plot}" height="{height - top - 2}" fill="#f3f4f6"/>',
    ]
    value_x = label_width + plot + 8
    for i, bar in enumerate(bars):
        y = top + i * row
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" font-size="13">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text x="{value_x}" y="{y + 16}" font-size="12" fill="{EMPTY}">{escape(no_data)}</text>'
            )
            continue
        value = min(max(bar.value, 0.0), 1.0)
        colour = NEUTRAL if target is None else (MET if bar.value >= target - 1e-9 else NOT_MET)
        length = round(plot * value, 1)
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="16" fill="{colour}" rx="2">'
            f"<title>{escape(bar.label)}: {_percent(bar.value)}</title></rect>"
        )
        text = _percent(bar.value) + (f" {bar.note}" if bar.note else "")
        parts.append(f'<text x="{value_x}" y="{y + 16}" font-size="12" class="value">{escape(text)}</text>')
    if target is not None:
        x = round(label_width + plot * target, 1)
        parts.append(
            f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{height - 4}" stroke="#111827" stroke-dasharray="4 3"/>'
        )
        caption = target_label or _percent(target)
        parts.append(
            f'<text x="{x}" y="{top - 8}" text-anchor="middle" font-size="11">{escape(caption)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
