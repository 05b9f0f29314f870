"""Who may see what: one scope per user, applied by every service query.

A bureau administrator sees its region; a group head its group (with the groups under it) and the schools
that belong or belonged to it; a school administrator its school; a teacher its own record and its school.
Objects out of scope answer "not found", so their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from edugroup.core.errors import Forbidden, NotFound
from edugroup.core.models import Role, User

Column = InstrumentedAttribute[int] | InstrumentedAttribute[int | None]


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    username: str
    role: Role
    region_id: int | None
    group_ids: frozenset[int] = field(default_factory=frozenset)
    school_ids: frozenset[int] = field(default_factory=frozenset)
    teacher_id: int | None = None

    @property
    def is_bureau(self) -> bool:
        return self.role is Role.bureau_admin

    def can_see_region(self, region_id: int) -> bool:
        return self.region_id == region_id

    def can_see_school(self, school_id: int, region_id: int) -> bool:
        if self.region_id != region_id:
            return False
        return self.is_bureau or school_id in self.school_ids

    def can_see_group(self, group_id: int, region_id: int) -> bool:
        if self.region_id != region_id:
            return False
        return self.is_bureau or group_id in self.group_ids

    def can_see_teacher(self, teacher_id: int, school_id: int, region_id: int) -> bool:
        if self.role is Role.teacher:
            return teacher_id == self.teacher_id
        return self.can_see_school(school_id, region_id)

    def require_bureau(self, what: str = "此操作") -> None:
        """Refuse anyone but a bureau administrator."""
        if not self.is_bureau:
            raise Forbidden(f"{what}仅限教育局管理员")

    def school_filter(self, stmt: Select[Any], school_id: Column, region_id: Column) -> Select[Any]:
        """Restrict `stmt` to rows of schools in scope."""
        stmt = stmt.where(region_id == self.region_id)
        if not self.is_bureau:
            stmt = stmt.where(school_id.in_(self.school_ids))
        return stmt

    def group_filter(self, stmt: Select[Any], group_id: Column, region_id: Column) -> Select[Any]:
        """Restrict `stmt` to rows of groups in scope."""
        stmt = stmt.where(region_id == self.region_id)
        if not self.is_bureau:
            stmt = stmt.where(group_id.in_(self.group_ids))
        return stmt


def check_found(visible: bool, what: str, ident: object) -> None:
    """Raise NotFound unless the object exists and is in scope."""
    if not visible:
        raise NotFound(f"{what} {ident} 不存在或无权查看")


def scope_for(session: Session, user: User) -> Scope:
    """Resolve the user's scope from its role and the registry."""
    from edugroup.org.models import Group, Membership, School
    from edugroup.teachers.models import Teacher

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
