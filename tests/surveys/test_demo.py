"""The demo region's surveys and admissions give a realistic mix of verdicts for HK-21, HK-22 and HK-23."""

from sqlalchemy import select

from edugroup.core.models import User
from edugroup.core.scope import scope_for
from edugroup.org.models import Group
from edugroup.policy import service
from edugroup.web.composition import load_demo


def test_the_demo_region_meets_some_of_hk21_to_hk23_and_misses_others(db):
    load_demo(db)
    bureau = scope_for(db, db.scalar(select(User).where(User.username == "demo-bureau")))
    codes = {g.id: g.code for g in db.scalars(select(Group).where(Group.region_id == bureau.region_id))}
    found = {}
    for year in (2025, 2026):
        evaluation = service.run_compliance(db, bureau, "hongkou-2025", year=year)
        for r in evaluation.rows:
            if r.clause in ("HK-21", "HK-22", "HK-23") and r.entity_type == "group":
                found[(year, r.clause, codes[r.entity_id], r.breakdown)] = r.verdict
    assert found[(2025, "HK-23", "SL-T2", "parent")] == "not_met"  # 86% of parents
    assert found[(2025, "HK-23", "SL-T2", "teacher")] == "met"
    assert found[(2025, "HK-23", "SL-C2", "teacher")] == "met"  # exactly 90%
    assert found[(2025, "HK-23", "SL-T1", "parent")] == "met"
    assert found[(2025, "HK-23", "SL-X1", "parent")] == "no_data"
    assert found[(2025, "HK-21", "SL-T2", "")] == "not_met"  # one place short
    assert found[(2025, "HK-21", "SL-T1", "")] == "met"
    assert found[(2025, "HK-22", "SL-T1", "")] == "met"
    assert found[(2025, "HK-22", "SL-P1", "")] == "not_met"
    assert {v for k, v in found.items() if k[0] == 2026} == {"no_data"}  # nothing recorded yet
