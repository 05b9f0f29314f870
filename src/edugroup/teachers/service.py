"""Teachers' communities: studios (名师工作室) with members across schools (OH-10, SH-09)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.errors import InvalidInput, NotFound
from edugroup.core.scope import Scope
from edugroup.org.service import get_group
from edugroup.teachers.models import Studio, StudioMember, Teacher


def create_studio(
    session: Session,
    scope: Scope,
    *,
    name: str,
    group_id: int | None,
    host_teacher_id: int | None = None,
    member_teacher_ids: list[int] | None = None,
    founded_on: date | None = None,
) -> Studio:
    """Creates a studio in a group the caller may manage, with its members (teachers of the region)."""
    scope.require_bureau("设立工作室")
    assert scope.region_id is not None
    if not name.strip():
        raise InvalidInput("工作室名称不能为空", field="name")
    if group_id is not None:
        get_group(session, scope, group_id)
    wanted = list(
        dict.fromkeys([*(member_teacher_ids or []), *([host_teacher_id] if host_teacher_id else [])])
    )
    found = set(
        session.scalars(
            select(Teacher.id).where(Teacher.id.in_(wanted), Teacher.region_id == scope.region_id)
        )
    )
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise NotFound(f"教师 {', '.join(missing)} 不存在或不在本区", field="member_teacher_ids")
    studio = Studio(
        region_id=scope.region_id,
        group_id=group_id,
        name=name.strip(),
        host_teacher_id=host_teacher_id,
        founded_on=founded_on,
    )
    studio.members = [StudioMember(teacher_id=i, joined_on=founded_on) for i in wanted]
    session.add(studio)
    session.flush()
    return studio
