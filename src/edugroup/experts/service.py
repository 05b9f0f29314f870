"""Guiding experts (QP-05) and classroom observers (QP-07.a) assigned to schools and programmes, and the
period read the compliance engine counts them from.

Who sees an assignment: a bureau administrator every one of its region; a group head or school administrator
those of its groups and schools; a teacher its own. Only the bureau assigns. Hidden assignments answer 404,
visible but not writable ones 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session, selectinload

from edugroup.core.errors import InvalidInput
from edugroup.core.models import Role
from edugroup.core.records import (
    DatedRow,
    check_dates,
    not_found_as,
    overlapping_year,
    update_changes,
    visible_one,
    where_given,
)
from edugroup.core.scope import Scope
from edugroup.experts.models import Assignment
from edugroup.experts.schemas import AssignmentCreate, AssignmentUpdate
from edugroup.org import service as org_service
from edugroup.teachers import service as teachers_service

# --- experts and observers (QP-05, QP-07.a) --------------------------------------------------------

_ASSIGNMENT_LOADS = (
    selectinload(Assignment.teacher),
    selectinload(Assignment.school),
    selectinload(Assignment.group),
)
_ASSIGNMENT_REQUIRED = {"role": "角色", "started_on": "开始日期"}


def _assignments_visible(scope: Scope) -> ColumnElement[bool]:
    in_region = Assignment.region_id == scope.region_id
    if scope.is_bureau:
        return in_region
    if scope.role is Role.teacher:
        return in_region & (Assignment.teacher_id == scope.teacher_id if scope.teacher_id else false())
    return in_region & or_(
        Assignment.school_id.in_(scope.school_ids), Assignment.group_id.in_(scope.group_ids)
    )


def list_assignments(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    school_id: int | None = None,
    group_id: int | None = None,
    role: str | None = None,
) -> list[Assignment]:
    """Experts and observers assigned in scope (active during school year `year` when given)."""
    stmt = select(Assignment).where(
        _assignments_visible(scope), *overlapping_year(Assignment.started_on, Assignment.ended_on, year)
    )
    stmt = where_given(
        stmt, (Assignment.school_id, school_id), (Assignment.group_id, group_id), (Assignment.role, role)
    )
    stmt = stmt.options(*_ASSIGNMENT_LOADS).order_by(Assignment.started_on.desc(), Assignment.id.desc())
    return list(session.scalars(stmt))


def get_assignment(session: Session, scope: Scope, assignment_id: int) -> Assignment:
    """Gets an assignment in scope."""
    return visible_one(
        session, Assignment, assignment_id, _assignments_visible(scope), _ASSIGNMENT_LOADS, "人员配备"
    )


def _checked_assignment(session: Session, scope: Scope, values: dict[str, Any], what: str) -> dict[str, Any]:
    scope.require_bureau(what)
    has_teacher, has_name = values.get("teacher_id") is not None, bool(values.get("expert_name"))
    if has_teacher == has_name:
        raise InvalidInput("人员只填一项: 本区教师 (工号) 或外部专家姓名", field="teacher_id")
    if has_teacher:
        teachers_service.get_teacher(session, scope, values["teacher_id"], field="teacher_id")
    has_school, has_group = values.get("school_id") is not None, values.get("group_id") is not None
    if has_school == has_group:
        raise InvalidInput("配备对象只填一项: 学校或项目 (集团)", field="school_id")
    if has_school:
        with not_found_as("school_id"):
            org_service.get_school(session, scope, values["school_id"])
    else:
        with not_found_as("group_id"):
            org_service.get_group(session, scope, values["group_id"])
    check_dates(values)
    return values


def create_assignment(session: Session, scope: Scope, data: AssignmentCreate) -> Assignment:
    """Assigns a guiding expert or classroom observer to a school or a programme (QP-05, QP-07.a)."""
    values = _checked_assignment(session, scope, data.model_dump(), "配备指导专家和课堂观察员")
    assignment = Assignment(region_id=scope.region_id, **values)
    session.add(assignment)
    session.flush()
    return assignment


def update_assignment(
    session: Session, scope: Scope, assignment_id: int, data: AssignmentUpdate
) -> Assignment:
    """Changes an assignment (to end it, set ended_on)."""
    assignment = get_assignment(session, scope, assignment_id)
    changes = update_changes(data, _ASSIGNMENT_REQUIRED)
    merged = {key: changes.get(key, getattr(assignment, key)) for key in AssignmentCreate.model_fields}
    values = _checked_assignment(session, scope, merged, "修改人员配备")
    for key, value in values.items():
        setattr(assignment, key, value)
    session.flush()
    return assignment


def delete_assignment(session: Session, scope: Scope, assignment_id: int) -> None:
    """Deletes an assignment entered by mistake."""
    assignment = get_assignment(session, scope, assignment_id)
    scope.require_bureau("删除人员配备")
    session.delete(assignment)
    session.flush()


# --- the period read for the compliance engine ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssignmentRow(DatedRow):
    id: int
    role: str
    person: str
    school_id: int | None
    group_id: int | None
    started_on: date
    ended_on: date | None


def assignments_in(session: Session, *, region_id: int, start: date, end: date) -> list[AssignmentRow]:
    """Every assignment of a region active at some time from `start` to `end`; `person` identifies the
    person (a teacher id, or an external expert's name) so each is counted once."""
    stmt = (
        select(
            Assignment.id,
            Assignment.role,
            Assignment.teacher_id,
            Assignment.expert_name,
            Assignment.school_id,
            Assignment.group_id,
            Assignment.started_on,
            Assignment.ended_on,
        )
        .where(
            Assignment.region_id == region_id,
            Assignment.started_on <= end,
            or_(Assignment.ended_on.is_(None), Assignment.ended_on >= start),
        )
        .order_by(Assignment.id)
    )
    rows = []
    for ident, role, teacher_id, name, school_id, group_id, started, ended in session.execute(stmt).all():
        person = f"teacher:{teacher_id}" if teacher_id is not None else f"name:{name}"
        rows.append(AssignmentRow(ident, str(role.value), person, school_id, group_id, started, ended))
    return rows
