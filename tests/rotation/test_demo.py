"""The demo region's teachers and rotations show a mix of met and not met, and a draft plan that keeps the pack."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import func, select

from edugroup.core.models import User
from edugroup.core.scope import scope_for
from edugroup.org.demo import DEMO_PASSWORD
from edugroup.policy.service import run_compliance
from edugroup.rotation.models import EligibilityRule, Rotation, RotationPlan, RotationTeam
from edugroup.rotation.plans.service import plan_warnings
from edugroup.teachers.models import Teacher
from edugroup.web.composition import load_demo


def test_the_demo_region_has_teacher_facts_rotations_mixed_verdicts_and_a_draft_plan(db, client):
    load_demo(db)
    bureau = scope_for(db, db.scalar(select(User).where(User.username == "demo-bureau")))
    region = bureau.region_id
    teachers = db.scalars(select(Teacher).where(Teacher.region_id == region)).all()
    assert 0.1 < sum(t.is_backbone for t in teachers) / len(teachers) < 0.4
    assert sum(t.municipal_famous_principal for t in teachers) >= 3
    assert db.scalar(select(func.count()).where(EligibilityRule.region_id == region)) == 1
    starts = Counter(
        r.start_on.year for r in db.scalars(select(Rotation).where(Rotation.region_id == region))
    )
    assert starts[2024] > 50
    assert starts[2025] > 50
    assert db.scalar(select(func.count()).select_from(RotationTeam)) > 10

    for pack, year, clauses in [
        ("hongkou-2025", 2025, ["HK-05", "HK-06", "HK-07", "HK-08", "HK-09"]),
        ("shanghai-tight", 2024, ["SH-06", "SH-07", "SH-08"]),
        ("shanghai-tight", 2025, ["SH-06", "SH-07", "SH-08"]),
    ]:
        evaluation = run_compliance(db, bureau, pack, year=year)
        for clause in clauses:
            verdicts = {r.verdict for r in evaluation.rows if r.clause == clause}
            assert {"met", "not_met"} <= verdicts, (pack, year, clause, verdicts)

    plan = db.scalars(select(RotationPlan).where(RotationPlan.region_id == region)).one()
    assert (plan.status.value, plan.solver_status) == ("draft", "optimal")
    assert len(plan.rows) > 20
    assert plan_warnings(db, plan) == []

    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    client.post("/login", data={"username": "demo-teacher", "password": DEMO_PASSWORD, "csrf_token": token})
    teacher_id = db.scalar(select(User.teacher_id).where(User.username == "demo-teacher"))
    page = client.get(f"/teachers/{teacher_id}").text
    assert "视同农村(薄弱)学校交流经历" in page
