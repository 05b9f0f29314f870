"""Activity pages (Chinese first): the list with filters, a record with its participants and evidence, the
form to record or change one, and the file import. Forms carry the session's CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from edugroup.activities import io, service, storage
from edugroup.activities.models import ACTIVITY_KIND_LABELS, SHOWCASE_LEVEL_LABELS, Activity, ActivityKind
from edugroup.activities.schemas import ActivityCreate, ActivityUpdate
from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, ImportFailed, InvalidInput
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.periods import semester_of
from edugroup.core.scope import Scope
from edugroup.core.sheets import code_list, ids_of
from edugroup.org import service as org_service

router = APIRouter(include_in_schema=False)


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(
        request,
        template,
        status_code=status_code,
        kind_labels=ACTIVITY_KIND_LABELS,
        level_labels=SHOWCASE_LEVEL_LABELS,
        semester_label=lambda day: semester_of(day).label,
        **context,
    )


def _optional_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _optional_int(text: str | None) -> int | None:
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
    activities = service.list_activities(session, scope, limit=1000, **filters)
    return _render(
        request,
        "activities/list.html",
        status_code=status_code,
        scope=scope,
        activities=activities,
        filters=filters,
        groups=org_service.list_groups(session, scope),
        schools=org_service.list_schools(session, scope),
        can_create=scope.manages_schools,
        result=result,
        failure=failure,
    )


@router.get("/activities", response_class=HTMLResponse)
def activities_page(
    request: Request,
    session: Db,
    scope: PageScope,
    kind: str | None = None,
    group_id: str | None = None,
    school_id: str | None = None,
) -> HTMLResponse:
    params = request.query_params
    filters = {
        "kind": ActivityKind(kind) if kind and kind in ActivityKind.__members__ else None,
        "group_id": _optional_int(group_id),
        "school_id": _optional_int(school_id),
        "start": _optional_date(params.get("from")),
        "end": _optional_date(params.get("to")),
    }
    return _list_page(request, session, scope, filters)


@router.post("/activities/import", response_class=HTMLResponse)
async def import_page(
    request: Request, session: Db, scope: PageScope, csrf_token: Annotated[str, Form()], file: UploadFile
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    data = await file.read()
    try:
        report = io.import_activities(session, scope, data, file.filename or "upload")
    except ImportFailed as failure:
        return _list_page(request, session, scope, {}, status_code=422, failure=failure)
    return _list_page(request, session, scope, {}, result=report)


# --- the form ------------------------------------------------------------------------------------


def _choices(session: Session, scope: Scope) -> dict[str, Any]:
    """Organisers the user may write for, and the schools it may tick as participants."""
    groups = [g for g in org_service.list_groups(session, scope) if service.can_write(scope, g.id, None)]
    schools = org_service.list_schools(session, scope)
    organisers = [s for s in schools if service.can_write(scope, None, s.id)]
    return {"organiser_groups": groups, "organiser_schools": organisers, "schools": schools}


def _values_of(activity: Activity, visible_school_ids: set[int]) -> dict[str, Any]:
    """The form fields of a recorded activity."""
    observer = activity.observer_teacher.staff_number if activity.observer_teacher else activity.observer_name
    return {
        "kind": activity.kind.value,
        "occurred_on": activity.occurred_on.isoformat(),
        "title": activity.title,
        "description": activity.description or "",
        "group_id": str(activity.group_id or ""),
        "school_id": str(activity.school_id or ""),
        "school_ids": [str(i) for i in activity.school_ids if i in visible_school_ids],
        "other_schools": "、".join(
            link.school.code for link in activity.school_links if link.school_id not in visible_school_ids
        ),
        "teachers": "、".join(link.teacher.staff_number for link in activity.teacher_links),
        "level": activity.level.value if activity.level else "",
        "observer": observer or "",
        "report_text": activity.report_text or "",
        "has_report": activity.has_report,
    }


def _parse_form(form: FormData, lookups: io.Lookups) -> dict[str, Any]:
    """ActivityCreate fields from a posted form; InvalidInput naming the first bad field."""
    text = {key: str(form.get(key) or "").strip() for key in form}
    values: dict[str, Any] = {
        key: text.get(key) or None
        for key in ("kind", "occurred_on", "title", "description", "level", "report_text")
    }
    values["group_id"] = _optional_int(text.get("group_id"))
    values["school_id"] = _optional_int(text.get("school_id"))
    values["has_report"] = "has_report" in form
    ticked = [int(str(v)) for v in form.getlist("school_ids") if str(v).isdigit()]
    try:
        others = ids_of(lookups.schools, code_list(text.get("other_schools", "")), "学校代码")
    except ValueError as exc:
        raise InvalidInput(str(exc), field="other_schools") from None
    values["school_ids"] = list(dict.fromkeys(ticked + others))
    try:
        values["teacher_ids"] = ids_of(lookups.teachers, code_list(text.get("teachers", "")), "教师工号")
    except ValueError as exc:
        raise InvalidInput(str(exc), field="teachers") from None
    values["observer_teacher_id"] = values["observer_name"] = None
    if text.get("observer"):
        values.update(lookups.observer(text["observer"]))
    return values


def _form_page(
    request: Request,
    session: Session,
    scope: Scope,
    *,
    activity: Activity | None,
    values: dict[str, Any],
    error: str | None = None,
) -> HTMLResponse:
    return _render(
        request,
        "activities/form.html",
        status_code=422 if error else 200,
        scope=scope,
        activity=activity,
        values=values,
        error=error,
        **_choices(session, scope),
    )


def _message(exc: ValidationError | EduGroupError) -> str:
    if isinstance(exc, EduGroupError):
        return exc.message
    labels = {"kind": "活动类型", "occurred_on": "日期", "title": "标题", "level": "级别"}
    parts = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        parts.append(f"{labels.get(field, field)}: {str(err['msg']).removeprefix('Value error, ')}")
    return "; ".join(parts)


def _posted(form: FormData) -> dict[str, Any]:
    """The posted fields, to show the form again as it was sent."""
    shown: dict[str, Any] = {key: form.get(key) for key in form}
    shown["school_ids"] = form.getlist("school_ids")
    shown["has_report"] = "has_report" in form
    return shown


@router.get("/activities/new", response_class=HTMLResponse)
def new_activity_page(request: Request, session: Db, scope: PageScope) -> HTMLResponse:
    scope.require_school_manager("记录活动")
    values = {"occurred_on": date.today().isoformat(), "school_ids": [], "has_report": False}
    return _form_page(request, session, scope, activity=None, values=values)


@router.post("/activities/new", response_class=HTMLResponse, response_model=None)
async def create_activity_page(request: Request, session: Db, scope: PageScope) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    scope.require_school_manager("记录活动")
    assert scope.region_id is not None
    try:
        values = _parse_form(form, io.Lookups(session, scope.region_id))
        activity = service.create_activity(session, scope, ActivityCreate(**values))
    except (ValidationError, EduGroupError) as exc:
        return _form_page(request, session, scope, activity=None, values=_posted(form), error=_message(exc))
    return RedirectResponse(f"/activities/{activity.id}", status_code=303)


def _detail_page(
    request: Request, session: Session, scope: Scope, activity: Activity, upload_error: str | None = None
) -> HTMLResponse:
    return _render(
        request,
        "activities/detail.html",
        status_code=422 if upload_error else 200,
        scope=scope,
        a=activity,
        writable=service.can_write(scope, activity.group_id, activity.school_id),
        upload_error=upload_error,
        allowed=storage.ALLOWED,
        max_size=storage.max_bytes() // (1024 * 1024),
    )


@router.get("/activities/{activity_id}", response_class=HTMLResponse)
def activity_page(request: Request, session: Db, scope: PageScope, activity_id: int) -> HTMLResponse:
    return _detail_page(request, session, scope, service.get_activity(session, scope, activity_id))


@router.get("/activities/{activity_id}/edit", response_class=HTMLResponse)
def edit_activity_page(request: Request, session: Db, scope: PageScope, activity_id: int) -> HTMLResponse:
    activity = service.get_activity(session, scope, activity_id)
    service.require_writer(scope, activity.group_id, activity.school_id, "修改活动")
    visible = {s.id for s in org_service.list_schools(session, scope)}
    return _form_page(request, session, scope, activity=activity, values=_values_of(activity, visible))


@router.post("/activities/{activity_id}/edit", response_class=HTMLResponse, response_model=None)
async def update_activity_page(request: Request, session: Db, scope: PageScope, activity_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    activity = service.get_activity(session, scope, activity_id)
    service.require_writer(scope, activity.group_id, activity.school_id, "修改活动")
    try:
        values = _parse_form(form, io.Lookups(session, activity.region_id))
        service.update_activity(session, scope, activity_id, ActivityUpdate(**values))
    except (ValidationError, EduGroupError) as exc:
        return _form_page(
            request, session, scope, activity=activity, values=_posted(form), error=_message(exc)
        )
    return RedirectResponse(f"/activities/{activity_id}", status_code=303)


@router.post("/activities/{activity_id}/delete")
def delete_activity_page(
    request: Request, session: Db, scope: PageScope, activity_id: int, csrf_token: Annotated[str, Form()]
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    service.delete_activity(session, scope, activity_id)
    return RedirectResponse("/activities", status_code=303)


@router.post("/activities/{activity_id}/attachments", response_class=HTMLResponse, response_model=None)
async def upload_attachment_page(
    request: Request,
    session: Db,
    scope: PageScope,
    activity_id: int,
    csrf_token: Annotated[str, Form()],
    file: UploadFile,
    is_report: Annotated[bool, Form()] = False,
) -> Response:
    check_csrf(request, csrf_token)
    data = await file.read(storage.max_bytes() + 1)
    try:
        service.add_attachment(session, scope, activity_id, file.filename or "", data, is_report=is_report)
    except InvalidInput as exc:
        activity = service.get_activity(session, scope, activity_id)
        return _detail_page(request, session, scope, activity, upload_error=exc.message)
    return RedirectResponse(f"/activities/{activity_id}", status_code=303)


@router.post("/activities/{activity_id}/attachments/{attachment_id}/delete")
def delete_attachment_page(
    request: Request,
    session: Db,
    scope: PageScope,
    activity_id: int,
    attachment_id: int,
    csrf_token: Annotated[str, Form()],
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    service.delete_attachment(session, scope, activity_id, attachment_id)
    return RedirectResponse(f"/activities/{activity_id}", status_code=303)
