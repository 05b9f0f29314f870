"""Demo plan for 示例区 (deterministic): receiving demand of every weaker school for school year 2027 and a
draft rotation plan made by the planner, after the demo rotations (`rotation.demo`). The draft plan keeps every
quota (optimal, 120 teachers from the 12 quality schools)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from edugroup.core.models import Role
from edugroup.core.scope import Scope
from edugroup.org.models import QualityTier, Region, School, Stage
from edugroup.rotation.models import RotationDemand
from edugroup.rotation.plans.service import create_plan

PLAN_YEAR = 2027
PRIMARY_DEMAND = ["语文", "数学", "英语", "科学", "体育", "音乐", "美术", "道德与法治", "信息科技"]
SECONDARY_DEMAND = [
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "道德与法治",
    "体育",
    "信息科技",
]


def load_demo_plan(session: Session, region: Region, schools: list[School]) -> None:
    """Receiving demand of every weaker school for school year 2027, and a draft plan made by the planner."""
    for school in sorted(schools, key=lambda s: s.code):
        if school.quality_tier is not QualityTier.weaker:
            continue
        for subject in PRIMARY_DEMAND if school.stage is Stage.primary else SECONDARY_DEMAND:
            session.add(
                RotationDemand(
                    region_id=region.id,
                    school_id=school.id,
                    year=PLAN_YEAR,
                    subject=subject,
                    min_count=0,
                    max_count=3,
                )
            )
    session.flush()
    bureau = Scope(
        user_id=None,
        username=str(session.info.get("actor", "demo-loader")),
        role=Role.bureau_admin,
        region_id=region.id,
    )
    create_plan(session, bureau, PLAN_YEAR, pack_id=region.policy_pack, time_limit=20.0)
