"""Rotation API under /api/v1: eligibility rules and who is eligible, rotations, team inflows, promotions and
the promotion check; a teacher's rotations, eligibility and promotion check under /teachers/{id}/ (plans are in
`rotation.plans.routes`). Listed before the teachers router: /teachers/eligible must match before
/teachers/{teacher_id}."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.deps import ApiScope, Db
from edugroup.core.errors import EduGroupError
from edugroup.rotation import service
from edugroup.rotation.models import Rotation
from edugroup.rotation.schemas import (
    EligibilityRead,
    EligibilityRuleCreate,
    EligibilityRuleRead,
    PromotionCheckRead,
    PromotionCreate,
    PromotionRead,
    RotationCreate,
    RotationRead,
    RotationUpdate,
    TeamCreate,
    TeamRead,
)
from edugroup.teachers import service as teacher_service
from edugroup.teachers.models import Teacher
from edugroup.teachers.schemas import TeacherRead

router = APIRouter(prefix="/api/v1", tags=["teachers"])


def rotation_reads(session: Session, items: list[Rotation]) -> list[RotationRead]:
    """Rotations with their teacher's name, term and what they count as (HK-05, OH-13)."""
    facts = service.experiences(session, items)
    reads = []
    for r in items:
        fact = facts[r.id]
        reads.append(
            RotationRead.model_validate(r).model_copy(
                update={
                    "teacher_name": r.teacher.name,
                    "term_years": fact.term_years,
                    "within_group_or_district": fact.within_group_or_district,
                    "weak_school_experience": fact.weak_school_experience,
                    "experience_note": fact.note,
                }
            )
        )
    return reads


# --- a teacher's eligibility, rotations and promotion check ------------------------------------


@router.get("/teachers/eligible", response_model=list[TeacherRead])
def eligible_teachers(session: Db, scope: ApiScope, on: date | None = None) -> list[Teacher]:
    """Teachers in scope eligible to rotate on a day (today by default) under the region's rule then."""
    if scope.region_id is None:
        return []
    visible = set(session.scalars(select(Teacher.id).where(teacher_service.visible(scope))))
    return [
        t for t in service.eligible_teachers(session, scope.region_id, on or date.today()) if t.id in visible
    ]


@router.get("/teachers/{teacher_id}/rotations", response_model=list[RotationRead])
def teacher_rotations(teacher_id: int, session: Db, scope: ApiScope) -> list[RotationRead]:
    """The teacher's rotation history, newest first, with what each counts as (HK-05, OH-13)."""
    teacher_service.get_teacher(session, scope, teacher_id)
    return rotation_reads(session, service.list_rotations(session, scope, teacher_id=teacher_id))


@router.get("/teachers/{teacher_id}/eligibility", response_model=EligibilityRead)
def teacher_eligibility(
    teacher_id: int, session: Db, scope: ApiScope, on: date | None = None
) -> EligibilityRead:
    """Whether the teacher is eligible to rotate on a day, and why not."""
    day = on or date.today()
    rule, reasons = service.eligibility_of(session, scope, teacher_id, day)
    return EligibilityRead(
        teacher_id=teacher_id,
        on=day,
        rule_id=rule.id if rule else None,
        eligible=not reasons,
        reasons=reasons,
    )


@router.get("/teachers/{teacher_id}/promotion-check", response_model=PromotionCheckRead)
def promotion_check(
    teacher_id: int, session: Db, scope: ApiScope, on: date | None = None, pack: str | None = None
) -> PromotionCheckRead:
    """HK-05 / SH-05: the candidate's in-group rotation experience before `on` against the pack's threshold."""
    return service.promotion_check(session, scope, teacher_id, on or date.today(), pack)


# --- eligibility rules ---------------------------------------------------------------------------


@router.get("/eligibility-rules", response_model=list[EligibilityRuleRead])
def list_rules(session: Db, scope: ApiScope) -> list[object]:
    """The region's rotation eligibility rules (符合交流轮岗条件), newest first."""
    return list(service.list_rules(session, scope))


@router.post("/eligibility-rules", response_model=EligibilityRuleRead, status_code=201)
def create_rule(data: EligibilityRuleCreate, session: Db, scope: ApiScope) -> object:
    """Sets the region's eligibility rule from a date on (bureau administrators)."""
    return service.create_rule(session, scope, data)


# --- rotations -----------------------------------------------------------------------------------


@router.get("/rotations", response_model=list[RotationRead])
def list_rotations(
    session: Db,
    scope: ApiScope,
    teacher_id: int | None = None,
    school_id: int | None = None,
    year: int | None = None,
) -> list[RotationRead]:
    """Rotations in scope; `year` is the school year of the start."""
    found = service.list_rotations(session, scope, teacher_id=teacher_id, school_id=school_id, year=year)
    return rotation_reads(session, found)


@router.post("/rotations", response_model=RotationRead, status_code=201)
def create_rotation(data: RotationCreate, session: Db, scope: ApiScope) -> RotationRead:
    """Records an individual rotation."""
    return rotation_reads(session, [service.create_rotation(session, scope, data)])[0]


@router.get("/rotations/{rotation_id}", response_model=RotationRead)
def get_rotation(rotation_id: int, session: Db, scope: ApiScope) -> RotationRead:
    return rotation_reads(session, [service.get_rotation(session, scope, rotation_id)])[0]


@router.patch("/rotations/{rotation_id}", response_model=RotationRead)
def update_rotation(rotation_id: int, data: RotationUpdate, session: Db, scope: ApiScope) -> RotationRead:
    """Records the actual end, or changes the agreed end or the purpose."""
    return rotation_reads(session, [service.update_rotation(session, scope, rotation_id, data)])[0]


@router.delete("/rotations/{rotation_id}", status_code=204)
def delete_rotation(rotation_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_rotation(session, scope, rotation_id)
    return Response(status_code=204)


def _team_read(team: object) -> TeamRead:
    read = TeamRead.model_validate(team)
    ids = [r.id for r in team.rotations]  # type: ignore[attr-defined]
    return read.model_copy(update={"size": len(ids), "rotation_ids": ids})


@router.post("/rotation-teams", response_model=TeamRead, status_code=201)
def create_team(data: TeamCreate, session: Db, scope: ApiScope) -> TeamRead:
    """Records a team inflow (组团流入, HK-09) with one rotation per teacher; all or none."""
    return _team_read(service.create_team(session, scope, data))


@router.get("/rotation-teams/{team_id}", response_model=TeamRead)
def get_team(team_id: int, session: Db, scope: ApiScope) -> TeamRead:
    return _team_read(service.get_team(session, scope, team_id))


# --- promotions (HK-05, SH-05) -------------------------------------------------------------------


@router.get("/promotions", response_model=list[PromotionRead])
def list_promotions(session: Db, scope: ApiScope, teacher_id: int | None = None) -> list[object]:
    """Promotions to school leadership posts in scope."""
    return list(service.list_promotions(session, scope, teacher_id=teacher_id))


@router.post("/promotions", response_model=PromotionRead, status_code=201)
def create_promotion(
    data: PromotionCreate, session: Db, scope: ApiScope, pack: str | None = None
) -> PromotionRead:
    """Records a promotion; the answer carries the experience check (a warning when not met, never a refusal)."""
    promotion = service.create_promotion(session, scope, data)
    try:
        check = service.promotion_check(session, scope, promotion.teacher_id, promotion.decided_on, pack)
    except EduGroupError:
        check = None  # the pack in force has no such rule: the promotion stands, unchecked
    return PromotionRead.model_validate(promotion).model_copy(update={"check": check})
