"""Teacher development pages (Chinese first): the /development overview of every kind of record (and the
studios, whose pages are in `studios.pages`), and one list page per kind with its form, import and export
(training with each teacher's yearly totals and the region's credit rule, certificates with each group's
quota). Forms carry the session's CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from edugroup.certificates import service as certificates_service
from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, Forbidden, ImportFailed
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.periods import default_year
from edugroup.core.scope import Scope
from edugroup.core.sheets import ImportReport, Kind, form_values, full_update, header_of, parse_cells
from edugroup.development import io
from edugroup.org import service as org_service
from edugroup.training import service as training_service
from edugroup.training.models import TRAINING_LEVEL_LABELS, TrainingLevel
from edugroup.training.schemas import CreditRuleUpdate

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
        return scope.manages_groups
    return scope.manages_schools


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
            training_service.set_credit_rule(session, scope, CreditRuleUpdate(credits_per_hour=rates))
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


def _filters(request: Request, kind: Kind) -> dict[str, Any]:
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
    kind: Kind,
    filters: dict[str, Any],
    *,
    status_code: int = 200,
    result: ImportReport | None = None,
    failure: ImportFailed | None = None,
    rule_error: str | None = None,
) -> HTMLResponse:
    records = kind.records(session, scope, **filters)
    extra: dict[str, Any] = {}
    year = filters.get("year")
    if kind.key == "training":
        extra["rule"] = training_service.credit_rule(session, scope.region_id)
        extra["totals"] = training_service.training_totals(session, scope, year) if year is not None else []
    if kind.key == "certificates" and year is not None and scope.manages_schools:
        extra["quotas"] = certificates_service.certificate_quotas(session, scope, year)
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
    kind: Kind,
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


def _require_form(scope: Scope, kind: Kind) -> None:
    if not can_create(scope, kind.key):
        raise Forbidden(f"{kind.label}: 无权录入")


def _errors(kind: Kind, exc: ValidationError | EduGroupError) -> list[str]:
    if isinstance(exc, EduGroupError):
        return [f"{header_of(kind, exc.field)}: {exc.message}"]
    found = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else None
        message = str(err["msg"]).removeprefix("Value error, ")
        if message.startswith("ended_on: "):
            field, message = "ended_on", message.removeprefix("ended_on: ")
        found.append(f"{header_of(kind, field)}: {message}")
    return found


def _posted(
    session: Session, scope: Scope, kind: Kind, form: FormData
) -> tuple[dict[str, str], dict[str, Any], list[str]]:
    """A posted form's fields, the schema fields read from them, and every problem as "header: message"."""
    assert scope.region_id is not None
    posted = {key: str(form.get(key) or "") for key in form if key != "csrf_token"}
    values, problems = parse_cells(kind, dict(posted), io.Lookups(session, scope.region_id), by="field")
    values.pop("id", None)
    return posted, values, [f"{header}: {message}" for header, message in problems]


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
    posted, values, errors = _posted(session, scope, spec, form)
    if errors:
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
    return _form_page(request, session, scope, spec, record_id=record_id, values=form_values(spec, record))


@router.post("/development/{kind}/{record_id}/edit", response_class=HTMLResponse, response_model=None)
async def update_record_page(
    request: Request, session: Db, scope: PageScope, kind: str, record_id: int
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    spec = io.kind_of(kind)
    spec.get(session, scope, record_id)
    _require_form(scope, spec)
    posted, values, errors = _posted(session, scope, spec, form)
    if errors:
        return _form_page(request, session, scope, spec, record_id=record_id, values=posted, errors=errors)
    try:
        spec.update(session, scope, record_id, spec.update_schema(**full_update(spec, values)))
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
