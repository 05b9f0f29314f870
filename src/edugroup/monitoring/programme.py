"""Staged value-added of a programme's pilot schools (QP-10): baseline, each school year, mid-term, final.

A programme (a group of mode `programme`, e.g. 强校工程) runs `length` school years from its first one (the
pack's programme when the group carries its key, otherwise the group's founding school year and 3 years).
Its stages: 初态 (baseline) is the first school year, 学年 every school year, 中期 the middle one and 终期 the
last. For each pilot school and school year the effect is the student-weighted mean of its REML school effects
over that year's monitoring exams and subjects, se = √(Σ (n_j/n)² se_j²); the change is measured against the
baseline. When the first year has no results, the earliest year of the programme with results is the baseline
and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from sqlalchemy.orm import Session

from edugroup.core.errors import InvalidInput
from edugroup.core.periods import SchoolYear, school_year_of
from edugroup.core.scope import Scope
from edugroup.monitoring import service
from edugroup.monitoring.effects import combine, counting_exams_of_year, exam_effects, with_interval, z_of
from edugroup.org import service as org_service
from edugroup.org.models import Group, GroupMode
from edugroup.policy.contract import programme_span

STAGE_LABELS = {"baseline": "初态评估", "annual": "学年增值评估", "midterm": "中期评估", "final": "终期评估"}


@dataclass(frozen=True)
class StagePoint:
    school_id: int
    school_name: str
    school_year: int
    stages: tuple[str, ...]
    effect: float | None
    se: float | None
    lower: float | None
    upper: float | None
    n: int
    change: float | None
    exams: tuple[int, ...]


@dataclass
class ProgrammeEvaluation:
    group: Group
    first_year: int
    length: int
    baseline_year: int | None
    baseline_moved: bool
    points: list[StagePoint] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return [self.first_year + i for i in range(self.length)]


def stages_of(year: int, first_year: int, length: int) -> tuple[str, ...]:
    """Which evaluation stages a school year of the programme carries."""
    found = []
    if year == first_year:
        found.append("baseline")
    found.append("annual")
    if (
        length >= 3
        and year == first_year + (length - 1) // 2
        and year not in (first_year, first_year + length - 1)
    ):
        found.append("midterm")
    if year == first_year + length - 1:
        found.append("final")
    return tuple(found)


def _span(session: Session, group: Group) -> tuple[int, int]:
    if group.programme_key:
        span = programme_span(session, group.region_id, group.programme_key)
        if span is not None:
            return span
    if group.founded_on is None:
        raise InvalidInput(f"{group.name} 没有成立日期, 无法确定评估周期", field="founded_on")
    return school_year_of(group.founded_on).year, 3


def programme_evaluation(
    session: Session, scope: Scope, group_id: int, *, confidence: float = 0.95
) -> ProgrammeEvaluation:
    """The staged value-added of every pilot school of a programme the user may see."""
    service.require_reader(scope)
    group = org_service.get_group(session, scope, group_id)
    if group.mode is not GroupMode.programme:
        raise InvalidInput(f"{group.name} 不是专项计划 (强校工程等), 没有分阶段增值评估", field="group_id")
    first_year, length = _span(session, group)
    end = SchoolYear(first_year + length - 1).end
    pilots = {
        m.school_id: m.school.name
        for m in org_service.membership_history(session, scope, group_id=group_id)
        if m.start_date <= end and (m.end_date is None or m.end_date >= SchoolYear(first_year).start)
    }
    z = z_of(confidence)
    yearly: dict[int, pl.DataFrame] = {}
    used: dict[int, tuple[int, ...]] = {}
    for year in range(first_year, first_year + length):
        exams = counting_exams_of_year(session, group.region_id, year)
        frames = [exam_effects(session, exam) for exam in exams]
        frames = [f for f in frames if f.height]
        if not frames:
            continue
        effects = pl.concat(frames).filter(pl.col("school_id").is_in(list(pilots)))
        if effects.height:
            yearly[year] = with_interval(combine(effects, ["school_id"]), z)
            used[year] = tuple(e.id for e in exams)
    baseline_year = min(yearly) if yearly else None
    evaluation = ProgrammeEvaluation(
        group, first_year, length, baseline_year, baseline_year not in (None, first_year)
    )
    baseline = (
        {row["school_id"]: row["effect"] for row in yearly[baseline_year].iter_rows(named=True)}
        if baseline_year is not None
        else {}
    )
    for year in evaluation.years:
        rows = {row["school_id"]: row for row in yearly[year].iter_rows(named=True)} if year in yearly else {}
        for school_id, name in sorted(pilots.items(), key=lambda item: item[1]):
            row = rows.get(school_id)
            effect = row["effect"] if row else None
            start = baseline.get(school_id)
            evaluation.points.append(
                StagePoint(
                    school_id=school_id,
                    school_name=name,
                    school_year=year,
                    stages=stages_of(year, first_year, length),
                    effect=effect,
                    se=row["se"] if row else None,
                    lower=row["lower"] if row else None,
                    upper=row["upper"] if row else None,
                    n=int(row["n"]) if row else 0,
                    change=None
                    if effect is None or start is None or year == baseline_year
                    else effect - start,
                    exams=used.get(year, ()),
                )
            )
    return evaluation
