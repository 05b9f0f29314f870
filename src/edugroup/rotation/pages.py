"""Rotation pages (Chinese first): a teacher's page at /teachers/{id} (record, eligibility, rotation history
with what each rotation counts as, promotions and the promotion check) and the rotation list with the region's
eligibility rules (plans' pages are in `rotation.plans.pages`). Listed before the teacher pages; forms carry the
session's CSRF token."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.scope import Scope
from edugroup.policy.contract import packs_with_metric
from edugroup.rotation import service
from edugroup.rotation.schemas import EligibilityRuleCreate
from edugroup.teachers import service as teacher_service

router = APIRouter(include_in_schema=False)


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


# --- a teacher's page ----------------------------------------------------------------------------


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
    teacher = teacher_service.get_teacher(session, scope, teacher_id)
    day = _day(on, date.today())
    rule, reasons = service.eligibility_of(session, scope, teacher_id, day)
    history = service.list_rotations(session, scope, teacher_id=teacher_id)
    check = check_error = None
    if check_on:
        try:
            check = service.promotion_check(session, scope, teacher_id, _day(check_on, date.today()), pack)
        except EduGroupError as exc:
            check_error = exc.message
    return render(
        request,
        "rotation/teacher.html",
        scope=scope,
        t=teacher,
        day=day,
        rule=rule,
        reasons=reasons,
        history=history,
        facts=service.experiences(session, history),
        promotions=service.list_promotions(session, scope, teacher_id=teacher_id),
        check=check,
        check_error=check_error,
        check_on=check_on or date.today().isoformat(),
        pack=pack or "",
        packs=_promotion_packs(session, scope),
    )


def _promotion_packs(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """The packs with a promotion rule (HK-05, SH-05), for the check's choice."""
    return packs_with_metric(session, scope.region_id, service.EXPERIENCE_METRIC)


# --- rotations and eligibility rules -------------------------------------------------------------


def _rotations_page(
    request: Request, session: Session, scope: Scope, year: int | None, *, error: str | None = None
) -> HTMLResponse:
    found = service.list_rotations(session, scope, year=year, limit=2000)
    return render(
        request,
        "rotation/rotations.html",
        status_code=422 if error else 200,
        scope=scope,
        rotations=found,
        facts=service.experiences(session, found),
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
