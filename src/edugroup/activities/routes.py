"""Activities API under /api/v1/activities: records, evidence files, import and export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Response, UploadFile
from fastapi.responses import FileResponse

from edugroup.activities import io, service, storage
from edugroup.activities.models import ACTIVITY_KIND_LABELS, ActivityKind
from edugroup.activities.schemas import ActivityCreate, ActivityRead, ActivityUpdate, AttachmentRead, KindRead
from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download, table_format

router = APIRouter(prefix="/api/v1/activities", tags=["activities"])


@router.get("", response_model=list[ActivityRead])
def list_activities(
    session: Db,
    scope: ApiScope,
    kind: ActivityKind | None = None,
    group_id: int | None = None,
    school_id: int | None = None,
    start: Annotated[date | None, Query(alias="from", description="first day, inclusive")] = None,
    end: Annotated[date | None, Query(alias="to", description="last day, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[object]:
    """Activities in scope, newest first; school_id matches the organising or a participating school."""
    return list(
        service.list_activities(
            session,
            scope,
            kind=kind,
            group_id=group_id,
            school_id=school_id,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        )
    )


@router.post("", response_model=ActivityRead, status_code=201)
def create_activity(data: ActivityCreate, session: Db, scope: ApiScope) -> object:
    """Records an activity organised by a group and/or school the caller may write for."""
    return service.create_activity(session, scope, data)


@router.get("/kinds", response_model=list[KindRead])
def list_kinds() -> list[KindRead]:
    """The activity kinds with their Chinese labels."""
    return [KindRead(id=kind.value, label=label) for kind, label in ACTIVITY_KIND_LABELS.items()]


@router.get("/template")
def download_template(format: str = "xlsx") -> Response:
    """Empty import template with Chinese headers."""
    fmt = table_format(format)
    return download(io.template_file(fmt), f"activities-template.{fmt}")


@router.get("/export")
def export_activities(session: Db, scope: ApiScope, format: str = "xlsx") -> Response:
    """Activities in scope, in the import layout (plus 编号, so the file imports back as updates)."""
    fmt = table_format(format)
    return download(io.export_file(session, scope, fmt), f"activities.{fmt}")


@router.post("/import")
async def import_activities(file: UploadFile, session: Db, scope: ApiScope) -> dict[str, object]:
    """Import a file; any bad row refuses the whole file (422 with every bad row)."""
    data = await file.read()
    report = io.import_activities(session, scope, data, file.filename or "upload")
    return {"created": report.created, "updated": report.updated, "message": report.summary()}


@router.get("/{activity_id}", response_model=ActivityRead)
def get_activity(activity_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_activity(session, scope, activity_id)


@router.patch("/{activity_id}", response_model=ActivityRead)
def update_activity(activity_id: int, data: ActivityUpdate, session: Db, scope: ApiScope) -> object:
    return service.update_activity(session, scope, activity_id, data)


@router.delete("/{activity_id}", status_code=204)
def delete_activity(activity_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_activity(session, scope, activity_id)
    return Response(status_code=204)


@router.post("/{activity_id}/attachments", response_model=AttachmentRead, status_code=201)
async def upload_attachment(
    activity_id: int,
    session: Db,
    scope: ApiScope,
    file: UploadFile | None = None,
    is_report: Annotated[bool, Form()] = False,
) -> object:
    """Upload an evidence file (pdf, jpg, png, docx, xlsx, pptx, txt; size-limited; checked by content)."""
    data = await file.read(storage.max_bytes() + 1) if file is not None else b""
    filename = (file.filename or "") if file is not None else ""
    return service.add_attachment(session, scope, activity_id, filename, data, is_report=is_report)


@router.get("/{activity_id}/attachments/{attachment_id}")
def download_attachment(activity_id: int, attachment_id: int, session: Db, scope: ApiScope) -> FileResponse:
    """The evidence file, to those who can see the activity."""
    attachment = service.get_attachment(session, scope, activity_id, attachment_id)
    return FileResponse(
        service.attachment_path(attachment),
        media_type=attachment.content_type,
        filename=attachment.filename,
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.delete("/{activity_id}/attachments/{attachment_id}", status_code=204)
def delete_attachment(activity_id: int, attachment_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_attachment(session, scope, activity_id, attachment_id)
    return Response(status_code=204)
