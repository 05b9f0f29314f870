"""Teachers API under /api/v1: teacher records, eligibility, rotations, team inflows, promotions, staffing."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download, table_format
from edugroup.core.errors import EduGroupError
from edugroup.teachers import io, rotations, service
from edugroup.teachers.models import Honour, Rotation, Teacher
from edugroup.teachers.schemas import (
    EligibilityRead,
    EligibilityRuleCreate,
    EligibilityRuleRead,
    PromotionCheckRead,
    PromotionCreate,
    PromotionRead,
    RotationCreate,
    RotationRead,
    RotationUpdate,
    StaffingCreate,
    StaffingRead,
    TeacherCreate,
    TeacherRead,
    TeacherUpdate,
    TeamCreate,
    TeamRead,
)

router = APIRouter(prefix="/api/v1", tags=["teachers"])


def rotation_reads(session: Session, items: list[Rotation]) -> list[RotationRead]:
    """Rotations with their teacher's name, term and what they count as (HK-05, OH-13)."""
    facts = rotations.experiences(session, items)
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


# --- teachers ------------------------------------------------------------------------------------


@router.get("/teachers", response_model=list[TeacherRead])
def list_teachers(
    session: Db,
    scope: ApiScope,
    school_id: int | None = None,
    subject: str | None = None,
    backbone: bool | None = None,
    honour: Honour | None = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 2000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Teacher]:
    """Teachers in scope (a teacher: its own record)."""
    return service.list_teachers(
        session,
        scope,
        school_id=school_id,
        subject=subject,
        backbone=backbone,
        honour=honour,
        query=q,
        limit=limit,
        offset=offset,
    )


@router.post("/teachers", response_model=TeacherRead, status_code=201)
def create_teacher(data: TeacherCreate, session: Db, scope: ApiScope) -> Teacher:
    """Records a teacher of a school the caller keeps."""
    return service.create_teacher(session, scope, data)


@router.get("/teachers/template")
def teachers_template(format: str = "xlsx") -> Response:
    """Empty import template with Chinese headers."""
    fmt = table_format(format)
    return download(io.template_file(fmt), f"teachers-template.{fmt}")


@router.get("/teachers/export")
def export_teachers(session: Db, scope: ApiScope, format: str = "xlsx") -> Response:
    """Teachers in scope, in the import layout."""
    fmt = table_format(format)
    return download(io.export_file(session, scope, fmt), f"teachers.{fmt}")


@router.post("/teachers/import")
async def import_teachers(file: UploadFile, session: Db, scope: ApiScope) -> dict[str, object]:
    """Import a file; any bad row refuses the whole file (422 with every bad row)."""
    data = await file.read()
    report = io.import_teachers(session, scope, data, file.filename or "upload")
    return {"created": report.created, "updated": report.updated, "message": report.summary()}


@router.get("/teachers/eligible", response_model=list[TeacherRead])
def eligible_teachers(session: Db, scope: ApiScope, on: date | None = None) -> list[Teacher]:
    """Teachers in scope eligible to rotate on a day (today by default) under the region's rule then."""
    if scope.region_id is None:
        return []
    visible = set(session.scalars(select(Teacher.id).where(service.visible(scope))))
    return [
        t for t in service.eligible_teachers(session, scope.region_id, on or date.today()) if t.id in visible
    ]


@router.get("/teachers/{teacher_id}", response_model=TeacherRead)
def get_teacher(teacher_id: int, session: Db, scope: ApiScope) -> Teacher:
    return service.get_teacher(session, scope, teacher_id)


@router.patch("/teachers/{teacher_id}", response_model=TeacherRead)
def update_teacher(teacher_id: int, data: TeacherUpdate, session: Db, scope: ApiScope) -> Teacher:
    return service.update_teacher(session, scope, teacher_id, data)


@router.get("/teachers/{teacher_id}/rotations", response_model=list[RotationRead])
def teacher_rotations(teacher_id: int, session: Db, scope: ApiScope) -> list[RotationRead]:
    """The teacher's rotation history, newest first, with what each counts as (HK-05, OH-13)."""
    service.get_teacher(session, scope, teacher_id)
    return rotation_reads(session, rotations.list_rotations(session, scope, teacher_id=teacher_id))


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
    return rotations.promotion_check(session, scope, teacher_id, on or date.today(), pack)


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
    found = rotations.list_rotations(session, scope, teacher_id=teacher_id, school_id=school_id, year=year)
    return rotation_reads(session, found)


@router.post("/rotations", response_model=RotationRead, status_code=201)
def create_rotation(data: RotationCreate, session: Db, scope: ApiScope) -> RotationRead:
    """Records an individual rotation."""
    return rotation_reads(session, [rotations.create_rotation(session, scope, data)])[0]


@router.get("/rotations/{rotation_id}", response_model=RotationRead)
def get_rotation(rotation_id: int, session: Db, scope: ApiScope) -> RotationRead:
    return rotation_reads(session, [rotations.get_rotation(session, scope, rotation_id)])[0]


@router.patch("/rotations/{rotation_id}", response_model=RotationRead)
def update_rotation(rotation_id: int, data: RotationUpdate, session: Db, scope: ApiScope) -> RotationRead:
    """Records the actual end, or changes the agreed end or the purpose."""
    return rotation_reads(session, [rotations.update_rotation(session, scope, rotation_id, data)])[0]


@router.delete("/rotations/{rotation_id}", status_code=204)
def delete_rotation(rotation_id: int, session: Db, scope: ApiScope) -> Response:
    rotations.delete_rotation(session, scope, rotation_id)
    return Response(status_code=204)


def _team_read(team: object) -> TeamRead:
    read = TeamRead.model_validate(team)
    ids = [r.id for r in team.rotations]  # type: ignore[attr-defined]
    return read.model_copy(update={"size": len(ids), "rotation_ids": ids})


@router.post("/rotation-teams", response_model=TeamRead, status_code=201)
def create_team(data: TeamCreate, session: Db, scope: ApiScope) -> TeamRead:
    """Records a team inflow (组团流入, HK-09) with one rotation per teacher; all or none."""
    return _team_read(rotations.create_team(session, scope, data))


@router.get("/rotation-teams/{team_id}", response_model=TeamRead)
def get_team(team_id: int, session: Db, scope: ApiScope) -> TeamRead:
    return _team_read(rotations.get_team(session, scope, team_id))


# --- promotions (HK-05, SH-05) -------------------------------------------------------------------


@router.get("/promotions", response_model=list[PromotionRead])
def list_promotions(session: Db, scope: ApiScope, teacher_id: int | None = None) -> list[object]:
    """Promotions to school leadership posts in scope."""
    return list(rotations.list_promotions(session, scope, teacher_id=teacher_id))


@router.post("/promotions", response_model=PromotionRead, status_code=201)
def create_promotion(
    data: PromotionCreate, session: Db, scope: ApiScope, pack: str | None = None
) -> PromotionRead:
    """Records a promotion; the answer carries the experience check (a warning when not met, never a refusal)."""
    promotion = rotations.create_promotion(session, scope, data)
    try:
        check = rotations.promotion_check(session, scope, promotion.teacher_id, promotion.decided_on, pack)
    except EduGroupError:
        check = None  # the pack in force has no such rule: the promotion stands, unchecked
    return PromotionRead.model_validate(promotion).model_copy(update={"check": check})


# --- recruitment and title applications at group level (HK-04) -----------------------------------


@router.get("/staffing", response_model=list[StaffingRead])
def list_staffing(session: Db, scope: ApiScope, group_id: int | None = None) -> list[object]:
    """Recruitment and title applications recorded by the groups in scope."""
    return list(service.list_staffing(session, scope, group_id=group_id))


@router.post("/staffing", response_model=StaffingRead, status_code=201)
def create_staffing(data: StaffingCreate, session: Db, scope: ApiScope) -> object:
    """Records a recruitment or title application at group level (集团管、校用)."""
    return service.create_staffing(session, scope, data)
