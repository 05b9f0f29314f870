"""Demo guiding experts and classroom observers: for 示例区's 示例强校工程 (external names), and for 青浦区's
强校工程 (QP-P2).

Qingpu (QP-05, QP-07.a): three guiding experts at each pilot school (real schools get no invented shortfall); twelve classroom
observers for the programme (the same twelve names as the observation records). Those records are marked
示例数据.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.experts.models import Assignment, AssignmentRole
from edugroup.org.demo import DemoWorld
from edugroup.org.models import Group, GroupMode, Region
from edugroup.teachers.demo import member_schools


def load_demo(session: Session, world: DemoWorld) -> None:
    """Guiding experts for the synthetic region's programme, then Qingpu's experts and observers."""
    region, groups = world.region, world.groups
    programme = groups["SL-P1"]
    session.add_all(_programme(region, programme, member_schools(session, programme, date(2025, 9, 1))))
    session.flush()
    _load_qingpu(session)


def _programme(region: Region, programme: Group, pilots: list[int]) -> list[Assignment]:
    """Three guiding experts for each pilot school of 示例强校工程 (external names)."""
    return [
        Assignment(
            region_id=region.id,
            role=AssignmentRole.guiding_expert,
            expert_name=f"示例指导专家({k * 3 + i + 1})",
            affiliation="示例区教育学院",
            school_id=school_id,
            started_on=programme.founded_on or date(2023, 11, 1),
        )
        for k, school_id in enumerate(pilots)
        for i in range(3)
    ]


def _load_qingpu(session: Session) -> None:
    """QP-05: 3 guiding experts at each pilot school; QP-07.a: 12 classroom observers for QP-P2."""
    programme = session.scalar(
        select(Group)
        .join(Region, Region.id == Group.region_id)
        .where(Region.code == "sh-qingpu", Group.code == "QP-P2", Group.mode == GroupMode.programme)
    )
    if programme is None:
        return
    start = programme.founded_on or date(2023, 11, 1)
    end = date(2026, 10, 31)
    pilots = member_schools(session, programme, start)
    records = []
    for k, school_id in enumerate(pilots):
        for i in range(3):
            records.append(
                Assignment(
                    region_id=programme.region_id,
                    role=AssignmentRole.guiding_expert,
                    expert_name=f"示例指导专家({'甲乙丙丁戊'[k]}{i + 1})",
                    affiliation="示例高校教育学院",
                    school_id=school_id,
                    started_on=start,
                    ended_on=end,
                    note="示例数据",
                )
            )
    names = [f"示例观察员({n})" for n in "一二三四五六七八九十"] + ["示例观察员(十一)", "示例观察员(十二)"]
    for name in names:
        records.append(
            Assignment(
                region_id=programme.region_id,
                role=AssignmentRole.classroom_observer,
                expert_name=name,
                affiliation="青浦区名优教师、教学管理骨干 (示例)",
                group_id=programme.id,
                started_on=start,
                ended_on=end,
                note="示例数据",
            )
        )
    session.add_all(records)
    session.flush()
