"""Rotation plan pages (bureau administrators): receiving demand per school and subject, plans made by the
planner, a plan's review page (edit a row's destination or drop it, accept it into rotations, export it)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.periods import school_year_of
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.org.models import QualityTier
from edugroup.rotation.plans import service
from edugroup.rotation.plans.schemas import DemandCreate

router = APIRouter(include_in_schema=False)


def _message(exc: ValidationError | EduGroupError) -> str:
    if isinstance(exc, EduGroupError):
        return exc.message
    labels = {
        "school_id": "学校",
        "subject": "学科",
        "min_count": "下限",
        "max_count": "上限",
        "year": "学年",
    }
    return "; ".join(
        f"{labels.get(str(e['loc'][0]), e['loc'][0]) if e['loc'] else ''}: "
        + str(e["msg"]).removeprefix("Value error, ")
        for e in exc.errors()
    )


def _plans_page(
    request: Request, session: Session, scope: Scope, year: int | None, *, error: str | None = None
) -> HTMLResponse:
    scope.require_bureau("编制轮岗方案")
    year = year or school_year_of(date.today()).year + 1
    schools = org_service.list_schools(session, scope)
    return render(
        request,
        "rotation/plans.html",
        status_code=422 if error else 200,
        scope=scope,
        year=year,
        plans=service.list_plans(session, scope),
        demands=service.list_demands(session, scope, year=year),
        weaker=[s for s in schools if s.quality_tier is QualityTier.weaker],
        error=error,
    )


def _year(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@router.get("/rotation/plans", response_class=HTMLResponse)
def plans_page(request: Request, session: Db, scope: PageScope, year: str | None = None) -> HTMLResponse:
    return _plans_page(request, session, scope, _year(year))


@router.post("/rotation/plans", response_class=HTMLResponse, response_model=None)
def create_plan_page(
    request: Request,
    session: Db,
    scope: PageScope,
    csrf_token: Annotated[str, Form()],
    year: Annotated[str, Form()],
    pack: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    chosen = _year(year)
    if chosen is None:
        return _plans_page(request, session, scope, None, error="学年: 请填写四位年份")
    try:
        plan = service.create_plan(session, scope, chosen, pack_id=pack.strip() or None)
    except EduGroupError as exc:
        return _plans_page(request, session, scope, chosen, error=exc.message)
    return RedirectResponse(f"/rotation/plans/{plan.id}", status_code=303)


@router.post("/rotation/demands", response_class=HTMLResponse, response_model=None)
async def create_demand_page(request: Request, session: Db, scope: PageScope) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    text: dict[str, Any] = {key: str(form.get(key) or "").strip() for key in form}
    year = _year(text.get("year"))
    try:
        data = DemandCreate(
            school_id=text.get("school_id") or None,
            year=year,
            subject=text.get("subject") or "",
            min_count=text.get("min_count") or 0,
            max_count=text.get("max_count") or None,
        )
        service.create_demand(session, scope, data)
    except (ValidationError, EduGroupError) as exc:
        return _plans_page(request, session, scope, year, error=_message(exc))
    return RedirectResponse(f"/rotation/plans?year={data.year}", status_code=303)


@router.post("/rotation/demands/{demand_id}/delete")
def delete_demand_page(
    request: Request,
    session: Db,
    scope: PageScope,
    demand_id: int,
    csrf_token: Annotated[str, Form()],
    year: Annotated[str, Form()] = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    service.delete_demand(session, scope, demand_id)
    return RedirectResponse(f"/rotation/plans?year={year}", status_code=303)


def _plan_page(
    request: Request, session: Session, scope: Scope, plan_id: int, *, error: str | None = None
) -> HTMLResponse:
    plan = service.get_plan(session, scope, plan_id)
    schools = org_service.list_schools(session, scope)
    return render(
        request,
        "rotation/plan.html",
        status_code=422 if error else 200,
        scope=scope,
        plan=plan,
        rows=sorted(plan.rows, key=lambda r: (r.from_school.code, r.to_school.code, r.teacher.staff_number)),
        warnings=service.plan_warnings(session, plan),
        destinations=[s for s in schools if s.quality_tier is not QualityTier.quality],
        error=error,
    )


@router.get("/rotation/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, session: Db, scope: PageScope, plan_id: int) -> HTMLResponse:
    return _plan_page(request, session, scope, plan_id)


@router.post("/rotation/plans/{plan_id}/rows/{row_id}", response_class=HTMLResponse, response_model=None)
def update_row_page(
    request: Request,
    session: Db,
    scope: PageScope,
    plan_id: int,
    row_id: int,
    csrf_token: Annotated[str, Form()],
    to_school_id: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf_token)
    try:
        if not to_school_id.isdigit():
            raise EduGroupError("请选择接收学校", field="to_school_id")
        service.update_row(session, scope, plan_id, row_id, int(to_school_id))
    except EduGroupError as exc:
        if exc.status_code == 404 and exc.field is None:
            raise
        return _plan_page(request, session, scope, plan_id, error=exc.message)
    return RedirectResponse(f"/rotation/plans/{plan_id}#row-{row_id}", status_code=303)


@router.post("/rotation/plans/{plan_id}/rows/{row_id}/drop")
def drop_row_page(
    request: Request,
    session: Db,
    scope: PageScope,
    plan_id: int,
    row_id: int,
    csrf_token: Annotated[str, Form()],
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    service.drop_row(session, scope, plan_id, row_id)
    return RedirectResponse(f"/rotation/plans/{plan_id}", status_code=303)


@router.post("/rotation/plans/{plan_id}/accept", response_class=HTMLResponse, response_model=None)
def accept_plan_page(
    request: Request, session: Db, scope: PageScope, plan_id: int, csrf_token: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf_token)
    try:
        service.accept_plan(session, scope, plan_id)
    except EduGroupError as exc:
        if exc.status_code in (403, 404):
            raise
        return _plan_page(request, session, scope, plan_id, error=exc.message)
    return RedirectResponse(f"/rotation/plans/{plan_id}", status_code=303)
