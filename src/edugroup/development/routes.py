"""Teacher development files under /api/v1/development: the import template, the export and the import
of each kind of record (training, certificates, mentoring, dispatches, assignments)."""

from __future__ import annotations

from fastapi import APIRouter, Response, UploadFile

from edugroup.core.deps import ApiScope, Db, Year
from edugroup.core.downloads import download, table_format
from edugroup.development import io

router = APIRouter(prefix="/api/v1/development", tags=["teacher development"])


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
