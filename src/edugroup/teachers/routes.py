"""Teachers API under /api/v1: teacher records and staffing (rotations' are in `rotation.routes`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile

from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download, table_format
from edugroup.teachers import io, service
from edugroup.teachers.models import Honour, Teacher
from edugroup.teachers.schemas import (
    StaffingCreate,
    StaffingRead,
    TeacherCreate,
    TeacherRead,
    TeacherUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["teachers"])


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


@router.get("/teachers/{teacher_id}", response_model=TeacherRead)
def get_teacher(teacher_id: int, session: Db, scope: ApiScope) -> Teacher:
    return service.get_teacher(session, scope, teacher_id)


@router.patch("/teachers/{teacher_id}", response_model=TeacherRead)
def update_teacher(teacher_id: int, data: TeacherUpdate, session: Db, scope: ApiScope) -> Teacher:
    return service.update_teacher(session, scope, teacher_id, data)


# --- recruitment and title applications at group level (HK-04) -----------------------------------


@router.get("/staffing", response_model=list[StaffingRead])
def list_staffing(session: Db, scope: ApiScope, group_id: int | None = None) -> list[object]:
    """Recruitment and title applications recorded by the groups in scope."""
    return list(service.list_staffing(session, scope, group_id=group_id))


@router.post("/staffing", response_model=StaffingRead, status_code=201)
def create_staffing(data: StaffingCreate, session: Db, scope: ApiScope) -> object:
    """Records a recruitment or title application at group level (集团管、校用)."""
    return service.create_staffing(session, scope, data)
