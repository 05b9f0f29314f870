"""Compliance rows as a terminal table, JSON or an Excel workbook (Chinese headers)."""

from __future__ import annotations

import json
from typing import Any

from edugroup.core.tabular import write_xlsx
from edugroup.policy.engine import Evaluation, Row
from edugroup.policy.vocabulary import ENTITY_LABELS, VERDICT_LABELS

HEADERS = ["条款", "要求", "对象类型", "对象", "周期", "实际值", "比较", "阈值", "结论", "证据"]


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "[" + ", ".join(_number(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def row_cells(row: Row) -> list[Any]:
    name = row.entity_name + (f" · {row.breakdown}" if row.breakdown else "")
    return [
        row.clause,
        row.title,
        ENTITY_LABELS.get(row.entity_type, row.entity_type),
        name,
        row.period,
        row.value,
        row.comparator,
        _number(row.threshold),
        VERDICT_LABELS[row.verdict],
        " ".join(row.evidence[:50]) + (f" … 共{len(row.evidence)}条" if len(row.evidence) > 50 else ""),
    ]


def to_json(evaluation: Evaluation) -> str:
    """A list of objects with exactly the documented fields."""
    return json.dumps([row.to_json() for row in evaluation.rows], ensure_ascii=False, indent=2)


def to_table(evaluation: Evaluation) -> str:
    """A plain text table for the terminal."""
    lines = [
        f"{evaluation.pack.title} ({evaluation.pack.id}, {evaluation.pack.edition} 版) · {evaluation.year}学年"
    ]
    widths = [8, 24, 8, 22, 10, 8, 8, 10, 8]
    header = HEADERS[:9]
    lines.append("  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)))
    for row in evaluation.rows:
        cells = row_cells(row)[:9]
        cells[5] = _number(cells[5])
        lines.append("  ".join(_pad(str(c), w) for c, w in zip(cells, widths, strict=True)))
    summary = evaluation.summary()
    lines.append("合计: " + ", ".join(f"{VERDICT_LABELS[k]} {v}" for k, v in summary.items()))
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    if shown > width:
        out, used = "", 0
        for ch in text:
            w = 2 if ord(ch) > 0x2E80 else 1
            if used + w > width - 1:
                break
            out += ch
            used += w
        return out + "…" + " " * (width - used - 1)
    return text + " " * (width - shown)


def to_xlsx(evaluation: Evaluation) -> bytes:
    """An Excel workbook of the rows."""
    notes = [
        f"{evaluation.pack.title}",
        f"政策包 {evaluation.pack.id}, 版本 {evaluation.pack.edition}; 评估 {evaluation.year} 学年"
        + (f"第{evaluation.semester}学期" if evaluation.semester else ""),
        "结论: 达标 / 未达标 / 无数据 (没有可计算的记录) / 尚未实现 (该指标的数据功能尚未上线, 不视为达标)。",
    ]
    return write_xlsx(HEADERS, [row_cells(r) for r in evaluation.rows], title="合规评估", notes=notes)
