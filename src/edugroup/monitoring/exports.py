"""A monitoring report as Excel sheets: results, difference rates, the trend, and the value-added."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from edugroup.core.scope import Scope
from edugroup.monitoring import effects, service

SIGNIFICANCE_LABELS = {"positive": "显著为正", "negative": "显著为负", "none": "不显著"}
LEVEL_NAMES = {"school": "学校", "group": "集团", "district": "学区", "region": "区域"}


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def report_sheets(report: service.UnitReport) -> list[tuple[list[str], list[list[Any]]]]:
    """The page as three sheets: school results, difference rates and the trend across years."""
    results = [
        "对象类型",
        "对象",
        "学段",
        "学科",
        "在籍人数",
        "参测人数",
        "缺考人数",
        "合格及以上人数",
        "优秀人数",
        "平均分",
        "标准差",
        "合格率(在籍)",
        "合格率(参测)",
        "优秀率(参测)",
    ]
    order = {"school": 0, "group": 1, "district": 2, "region": 3}
    table = report.indicators.sort(pl.col("level").replace_strict(order, default=9), "entity_name", "subject")
    rows = [
        [
            LEVEL_NAMES.get(r["level"], r["level"]),
            r["entity_name"],
            service.stage_label(r["stage"]),
            r["subject"],
            r["enrolled"],
            r["sat"],
            r["absent"],
            r["passed"],
            r["excellent"],
            _round(r["mean"], 2),
            _round(r["std"], 2),
            _round(r["pass_rate_enrolled"], 4),
            _round(r["pass_rate_tested"], 4),
            _round(r["excellent_rate_tested"], 4),
        ]
        for r in table.to_dicts()
    ]
    spread_headers = [
        "对象类型",
        "对象",
        "学段",
        "学科",
        "学校数",
        "校际差异率(平均分)",
        "校际差异率(合格率)",
    ]
    spreads = [
        [
            LEVEL_NAMES.get(r["level"], r["level"]),
            r["entity_name"],
            service.stage_label(r["stage"]),
            r["subject"],
            r["n_schools"],
            _round(r["cv_mean"], 4),
            _round(r["cv_pass_rate"], 4),
        ]
        for r in report.differences.sort("level", "entity_name", "subject").to_dicts()
    ]
    trend_headers = ["学年", "对象类型", "对象", "学科", "参测人数", "平均分", "合格率(参测)", "合格率(在籍)"]
    trend = [
        [
            f"{r['school_year']}学年",
            LEVEL_NAMES.get(r["level"], r["level"]),
            r["entity_name"],
            r["subject"],
            r["sat"],
            _round(r["mean"], 2),
            _round(r["pass_rate_tested"], 4),
            _round(r["pass_rate_enrolled"], 4),
        ]
        for r in (
            report.trend.sort("school_year", "level", "subject").to_dicts() if report.trend.height else []
        )
    ]
    return [(results, rows), (spread_headers, spreads), (trend_headers, trend)]


def value_added_of(
    session: Session, scope: Scope, report: service.UnitReport, method: str = "reml"
) -> effects.ValueAdded | None:
    """The value-added of the report's exam for the unit's schools (all schools on the region's page)."""
    if report.exam is None:
        return None
    return effects.value_added(
        session,
        scope,
        report.exam,
        level=report.level,
        entity_id=report.entity_id,
        method=method,
    )


def value_added_sheet(va: effects.ValueAdded | None) -> tuple[list[str], list[list[Any]]]:
    """The value-added as a sheet: schools, then groups and districts, per subject."""
    headers = [
        "对象类型",
        "对象",
        "学科",
        "相对薄弱学校",
        "增值",
        "标准误",
        "区间下限",
        "区间上限",
        "显著性",
        "学生数",
        "上一学年增值",
        "同比变化",
        "方法",
    ]
    if va is None:
        return headers, []
    method = effects.METHOD_LABELS[va.method]
    rows: list[list[Any]] = [
        [
            "学校",
            r["entity_name"],
            r["subject"],
            "是" if r["weaker"] else "否",
            _round(r["effect"], 3),
            _round(r["se"], 3),
            _round(r["lower"], 3),
            _round(r["upper"], 3),
            SIGNIFICANCE_LABELS[r["significance"]],
            r["n"],
            _round(r["previous"], 3),
            _round(r["change"], 3),
            method,
        ]
        for r in va.schools.sort("subject", "entity_name").to_dicts()
    ]
    rows += [
        [
            LEVEL_NAMES.get(r["level"], r["level"]),
            r["entity_name"],
            r["subject"],
            "",
            _round(r["effect"], 3),
            _round(r["se"], 3),
            _round(r["lower"], 3),
            _round(r["upper"], 3),
            SIGNIFICANCE_LABELS[r["significance"]],
            r["n"],
            None,
            None,
            method,
        ]
        for r in va.units.to_dicts()
    ]
    return headers, rows
