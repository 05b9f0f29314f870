"""How a user's scope is resolved: from the registry (`org`) and, for a teacher, its record (`teachers`).

It lives in the composition root because it reads two domains that `core`, which holds `Scope`, may not.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.models import Role, User
from edugroup.core.scope import Scope
from edugroup.org.models import Group, Membership, School
from edugroup.teachers.models import Teacher


def resolve_scope(session: Session, user: User) -> Scope:
    """Resolve the user's scope from its role and the registry: a group head's groups (with the groups
    under them) and their schools; a school administrator's school; a teacher's current school."""
    group_ids: set[int] = set()
    school_ids: set[int] = set()
    region_id = user.region_id
    if user.role is Role.group_head and user.group_id is not None:
        frontier = {user.group_id}
        while frontier:
            group_ids |= frontier
            children = session.scalars(select(Group.id).where(Group.parent_id.in_(frontier))).all()
            frontier = set(children) - group_ids
        school_ids = set(
            session.scalars(select(Membership.school_id).where(Membership.group_id.in_(group_ids))).all()
        )
        region_id = region_id or session.get(Group, user.group_id).region_id  # type: ignore[union-attr]
    elif user.role in (Role.school_admin, Role.teacher):
        school_id = user.school_id
        if user.role is Role.teacher and user.teacher_id is not None:
            teacher = session.get(Teacher, user.teacher_id)
            school_id = teacher.school_id if teacher else school_id
        if school_id is not None:
            school_ids = {school_id}
            school = session.get(School, school_id)
            region_id = region_id or (school.region_id if school else None)
            group_ids = set(
                session.scalars(select(Membership.group_id).where(Membership.school_id == school_id)).all()
            )
    return Scope(
        user_id=user.id,
        username=user.username,
        role=user.role,
        region_id=region_id,
        group_ids=frozenset(group_ids),
        school_ids=frozenset(school_ids),
        teacher_id=user.teacher_id,
    )
