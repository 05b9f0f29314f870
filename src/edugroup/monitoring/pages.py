"""Monitoring pages (Chinese first): exams and their import with a progress bar, and the monitoring page of a
group and of the region — school results with the difference rate, trends across years, charts as inline SVG,
exportable to Excel. Every figure passes through the user's scope (service.unit_report)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, BackgroundTasks, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, Forbidden
from edugroup.core.pages import PageScope, check_csrf, render
from edugroup.core.scope import Scope
from edugroup.monitoring import charts, effects, jobs, programme, service, students
from edugroup.monitoring.exports import LEVEL_NAMES, SIGNIFICANCE_LABELS, value_added_of
from edugroup.monitoring.models import EXAM_STAGE_LABELS, Exam
from edugroup.monitoring.routes import JobTransactions
from edugroup.monitoring.schemas import ExamCreate
from edugroup.org import service as org_service

router = APIRouter(include_in_schema=False)

PASS_LINE = 0.99  # HK-20
DIFFERENCE_LINE = 0.15  # HK-18
_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(
        request,
        template,
        status_code=status_code,
        pct=_pct,
        num=_num,
        exam_stage_labels=EXAM_STAGE_LABELS,
        **context,
    )


# --- view models ---------------------------------------------------------------------------------------------


def _by_subject(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {row["subject"]: row for row in frame.to_dicts()}


def summary_rows(report: service.UnitReport) -> list[dict[str, Any]]:
    """The unit against the region, per subject, with the HK-17 / HK-18 / HK-20 readings of this exam."""
    if report.exam is None:
        return []
    table = report.indicators
    unit = _by_subject(
        table.filter((pl.col("level") == report.level) & (pl.col("entity_id") == report.entity_id))
    )
    region = _by_subject(table.filter(pl.col("level") == "region"))
    differences = _by_subject(
        report.differences.filter(
            (pl.col("level") == report.level) & (pl.col("entity_id") == report.entity_id)
        )
    )
    junior = report.exam.stage.value == "junior"
    rows = []
    for subject in report.exam.subjects:
        mine, area, spread = unit.get(subject), region.get(subject), differences.get(subject)
        if mine is None:
            continue
        pr_tested, area_tested = mine["pass_rate_tested"], area["pass_rate_tested"] if area else None
        cv = spread["cv_mean"] if spread else None
        rows.append(
            {
                "subject": subject,
                "unit": mine,
                "region": area,
                "cv_mean": cv,
                "cv_pass_rate": spread["cv_pass_rate"] if spread else None,
                "n_schools": spread["n_schools"] if spread else None,
                "hk17": None
                if pr_tested is None or area_tested is None or report.level == "region"
                else pr_tested >= area_tested - 1e-9,
                "hk18": None if cv is None else cv < DIFFERENCE_LINE,
                "hk20": None
                if not junior or mine["pass_rate_enrolled"] is None
                else mine["pass_rate_enrolled"] >= PASS_LINE - 1e-9,
            }
        )
    return rows


def school_rows(report: service.UnitReport) -> list[dict[str, Any]]:
    """Each school of the unit (in the user's scope) with its figures per subject."""
    schools: dict[int, dict[str, Any]] = {}
    for row in report.indicators.filter(pl.col("level") == "school").sort("entity_name").to_dicts():
        entry = schools.setdefault(
            row["entity_id"], {"id": row["entity_id"], "name": row["entity_name"], "cells": {}}
        )
        entry["cells"][row["subject"]] = row
    return list(schools.values())


def unit_rows(report: service.UnitReport, level: str) -> list[dict[str, Any]]:
    """Groups or districts (region page) with their figures and difference rate per subject."""
    units: dict[int, dict[str, Any]] = {}
    spreads = {
        (r["entity_id"], r["subject"]): r
        for r in report.differences.filter(pl.col("level") == level).to_dicts()
    }
    for row in report.indicators.filter(pl.col("level") == level).sort("entity_name").to_dicts():
        entry = units.setdefault(
            row["entity_id"], {"id": row["entity_id"], "name": row["entity_name"], "cells": {}}
        )
        entry["cells"][row["subject"]] = {
            **row,
            "cv_mean": spreads.get((row["entity_id"], row["subject"]), {}).get("cv_mean"),
        }
    return list(units.values())


def trend_rows(report: service.UnitReport) -> tuple[list[str], list[dict[str, Any]]]:
    """School years, and per subject the unit's and the region's figures in each of them."""
    years = sorted(set(report.trend["school_year"].to_list())) if report.trend.height else []
    rows = []
    subjects = report.exam.subjects if report.exam else []
    for subject in subjects:
        part = report.trend.filter(pl.col("subject") == subject)
        unit = {
            r["school_year"]: r
            for r in part.filter(
                (pl.col("level") == report.level) & (pl.col("entity_id") == report.entity_id)
            ).to_dicts()
        }
        region = {r["school_year"]: r for r in part.filter(pl.col("level") == "region").to_dicts()}
        rows.append(
            {
                "subject": subject,
                "unit": [unit.get(y) for y in years],
                "region": [region.get(y) for y in years],
            }
        )
    return [f"{y}学年" for y in years], rows


def report_charts(report: service.UnitReport) -> dict[str, Any]:
    """The page's SVG charts: school mean scores per subject, and the pass-rate trend per subject."""
    if report.exam is None:
        return {}
    region = _by_subject(report.indicators.filter(pl.col("level") == "region"))
    subjects = report.exam.subjects
    if report.level == "region":  # too many schools for one chart: the groups instead
        shown, what = unit_rows(report, "group")[:10], "各集团平均分"
    else:
        shown, what = school_rows(report)[:10], "各校平均分"
    means = charts.bar_chart(
        subjects,
        [
            charts.Series(s["name"], [(s["cells"].get(sub) or {}).get("mean") for sub in subjects])
            for s in shown
        ],
        title=f"{report.exam.name} · {what}",
        low=report.exam.score_min,
        high=report.exam.score_max,
        reference=[(region.get(sub) or {}).get("mean") for sub in subjects],
        reference_name="区域平均分",
        chart_id="school-means",
    )
    labels, trend = trend_rows(report)
    lines = charts.line_chart(
        labels,
        [
            charts.Series(t["subject"], [None if r is None else r["pass_rate_tested"] for r in t["unit"]])
            for t in trend
        ],
        title=f"{report.name} · 历年合格率 (参测学生)",
        high=1.0,
        fmt=charts.percent,
        chart_id="pass-trend",
    )
    return {"means": means, "trend": lines}


def value_added_charts(va: effects.ValueAdded | None) -> list[Any]:
    """One interval chart per subject: the schools' effects with their intervals, weaker schools marked."""
    if va is None:
        return []
    result = []
    for k, subject in enumerate(va.exam.subjects):
        part = va.schools.filter(pl.col("subject") == subject).sort("effect", descending=True)
        if not part.height:
            continue
        rows = [
            charts.Interval(r["entity_name"], r["effect"], r["lower"], r["upper"], bool(r["weaker"]))
            for r in part.to_dicts()
        ]
        result.append(
            charts.interval_chart(
                rows,
                title=f"{subject} · 学校增值 ({va.confidence * 100:.0f}% 置信区间)",
                chart_id=f"value-added-{k}",
            )
        )
    return result


# --- pages ---------------------------------------------------------------------------------------------------


def _index(
    request: Request,
    session: Db,
    scope: Scope,
    *,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    service.require_reader(scope)
    exams = service.list_exams(session, scope)
    groups = [
        g for g in org_service.list_groups(session, scope) if scope.is_bureau or g.id in scope.group_ids
    ]
    return _render(
        request,
        "monitoring/index.html",
        status_code=422 if error else 200,
        scope=scope,
        exams=exams,
        groups=groups,
        error=error,
        values=values or {"school_year": date.today().year - 1, "score_min": 0, "score_max": 100},
    )


@router.get("/monitoring", response_class=HTMLResponse)
def monitoring_page(request: Request, session: Db, scope: PageScope) -> HTMLResponse:
    return _index(request, session, scope)


@router.post("/monitoring/exams", response_class=HTMLResponse, response_model=None)
async def create_exam_page(request: Request, session: Db, scope: PageScope) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    scope.require_bureau("新建考试")
    values = {key: str(form.get(key) or "").strip() for key in form if key != "csrf_token"}
    data: dict[str, Any] = {k: v for k, v in values.items() if v != ""}
    data["subjects"] = [s for s in _SEPARATORS.split(values.get("subjects", "")) if s]
    data["counts_for_monitoring"] = "counts_for_monitoring" in form
    try:
        exam = service.create_exam(session, scope, ExamCreate(**data))
    except ValidationError as exc:
        labels = {
            "name": "名称",
            "school_year": "学年",
            "held_on": "考试日期",
            "grade": "年级",
            "subjects": "学科",
            "cut_excellent": "优秀分数线",
            "cut_good": "良好分数线",
            "cut_pass": "合格分数线",
        }
        message = "; ".join(
            f"{labels.get(str(e['loc'][0]), str(e['loc'][0])) if e['loc'] else ''} "
            f"{str(e['msg']).removeprefix('Value error, ')}".strip()
            for e in exc.errors()
        )
        return _index(request, session, scope, error=message, values=values)
    except EduGroupError as exc:
        return _index(request, session, scope, error=exc.message, values=values)
    return RedirectResponse(f"/monitoring/exams/{exam.id}", status_code=303)


@router.get("/monitoring/exams/{exam_id}", response_class=HTMLResponse)
def exam_page(request: Request, session: Db, scope: PageScope, exam_id: int) -> HTMLResponse:
    exam, indicators, differences = service.exam_indicators(session, scope, exam_id)
    region = indicators.filter(pl.col("level") == "region")
    return _render(
        request,
        "monitoring/exam.html",
        scope=scope,
        exam=exam,
        region=_by_subject(region),
        region_cv=_by_subject(differences.filter(pl.col("level") == "region")),
    )


@router.post("/monitoring/exams/{exam_id}/import")
def import_page(
    request: Request,
    session: Db,
    scope: PageScope,
    exam_id: int,
    csrf_token: Annotated[str, Form()],
    file: UploadFile,
    background: BackgroundTasks,
    transactions: JobTransactions,
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    job = jobs.start(session, scope, exam_id, file.file, file.filename or "upload")
    background.add_task(jobs.run, job["id"], transactions)
    return RedirectResponse(f"/monitoring/jobs/{job['id']}", status_code=303)


@router.get("/monitoring/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, session: Db, scope: PageScope, job_id: str) -> HTMLResponse:
    job = jobs.get(scope, job_id)
    exam: Exam | None = session.get(Exam, job["exam_id"])
    return _render(request, "monitoring/job.html", scope=scope, job=job, exam=exam)


def _report_page(
    request: Request,
    session: Db,
    scope: Scope,
    level: str,
    entity_id: int,
    exam_id: int | None,
    method: str = "reml",
) -> HTMLResponse:
    report = service.unit_report(session, scope, level, entity_id, exam_id=exam_id)
    labels, trend = trend_rows(report)
    va = value_added_of(session, scope, report, method)
    prizes = (
        [
            p
            for p in effects.prize_ranking(session, scope, report.exam.school_year, method=method)
            if level == "region" or p.group_id == entity_id
        ]
        if report.exam is not None
        else []
    )
    return _render(
        request,
        "monitoring/report.html",
        scope=scope,
        report=report,
        summary=summary_rows(report),
        schools=school_rows(report),
        groups=unit_rows(report, "group") if level == "region" else [],
        districts=unit_rows(report, "district") if level == "region" else [],
        trend_labels=labels,
        trend=trend,
        charts=report_charts(report),
        va=va,
        prizes=prizes,
        va_charts=value_added_charts(va),
        va_methods=effects.METHOD_LABELS,
        significance_labels=SIGNIFICANCE_LABELS,
        export_base=f"/api/v1/monitoring/{'groups' if level == 'group' else 'regions'}/{entity_id}/export",
        page_base=f"/monitoring/{'groups' if level == 'group' else 'regions'}/{entity_id}",
        level_names=LEVEL_NAMES,
    )


@router.get("/monitoring/programmes/{group_id}", response_class=HTMLResponse)
def programme_page(request: Request, session: Db, scope: PageScope, group_id: int) -> HTMLResponse:
    """QP-10: the pilot schools' value-added at each stage of the programme, against the baseline."""
    found = programme.programme_evaluation(session, scope, group_id)
    by_school: dict[str, dict[int, programme.StagePoint]] = {}
    for point in found.points:
        by_school.setdefault(point.school_name, {})[point.school_year] = point
    return render(
        request,
        "monitoring/programme.html",
        scope=scope,
        evaluation=found,
        by_school=by_school,
        year_stages={
            year: [
                programme.STAGE_LABELS[s] for s in programme.stages_of(year, found.first_year, found.length)
            ]
            for year in found.years
        },
    )


@router.get("/monitoring/groups/{group_id}", response_class=HTMLResponse)
def group_page(
    request: Request,
    session: Db,
    scope: PageScope,
    group_id: int,
    exam_id: int | None = None,
    method: str = "reml",
) -> HTMLResponse:
    return _report_page(request, session, scope, "group", group_id, exam_id, method)


@router.get("/monitoring/regions/{region_id}", response_class=HTMLResponse)
def region_page(
    request: Request,
    session: Db,
    scope: PageScope,
    region_id: int,
    exam_id: int | None = None,
    method: str = "reml",
) -> HTMLResponse:
    if not scope.is_bureau:
        service.check_unit(session, scope, "region", region_id)  # 404 for another region
        raise Forbidden("区域学业质量监测页面仅限教育局管理员; 请查看本集团的监测页面")
    return _report_page(request, session, scope, "region", region_id, exam_id, method)


# --- students: the 数字画像 (HK-26) -----------------------------------------------------------------------------


@router.get("/students", response_class=HTMLResponse)
def students_page(
    request: Request, session: Db, scope: PageScope, school_id: int | None = None, q: str | None = None
) -> HTMLResponse:
    found = students.list_students(session, scope, school_id=school_id, q=q)
    names = service.names(session, scope.region_id) if scope.region_id else {}
    return _render(
        request,
        "students/list.html",
        scope=scope,
        students=found,
        school_names={k[1]: v for k, v in names.items() if k[0] == "school"},
        q=q or "",
        limit=students.STUDENT_LIMIT,
    )


@router.get("/students/{student_id}", response_class=HTMLResponse)
def student_page(request: Request, session: Db, scope: PageScope, student_id: int) -> HTMLResponse:
    found = students.profile(session, scope, student_id)
    subjects = sorted({s for r in found.results for s in r["subjects"]})
    return _render(request, "students/profile.html", scope=scope, profile=found, subjects=subjects)
