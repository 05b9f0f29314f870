"""Teacher development pages (Chinese first): one list page per kind of record with its form, import and
export (training with each teacher's yearly totals and the region's credit rule, certificates with each
group's quota), and the studios with their members and activities. Forms carry the session's CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from edugroup.activities.io import code_list
from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, Forbidden, ImportFailed, InvalidInput
from edugroup.core.models import Role
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.policy.pages import default_year
from edugroup.teachers.development import io, service
from edugroup.teachers.development.models import TRAINING_LEVEL_LABELS, TrainingLevel
from edugroup.teachers.development.schemas import (
    CreditRuleUpdate,
    StudioCreate,
    StudioMemberCreate,
    StudioMemberUpdate,
    StudioUpdate,
)
from edugroup.teachers.models import Studio, Teacher

router = APIRouter(include_in_schema=False)

DESCRIPTIONS = {
    "training": "市级、区级、学区/集团、校本四级培训与展示交流; 学分按本区规则核定 (HK-10, SH-10)",
    "certificates": "区级示范课证书: 每位教师每学年不超过2个, 集团不超过教师总数的15% (OH-11, OH-12)",
    "mentoring": "师徒结对: 联盟型集团至少3位骨干教师结对 (OH-09, HD-03)",
    "dispatches": "骨干教师顶岗任教、特需教师配送 (HD-03)",
    "assignments": "实验校指导专家 (每校不少于3名, QP-05) 与课堂观察员 (10—15名, QP-07)",
}


FILTERS = {
    "training": ("school_id",),
    "certificates": ("school_id", "group_id"),
    "mentoring": ("group_id",),
    "dispatches": ("school_id", "group_id"),
    "assignments": ("school_id", "group_id"),
}
"""The list filters each kind offers besides the school year."""


def can_create(scope: Scope, key: str) -> bool:
    """Whether the page offers `scope` the form of a kind (the service has the last word, per record)."""
    if key == "assignments":
        return scope.is_bureau
    if key in ("certificates", "dispatches"):
        return scope.is_bureau or scope.role is Role.group_head
    return service.can_record(scope)


def _year(text: str | None) -> int | None:
    """The school year asked for: a year, `all` (None), or the last one with a finished semester."""
    if text == "all":
        return None
    if text and text.isdigit() and len(text) == 4:
        return int(text)
    return default_year()


def _options(session: Session, scope: Scope) -> dict[str, list[tuple[str, str]]]:
    """Codes and names a form's selects offer: the groups, schools and districts the user can see."""
    return {
        "groups": [(g.code, g.name) for g in org_service.list_groups(session, scope)],
        "schools": [(s.code, s.name) for s in org_service.list_schools(session, scope)],
        "districts": [(d.code, d.name) for d in org_service.list_districts(session, scope)],
    }


# --- studios (declared first: /development/studios is not a kind) --------------------------------


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


# --- the overview and the credit rule ------------------------------------------------------------


@router.get("/development", response_class=HTMLResponse)
def development_page(request: Request, scope: PageScope) -> HTMLResponse:
    return render(request, "development/index.html", scope=scope, kinds=io.KINDS, descriptions=DESCRIPTIONS)


@router.post("/development/training/credit-rule", response_class=HTMLResponse, response_model=None)
async def credit_rule_page(request: Request, session: Db, scope: PageScope) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    scope.require_bureau("修改学分核定规则")
    try:
        rates = {level: float(str(form.get(level.value) or "")) for level in TrainingLevel}
    except ValueError:
        error: str | None = "每学时学分应为数字"
    else:
        try:
            service.set_credit_rule(session, scope, CreditRuleUpdate(credits_per_hour=rates))
            error = None
        except EduGroupError as exc:
            error = (
                f"{TRAINING_LEVEL_LABELS.get(TrainingLevel(exc.field), '')}: {exc.message}"
                if exc.field
                else exc.message
            )
    if error is not None:
        return _list_page(
            request, session, scope, io.kind_of("training"), {"year": default_year()}, rule_error=error
        )
    return RedirectResponse("/development/training", status_code=303)


# --- one kind of record --------------------------------------------------------------------------


def _filters(request: Request, kind: io.Kind) -> dict[str, Any]:
    params = request.query_params
    filters: dict[str, Any] = {"year": _year(params.get("year"))}
    for key in FILTERS[kind.key]:
        value = params.get(key, "")
        if value.isdigit():
            filters[key] = int(value)
    return filters


def _list_page(
    request: Request,
    session: Session,
    scope: Scope,
    kind: io.Kind,
    filters: dict[str, Any],
    *,
    status_code: int = 200,
    result: io.ImportReport | None = None,
    failure: ImportFailed | None = None,
    rule_error: str | None = None,
) -> HTMLResponse:
    records = kind.records(session, scope, **filters)
    extra: dict[str, Any] = {}
    year = filters.get("year")
    if kind.key == "training":
        extra["rule"] = service.credit_rule(session, scope.region_id)
        extra["totals"] = service.training_totals(session, scope, year) if year is not None else []
    if kind.key == "certificates" and year is not None and scope.role is not Role.teacher:
        extra["quotas"] = service.certificate_quotas(session, scope, year)
    return render(
        request,
        "development/list.html",
        status_code=422 if rule_error else status_code,
        scope=scope,
        kind=kind,
        description=DESCRIPTIONS[kind.key],
        columns=kind.columns,
        records=records,
        filters=filters,
        years=list(range(default_year() + 1, default_year() - 5, -1)),
        schools=org_service.list_schools(session, scope),
        groups=org_service.list_groups(session, scope),
        can_create=can_create(scope, kind.key),
        filter_names=FILTERS[kind.key],
        level_labels=TRAINING_LEVEL_LABELS,
        result=result,
        failure=failure,
        rule_error=rule_error,
        **extra,
    )


@router.get("/development/{kind}", response_class=HTMLResponse)
def records_page(request: Request, session: Db, scope: PageScope, kind: str) -> HTMLResponse:
    spec = io.kind_of(kind)
    return _list_page(request, session, scope, spec, _filters(request, spec))


@router.post("/development/{kind}/import", response_class=HTMLResponse)
async def import_page(
    request: Request,
    session: Db,
    scope: PageScope,
    kind: str,
    csrf_token: Annotated[str, Form()],
    file: UploadFile,
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    spec = io.kind_of(kind)
    data = await file.read()
    filters = {"year": default_year()}
    try:
        report = io.import_records(session, scope, spec.key, data, file.filename or "upload")
    except ImportFailed as failure:
        return _list_page(request, session, scope, spec, filters, status_code=422, failure=failure)
    return _list_page(request, session, scope, spec, {"year": None}, result=report)


def _form_page(
    request: Request,
    session: Session,
    scope: Scope,
    kind: io.Kind,
    *,
    record_id: int | None,
    values: dict[str, Any],
    errors: list[str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "development/form.html",
        status_code=422 if errors else 200,
        scope=scope,
        kind=kind,
        record_id=record_id,
        values=values,
        errors=errors or [],
        options=_options(session, scope),
    )


def _require_form(scope: Scope, kind: io.Kind) -> None:
    if not can_create(scope, kind.key):
        raise Forbidden(f"{kind.label}: 无权录入")


def _errors(kind: io.Kind, exc: ValidationError | EduGroupError) -> list[str]:
    if isinstance(exc, EduGroupError):
        return [f"{io.header_of(kind, exc.field)}: {exc.message}"]
    found = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else None
        message = str(err["msg"]).removeprefix("Value error, ")
        if message.startswith("ended_on: "):
            field, message = "ended_on", message.removeprefix("ended_on: ")
        found.append(f"{io.header_of(kind, field)}: {message}")
    return found


def _posted(form: FormData) -> dict[str, str]:
    return {key: str(form.get(key) or "") for key in form if key != "csrf_token"}


@router.get("/development/{kind}/new", response_class=HTMLResponse)
def new_record_page(request: Request, session: Db, scope: PageScope, kind: str) -> HTMLResponse:
    spec = io.kind_of(kind)
    _require_form(scope, spec)
    return _form_page(request, session, scope, spec, record_id=None, values={})


@router.post("/development/{kind}/new", response_class=HTMLResponse, response_model=None)
async def create_record_page(request: Request, session: Db, scope: PageScope, kind: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    spec = io.kind_of(kind)
    _require_form(scope, spec)
    assert scope.region_id is not None
    posted = _posted(form)
    values, problems = io.parse_cells(spec, dict(posted), io.Lookups(session, scope.region_id), by="field")
    values.pop("id", None)
    if problems:
        errors = [f"{header}: {message}" for header, message in problems]
        return _form_page(request, session, scope, spec, record_id=None, values=posted, errors=errors)
    try:
        spec.create(session, scope, spec.create_schema(**values))
    except (ValidationError, EduGroupError) as exc:
        return _form_page(
            request, session, scope, spec, record_id=None, values=posted, errors=_errors(spec, exc)
        )
    return RedirectResponse(f"/development/{spec.key}?year=all", status_code=303)


@router.get("/development/{kind}/{record_id}/edit", response_class=HTMLResponse)
def edit_record_page(
    request: Request, session: Db, scope: PageScope, kind: str, record_id: int
) -> HTMLResponse:
    spec = io.kind_of(kind)
    record = spec.get(session, scope, record_id)
    _require_form(scope, spec)
    return _form_page(request, session, scope, spec, record_id=record_id, values=io.form_values(spec, record))


@router.post("/development/{kind}/{record_id}/edit", response_class=HTMLResponse, response_model=None)
async def update_record_page(
    request: Request, session: Db, scope: PageScope, kind: str, record_id: int
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    spec = io.kind_of(kind)
    spec.get(session, scope, record_id)
    _require_form(scope, spec)
    assert scope.region_id is not None
    posted = _posted(form)
    values, problems = io.parse_cells(spec, dict(posted), io.Lookups(session, scope.region_id), by="field")
    values.pop("id", None)
    if problems:
        errors = [f"{header}: {message}" for header, message in problems]
        return _form_page(request, session, scope, spec, record_id=record_id, values=posted, errors=errors)
    try:
        spec.update(session, scope, record_id, spec.update_schema(**io.full_update(spec, values)))
    except (ValidationError, EduGroupError) as exc:
        return _form_page(
            request, session, scope, spec, record_id=record_id, values=posted, errors=_errors(spec, exc)
        )
    return RedirectResponse(f"/development/{spec.key}?year=all", status_code=303)


@router.post("/development/{kind}/{record_id}/delete")
def delete_record_page(
    request: Request,
    session: Db,
    scope: PageScope,
    kind: str,
    record_id: int,
    csrf_token: Annotated[str, Form()],
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    spec = io.kind_of(kind)
    spec.delete(session, scope, record_id)
    return RedirectResponse(f"/development/{spec.key}?year=all", status_code=303)
