"""Teacher pages (Chinese first): the scoped teacher list with import and export. A teacher's own page, with its
rotation history, eligibility and promotion check, is the rotation domain's (`rotation.pages`). Forms carry the
session's CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from edugroup.core.deps import Db
from edugroup.core.errors import ImportFailed
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.teachers import io, service
from edugroup.teachers.models import BACKBONE_TIER_LABELS, HONOUR_LABELS, Honour

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 500


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(
        request,
        template,
        status_code=status_code,
        honour_labels=HONOUR_LABELS,
        backbone_labels=BACKBONE_TIER_LABELS,
        **context,
    )


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _list_page(
    request: Request,
    session: Session,
    scope: Scope,
    filters: dict[str, Any],
    *,
    status_code: int = 200,
    result: io.ImportReport | None = None,
    failure: ImportFailed | None = None,
) -> HTMLResponse:
    teachers = service.list_teachers(session, scope, limit=PAGE_SIZE + 1, **filters)
    return _render(
        request,
        "teachers/list.html",
        status_code=status_code,
        scope=scope,
        teachers=teachers[:PAGE_SIZE],
        more=len(teachers) > PAGE_SIZE,
        filters=filters,
        schools=org_service.list_schools(session, scope),
        can_manage=service.can_manage(scope),
        staffing=service.list_staffing(session, scope)[:100],
        result=result,
        failure=failure,
    )


@router.get("/teachers", response_class=HTMLResponse)
def teachers_page(
    request: Request,
    session: Db,
    scope: PageScope,
    school_id: str | None = None,
    honour: str | None = None,
    backbone: str | None = None,
    q: str | None = None,
) -> HTMLResponse:
    filters = {
        "school_id": _int(school_id),
        "honour": Honour(honour) if honour and honour in Honour.__members__ else None,
        "backbone": {"yes": True, "no": False}.get(backbone or ""),
        "query": (q or "").strip() or None,
    }
    return _list_page(request, session, scope, filters)


@router.post("/teachers/import", response_class=HTMLResponse)
async def import_page(
    request: Request, session: Db, scope: PageScope, csrf_token: Annotated[str, Form()], file: UploadFile
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    data = await file.read()
    empty: dict[str, Any] = {"school_id": None, "honour": None, "backbone": None, "query": None}
    try:
        report = io.import_teachers(session, scope, data, file.filename or "upload")
    except ImportFailed as failure:
        return _list_page(request, session, scope, empty, status_code=422, failure=failure)
    return _list_page(request, session, scope, empty, result=report)
