"""The registry's pages: the overview, schools, a school, a group, and the registry import page."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, ImportFailed
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.scope import Scope
from edugroup.org import io, service
from edugroup.org.models import GroupMode

router = APIRouter(include_in_schema=False)


def _day(on: str | None) -> date:
    try:
        return date.fromisoformat(on) if on else date.today()
    except ValueError:
        return date.today()


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, session: Db, scope: PageScope, on: str | None = None) -> HTMLResponse:
    day = _day(on)
    data = service.overview(session, scope, day)
    return render(request, "overview.html", scope=scope, ov=data, day=day, modes=list(GroupMode))


@router.get("/schools", response_class=HTMLResponse)
def schools_page(
    request: Request, session: Db, scope: PageScope, district_id: int | None = None
) -> HTMLResponse:
    schools = service.list_schools(session, scope, district_id=district_id)
    districts = {d.id: d for d in service.list_districts(session, scope)}
    return render(
        request, "schools.html", scope=scope, schools=schools, districts=districts, district_id=district_id
    )


@router.get("/schools/{school_id}", response_class=HTMLResponse)
def school_page(
    request: Request, session: Db, scope: PageScope, school_id: int, on: str | None = None
) -> HTMLResponse:
    day = _day(on)
    school = service.get_school(session, scope, school_id)
    return render(
        request,
        "school.html",
        scope=scope,
        school=school,
        day=day,
        groups_now=service.groups_of_school_on(session, scope, school_id, day),
        history=service.membership_history(session, scope, school_id=school_id),
    )


@router.get("/groups/{group_id}", response_class=HTMLResponse)
def group_page(
    request: Request, session: Db, scope: PageScope, group_id: int, on: str | None = None
) -> HTMLResponse:
    day = _day(on)
    group = service.get_group(session, scope, group_id)
    children = [g for g in service.list_groups(session, scope) if g.parent_id == group_id]
    parent = None
    if group.parent_id is not None and scope.can_see_group(group.parent_id, group.region_id):
        parent = service.get_group(session, scope, group.parent_id)
    members = service.members_on(session, scope, group_id, day)
    return render(
        request,
        "group.html",
        scope=scope,
        group=group,
        parent=parent,
        children=children,
        day=day,
        members=members,
        students=sum(m.school.student_count for m in members),
        teachers=sum(m.school.teacher_count for m in members),
        history=service.membership_history(session, scope, group_id=group_id),
    )


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, scope: PageScope) -> HTMLResponse:
    return render(request, "data.html", scope=scope, kinds=io.KIND_LABELS, result=None, failure=None)


@router.post("/data/import", response_class=HTMLResponse)
async def data_import(
    request: Request,
    session: Db,
    scope: PageScope,
    kind: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    file: UploadFile,
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    scope.require_bureau("导入")
    data = await file.read()
    try:
        report = _import(session, scope, kind, data, file.filename or "upload")
    except ImportFailed as failure:
        return render(
            request,
            "data.html",
            status_code=422,
            scope=scope,
            kinds=io.KIND_LABELS,
            result=None,
            failure=failure,
        )
    return render(request, "data.html", scope=scope, kinds=io.KIND_LABELS, result=report, failure=None)


def _import(session: Session, scope: Scope, kind: str, data: bytes, filename: str) -> io.ImportReport:
    if kind not in io.COLUMNS:
        raise EduGroupError(f"未知的数据类型 {kind}")
    return io.import_table(session, scope, kind, data, filename)
