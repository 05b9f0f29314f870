"""Admissions page (Chinese first): for one school year, the quota fill rate (HK-21) and the quality entry
rate (HK-22) per group and district against 100% and the city average, the school records behind them, and
the imports of both tables (bureau administrators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from edugroup.admissions import io, service
from edugroup.admissions.schemas import UnitRates
from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, ImportFailed
from edugroup.core.pages import PageScope, check_csrf, language_of, render
from edugroup.core.scope import Scope
from edugroup.surveys.charts import Bar, bar_chart

router = APIRouter(include_in_schema=False)


def _charts(units: list[UnitRates], city: UnitRates | None, lang: str) -> dict[str, Any]:
    no_data = "无数据" if lang == "zh" else "no data"
    fill = [Bar(u.name, u.fill_rate, f"{u.filled}/{u.planned}") for u in units]
    entry = [Bar(u.name, u.entry_rate, f"{u.quality_entries}/{u.graduates}") for u in units]
    average = city.entry_rate if city is not None else None
    caption = "全市平均" if lang == "zh" else "city average"
    return {
        "fill_chart": bar_chart(
            fill,
            target=1.0,
            target_label="100%",
            title="名额分配到校计划完成率",
            width=560,
            label_width=130,
            no_data=no_data,
        ),
        "entry_chart": bar_chart(
            entry,
            target=average,
            target_label=f"{caption} {average * 100:.1f}%" if average is not None else "",
            title="优质高中阶段学校入学率",
            width=560,
            label_width=130,
            no_data=no_data,
        ),
    }


def _page(
    request: Request,
    session: Session,
    scope: Scope,
    year: int,
    *,
    result: io.ImportReport | None = None,
    failure: ImportFailed | None = None,
    failed_kind: str | None = None,
) -> HTMLResponse:
    summary = service.summary(session, scope, year)
    units = summary.groups + summary.districts
    years = sorted(set(service.years_recorded(session, scope)) | {year, service.latest_year()}, reverse=True)
    return render(
        request,
        "admissions/index.html",
        status_code=422 if failure else 200,
        scope=scope,
        year=year,
        years=years,
        summary=summary,
        allocations=service.list_allocations(session, scope, year=year),
        outcomes=service.list_outcomes(session, scope, year=year),
        writable=scope.is_bureau,
        kinds=io.KINDS,
        result=result,
        failure=failure,
        failed_kind=failed_kind,
        **_charts(units, summary.city, language_of(request)),
    )


@router.get("/admissions", response_class=HTMLResponse)
def admissions_page(request: Request, session: Db, scope: PageScope, year: str | None = None) -> HTMLResponse:
    chosen = int(year) if year and year.isdigit() and len(year) == 4 else service.latest_year()
    return _page(request, session, scope, chosen)


@router.post("/admissions/import", response_class=HTMLResponse)
async def import_page(
    request: Request,
    session: Db,
    scope: PageScope,
    csrf_token: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    file: UploadFile,
    year: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    if kind not in io.KINDS:
        raise EduGroupError(f"未知的数据类型 {kind}")
    scope.require_bureau(f"导入{io.KINDS[kind].label}")
    chosen = int(year) if year.isdigit() and len(year) == 4 else service.latest_year()
    data = await file.read()
    try:
        report = io.import_table(session, scope, kind, data, file.filename or "upload")
    except ImportFailed as failure:
        return _page(request, session, scope, chosen, failure=failure, failed_kind=kind)
    return _page(request, session, scope, chosen, result=report)
