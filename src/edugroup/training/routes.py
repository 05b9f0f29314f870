"""Training API under /api/v1/development: the region's credit rule, training records and yearly
totals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from edugroup.core.deps import ApiScope, Db, Year
from edugroup.training import service
from edugroup.training.models import TrainingLevel
from edugroup.training.schemas import (
    CreditRuleRead,
    CreditRuleUpdate,
    TeacherTotalRead,
    TrainingCreate,
    TrainingRead,
    TrainingUpdate,
)

router = APIRouter(prefix="/api/v1/development", tags=["teacher development"])


def _rule_read(rule: service.Rule) -> CreditRuleRead:
    return CreditRuleRead(
        region_id=rule.region_id, default=rule.default, credits_per_hour=rule.credits_per_hour
    )


@router.get("/credit-rule", response_model=CreditRuleRead)
def get_credit_rule(session: Db, scope: ApiScope) -> CreditRuleRead:
    """Credits per hour of each training level in the caller's region (the default rule until it sets one)."""
    return _rule_read(service.credit_rule(session, scope.region_id))


@router.put("/credit-rule", response_model=CreditRuleRead)
def set_credit_rule(data: CreditRuleUpdate, session: Db, scope: ApiScope) -> CreditRuleRead:
    """Sets the region's rule (bureau administrators); 学区/集团 must earn more than 校本 (HK-10, SH-10)."""
    return _rule_read(service.set_credit_rule(session, scope, data))


@router.get("/training", response_model=list[TrainingRead])
def list_training(
    session: Db,
    scope: ApiScope,
    year: Year = None,
    school_id: int | None = None,
    teacher_id: int | None = None,
    level: TrainingLevel | None = None,
) -> list[object]:
    """Training and showcase records in scope, newest first."""
    return list(
        service.list_training(
            session, scope, year=year, school_id=school_id, teacher_id=teacher_id, level=level
        )
    )


@router.post("/training", response_model=TrainingRead, status_code=201)
def create_training(data: TrainingCreate, session: Db, scope: ApiScope) -> object:
    """Records a teacher's training hours; credits by the region's rule."""
    return service.create_training(session, scope, data)


@router.get("/training/totals", response_model=list[TeacherTotalRead])
def training_totals(
    session: Db,
    scope: ApiScope,
    year: Annotated[int, Query(ge=1990, le=2100)],
    school_id: int | None = None,
    teacher_id: int | None = None,
) -> list[TeacherTotalRead]:
    """Each teacher's hours and credits in a school year, by level."""
    return [
        TeacherTotalRead(
            teacher_id=t.teacher.id,
            staff_number=t.teacher.staff_number,
            name=t.teacher.name,
            school_id=t.teacher.school_id,
            school_year=t.school_year,
            records=t.records,
            hours=t.hours,
            credits=t.credits,
            hours_by_level=t.hours_by_level,
            credits_by_level=t.credits_by_level,
        )
        for t in service.training_totals(session, scope, year, school_id=school_id, teacher_id=teacher_id)
    ]


@router.get("/training/{record_id}", response_model=TrainingRead)
def get_training(record_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_training(session, scope, record_id)


@router.patch("/training/{record_id}", response_model=TrainingRead)
def update_training(record_id: int, data: TrainingUpdate, session: Db, scope: ApiScope) -> object:
    """Changes a training record; its credits are computed again by the region's current rule."""
    return service.update_training(session, scope, record_id, data)


@router.delete("/training/{record_id}", status_code=204)
def delete_training(record_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_training(session, scope, record_id)
    return Response(status_code=204)
