"""Admissions API under /api/v1/admissions: quota allocations (HK-21), entry outcomes (HK-22), their rates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile

from edugroup.admissions import io, service
from edugroup.admissions.models import EntryOutcome, QuotaAllocation
from edugroup.admissions.schemas import (
    AdmissionsSummary,
    EntryOutcomeCreate,
    EntryOutcomeRead,
    EntryOutcomeUpdate,
    QuotaAllocationCreate,
    QuotaAllocationRead,
    QuotaAllocationUpdate,
)
from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download, table_format
from edugroup.core.errors import InvalidInput

router = APIRouter(prefix="/api/v1/admissions", tags=["admissions"])

Year = Annotated[int | None, Query(ge=2000, le=2100, description="school year (2025 = the 2026 中考)")]


def _allocation(a: QuotaAllocation) -> QuotaAllocationRead:
    read = QuotaAllocationRead.model_validate(a)
    read.school_name = a.school.name
    return read


def _outcome(o: EntryOutcome) -> EntryOutcomeRead:
    read = EntryOutcomeRead.model_validate(o)
    read.school_name = o.school.name
    return read


async def _import(kind: str, file: UploadFile | None, session: Db, scope: ApiScope) -> dict[str, object]:
    scope.require_bureau(f"导入{io.KINDS[kind].label}")
    if file is None:
        raise InvalidInput("请选择要导入的文件", field="file")
    data = await file.read()
    report = io.import_table(session, scope, kind, data, file.filename or "upload")
    return {"created": report.created, "updated": report.updated, "message": report.summary()}


@router.get("/summary", response_model=AdmissionsSummary)
def get_summary(session: Db, scope: ApiScope, year: Year = None) -> AdmissionsSummary:
    """Quota fill rate and quality entry rate per group in scope, per district (bureau), region and city."""
    return service.summary(session, scope, year or service.latest_year())


# --- quota allocations ---------------------------------------------------------------------------


@router.get("/quotas", response_model=list[QuotaAllocationRead])
def list_allocations(
    session: Db, scope: ApiScope, year: Year = None, school_id: int | None = None
) -> list[QuotaAllocationRead]:
    """Quota allocations (名额分配到校) of the junior schools in scope."""
    return [_allocation(a) for a in service.list_allocations(session, scope, year=year, school_id=school_id)]


@router.post("/quotas", response_model=QuotaAllocationRead, status_code=201)
def create_allocation(data: QuotaAllocationCreate, session: Db, scope: ApiScope) -> QuotaAllocationRead:
    """Records planned and filled places (bureau administrators); 409 when already recorded."""
    return _allocation(service.create_allocation(session, scope, data))


@router.get("/quotas/template")
def quota_template(format: str = "xlsx") -> Response:
    """Empty import template with Chinese headers."""
    fmt = table_format(format)
    return download(io.template_file(io.QUOTAS.key, fmt), f"quota-allocations-template.{fmt}")


@router.get("/quotas/export")
def export_allocations(session: Db, scope: ApiScope, format: str = "xlsx", year: Year = None) -> Response:
    """Quota allocations in scope, in the import layout."""
    fmt = table_format(format)
    return download(io.export_file(session, scope, io.QUOTAS.key, fmt, year), f"quota-allocations.{fmt}")


@router.post("/quotas/import")
async def import_allocations(
    session: Db, scope: ApiScope, file: UploadFile | None = None
) -> dict[str, object]:
    """Import a file (bureau administrators); any bad row refuses the whole file (422 with every bad row)."""
    return await _import(io.QUOTAS.key, file, session, scope)


@router.get("/quotas/{allocation_id}", response_model=QuotaAllocationRead)
def get_allocation(allocation_id: int, session: Db, scope: ApiScope) -> QuotaAllocationRead:
    return _allocation(service.get_allocation(session, scope, allocation_id))


@router.patch("/quotas/{allocation_id}", response_model=QuotaAllocationRead)
def update_allocation(
    allocation_id: int, data: QuotaAllocationUpdate, session: Db, scope: ApiScope
) -> QuotaAllocationRead:
    return _allocation(service.update_allocation(session, scope, allocation_id, data))


@router.delete("/quotas/{allocation_id}", status_code=204)
def delete_allocation(allocation_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_allocation(session, scope, allocation_id)
    return Response(status_code=204)


# --- entry outcomes ------------------------------------------------------------------------------


@router.get("/entries", response_model=list[EntryOutcomeRead])
def list_outcomes(
    session: Db, scope: ApiScope, year: Year = None, school_id: int | None = None
) -> list[EntryOutcomeRead]:
    """Entry outcomes (优质高中阶段学校入学) of the junior schools in scope."""
    return [_outcome(o) for o in service.list_outcomes(session, scope, year=year, school_id=school_id)]


@router.post("/entries", response_model=EntryOutcomeRead, status_code=201)
def create_outcome(data: EntryOutcomeCreate, session: Db, scope: ApiScope) -> EntryOutcomeRead:
    """Records a school's graduates and quality entries (bureau administrators); 409 when already recorded."""
    return _outcome(service.create_outcome(session, scope, data))


@router.get("/entries/template")
def outcome_template(format: str = "xlsx") -> Response:
    """Empty import template with Chinese headers."""
    fmt = table_format(format)
    return download(io.template_file(io.OUTCOMES.key, fmt), f"entry-outcomes-template.{fmt}")


@router.get("/entries/export")
def export_outcomes(session: Db, scope: ApiScope, format: str = "xlsx", year: Year = None) -> Response:
    """Entry outcomes in scope, in the import layout."""
    fmt = table_format(format)
    return download(io.export_file(session, scope, io.OUTCOMES.key, fmt, year), f"entry-outcomes.{fmt}")


@router.post("/entries/import")
async def import_outcomes(session: Db, scope: ApiScope, file: UploadFile | None = None) -> dict[str, object]:
    """Import a file (bureau administrators); any bad row refuses the whole file (422 with every bad row)."""
    return await _import(io.OUTCOMES.key, file, session, scope)


@router.get("/entries/{outcome_id}", response_model=EntryOutcomeRead)
def get_outcome(outcome_id: int, session: Db, scope: ApiScope) -> EntryOutcomeRead:
    return _outcome(service.get_outcome(session, scope, outcome_id))


@router.patch("/entries/{outcome_id}", response_model=EntryOutcomeRead)
def update_outcome(
    outcome_id: int, data: EntryOutcomeUpdate, session: Db, scope: ApiScope
) -> EntryOutcomeRead:
    return _outcome(service.update_outcome(session, scope, outcome_id, data))


@router.delete("/entries/{outcome_id}", status_code=204)
def delete_outcome(outcome_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_outcome(session, scope, outcome_id)
    return Response(status_code=204)
