"""The demo exams of 示例区: four exams, about 22,000 rows with prior scores, and a realistic mix of verdicts."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from edugroup.core.models import User
from edugroup.core.scope import scope_for
from edugroup.monitoring import service
from edugroup.monitoring.models import Exam, ExamResult
from edugroup.org.models import Group
from edugroup.policy import service as policy
from edugroup.web.composition import load_demo


def test_the_demo_region_has_exams_whose_results_give_met_and_not_met(db):
    load_demo(db)
    bureau = scope_for(db, db.scalar(select(User).where(User.username == "demo-bureau")))
    exams = service.list_exams(db, bureau)
    assert [(e.school_year, e.grade, len(e.subjects)) for e in exams] == [
        (2025, 5, 3),
        (2025, 9, 4),
        (2024, 5, 3),
        (2024, 9, 4),
    ]
    rows = db.scalar(select(func.count()).select_from(ExamResult))
    assert 15_000 <= rows <= 25_000
    assert sum(e.results_count for e in db.scalars(select(Exam))) == rows
    priors = service.results_frame(db, [exams[0].id], ("prior", "sex", "ses"))
    assert priors["prior"].null_count() == 0
    assert priors["sex"].null_count() == 0

    evaluation = policy.run_compliance(db, bureau, "hongkou-2025", year=2025)
    for clause in ("HK-17", "HK-18", "HK-20"):
        verdicts = Counter(r.verdict for r in evaluation.rows if r.clause == clause)
        assert verdicts["met"] > 0, clause
        assert verdicts["not_met"] > 0, clause
    groups = {g.code: g.id for g in db.scalars(select(Group).where(Group.region_id == bureau.region_id))}
    hk20 = {
        r.breakdown: r.verdict
        for r in evaluation.rows
        if r.clause == "HK-20" and r.entity_type == "group" and r.entity_id == groups["SL-T1"]
    }
    assert hk20 == {"语文": "met", "数学": "not_met", "英语": "met", "物理": "met"}
    hk18 = {
        r.verdict
        for r in evaluation.rows
        if r.clause == "HK-18" and r.entity_type == "group" and r.entity_id == groups["SL-C2"]
    }
    assert hk18 == {"not_met"}
