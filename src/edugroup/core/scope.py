"""Who may see what: one scope per user, applied by every service query.

A bureau administrator sees its region; a group head its group (with the groups under it) and the schools
that belong or belonged to it; a school administrator its school; a teacher its own record and its school.
Objects out of scope answer "not found", so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select
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


ScopeResolver = Callable[[Session, User], Scope]
"""Resolves a user's scope from the registry; the composition root installs the one the product uses."""

_resolver: list[ScopeResolver] = []


def install_scope_resolver(resolver: ScopeResolver) -> None:
    """Install how scopes are resolved (`edugroup.web.composition.register_domains` does it at start-up)."""
    _resolver[:] = [resolver]


def scope_for(session: Session, user: User) -> Scope:
    """Resolve the user's scope from its role and the registry."""
    if not _resolver:
        raise RuntimeError("no scope resolver: call edugroup.web.composition.register_domains() first")
    return _resolver[0](session, user)
