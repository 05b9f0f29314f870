"""Mentoring pairs (OH-09, HD-03) and teachers dispatched to teach at another school (HD-03), and the period
read the compliance engine counts mentors from.

Who sees a pair: a bureau administrator every one of its region; others the pairs with a mentor or mentee
they may see. Who sees a dispatch: the same for the dispatched teacher, and a group head or school
administrator the dispatches to its schools. Who writes: a bureau administrator anything in its region; a
group head or school administrator the pairs of its teachers; a group head the dispatches between its
schools. Hidden records answer 404, visible but not writable ones 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from edugroup.core.errors import Conflict, InvalidInput
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
from edugroup.mentoring.models import Dispatch, MentoringPair
from edugroup.mentoring.schemas import DispatchCreate, DispatchUpdate, MentoringCreate, MentoringUpdate
from edugroup.org import service as org_service
from edugroup.teachers import service as teachers_service
from edugroup.teachers.models import Teacher

# --- mentoring pairs (OH-09, HD-03) ---------------------------------------------------------------


def is_backbone(teacher: Teacher) -> bool:
    """A backbone teacher (骨干教师): on a level of the five-tier ladder (`backbone_tier` of the teacher
    record, read defensively: where teacher records carry no tier, nobody is a backbone teacher)."""
    return getattr(teacher, "backbone_tier", None) is not None


_PAIR_LOADS = (
    selectinload(MentoringPair.mentor).selectinload(Teacher.school),
    selectinload(MentoringPair.mentee).selectinload(Teacher.school),
    selectinload(MentoringPair.group),
)
_PAIR_REQUIRED = {"mentor_id": "师傅", "mentee_id": "徒弟", "started_on": "开始日期"}


def _pairs_visible(scope: Scope) -> ColumnElement[bool]:
    mine = or_(
        teachers_service.visible_teacher_id(scope, MentoringPair.mentor_id),
        teachers_service.visible_teacher_id(scope, MentoringPair.mentee_id),
    )
    return (MentoringPair.region_id == scope.region_id) & mine


def list_pairs(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[MentoringPair]:
    """Mentoring pairs in scope (active during school year `year` when given), newest first."""
    stmt = select(MentoringPair).where(
        _pairs_visible(scope), *overlapping_year(MentoringPair.started_on, MentoringPair.ended_on, year)
    )
    stmt = where_given(stmt, (MentoringPair.group_id, group_id))
    if teacher_id is not None:
        stmt = stmt.where(or_(MentoringPair.mentor_id == teacher_id, MentoringPair.mentee_id == teacher_id))
    stmt = stmt.options(*_PAIR_LOADS).order_by(MentoringPair.started_on.desc(), MentoringPair.id.desc())
    return list(session.scalars(stmt))


def get_pair(session: Session, scope: Scope, pair_id: int) -> MentoringPair:
    """Gets a mentoring pair in scope."""
    return visible_one(session, MentoringPair, pair_id, _pairs_visible(scope), _PAIR_LOADS, "师徒结对")


def _checked_pair(
    session: Session, scope: Scope, values: dict[str, Any], what: str, exclude: int | None
) -> dict[str, Any]:
    mentor = teachers_service.recordable_teacher(session, scope, values["mentor_id"], what, field="mentor_id")
    mentee = teachers_service.recordable_teacher(session, scope, values["mentee_id"], what, field="mentee_id")
    if mentor.id == mentee.id:
        raise InvalidInput("师傅和徒弟不能是同一位教师", field="mentee_id")
    check_dates(values)
    if values.get("group_id") is not None:
        with not_found_as("group_id"):
            org_service.get_group(session, scope, values["group_id"])
    clash = select(MentoringPair).where(
        MentoringPair.mentor_id == mentor.id,
        MentoringPair.mentee_id == mentee.id,
        or_(MentoringPair.ended_on.is_(None), MentoringPair.ended_on >= values["started_on"]),
    )
    if values.get("ended_on") is not None:
        clash = clash.where(MentoringPair.started_on <= values["ended_on"])
    if exclude is not None:
        clash = clash.where(MentoringPair.id != exclude)
    found = session.scalars(clash).first()
    if found is not None:
        until = found.ended_on.isoformat() if found.ended_on else "至今"
        raise Conflict(
            f"{mentor.name} 与 {mentee.name} 在 {found.started_on} 至 {until} 已结对", field="mentee_id"
        )
    return values


def create_pair(session: Session, scope: Scope, data: MentoringCreate) -> MentoringPair:
    """Records a mentoring pair of two teachers the caller may see."""
    values = _checked_pair(session, scope, data.model_dump(), "记录师徒结对", exclude=None)
    pair = MentoringPair(region_id=scope.region_id, **values)
    session.add(pair)
    session.flush()
    return pair


def update_pair(session: Session, scope: Scope, pair_id: int, data: MentoringUpdate) -> MentoringPair:
    """Changes a mentoring pair (to end it, set ended_on)."""
    pair = get_pair(session, scope, pair_id)
    teachers_service.recordable_teacher(session, scope, pair.mentor_id, "修改师徒结对", field="mentor_id")
    teachers_service.recordable_teacher(session, scope, pair.mentee_id, "修改师徒结对", field="mentee_id")
    changes = update_changes(data, _PAIR_REQUIRED)
    merged = {key: changes.get(key, getattr(pair, key)) for key in MentoringCreate.model_fields}
    values = _checked_pair(session, scope, merged, "修改师徒结对", exclude=pair.id)
    for key, value in values.items():
        setattr(pair, key, value)
    session.flush()
    return pair


def delete_pair(session: Session, scope: Scope, pair_id: int) -> None:
    """Deletes a pair entered by mistake (to record its end, set ended_on instead)."""
    pair = get_pair(session, scope, pair_id)
    teachers_service.recordable_teacher(session, scope, pair.mentor_id, "删除师徒结对", field="mentor_id")
    teachers_service.recordable_teacher(session, scope, pair.mentee_id, "删除师徒结对", field="mentee_id")
    session.delete(pair)
    session.flush()


# --- teacher dispatch (HD-03) --------------------------------------------------------------------

_DISPATCH_LOADS = (
    selectinload(Dispatch.teacher),
    selectinload(Dispatch.from_school),
    selectinload(Dispatch.to_school),
    selectinload(Dispatch.group),
)
_DISPATCH_REQUIRED = {
    "kind": "类型",
    "teacher_id": "教师",
    "to_school_id": "接收学校",
    "started_on": "开始日期",
}


def _dispatches_visible(scope: Scope) -> ColumnElement[bool]:
    mine = teachers_service.visible_teacher_id(scope, Dispatch.teacher_id)
    if scope.role in (Role.group_head, Role.school_admin):
        mine = or_(mine, Dispatch.to_school_id.in_(scope.school_ids))
    return (Dispatch.region_id == scope.region_id) & mine


def list_dispatches(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    school_id: int | None = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[Dispatch]:
    """Dispatches in scope (active during school year `year` when given), newest first; `school_id`
    matches the sending or the receiving school."""
    stmt = select(Dispatch).where(
        _dispatches_visible(scope), *overlapping_year(Dispatch.started_on, Dispatch.ended_on, year)
    )
    if school_id is not None:
        stmt = stmt.where(or_(Dispatch.from_school_id == school_id, Dispatch.to_school_id == school_id))
    stmt = where_given(stmt, (Dispatch.group_id, group_id), (Dispatch.teacher_id, teacher_id))
    stmt = stmt.options(*_DISPATCH_LOADS).order_by(Dispatch.started_on.desc(), Dispatch.id.desc())
    return list(session.scalars(stmt))


def get_dispatch(session: Session, scope: Scope, dispatch_id: int) -> Dispatch:
    """Gets a dispatch in scope."""
    return visible_one(
        session, Dispatch, dispatch_id, _dispatches_visible(scope), _DISPATCH_LOADS, "派遣记录"
    )


def _checked_dispatch(
    session: Session, scope: Scope, values: dict[str, Any], what: str, keep_from: int | None
) -> dict[str, Any]:
    scope.require_group_manager(what)
    teacher = teachers_service.get_teacher(session, scope, values["teacher_id"], field="teacher_id")
    with not_found_as("to_school_id"):
        to_school = org_service.get_school(session, scope, values["to_school_id"])
    check_dates(values)
    from_school_id = keep_from if keep_from is not None else teacher.school_id
    if to_school.id == from_school_id:
        raise InvalidInput(f"接收学校不能是教师本校 ({to_school.name})", field="to_school_id")
    if values.get("group_id") is not None:
        with not_found_as("group_id"):
            org_service.get_group(session, scope, values["group_id"])
    return {**values, "from_school_id": from_school_id}


def create_dispatch(session: Session, scope: Scope, data: DispatchCreate) -> Dispatch:
    """Records a teacher sent from its school to teach at another (HD-03)."""
    values = _checked_dispatch(session, scope, data.model_dump(), "记录教师派遣", keep_from=None)
    dispatch = Dispatch(region_id=scope.region_id, **values)
    session.add(dispatch)
    session.flush()
    return dispatch


def update_dispatch(session: Session, scope: Scope, dispatch_id: int, data: DispatchUpdate) -> Dispatch:
    """Changes a dispatch; the sending school stays the one recorded unless the teacher changes."""
    dispatch = get_dispatch(session, scope, dispatch_id)
    scope.require_group_manager("修改教师派遣")
    teachers_service.get_teacher(session, scope, dispatch.teacher_id, field="teacher_id")
    changes = update_changes(data, _DISPATCH_REQUIRED)
    merged = {key: changes.get(key, getattr(dispatch, key)) for key in DispatchCreate.model_fields}
    same_teacher = merged["teacher_id"] == dispatch.teacher_id
    values = _checked_dispatch(
        session, scope, merged, "修改教师派遣", keep_from=dispatch.from_school_id if same_teacher else None
    )
    for key, value in values.items():
        setattr(dispatch, key, value)
    session.flush()
    return dispatch


def delete_dispatch(session: Session, scope: Scope, dispatch_id: int) -> None:
    """Deletes a dispatch entered by mistake."""
    dispatch = get_dispatch(session, scope, dispatch_id)
    scope.require_group_manager("删除教师派遣")
    teachers_service.get_teacher(session, scope, dispatch.teacher_id, field="teacher_id")
    session.delete(dispatch)
    session.flush()


# --- the period read for the compliance engine ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairRow(DatedRow):
    id: int
    mentor_id: int
    mentee_id: int
    group_id: int | None
    started_on: date
    ended_on: date | None


def pairs_in(session: Session, *, region_id: int, start: date, end: date) -> list[PairRow]:
    """Every mentoring pair of a region active at some time from `start` to `end`."""
    stmt = (
        select(
            MentoringPair.id,
            MentoringPair.mentor_id,
            MentoringPair.mentee_id,
            MentoringPair.group_id,
            MentoringPair.started_on,
            MentoringPair.ended_on,
        )
        .where(
            MentoringPair.region_id == region_id,
            MentoringPair.started_on <= end,
            or_(MentoringPair.ended_on.is_(None), MentoringPair.ended_on >= start),
        )
        .order_by(MentoringPair.id)
    )
    return [PairRow(*row) for row in session.execute(stmt).all()]
