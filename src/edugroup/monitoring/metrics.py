"""Metrics over exam results: `monitoring.pass_rate` (HK-17, HK-20) and `monitoring.difference_rate` (HK-18).

Which results count for a period: those of the region's exams held in the period with `counts_for_monitoring`
set (for a school year: its 学业质量监测 exams). Exams of one stage are read together (one SELECT) and the
indicators computed by `indicators.compute_indicators`; a school's groups and district are those of the day of
the stage's last exam in the period.

Breakdown: the engine does not tell a metric the rule's `by:`, so the key follows the params: a rule that fixes
the stage (`stage: junior`, HK-20) is measured per subject — breakdown (subject,) — and any other per stage and
subject — breakdown (学段, subject), e.g. ("初中", "数学") — which is what the packs' `by:` ask for. The region's
threshold (HK-17) is measured with the same keys, so each group is compared with the region's figure for the
same stage and subject. An entity without results of a stage has no measurement for it (no data).

Evidence: `exams:<id>` for each exam read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl
from sqlalchemy import select

from edugroup.core.periods import Period
from edugroup.monitoring import effects
from edugroup.monitoring.models import EXAM_STAGE_LABELS, Exam, ExamStage
from edugroup.monitoring.service import Figures, between_school_shares, figures
from edugroup.policy.contract import EntityRef, EvalContext, Measurement, register_metric

_LEVELS = {"school": "school", "group": "group", "district": "district", "region": "region"}


@dataclass(frozen=True)
class _Stage:
    exams: list[Exam]
    figures: Figures


def counting_exams(ctx: EvalContext, period: Period) -> list[Exam]:
    """The region's exams held in the period that count for monitoring, with results."""

    def load() -> list[Exam]:
        stmt = (
            select(Exam)
            .where(
                Exam.region_id == ctx.region_id,
                Exam.counts_for_monitoring.is_(True),
                Exam.results_count > 0,
                Exam.held_on >= period.start,
                Exam.held_on <= period.end,
            )
            .order_by(Exam.held_on, Exam.id)
        )
        return list(ctx.session.scalars(stmt))

    exams: list[Exam] = ctx.cached(("monitoring.exams", period.start, period.end), load)
    return exams


def _stages(ctx: EvalContext, period: Period) -> dict[ExamStage, _Stage]:
    """Figures of each stage's counting exams in the period, computed once per evaluation."""

    def load() -> dict[ExamStage, _Stage]:
        by_stage: dict[ExamStage, list[Exam]] = {}
        for exam in counting_exams(ctx, period):
            by_stage.setdefault(exam.stage, []).append(exam)
        return {
            stage: _Stage(exams, figures(ctx.session, ctx.region_id, stage, exams))
            for stage, exams in by_stage.items()
        }

    found: dict[ExamStage, _Stage] = ctx.cached(("monitoring.figures", period.start, period.end), load)
    return found


def _selected(ctx: EvalContext, period: Period, params: dict[str, Any]) -> dict[ExamStage, _Stage]:
    stages = _stages(ctx, period)
    wanted = params.get("stage")
    return {s: v for s, v in stages.items() if wanted is None or s.value == wanted}


def _key(stage: str, subject: str, fixed_stage: bool) -> tuple[str, ...]:
    return (subject,) if fixed_stage else (EXAM_STAGE_LABELS[ExamStage(stage)], subject)


def _measure(
    entities: Sequence[EntityRef],
    stages: dict[ExamStage, _Stage],
    frame_of: str,
    value: str,
    fixed_stage: bool,
) -> list[Measurement]:
    result: list[Measurement] = []
    wanted = {(ref.type, ref.id) for ref in entities if ref.type in _LEVELS}
    for stage in stages.values():
        evidence = tuple(f"exams:{e.id}" for e in stage.exams)
        frame: pl.DataFrame = getattr(stage.figures, frame_of)
        for level, entity_id, stage_value, subject, number in frame.select(
            "level", "entity_id", "stage", "subject", value
        ).iter_rows():
            if (level, entity_id) not in wanted:
                continue
            result.append(
                Measurement(
                    entity_id,
                    None if number is None else float(number),
                    evidence,
                    _key(stage_value, subject, fixed_stage),
                )
            )
    return result


@register_metric("monitoring.pass_rate")
def pass_rate(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Students at 合格 or above / students counted, per stage and subject (HK-17, HK-20).

    counted=enrolled counts every enrolled student (an absent one as not passed, 应考尽考); counted=tested
    only those who sat. A city is not measured (one region's results cannot give a city-wide rate).
    """
    column = "pass_rate_enrolled" if params.get("counted", "enrolled") == "enrolled" else "pass_rate_tested"
    stages = _selected(ctx, period, params)
    return _measure(entities, stages, "indicators", column, "stage" in params)


@register_metric("monitoring.difference_rate")
def difference_rate(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Inter-school difference rate of a group, district or the region, per stage and subject (HK-18).

    method=cv: the student-weighted coefficient of variation of the schools' mean scores (result=mean) or pass
    rates (result=pass_rate, counting enrolled students by default); null with fewer than two schools.
    method=between_school_share: τ² / (τ² + σ²) of the scores from the random-intercept model fitted by REML.
    """
    stages = _selected(ctx, period, params)
    fixed = "stage" in params
    if params.get("method", "cv") == "between_school_share":
        result: list[Measurement] = []
        wanted = {(ref.type, ref.id) for ref in entities}
        for stage, found in stages.items():
            day = max(e.held_on for e in found.exams)
            shares = between_school_shares(ctx.session, ctx.region_id, found.exams, day)
            evidence = tuple(f"exams:{e.id}" for e in found.exams)
            for level, entity_id, subject, share in shares.select(
                "level", "entity_id", "subject", "share"
            ).iter_rows():
                if (level, entity_id) in wanted:
                    result.append(Measurement(entity_id, share, evidence, _key(stage.value, subject, fixed)))
        return result
    column = "cv_mean"
    if params.get("result") == "pass_rate":
        column = "cv_pass_rate" if params.get("counted", "enrolled") == "enrolled" else "cv_pass_rate_tested"
    return _measure(entities, stages, "differences", column, fixed)


@register_metric("monitoring.value_added")
def value_added(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """A school's value-added in each counting exam of the period, per stage and subject (HK-19).

    method=reml: the empirical-Bayes effect of the region-wide random-intercept model score ~ prior +
    (1 | school); method=residual_mean: the mean OLS residual. bound=estimate gives the effect, bound=lower the
    lower bound of its interval at `confidence` (HK-19: lower 95% bound > 0, i.e. significantly positive).
    or_gain=true also reads the year-on-year gain against the same grade's exam a school year earlier (se
    √(se² + se_prev²)) and takes the larger of the two (lower bounds): met when either is significantly
    positive ("进步明显").
    A school without results (or without prior scores) in an exam has no measurement for it (no data).
    """
    method = str(params.get("method", "reml"))
    z = effects.z_of(float(params.get("confidence", 0.95)))
    lower = params.get("bound", "estimate") == "lower"
    or_gain = bool(params.get("or_gain", False))
    wanted = {ref.id for ref in entities if ref.type == "school"}

    def school_effects(exam: Exam) -> pl.DataFrame:
        frame: pl.DataFrame = ctx.cached(
            ("monitoring.value_added", exam.id, method),
            partial(effects.exam_effects, ctx.session, exam, method=method),
        )
        return frame

    result: list[Measurement] = []
    for exam in counting_exams(ctx, period):
        earlier: dict[tuple[str, int], tuple[float, float]] = {}
        previous = effects.previous_exam(ctx.session, exam) if or_gain else None
        if previous is not None:
            for subject, school_id, effect, se in (
                school_effects(previous).select("subject", "school_id", "effect", "se").iter_rows()
            ):
                earlier[(subject, school_id)] = (effect, se)
        for subject, school_id, effect, se in (
            school_effects(exam).select("subject", "school_id", "effect", "se").iter_rows()
        ):
            if school_id not in wanted:
                continue
            value = effect - z * se if lower else effect
            evidence: tuple[str, ...] = (f"exams:{exam.id}",)
            before = earlier.get((subject, school_id))
            if before is not None and previous is not None:
                gain, gain_se = effect - before[0], math.hypot(se, before[1])
                value = max(value, gain - z * gain_se if lower else gain)
                evidence += (f"exams:{previous.id}",)
            result.append(Measurement(school_id, value, evidence, _key(exam.stage.value, subject, False)))
    return result
