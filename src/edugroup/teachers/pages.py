"""Teacher pages (Chinese first): the scoped teacher list with import and export, a teacher's page (record,
eligibility, rotation history with what each rotation counts as, promotion check), and the rotation list with
the region's eligibility rules. Forms carry the session's CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, ImportFailed
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.policy.contract import packs_with_metric
from edugroup.teachers import io, rotations, service
from edugroup.teachers.models import BACKBONE_TIER_LABELS, HONOUR_LABELS, ROTATION_MODE_LABELS, Honour
from edugroup.teachers.schemas import EligibilityRuleCreate

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 500


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(
        request,
        template,
        status_code=status_code,
        honour_labels=HONOUR_LABELS,
        backbone_labels=BACKBONE_TIER_LABELS,
        rotation_mode_labels=ROTATION_MODE_LABELS,
        **context,
    )


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


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


@router.get("/teachers/{teacher_id}", response_class=HTMLResponse)
def teacher_page(
    request: Request,
    session: Db,
    scope: PageScope,
    teacher_id: int,
    on: str | None = None,
    check_on: str | None = None,
    pack: str | None = None,
) -> HTMLResponse:
    teacher = service.get_teacher(session, scope, teacher_id)
    day = _day(on, date.today())
    rule, reasons = service.eligibility_of(session, scope, teacher_id, day)
    history = rotations.list_rotations(session, scope, teacher_id=teacher_id)
    check = check_error = None
    if check_on:
        try:
            check = rotations.promotion_check(session, scope, teacher_id, _day(check_on, date.today()), pack)
        except EduGroupError as exc:
            check_error = exc.message
    return _render(
        request,
        "teachers/detail.html",
        scope=scope,
        t=teacher,
        day=day,
        rule=rule,
        reasons=reasons,
        history=history,
        facts=rotations.experiences(session, history),
        promotions=rotations.list_promotions(session, scope, teacher_id=teacher_id),
        check=check,
        check_error=check_error,
        check_on=check_on or date.today().isoformat(),
        pack=pack or "",
        packs=_promotion_packs(session, scope),
    )


def _promotion_packs(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """The packs with a promotion rule (HK-05, SH-05), for the check's choice."""
    return packs_with_metric(session, scope.region_id, rotations.EXPERIENCE_METRIC)


# --- rotations and eligibility rules -------------------------------------------------------------


def _rotations_page(
    request: Request, session: Session, scope: Scope, year: int | None, *, error: str | None = None
) -> HTMLResponse:
    found = rotations.list_rotations(session, scope, year=year, limit=2000)
    return _render(
        request,
        "teachers/rotations.html",
        status_code=422 if error else 200,
        scope=scope,
        rotations=found,
        facts=rotations.experiences(session, found),
        year=year,
        rules=service.list_rules(session, scope),
        error=error,
    )


@router.get("/rotations", response_class=HTMLResponse)
def rotations_page(request: Request, session: Db, scope: PageScope, year: str | None = None) -> HTMLResponse:
    return _rotations_page(request, session, scope, _int(year))


@router.post("/rotations/rules", response_class=HTMLResponse, response_model=None)
async def create_rule_page(request: Request, session: Db, scope: PageScope) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    scope.require_bureau("设定交流轮岗条件")
    text = {key: str(form.get(key) or "").strip() for key in form}
    try:
        data = EligibilityRuleCreate(
            effective_from=text.get("effective_from") or None,
            min_years_at_school=text.get("min_years_at_school") or 6,
            max_age=text.get("max_age") or None,
            exclude_on_rotation="exclude_on_rotation" in form,
            rest_years=text.get("rest_years") or 0,
            excluded_titles=text.get("excluded_titles") or None,
            note=text.get("note") or None,
        )
        service.create_rule(session, scope, data)
    except ValidationError as exc:
        labels = {"effective_from": "生效日期", "min_years_at_school": "任教年限", "max_age": "年龄上限"}
        message = "; ".join(
            f"{labels.get(str(e['loc'][0]), e['loc'][0]) if e['loc'] else ''}: {e['msg']}"
            for e in exc.errors()
        )
        return _rotations_page(request, session, scope, None, error=message)
    except EduGroupError as exc:
        return _rotations_page(request, session, scope, None, error=exc.message)
    return RedirectResponse("/rotations", status_code=303)
