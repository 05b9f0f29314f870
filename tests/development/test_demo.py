"""The demo regions' teacher development records give a realistic mix of verdicts."""

from sqlalchemy import func, select

from edugroup.core.models import User
from edugroup.core.scope import scope_for
from edugroup.mentoring.models import MentoringPair
from edugroup.policy.service import run_compliance
from edugroup.teachers.models import Teacher
from edugroup.training import service as training_service
from edugroup.training.models import TrainingRecord
from edugroup.web.composition import load_demo


def verdicts(db, user, pack, year, clauses):
    scope = scope_for(db, db.scalar(select(User).where(User.username == user)))
    rows = run_compliance(db, scope, pack, year=year).rows
    return {(r.clause, r.entity_name): (r.value, r.verdict) for r in rows if r.clause in clauses}


def test_the_demo_shows_met_and_not_met_certificates_experts_and_mentors(db):
    load_demo(db)
    certificates = {
        year: verdicts(db, "demo-bureau", "ouhai-2022", year, {"OH-11", "OH-12"}) for year in (2024, 2025)
    }
    over = {k: v for k, v in certificates[2024].items() if v[1] == "not_met"}
    assert {clause for clause, _ in over} == {"OH-11", "OH-12"}
    assert certificates[2024][("OH-11", "示例共建体(二)")][1] == "not_met"
    assert all(verdict == "met" for _, verdict in certificates[2025].values())
    assert max(v for (clause, _), (v, _) in certificates[2025].items() if clause == "OH-12") == 2

    qingpu = verdicts(db, "demo-qingpu", "qingpu-2023", 2025, {"QP-05", "QP-07.a"})
    experts = sorted(v for (clause, _), (v, _) in qingpu.items() if clause == "QP-05")
    assert experts == [3, 3, 3, 3, 3]
    assert [v for (clause, _), v in qingpu.items() if clause == "QP-07.a"] == [(12, "met")]

    alliance = verdicts(db, "demo-bureau", "ouhai-2022", 2025, {"OH-09"})[("OH-09", "示例教育联盟")]
    if db.scalar(select(func.count()).where(Teacher.backbone_tier.is_not(None))):
        assert alliance == (3, "met")
        assert (
            verdicts(db, "demo-bureau", "ouhai-2022", 2024, {"OH-09"})[("OH-09", "示例教育联盟")][1]
            == "not_met"
        )
    else:
        assert alliance == (0, "not_met")  # teacher records without backbone tiers: nobody is backbone
    assert db.scalar(select(func.count()).select_from(MentoringPair)) >= 4

    teacher = db.scalar(select(User).where(User.username == "demo-teacher"))
    own = training_service.list_training(db, scope_for(db, teacher), year=2025)
    assert own
    assert all(r.teacher_id == teacher.teacher_id for r in own)
    credits = {r.level: r.credit_rate for r in db.scalars(select(TrainingRecord))}
    assert credits["group"] > credits["school"]
