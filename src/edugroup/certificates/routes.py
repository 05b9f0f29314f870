"""Certificates API under /api/v1/development: district demonstration-lesson certificates and group
quotas."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response

from edugroup.certificates import service
from edugroup.certificates.models import Certificate
from edugroup.certificates.schemas import (
    CertificateCreate,
    CertificateQuotaRead,
    CertificateRead,
    CertificateUpdate,
)
from edugroup.core.deps import ApiScope, Db, Year
from edugroup.core.periods import school_year_of

router = APIRouter(prefix="/api/v1/development", tags=["teacher development"])


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
