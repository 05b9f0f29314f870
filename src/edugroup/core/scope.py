"""Who may see what: one scope per user, applied by every service query.

A bureau administrator sees its region; a group head its group (with the groups under it) and the schools
that belong or belonged to it; a school administrator its school; a teacher its own record and its school.
Objects out of scope answer "not found", so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false
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

    # --- who may write ------------------------------------------------------------------------------
    # Region-scoped records are written by bureau administrators (`require_bureau`); group-scoped ones also
    # by the heads of their groups (`require_group_writer`); school-scoped ones also by group heads and
    # school administrators of their schools (`require_school_writer`). Teachers write none.

    @property
    def manages_groups(self) -> bool:
        """Bureau administrators and group heads: the roles that write group-scoped records."""
        return self.is_bureau or self.role is Role.group_head

    @property
    def manages_schools(self) -> bool:
        """Bureau administrators, group heads and school administrators: every role but teachers."""
        return self.is_bureau or self.role in (Role.group_head, Role.school_admin)

    def can_write_group(self, group_id: int | None) -> bool:
        """Bureau administrators write for any group (or none); a group head for its groups only."""
        return self.is_bureau or (self.role is Role.group_head and group_id in self.group_ids)

    def can_write_school(self, school_id: int | None) -> bool:
        """Bureau administrators write for any school; group heads and school administrators for theirs."""
        return self.is_bureau or (self.manages_schools and school_id in self.school_ids)

    def require_bureau(self, what: str = "此操作", field: str | None = None) -> None:
        """Refuse (403, naming `field`) anyone but a bureau administrator: "`what`仅限教育局管理员"."""
        if not self.is_bureau:
            raise Forbidden(f"{what}仅限教育局管理员", field=field)

    def require_group_manager(self, what: str, who: str = "集团总校长") -> None:
        """Refuse (403) anyone but bureau administrators and group heads: "`what`仅限教育局管理员或`who`"."""
        if not self.manages_groups:
            raise Forbidden(f"{what}仅限教育局管理员或{who}")

    def require_school_manager(self, what: str) -> None:
        """Refuse (403) teachers: "`what`仅限教育局、集团或学校管理员"."""
        if not self.manages_schools:
            raise Forbidden(f"{what}仅限教育局、集团或学校管理员")

    def require_group_writer(
        self, group_id: int | None, what: str, who: str = "本集团总校长", field: str | None = "group_id"
    ) -> None:
        """Refuse (403, naming `field`) a user who may not write for this group: "`what`仅限教育局管理员或`who`"."""
        if not self.can_write_group(group_id):
            raise Forbidden(f"{what}仅限教育局管理员或{who}", field=field)

    def require_school_writer(
        self, school_id: int | None, what: str, whose: str = "记录", field: str | None = "school_id"
    ) -> None:
        """Refuse (403, naming `field`) a user who may not write for this school: "`what`: 只能管理本校 (或本集团
        学校) 的`whose`"."""
        if not self.can_write_school(school_id):
            raise Forbidden(f"{what}: 只能管理本校 (或本集团学校) 的{whose}", field=field)

    # --- what may be seen --------------------------------------------------------------------------
    # One "visible or 404" per kind of scoped record: `record` is the row read (None when there is none).

    def visible_region(self, record: Any, what: str, ident: object) -> None:
        """NotFound (404) unless `record` exists in the user's region."""
        check_found(record is not None and self.can_see_region(record.region_id), what, ident)

    def visible_group(self, record: Any, group_id: int, what: str) -> None:
        """NotFound (404) unless `record`, of group `group_id`, exists and its group is in scope."""
        check_found(record is not None and self.can_see_group(group_id, record.region_id), what, group_id)

    def visible_school(self, record: Any, school_id: int, what: str) -> None:
        """NotFound (404) unless `record`, of school `school_id`, exists and its school is in scope."""
        check_found(record is not None and self.can_see_school(school_id, record.region_id), what, school_id)

    def managed_schools(self, school_id: Column, region_id: Column) -> ColumnElement[bool]:
        """SQL condition: rows of schools the user manages (bureau: its region; group heads and school
        administrators: their schools; teachers: none)."""
        return self._managed(school_id, self.school_ids, region_id)

    def managed_groups(self, group_id: Column, region_id: Column) -> ColumnElement[bool]:
        """SQL condition: rows of groups the user manages or whose school it manages (bureau: its region;
        group heads and school administrators: their groups; teachers: none)."""
        return self._managed(group_id, self.group_ids, region_id)

    def _managed(self, column: Column, ids: frozenset[int], region_id: Column) -> ColumnElement[bool]:
        in_region = region_id == self.region_id
        if self.is_bureau:
            return in_region
        if self.manages_schools:
            return and_(in_region, column.in_(ids))
        return false()

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
