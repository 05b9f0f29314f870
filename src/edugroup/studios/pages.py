"""Studio pages (Chinese first): the studios with their members, one studio with its activities per school
year, and the forms that set one up, change it and its members. Forms carry the session's CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, InvalidInput
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.scope import Scope
from edugroup.core.sheets import code_list
from edugroup.org import service as org_service
from edugroup.studios import service
from edugroup.studios.models import Studio
from edugroup.studios.schemas import StudioCreate, StudioMemberCreate, StudioMemberUpdate, StudioUpdate
from edugroup.teachers.models import Teacher

router = APIRouter(include_in_schema=False)


def _studio_page(
    request: Request, session: Session, scope: Scope, studio: Studio, error: str | None = None
) -> HTMLResponse:
    activities = service.studio_activities(session, scope, studio.id)
    group = (
        org_service.get_group(session, scope, studio.group_id)
        if studio.group_id is not None and scope.can_see_group(studio.group_id, studio.region_id)
        else None
    )
    return render(
        request,
        "development/studio.html",
        status_code=422 if error else 200,
        scope=scope,
        studio=studio,
        group=group,
        host=session.get(Teacher, studio.host_teacher_id) if studio.host_teacher_id else None,
        activities=activities,
        by_year=service.activities_by_year(activities),
        manageable=service.can_manage_studio(scope, studio),
        groups=org_service.list_groups(session, scope),
        error=error,
    )


def _teacher_id(session: Session, scope: Scope, staff_number: str, field: str = "teacher_id") -> int | None:
    text = staff_number.strip()
    if not text:
        return None
    found = session.scalar(
        select(Teacher.id).where(Teacher.staff_number == text, Teacher.region_id == scope.region_id)
    )
    if found is None:
        raise InvalidInput(f"工号「{text}」不存在", field=field)
    return found


def _message(exc: ValidationError | EduGroupError, labels: dict[str, str]) -> str:
    if isinstance(exc, EduGroupError):
        label = labels.get(exc.field or "", exc.field)
        return f"{label}: {exc.message}" if label else exc.message
    parts = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        message = str(err["msg"]).removeprefix("Value error, ")
        if ": " in message and message.split(": ", 1)[0] in labels:
            field, message = message.split(": ", 1)
        parts.append(f"{labels.get(field, field)}: {message}")
    return "; ".join(parts)


STUDIO_LABELS = {
    "name": "工作室名称",
    "group_id": "所在集团",
    "host_teacher_id": "主持人工号",
    "member_teacher_ids": "成员工号",
    "teacher_id": "教师工号",
    "founded_on": "成立日期",
    "closed_on": "撤销日期",
    "joined_on": "加入日期",
    "left_on": "退出日期",
}


@router.get("/development/studios", response_class=HTMLResponse)
def studios_page(
    request: Request, session: Db, scope: PageScope, group_id: str | None = None
) -> HTMLResponse:
    group = int(group_id) if group_id and group_id.isdigit() else None
    return render(
        request,
        "development/studios.html",
        scope=scope,
        studios=service.list_studios(session, scope, group_id=group),
        groups=org_service.list_groups(session, scope),
        group_id=group,
        error=None,
        values={},
    )


@router.post("/development/studios", response_class=HTMLResponse, response_model=None)
async def create_studio_page(request: Request, session: Db, scope: PageScope) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    scope.require_bureau("设立工作室")
    text = {key: str(form.get(key) or "").strip() for key in form}
    try:
        members = [
            _teacher_id(session, scope, code, "member_teacher_ids")
            for code in code_list(text.get("members", ""))
        ]
        data = StudioCreate(
            name=text.get("name", ""),
            group_id=int(text["group_id"]) if text.get("group_id", "").isdigit() else None,
            host_teacher_id=_teacher_id(session, scope, text.get("host", ""), "host_teacher_id"),
            member_teacher_ids=[m for m in members if m is not None],
            founded_on=text.get("founded_on") or None,
        )
        studio = service.create_studio(session, scope, data)
    except (ValidationError, EduGroupError) as exc:
        return render(
            request,
            "development/studios.html",
            status_code=422,
            scope=scope,
            studios=service.list_studios(session, scope),
            groups=org_service.list_groups(session, scope),
            group_id=None,
            error=_message(exc, STUDIO_LABELS),
            values=text,
        )
    return RedirectResponse(f"/development/studios/{studio.id}", status_code=303)


@router.get("/development/studios/{studio_id}", response_class=HTMLResponse)
def studio_page(request: Request, session: Db, scope: PageScope, studio_id: int) -> HTMLResponse:
    return _studio_page(request, session, scope, service.get_studio(session, scope, studio_id))


@router.post("/development/studios/{studio_id}/edit", response_class=HTMLResponse, response_model=None)
async def edit_studio_page(request: Request, session: Db, scope: PageScope, studio_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    studio = service.get_studio(session, scope, studio_id)
    text = {key: str(form.get(key) or "").strip() for key in form}
    try:
        changes: dict[str, Any] = {
            "name": text.get("name") or None,
            "founded_on": text.get("founded_on") or None,
            "closed_on": text.get("closed_on") or None,
        }
        if text.get("group_id", "").isdigit():
            changes["group_id"] = int(text["group_id"])
        if text.get("host"):
            changes["host_teacher_id"] = _teacher_id(session, scope, text["host"], "host_teacher_id")
        service.update_studio(session, scope, studio_id, StudioUpdate(**changes))
    except (ValidationError, EduGroupError) as exc:
        return _studio_page(request, session, scope, studio, error=_message(exc, STUDIO_LABELS))
    return RedirectResponse(f"/development/studios/{studio_id}", status_code=303)


@router.post("/development/studios/{studio_id}/members", response_class=HTMLResponse, response_model=None)
async def add_member_page(request: Request, session: Db, scope: PageScope, studio_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    studio = service.get_studio(session, scope, studio_id)
    try:
        teacher_id = _teacher_id(session, scope, str(form.get("staff_number") or ""))
        if teacher_id is None:
            raise InvalidInput("请填写教师工号", field="teacher_id")
        joined = str(form.get("joined_on") or "") or None
        service.add_studio_member(
            session,
            scope,
            studio_id,
            StudioMemberCreate(teacher_id=teacher_id, joined_on=joined),
        )
    except (ValidationError, EduGroupError) as exc:
        return _studio_page(request, session, scope, studio, error=_message(exc, STUDIO_LABELS))
    return RedirectResponse(f"/development/studios/{studio_id}", status_code=303)


@router.post(
    "/development/studios/{studio_id}/members/{teacher_id}/end",
    response_class=HTMLResponse,
    response_model=None,
)
def end_member_page(
    request: Request,
    session: Db,
    scope: PageScope,
    studio_id: int,
    teacher_id: int,
    csrf_token: Annotated[str, Form()],
    left_on: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    studio = service.get_studio(session, scope, studio_id)
    try:
        data = StudioMemberUpdate(left_on=left_on or None)
        service.update_studio_member(session, scope, studio_id, teacher_id, data)
    except (ValidationError, EduGroupError) as exc:
        return _studio_page(request, session, scope, studio, error=_message(exc, STUDIO_LABELS))
    return RedirectResponse(f"/development/studios/{studio_id}", status_code=303)


@router.post("/development/studios/{studio_id}/members/{teacher_id}/remove")
def remove_member_page(
    request: Request,
    session: Db,
    scope: PageScope,
    studio_id: int,
    teacher_id: int,
    csrf_token: Annotated[str, Form()],
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    service.remove_studio_member(session, scope, studio_id, teacher_id)
    return RedirectResponse(f"/development/studios/{studio_id}", status_code=303)
