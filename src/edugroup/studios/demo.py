"""Demo studios of 示例区: two studios of the alliance SL-A1 with the alliance's studio activities (OH-10)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.activities.models import Activity, ActivityKind
from edugroup.org.demo import DemoWorld
from edugroup.org.models import Membership
from edugroup.studios.models import Studio, StudioMember
from edugroup.teachers.models import Teacher


def load_demo(session: Session, world: DemoWorld) -> None:
    """Two studios of the alliance whose members reach every member school (OH-10.a); the first is busy
    (>= 5 activities in 2025), the second only started in the 2026 school year (OH-10.b not met in 2025)."""
    region, alliance = world.region, world.groups["SL-A1"]
    members = sorted(
        session.scalars(select(Membership.school_id).where(Membership.group_id == alliance.id)).all()
    )
    first = [_first_teacher(session, school_id) for school_id in members[:3]]
    second = [_first_teacher(session, school_id) for school_id in members[2:]]
    busy = Studio(
        region_id=region.id,
        group_id=alliance.id,
        name="示例语文名师工作室",
        host_teacher_id=first[0],
        founded_on=date(2022, 9, 1),
    )
    busy.members = [StudioMember(teacher_id=t, joined_on=date(2022, 9, 1)) for t in first]
    new = Studio(
        region_id=region.id,
        group_id=alliance.id,
        name="示例数学名师工作室",
        host_teacher_id=second[0],
        founded_on=date(2025, 9, 1),
    )
    new.members = [StudioMember(teacher_id=t, joined_on=date(2025, 9, 1)) for t in second]
    session.add_all([busy, new])
    session.flush()
    records = session.scalars(
        select(Activity)
        .where(Activity.group_id == alliance.id, Activity.kind == ActivityKind.studio_activity)
        .order_by(Activity.occurred_on)
    ).all()
    for activity in records:
        activity.studio_id = busy.id if activity.occurred_on < date(2026, 9, 1) else new.id
    session.flush()


def _first_teacher(session: Session, school_id: int) -> int:
    teacher_id = session.scalar(select(Teacher.id).where(Teacher.school_id == school_id).order_by(Teacher.id))
    assert teacher_id is not None
    return teacher_id
