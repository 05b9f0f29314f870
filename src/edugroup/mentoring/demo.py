"""Demo mentoring pairs and dispatches for 示例区 (school years 2024 and 2025):

| clause | 2024 | 2025 |
|---|---|---|
| OH-09 alliance SL-A1 backbone mentors >= 3 | 2, not met | 3, met (when teacher records carry backbone tiers) |

and pairs and dispatches across the schools of the collaborative SL-X1 (HD-03).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.models import User
from edugroup.mentoring import service
from edugroup.mentoring.models import Dispatch, DispatchKind, MentoringPair
from edugroup.org.demo import DemoWorld
from edugroup.org.models import Group, Region
from edugroup.teachers.demo import staffed_groups
from edugroup.teachers.models import Teacher


def load_demo(session: Session, world: DemoWorld) -> None:
    """Mentoring pairs and dispatches for the synthetic region (see the module's table)."""
    region, groups = world.region, world.groups
    members, teachers = staffed_groups(session, groups, ("SL-A1", "SL-T1", "SL-X1"), date(2025, 9, 1))
    records: list[object] = [*_mentoring(session, region, groups, members, teachers)]
    records += _dispatches(region, groups["SL-X1"], members["SL-X1"], teachers)
    session.add_all(records)
    session.flush()


def _mentoring(
    session: Session,
    region: Region,
    groups: dict[str, Group],
    members: dict[str, list[int]],
    teachers: dict[int, list[Teacher]],
) -> list[MentoringPair]:
    """SL-A1 arranges two pairs with backbone mentors from 2024 and a third from 2025 (OH-09), plus one with
    an ordinary mentor; SL-T1 pairs the demo teacher with a mentor; SL-X1 pairs across its schools (HD-03)."""
    candidates = [t for s in members["SL-A1"] for t in teachers[s]]
    backbone = [t for t in candidates if service.is_backbone(t)][:3] or candidates[:3]
    ordinary = [t for t in candidates if not service.is_backbone(t) and t not in backbone]
    mentors = [*backbone, ordinary[0]]
    mentees = ordinary[-4:]
    starts = (date(2024, 9, 1), date(2024, 9, 1), date(2025, 9, 1), date(2025, 9, 1))
    pairs = [
        MentoringPair(
            region_id=region.id,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            group_id=groups["SL-A1"].id,
            started_on=start,
            subject=mentor.subject,
            note="联盟内跨校师徒结对",
        )
        for mentor, mentee, start in zip(mentors, mentees, starts, strict=False)
    ]
    demo_teacher = session.scalar(select(User.teacher_id).where(User.username == "demo-teacher"))
    mentor = teachers[members["SL-T1"][0]][2]
    if demo_teacher is not None:
        pairs.append(
            MentoringPair(
                region_id=region.id,
                mentor_id=mentor.id,
                mentee_id=demo_teacher,
                group_id=groups["SL-T1"].id,
                started_on=date(2025, 9, 1),
                ended_on=date(2026, 8, 31),
                note="集团内青年教师带教",
            )
        )
    x1 = members["SL-X1"]
    for k in range(0, min(len(x1) - 1, 6), 2):
        pairs.append(
            MentoringPair(
                region_id=region.id,
                mentor_id=teachers[x1[k]][0].id,
                mentee_id=teachers[x1[k + 1]][3].id,
                group_id=groups["SL-X1"].id,
                started_on=date(2025, 9, 1),
                note="协作体师徒结对 (HD-03)",
            )
        )
    return pairs


def _dispatches(
    region: Region, collaborative: Group, schools: list[int], teachers: dict[int, list[Teacher]]
) -> list[Dispatch]:
    """Two backbone teachers of the leader school take posts at member schools; one art teacher is sent
    where the subject is lacking (HD-03)."""
    leader = schools[0]
    art = next((t for t in teachers[leader] if t.subject in ("美术", "音乐")), teachers[leader][-1])
    plan = [
        (DispatchKind.backbone_post, teachers[leader][0], schools[-1], date(2025, 9, 1), date(2026, 1, 31)),
        (DispatchKind.backbone_post, teachers[leader][1], schools[-2], date(2026, 2, 1), date(2026, 6, 30)),
        (DispatchKind.special_needs, art, schools[1], date(2025, 9, 1), None),
    ]
    return [
        Dispatch(
            region_id=region.id,
            kind=kind,
            teacher_id=teacher.id,
            from_school_id=teacher.school_id,
            to_school_id=to_school,
            group_id=collaborative.id,
            started_on=start,
            ended_on=end,
            subject=teacher.subject,
        )
        for kind, teacher, to_school, start, end in plan
    ]
