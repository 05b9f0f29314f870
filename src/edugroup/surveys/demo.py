"""Demo satisfaction surveys for 示例区: school year 2025 (and 2024 for the trend), deterministic.

Satisfied shares of the overall item (HK-23 asks >= 90% of parents and of teachers); each member school
contributes 25 parents, 10 teachers and 25 students, and the satisfied count is the target share rounded:

| questionnaires about | 2025 parent / teacher / student | 2024 parent / teacher / student |
|---|---|---|
| SL-T1 (6 schools) | 94.0% / 93.3% / 90.7% | 90.7% / 90.0% / 89.3% |
| SL-T2 (6 schools) | 86.0% (not met) / 91.7% / 88.0% | 82.7% / 90.0% / 85.3% |
| SL-C1 | 96.0% / 95.0% / 92.0% | |
| SL-C2 | 92.0% / 90.0% (exactly) / 88.0% | |
| SL-C3 | 92.0% / 95.0% / 90.0% | |
| 示例第一学区 (D1, 8 schools) | 93.0% / 91.3% / — | |

The other groups (the alliance, the collaborative, the programme) and districts have no survey: no data.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from edugroup.core import audit
from edugroup.org.demo import DemoWorld
from edugroup.org.models import District, Group, Membership, School
from edugroup.surveys.models import (
    DEFAULT_SCALE_LABELS,
    OVERALL_CODE,
    Questionnaire,
    QuestionnaireItem,
    RespondentKind,
    SurveyResponse,
)

P, T, S = RespondentKind.parent, RespondentKind.teacher, RespondentKind.student
PER_SCHOOL = {P: 25, T: 10, S: 25}
ITEMS = {
    P: [
        "学校办学理念与集团发展规划",
        "教育教学质量",
        "教师队伍与师德师风",
        "集团内课程、场地、师资共享",
        "家校沟通",
    ],
    T: ["集团联合教研与培训机会", "交流轮岗安排", "职称评审与绩效分配", "集团管理与沟通"],
    S: ["课堂学习", "共享课程与跨校活动", "校园生活", "老师的关心与帮助"],
}
OVERALL = {
    P: "总体而言, 您对孩子所在教育集团的办学是否满意",
    T: "总体而言, 您对所在教育集团的建设与管理是否满意",
    S: "总体而言, 你对集团和学校的学习生活是否满意",
}
TITLES = {P: "家长满意度调查", T: "教师满意度调查", S: "学生满意度调查"}
SHARES: dict[int, dict[str, dict[RespondentKind, float]]] = {
    2025: {
        "SL-T1": {P: 0.94, T: 0.93, S: 0.91},
        "SL-T2": {P: 0.86, T: 0.92, S: 0.88},
        "SL-C1": {P: 0.95, T: 0.97, S: 0.93},
        "SL-C2": {P: 0.91, T: 0.90, S: 0.89},
        "SL-C3": {P: 0.92, T: 0.94, S: 0.90},
        "D1": {P: 0.93, T: 0.91},
    },
    2024: {
        "SL-T1": {P: 0.91, T: 0.90, S: 0.89},
        "SL-T2": {P: 0.83, T: 0.90, S: 0.85},
    },
}
CONDUCTED = {2025: date(2026, 5, 20), 2024: date(2025, 5, 21)}


def _members(session: Session, group: Group, on: date) -> list[School]:
    stmt = (
        select(School)
        .join(Membership, Membership.school_id == School.id)
        .where(
            Membership.group_id == group.id,
            Membership.start_date <= on,
            or_(Membership.end_date.is_(None), Membership.end_date >= on),
        )
        .order_by(School.code)
    )
    return list(session.scalars(stmt))


def _answers(rng: random.Random, satisfied: bool, codes: list[str]) -> tuple[int, dict[str, int]]:
    overall = rng.choice((4, 5, 5)) if satisfied else rng.choice((1, 2, 3, 3, 3))
    items = {}
    for code in codes:
        if rng.random() < 0.05:
            continue  # an item left unanswered
        items[code] = min(5, max(1, overall + rng.choice((-1, 0, 0, 0, 1))))
    return overall, items


def load_demo(session: Session, world: DemoWorld) -> None:
    """Questionnaires and responses of the module's table, responses inserted in bulk."""
    region, groups = world.region, world.groups
    rng = random.Random(20251124)
    districts = {d.code: d for d in session.scalars(select(District).where(District.region_id == region.id))}
    planned: list[tuple[Questionnaire, RespondentKind, float, list[School], int]] = []
    for year, targets in SHARES.items():
        day = CONDUCTED[year]
        for target_code, shares in targets.items():
            group = groups.get(target_code)
            district = districts.get(target_code)
            if group is not None:
                schools = _members(session, group, day)
                name = group.name
            elif district is not None:
                schools = list(
                    session.scalars(
                        select(School).where(School.district_id == district.id).order_by(School.code).limit(8)
                    )
                )
                name = district.name
            else:
                continue
            for kind, share in shares.items():
                questionnaire = Questionnaire(
                    region_id=region.id,
                    group_id=group.id if group is not None else None,
                    district_id=district.id if group is None and district is not None else None,
                    title=f"{name}{year}学年{TITLES[kind]}",
                    conducted_on=day,
                    respondent_kinds=[kind.value],
                    scale_min=1,
                    scale_max=5,
                    satisfied_values=[4, 5],
                    scale_labels={str(k): v for k, v in DEFAULT_SCALE_LABELS.items()},
                    description="示例数据: 匿名问卷, 网上填答",
                )
                questionnaire.items = [
                    QuestionnaireItem(position=0, code=OVERALL_CODE, text=OVERALL[kind], is_overall=True)
                ]
                questionnaire.items += [
                    QuestionnaireItem(position=i, code=f"Q{i}", text=text, is_overall=False)
                    for i, text in enumerate(ITEMS[kind], start=1)
                ]
                planned.append((questionnaire, kind, share, schools, year))
    session.add_all([q for q, *_ in planned])
    session.flush()
    rows: list[dict[str, Any]] = []
    for questionnaire, kind, share, schools, year in planned:
        codes = [f"Q{i}" for i in range(1, len(ITEMS[kind]) + 1)]
        respondents = [s for s in schools for _ in range(PER_SCHOOL[kind])]
        satisfied = round(share * len(respondents))
        flags = [True] * satisfied + [False] * (len(respondents) - satisfied)
        rng.shuffle(flags)
        for k, (school, happy) in enumerate(zip(respondents, flags, strict=True), start=1):
            overall, answers = _answers(rng, happy, codes)
            rows.append(
                {
                    "questionnaire_id": questionnaire.id,
                    "respondent_kind": kind,
                    "respondent_code": f"{kind.value[0].upper()}{year}-{questionnaire.id:03d}-{k:04d}",
                    "school_id": school.id,
                    "overall_answer": overall,
                    "answers": answers,
                }
            )
    session.execute(insert(SurveyResponse), rows)
    audit.record(
        session,
        action="import",
        entity_type="survey_responses",
        entity_id=region.code,
        note=f"示例数据: {len(planned)} 份问卷, {len(rows)} 份答卷",
        region_id=region.id,
    )
