"""Training and showcase records with credits by the region's rule (HK-10, SH-10), and each teacher's yearly
totals.

Who sees a record: a bureau administrator every one of its region; others the records of the teachers they
may see (a group head its schools' teachers, a school administrator its school's, a teacher its own). Who
writes: a bureau administrator any in its region; a group head or school administrator those of its
teachers; the bureau sets the region's credit rule. Hidden records answer 404, visible but not writable ones
403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from edugroup.activities import service as activities_service
from edugroup.core.errors import InvalidInput
from edugroup.core.periods import SchoolYear
from edugroup.core.records import check_dates, in_year, not_found_as, update_changes, visible_one, where_given
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.teachers import service as teachers_service
from edugroup.teachers.models import Teacher
from edugroup.training.models import (
    DEFAULT_CREDITS_PER_HOUR,
    TRAINING_LEVEL_LABELS,
    CreditRule,
    TrainingLevel,
    TrainingRecord,
)
from edugroup.training.schemas import CreditRuleUpdate, TrainingCreate, TrainingUpdate

# --- credit rules (HK-10, SH-10) -----------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Credits per hour of each training level, and whether this is the shipped default."""

    region_id: int | None
    credits_per_hour: dict[TrainingLevel, float]
    default: bool

    def credits(self, level: TrainingLevel, hours: float) -> float:
        """Credits for `hours` at `level`, to two decimals."""
        return round(hours * self.credits_per_hour[level], 2)


def credit_rule(session: Session, region_id: int | None) -> Rule:
    """The region's credit rule, or the default rule (the rows without a region) when it has none."""
    rows = list(session.scalars(select(CreditRule).where(CreditRule.region_id == region_id)))
    if region_id is not None and len(rows) == len(TrainingLevel):
        return Rule(region_id, {r.level: r.credits_per_hour for r in rows}, default=False)
    defaults = {
        r.level: r.credits_per_hour
        for r in session.scalars(select(CreditRule).where(CreditRule.region_id.is_(None)))
    }
    return Rule(None, {**DEFAULT_CREDITS_PER_HOUR, **defaults}, default=True)


def validate_rule(rates: dict[TrainingLevel, float]) -> None:
    """A rule gives every level a rate in [0, 10], and 学区/集团 more than 校本 (HK-10, SH-10)."""
    for level in TrainingLevel:
        if level not in rates:
            raise InvalidInput(f"缺少{TRAINING_LEVEL_LABELS[level]}培训的每学时学分", field=level.value)
        if not 0 <= rates[level] <= 10:
            raise InvalidInput(
                f"{TRAINING_LEVEL_LABELS[level]}培训的每学时学分应在 0 到 10 之间", field=level.value
            )
    group, school = rates[TrainingLevel.group], rates[TrainingLevel.school]
    if group <= school:
        raise InvalidInput(
            f"学区/集团培训的每学时学分 ({group:g}) 必须高于校本培训 ({school:g}): "
            "学区、集团内参训按高于校本培训的原则核定学分 (HK-10, SH-10)",
            field=TrainingLevel.group.value,
        )


def set_credit_rule(session: Session, scope: Scope, data: CreditRuleUpdate) -> Rule:
    """Sets the bureau administrator's region's rule; records already granted keep their credits."""
    scope.require_bureau("修改学分核定规则")
    validate_rule(data.credits_per_hour)
    existing = {
        r.level: r for r in session.scalars(select(CreditRule).where(CreditRule.region_id == scope.region_id))
    }
    for level in TrainingLevel:
        rate = float(data.credits_per_hour[level])
        if level in existing:
            existing[level].credits_per_hour = rate
        else:
            session.add(CreditRule(region_id=scope.region_id, level=level, credits_per_hour=rate))
    session.flush()
    return credit_rule(session, scope.region_id)


# --- training records ----------------------------------------------------------------------------

_TRAINING_LOADS = (
    selectinload(TrainingRecord.teacher).selectinload(Teacher.school),
    selectinload(TrainingRecord.group),
    selectinload(TrainingRecord.district),
)
_TRAINING_REQUIRED = {
    "teacher_id": "教师",
    "kind": "类型",
    "level": "培训级别",
    "title": "名称",
    "started_on": "开始日期",
    "hours": "学时",
}


def _training_visible(scope: Scope) -> ColumnElement[bool]:
    return (TrainingRecord.region_id == scope.region_id) & teachers_service.visible_teacher_id(
        scope, TrainingRecord.teacher_id
    )


def list_training(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    school_id: int | None = None,
    teacher_id: int | None = None,
    level: TrainingLevel | None = None,
) -> list[TrainingRecord]:
    """Training and showcase records in scope, newest first."""
    stmt = select(TrainingRecord).where(_training_visible(scope), *in_year(TrainingRecord.started_on, year))
    if school_id is not None:
        stmt = stmt.where(
            TrainingRecord.teacher_id.in_(select(Teacher.id).where(Teacher.school_id == school_id))
        )
    stmt = where_given(stmt, (TrainingRecord.teacher_id, teacher_id), (TrainingRecord.level, level))
    stmt = stmt.options(*_TRAINING_LOADS).order_by(TrainingRecord.started_on.desc(), TrainingRecord.id.desc())
    return list(session.scalars(stmt))


def get_training(session: Session, scope: Scope, record_id: int) -> TrainingRecord:
    """Gets a training record in scope."""
    return visible_one(
        session, TrainingRecord, record_id, _training_visible(scope), _TRAINING_LOADS, "培训记录"
    )


def _checked_training(session: Session, scope: Scope, values: dict[str, Any], what: str) -> dict[str, Any]:
    """Checks a whole training record and adds its credits by the region's rule."""
    teacher = teachers_service.recordable_teacher(
        session, scope, values["teacher_id"], what, field="teacher_id"
    )
    check_dates(values)
    if values.get("group_id") is not None:
        with not_found_as("group_id"):
            org_service.get_group(session, scope, values["group_id"])
    if values.get("district_id") is not None:
        with not_found_as("district_id"):
            org_service.get_district(session, scope, values["district_id"])
    if (
        values["level"] is TrainingLevel.group
        and values.get("group_id") is None
        and not values.get("district_id")
    ):
        raise InvalidInput("学区/集团培训须填写组织的学区或集团", field="group_id")
    if values.get("activity_id") is not None:
        with not_found_as("activity_id"):
            activities_service.get_activity(session, scope, values["activity_id"])
    rule = credit_rule(session, teacher.region_id)
    rate = rule.credits_per_hour[values["level"]]
    return {**values, "credit_rate": rate, "credits": rule.credits(values["level"], values["hours"])}


def create_training(session: Session, scope: Scope, data: TrainingCreate) -> TrainingRecord:
    """Records a teacher's training (or showcase) hours; credits by the region's rule (HK-10, SH-10)."""
    values = _checked_training(session, scope, data.model_dump(), "记录培训")
    record = TrainingRecord(region_id=scope.region_id, **values)
    session.add(record)
    session.flush()
    return record


def update_training(session: Session, scope: Scope, record_id: int, data: TrainingUpdate) -> TrainingRecord:
    """Changes a training record; its credits are computed again by the region's current rule."""
    record = get_training(session, scope, record_id)
    teachers_service.recordable_teacher(session, scope, record.teacher_id, "修改培训记录", field="teacher_id")
    changes = update_changes(data, _TRAINING_REQUIRED)
    fields = TrainingCreate.model_fields
    merged = {key: changes.get(key, getattr(record, key)) for key in fields}
    values = _checked_training(session, scope, merged, "修改培训记录")
    for key, value in values.items():
        setattr(record, key, value)
    session.flush()
    return record


def delete_training(session: Session, scope: Scope, record_id: int) -> None:
    """Deletes a training record entered by mistake."""
    record = get_training(session, scope, record_id)
    teachers_service.recordable_teacher(session, scope, record.teacher_id, "删除培训记录", field="teacher_id")
    session.delete(record)
    session.flush()


@dataclass
class TeacherTotal:
    """A teacher's training hours and credits in one school year, by level."""

    teacher: Teacher
    school_year: int
    records: int = 0
    hours_by_level: dict[TrainingLevel, float] = field(default_factory=dict)
    credits_by_level: dict[TrainingLevel, float] = field(default_factory=dict)

    @property
    def hours(self) -> float:
        return round(sum(self.hours_by_level.values()), 2)

    @property
    def credits(self) -> float:
        return round(sum(self.credits_by_level.values()), 2)


def training_totals(
    session: Session, scope: Scope, year: int, *, school_id: int | None = None, teacher_id: int | None = None
) -> list[TeacherTotal]:
    """Each teacher's hours and credits in school year `year`, by level, for the teachers in scope."""
    period = SchoolYear(year)
    stmt = (
        select(
            TrainingRecord.teacher_id,
            TrainingRecord.level,
            func.count(),
            func.sum(TrainingRecord.hours),
            func.sum(TrainingRecord.credits),
        )
        .where(_training_visible(scope), *in_year(TrainingRecord.started_on, year))
        .group_by(TrainingRecord.teacher_id, TrainingRecord.level)
    )
    if teacher_id is not None:
        stmt = stmt.where(TrainingRecord.teacher_id == teacher_id)
    if school_id is not None:
        stmt = stmt.where(
            TrainingRecord.teacher_id.in_(select(Teacher.id).where(Teacher.school_id == school_id))
        )
    sums = session.execute(stmt).all()
    teachers = {
        t.id: t
        for t in session.scalars(
            select(Teacher)
            .where(Teacher.id.in_({row[0] for row in sums}))
            .options(selectinload(Teacher.school))
        )
    }
    totals: dict[int, TeacherTotal] = {}
    for teacher_ref, level, count, hours, credits in sums:
        total = totals.setdefault(teacher_ref, TeacherTotal(teachers[teacher_ref], period.year))
        total.records += int(count)
        total.hours_by_level[level] = round(float(hours or 0), 2)
        total.credits_by_level[level] = round(float(credits or 0), 2)
    return sorted(totals.values(), key=lambda t: (t.teacher.school.code, t.teacher.staff_number))
