"""Teacher development API under /api/v1/development: credit rule, training records and yearly totals,
demonstration-lesson certificates and group quotas, mentoring pairs, dispatches, expert assignments, studios,
and import / export / templates of each kind."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile

from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download, table_format
from edugroup.core.periods import school_year_of
from edugroup.teachers.development import io, service
from edugroup.teachers.development.models import AssignmentRole, Certificate, MentoringPair, TrainingLevel
from edugroup.teachers.development.schemas import (
    AssignmentCreate,
    AssignmentRead,
    AssignmentUpdate,
    CertificateCreate,
    CertificateQuotaRead,
    CertificateRead,
    CertificateUpdate,
    CreditRuleRead,
    CreditRuleUpdate,
    DispatchCreate,
    DispatchRead,
    DispatchUpdate,
    MentoringCreate,
    MentoringRead,
    MentoringUpdate,
    StudioCreate,
    StudioMemberCreate,
    StudioMemberRead,
    StudioMemberUpdate,
    StudioRead,
    StudioUpdate,
    TeacherTotalRead,
    TrainingCreate,
    TrainingRead,
    TrainingUpdate,
)
from edugroup.teachers.models import Studio, StudioMember

router = APIRouter(prefix="/api/v1/development", tags=["teacher development"])

Year = Annotated[int | None, Query(ge=1990, le=2100, description="school year, e.g. 2025 = 2025-09..2026-08")]


# --- credit rule and training --------------------------------------------------------------------


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


# --- certificates --------------------------------------------------------------------------------


@router.get("/certificates", response_model=list[CertificateRead])
def list_certificates(
    session: Db,
    scope: ApiScope,
    year: Year = None,
    school_id: int | None = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[Certificate]:
    """District demonstration-lesson certificates in scope, newest first."""
    return service.list_certificates(
        session, scope, year=year, school_id=school_id, group_id=group_id, teacher_id=teacher_id
    )


@router.post("/certificates", response_model=CertificateRead, status_code=201)
def create_certificate(data: CertificateCreate, session: Db, scope: ApiScope) -> object:
    """Records a certificate; the third for a teacher in a school year (OH-12), or one past the group's share
    of its teachers (OH-11), is refused with 409."""
    return service.create_certificate(session, scope, data)


@router.get("/certificates/{certificate_id}", response_model=CertificateRead)
def get_certificate(certificate_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_certificate(session, scope, certificate_id)


@router.patch("/certificates/{certificate_id}", response_model=CertificateRead)
def update_certificate(certificate_id: int, data: CertificateUpdate, session: Db, scope: ApiScope) -> object:
    return service.update_certificate(session, scope, certificate_id, data)


@router.delete("/certificates/{certificate_id}", status_code=204)
def delete_certificate(certificate_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_certificate(session, scope, certificate_id)
    return Response(status_code=204)


@router.get("/groups/{group_id}/certificate-quota", response_model=CertificateQuotaRead)
def certificate_quota(group_id: int, session: Db, scope: ApiScope, year: Year = None) -> CertificateQuotaRead:
    """A group's certificates in a school year (the current one by default), its limit (OH-11) and how many
    are left."""
    year = year if year is not None else school_year_of(date.today()).year
    quota = service.certificate_quota(session, scope, group_id, year)
    return CertificateQuotaRead(
        group_id=group_id,
        school_year=year,
        teachers=quota.teachers,
        share=quota.limits.group_share,
        limit=quota.limit,
        issued=quota.issued,
        remaining=quota.remaining,
        per_teacher_limit=quota.limits.per_teacher,
        source=quota.limits.source,
    )


# --- mentoring, dispatches, assignments ----------------------------------------------------------


def _pair_read(pair: MentoringPair) -> MentoringRead:
    return MentoringRead.model_validate(pair).model_copy(
        update={"mentor_backbone": service.is_backbone(pair.mentor)}
    )


@router.get("/mentoring", response_model=list[MentoringRead])
def list_pairs(
    session: Db,
    scope: ApiScope,
    year: Year = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[MentoringRead]:
    """Mentoring pairs in scope (active during the school year when given)."""
    pairs = service.list_pairs(session, scope, year=year, group_id=group_id, teacher_id=teacher_id)
    return [_pair_read(p) for p in pairs]


@router.post("/mentoring", response_model=MentoringRead, status_code=201)
def create_pair(data: MentoringCreate, session: Db, scope: ApiScope) -> MentoringRead:
    return _pair_read(service.create_pair(session, scope, data))


@router.get("/mentoring/{pair_id}", response_model=MentoringRead)
def get_pair(pair_id: int, session: Db, scope: ApiScope) -> MentoringRead:
    return _pair_read(service.get_pair(session, scope, pair_id))


@router.patch("/mentoring/{pair_id}", response_model=MentoringRead)
def update_pair(pair_id: int, data: MentoringUpdate, session: Db, scope: ApiScope) -> MentoringRead:
    """Changes a pair; set ended_on to record its end."""
    return _pair_read(service.update_pair(session, scope, pair_id, data))


@router.delete("/mentoring/{pair_id}", status_code=204)
def delete_pair(pair_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_pair(session, scope, pair_id)
    return Response(status_code=204)


@router.get("/dispatches", response_model=list[DispatchRead])
def list_dispatches(
    session: Db,
    scope: ApiScope,
    year: Year = None,
    school_id: int | None = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[object]:
    """Teacher dispatches (骨干教师顶岗任教、特需教师配送, HD-03) in scope."""
    return list(
        service.list_dispatches(
            session, scope, year=year, school_id=school_id, group_id=group_id, teacher_id=teacher_id
        )
    )


@router.post("/dispatches", response_model=DispatchRead, status_code=201)
def create_dispatch(data: DispatchCreate, session: Db, scope: ApiScope) -> object:
    return service.create_dispatch(session, scope, data)


@router.get("/dispatches/{dispatch_id}", response_model=DispatchRead)
def get_dispatch(dispatch_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_dispatch(session, scope, dispatch_id)


@router.patch("/dispatches/{dispatch_id}", response_model=DispatchRead)
def update_dispatch(dispatch_id: int, data: DispatchUpdate, session: Db, scope: ApiScope) -> object:
    return service.update_dispatch(session, scope, dispatch_id, data)


@router.delete("/dispatches/{dispatch_id}", status_code=204)
def delete_dispatch(dispatch_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_dispatch(session, scope, dispatch_id)
    return Response(status_code=204)


@router.get("/assignments", response_model=list[AssignmentRead])
def list_assignments(
    session: Db,
    scope: ApiScope,
    year: Year = None,
    school_id: int | None = None,
    group_id: int | None = None,
    role: AssignmentRole | None = None,
) -> list[object]:
    """Guiding experts and classroom observers assigned to schools and programmes (QP-05, QP-07.a)."""
    return list(
        service.list_assignments(session, scope, year=year, school_id=school_id, group_id=group_id, role=role)
    )


@router.post("/assignments", response_model=AssignmentRead, status_code=201)
def create_assignment(data: AssignmentCreate, session: Db, scope: ApiScope) -> object:
    return service.create_assignment(session, scope, data)


@router.get("/assignments/{assignment_id}", response_model=AssignmentRead)
def get_assignment(assignment_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_assignment(session, scope, assignment_id)


@router.patch("/assignments/{assignment_id}", response_model=AssignmentRead)
def update_assignment(assignment_id: int, data: AssignmentUpdate, session: Db, scope: ApiScope) -> object:
    return service.update_assignment(session, scope, assignment_id, data)


@router.delete("/assignments/{assignment_id}", status_code=204)
def delete_assignment(assignment_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_assignment(session, scope, assignment_id)
    return Response(status_code=204)


# --- studios -------------------------------------------------------------------------------------


def _member_read(member: StudioMember) -> StudioMemberRead:
    return StudioMemberRead(
        teacher_id=member.teacher_id,
        staff_number=member.teacher.staff_number,
        name=member.teacher.name,
        school_id=member.teacher.school_id,
        school_name=member.teacher.school.name,
        joined_on=member.joined_on,
        left_on=member.left_on,
    )


def _studio_read(studio: Studio, by_year: dict[int, int] | None = None) -> StudioRead:
    return StudioRead(
        id=studio.id,
        region_id=studio.region_id,
        group_id=studio.group_id,
        name=studio.name,
        host_teacher_id=studio.host_teacher_id,
        founded_on=studio.founded_on,
        closed_on=studio.closed_on,
        members=[_member_read(m) for m in studio.members],
        activities_by_year=by_year or {},
    )


@router.get("/studios", response_model=list[StudioRead])
def list_studios(session: Db, scope: ApiScope, group_id: int | None = None) -> list[StudioRead]:
    """Studios in scope (of the caller's groups, or with a member it may see), with their members."""
    return [_studio_read(s) for s in service.list_studios(session, scope, group_id=group_id)]


@router.post("/studios", response_model=StudioRead, status_code=201)
def create_studio(data: StudioCreate, session: Db, scope: ApiScope) -> StudioRead:
    """Sets up a studio with its host and members (bureau administrators)."""
    return _studio_read(service.create_studio(session, scope, data))


@router.get("/studios/{studio_id}", response_model=StudioRead)
def get_studio(studio_id: int, session: Db, scope: ApiScope) -> StudioRead:
    """A studio with its members and its activities per school year (OH-10.b)."""
    studio = service.get_studio(session, scope, studio_id)
    activities = service.studio_activities(session, scope, studio_id)
    return _studio_read(studio, service.activities_by_year(activities))


@router.patch("/studios/{studio_id}", response_model=StudioRead)
def update_studio(studio_id: int, data: StudioUpdate, session: Db, scope: ApiScope) -> StudioRead:
    return _studio_read(service.update_studio(session, scope, studio_id, data))


@router.post("/studios/{studio_id}/members", response_model=StudioMemberRead, status_code=201)
def add_studio_member(
    studio_id: int, data: StudioMemberCreate, session: Db, scope: ApiScope
) -> StudioMemberRead:
    """Adds a teacher to a studio (members come from every school of the group, OH-10.a)."""
    return _member_read(service.add_studio_member(session, scope, studio_id, data))


@router.patch("/studios/{studio_id}/members/{teacher_id}", response_model=StudioMemberRead)
def update_studio_member(
    studio_id: int, teacher_id: int, data: StudioMemberUpdate, session: Db, scope: ApiScope
) -> StudioMemberRead:
    """Ends a membership (left_on) or corrects its start."""
    return _member_read(service.update_studio_member(session, scope, studio_id, teacher_id, data))


@router.delete("/studios/{studio_id}/members/{teacher_id}", status_code=204)
def remove_studio_member(studio_id: int, teacher_id: int, session: Db, scope: ApiScope) -> Response:
    """Removes a member entered by mistake (to record leaving, set left_on instead)."""
    service.remove_studio_member(session, scope, studio_id, teacher_id)
    return Response(status_code=204)


# --- files ---------------------------------------------------------------------------------------


@router.get("/templates/{kind}")
def download_template(kind: str, format: str = "xlsx") -> Response:
    """Empty import template (training, certificates, mentoring, dispatches, assignments), Chinese headers."""
    fmt = table_format(format)
    return download(io.template_file(io.kind_of(kind).key, fmt), f"{kind}-template.{fmt}")


@router.get("/export/{kind}")
def export_records(
    kind: str, session: Db, scope: ApiScope, format: str = "xlsx", year: Year = None
) -> Response:
    """The records in scope, in the import layout (plus read-only columns and 编号)."""
    fmt = table_format(format)
    return download(io.export_file(session, scope, io.kind_of(kind).key, fmt, year=year), f"{kind}.{fmt}")


@router.post("/import/{kind}")
async def import_records(kind: str, file: UploadFile, session: Db, scope: ApiScope) -> dict[str, object]:
    """Import a file; any bad row refuses the whole file (422 with every bad row)."""
    data = await file.read()
    report = io.import_records(session, scope, io.kind_of(kind).key, data, file.filename or "upload")
    return {"created": report.created, "updated": report.updated, "message": report.summary()}
