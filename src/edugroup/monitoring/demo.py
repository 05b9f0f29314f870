"""Demo exams for 示例区: the 学业质量监测 of school years 2024 and 2025, grade 9 (junior, nine-year and twelve-year
schools; 语文, 数学, 英语, 物理) and grade 5 (primary, nine-year and twelve-year schools; 语文, 数学, 英语).

About 22,000 result rows, deterministic (seeded), imported through the same bulk path as a bureau's file (one
audit entry per exam). Each school sits a sample of about a third of its cohort; every row carries a prior score
(the previous year's result, on the same 0–100 scale) and the covariates sex and ses, so value-added can be
fitted later. Scores follow each school's tier (优秀校 higher, 相对薄弱校 lower), giving a mix of verdicts:

| clause | school year 2025 (both grades) |
|---|---|
| HK-17 pass rate >= region's (tested) | SL-T1 met; SL-T2 met except junior 物理 (just below); SL-P1 met for its primary schools only; SL-A1, SL-C1, SL-C2, SL-C3 and SL-X1 not met |
| HK-18 difference rate < 0.15 | met in most groups; SL-C2 and its alliance SL-A1 (a strong and a much weaker junior school) not met |
| HK-20 junior pass rate >= 99% (enrolled) | SL-T1 met except 数学, where a few students were absent (应考尽考); every other group not met |

The weaker schools improve from 2024 to 2025, so the trend charts show progress. Value-added (HK-19): in 2025
half of the weaker schools took in cohorts well below their results (`_prior_shift`), so their effects are
significantly positive, the other half's are not.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.monitoring import io as results_io
from edugroup.monitoring.models import Exam, ScienceIndexConfig, stage_of_grade
from edugroup.org.demo import DemoWorld
from edugroup.org.models import Membership, QualityTier, School, Stage

SAMPLE = 0.35
GRADE_SUBJECTS = {9: ["语文", "数学", "英语", "物理"], 5: ["语文", "数学", "英语"]}
SUBJECT_SHIFT = {"语文": 1.0, "数学": -1.5, "英语": 0.5, "物理": -1.0}
TIER_MEAN = {QualityTier.quality: 81.0, QualityTier.ordinary: 76.0, QualityTier.weaker: 71.0}
GRADES_OF = {
    Stage.primary: (1, 5),
    Stage.junior: (6, 9),
    Stage.nine_year: (1, 9),
    Stage.senior: (10, 12),
    Stage.twelve_year: (1, 12),
}


def _prior_shift(school: School, year: int) -> float:
    """How far below its scores a school's prior scores lie: the value-added the school shows.

    In 2025 every other weaker school (by code) took in a cohort well below its results (a clearly
    positive value-added, HK-19 met); the others progressed no more than their intake (HK-19 not met).
    Only the prior column changes, so the pass rates and difference rates are those of the table above.
    """
    if year == 2025 and school.quality_tier is QualityTier.weaker and int(school.code[1:]) % 2 == 1:
        return 9.0
    return 1.0


def _numbers(school: School, grade: int, year: int, cohort: int) -> list[str]:
    """Student numbers: in 2025 those of the school's enrolled students of the grade (as `edugroup.demo` numbers
    them), so their profiles show their results; in 2024 the cohort has left the grade and keeps numbers of its own.
    """
    first, last = GRADES_OF[school.stage]
    current = [
        f"{school.code}{k + 1:05d}" for k in range(grade - first, school.student_count, last - first + 1)
    ]
    if year == 2025 and len(current) >= cohort:
        return current[:cohort]
    return [f"{year}{school.code}{k + 1:04d}" for k in range(cohort)]


def _profile(school: School, groups: dict[str, set[int]], year: int) -> tuple[float, float, float]:
    """(mean, sd, absent share) of a school's scores in the year's exam."""
    mean, sd, absent = TIER_MEAN[school.quality_tier], 11.0, 0.006
    if school.id in groups["SL-T1"]:  # the strong tight group: almost everyone passes (HK-20)
        mean, sd, absent = 87.0, 8.0, 0.0
    if school.id in groups["SL-C2-strong"]:
        mean = 85.0
    if school.id in groups["SL-C2-weak"]:  # far behind its partner: HK-18 not met
        mean, sd = 58.0, 12.0
    if school.quality_tier is QualityTier.weaker and year == 2024:
        mean -= 3.0  # weaker schools progress from 2024 to 2025
    return mean, sd, absent


def _rows(
    rng: np.random.Generator,
    school: School,
    grade: int,
    year: int,
    subjects: list[str],
    profile: tuple[float, float, float],
    prior_shift: float = 1.0,
) -> pl.DataFrame:
    first, last = GRADES_OF[school.stage]
    cohort = max(12, round(school.student_count / (last - first + 1) * SAMPLE))
    mean, sd, absent_share = profile
    ability = rng.normal(0.0, 1.0, cohort)
    prior = np.clip(mean - prior_shift + sd * (0.8 * ability + 0.6 * rng.normal(0.0, 1.0, cohort)), 0, 100)
    students = _numbers(school, grade, year, cohort)
    sexes = np.where(rng.random(cohort) < 0.51, "男", "女")
    ses = np.round(rng.normal(0.0, 1.0, cohort) + (mean - 75.0) / 20.0, 3)
    parts = []
    for subject in subjects:
        shift, share = SUBJECT_SHIFT[subject], absent_share
        if mean >= 87.0 and subject == "数学":  # SL-T1: a few absent in 数学, so HK-20 (enrolled) is missed
            share = 0.015
        score = np.clip(
            np.round(mean + shift + sd * (0.85 * ability + 0.5 * rng.normal(0.0, 1.0, cohort)), 1), 0, 100
        )
        absent = rng.random(cohort) < share
        parts.append(
            pl.DataFrame(
                {
                    "学籍号": students,
                    "学校代码": [school.code] * cohort,
                    "年级": [grade] * cohort,
                    "学科": [subject] * cohort,
                    "成绩": np.where(absent, np.nan, score),
                    "前测成绩": np.round(prior, 1),
                    "缺考": np.where(absent, "是", "否"),
                    "性别": sexes,
                    "家庭社会经济地位": ses,
                }
            ).with_columns(pl.col("成绩").fill_nan(None))
        )
    return pl.concat(parts)


def load_demo(session: Session, world: DemoWorld) -> None:
    """The four demo exams of 示例区 with their results (see the module's table)."""
    region, groups, schools = world.region, world.groups, world.schools
    rng = np.random.default_rng(20250520)
    code_of = {g.id: code for code, g in groups.items()}
    members: dict[str, set[int]] = {code: set() for code in groups}
    stmt = select(Membership.group_id, Membership.school_id).where(Membership.group_id.in_(code_of))
    for group_id, school_id in session.execute(stmt):
        members[code_of[group_id]].add(school_id)
    junior = schools[Stage.junior]
    members["SL-C2-strong"], members["SL-C2-weak"] = {junior[4].id}, {junior[6].id}
    every = [s for stage in schools.values() for s in stage]
    exams = []
    for year in (2024, 2025):
        for grade, day in ((9, date(year + 1, 5, 20)), (5, date(year + 1, 5, 27))):
            subjects = GRADE_SUBJECTS[grade]
            exam = Exam(
                region_id=region.id,
                name=f"{year}学年市学业质量监测 · {grade}年级",
                school_year=year,
                held_on=day,
                grade=grade,
                stage=stage_of_grade(grade),
                subjects=subjects,
                score_min=0.0,
                score_max=100.0,
                cut_excellent=85.0,
                cut_good=75.0,
                cut_pass=60.0,
                counts_for_monitoring=True,
                results_count=0,
                note="示例数据 (按约三分之一学生抽样生成)",
            )
            session.add(exam)
            session.flush()
            taking = [s for s in every if GRADES_OF[s.stage][0] <= grade <= GRADES_OF[s.stage][1]]
            frame = pl.concat(
                [
                    _rows(rng, s, grade, year, subjects, _profile(s, members, year), _prior_shift(s, year))
                    for s in taking
                ]
            )
            results_io.import_results(
                session, exam, frame.write_csv().encode(), f"demo-{year}-grade{grade}.csv"
            )
            session.refresh(exam)
            exams.append(exam)
    session.add(
        ScienceIndexConfig(
            region_id=region.id,
            name="虹优指数",
            grade=9,
            components=[{"subject": "物理", "weight": 2.0}, {"subject": "数学", "weight": 1.0}],
            scale_max=100.0,
            note="示例配置: 9年级物理 (权重2) 与数学 (权重1) 的加权平均, 折算为0–100",
        )
    )
    session.flush()
