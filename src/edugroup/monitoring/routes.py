"""Monitoring API under /api/v1/monitoring: exams, results import (synchronous or as a job), indicators, exports."""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, BackgroundTasks, Depends, Query, Response, UploadFile
from sqlalchemy.orm import Session

from edugroup.core.db import transaction
from edugroup.core.deps import ApiScope, Db
from edugroup.core.errors import Forbidden, InvalidInput
from edugroup.core.tabular import write_csv, write_xlsx
from edugroup.monitoring import effects, io, jobs, programme, service, students
from edugroup.monitoring.exports import report_sheets, value_added_of, value_added_sheet
from edugroup.monitoring.schemas import (
    DifferenceRead,
    ExamCreate,
    ExamRead,
    ExamUpdate,
    ImportRead,
    IndicatorRead,
    JobRead,
)

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"])

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": _XLSX, "parquet": "application/vnd.apache.parquet"}
XLSX_MAX_ROWS = 1_000_000


def job_transactions() -> Any:
    """How a background import opens its unit of work (the tests point it at their session)."""
    return transaction


JobTransactions = Annotated[Any, Depends(job_transactions)]


def download(data: bytes, filename: str) -> Response:
    """A file download with the right media type."""
    suffix = filename.rsplit(".", 1)[-1]
    return Response(
        data,
        media_type=_MEDIA.get(suffix, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _format(format: str, allowed: tuple[str, ...] = ("xlsx", "csv")) -> str:
    return format if format in allowed else allowed[0]


def _required(file: UploadFile | None) -> UploadFile:
    if file is None:
        raise InvalidInput("请上传成绩文件 (.csv、.xlsx 或 .parquet)", field="file")
    return file


# --- exams ---------------------------------------------------------------------------------------------------


@router.get("/exams", response_model=list[ExamRead])
def list_exams(session: Db, scope: ApiScope, school_year: int | None = None) -> list[object]:
    """The region's exams, newest first (not for teachers)."""
    return list(service.list_exams(session, scope, school_year=school_year))


@router.post("/exams", response_model=ExamRead, status_code=201)
def create_exam(data: ExamCreate, session: Db, scope: ApiScope) -> object:
    """Records an exam (bureau administrators)."""
    return service.create_exam(session, scope, data)


@router.get("/template")
def download_template(format: str = "xlsx") -> Response:
    """Empty results template with Chinese headers (.xlsx with instructions, or .csv)."""
    fmt = _format(format)
    return download(io.template_file(None, fmt), f"results-template.{fmt}")


@router.get("/exams/{exam_id}", response_model=ExamRead)
def get_exam(exam_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_exam(session, scope, exam_id)


@router.patch("/exams/{exam_id}", response_model=ExamRead)
def update_exam(exam_id: int, data: ExamUpdate, session: Db, scope: ApiScope) -> object:
    """Changes an exam; grade, subjects, score range and cut scores are fixed once results are imported (409)."""
    return service.update_exam(session, scope, exam_id, data)


@router.delete("/exams/{exam_id}", status_code=204)
def delete_exam(exam_id: int, session: Db, scope: ApiScope) -> Response:
    """Deletes an exam with its results."""
    service.delete_exam(session, scope, exam_id)
    return Response(status_code=204)


# --- results -------------------------------------------------------------------------------------------------


@router.post("/exams/{exam_id}/results", response_model=ImportRead)
def import_results(
    exam_id: int, session: Db, scope: ApiScope, file: UploadFile | None = None
) -> dict[str, Any]:
    """Import the exam's results from .csv, .xlsx or .parquet and wait for it; replaces earlier results.

    Any bad row refuses the whole file: 422 with every bad row (row, column, message), nothing written.
    """
    service.get_exam(session, scope, exam_id)
    scope.require_bureau("导入成绩")
    file = _required(file)
    data = file.file.read()
    return service.import_results(session, scope, exam_id, data, file.filename or "upload").to_dict()


@router.post("/exams/{exam_id}/results/jobs", response_model=JobRead, status_code=202)
def start_import_job(
    exam_id: int,
    session: Db,
    scope: ApiScope,
    background: BackgroundTasks,
    transactions: JobTransactions,
    file: UploadFile | None = None,
) -> dict[str, Any]:
    """Start importing the exam's results in the background; poll `GET /jobs/{id}` for its progress."""
    service.get_exam(session, scope, exam_id)
    scope.require_bureau("导入成绩")
    file = _required(file)
    job = jobs.start(session, scope, exam_id, file.file, file.filename or "upload")
    background.add_task(jobs.run, job["id"], transactions)
    return job


@router.get("/jobs/{job_id}", response_model=JobRead)
def get_job(job_id: str, scope: ApiScope) -> dict[str, Any]:
    """An import job's status and progress (0–1); when it failed, every bad row."""
    return jobs.get(scope, job_id)


@router.get("/exams/{exam_id}/results")
def export_results(exam_id: int, session: Db, scope: ApiScope, format: str = "csv") -> Response:
    """The exam's results the caller may see, in the import layout (.csv, .xlsx or .parquet)."""
    fmt = _format(format, ("csv", "xlsx", "parquet"))
    exam, frame = service.results_export(session, scope, exam_id)
    if fmt == "parquet":
        buffer = _parquet(frame)
        return download(buffer, f"results-{exam.id}.parquet")
    if fmt == "xlsx" and frame.height > XLSX_MAX_ROWS:
        raise InvalidInput(f"{frame.height} 行超出 Excel 的上限, 请导出 .csv 或 .parquet", field="format")
    rows = frame.iter_rows()
    data = write_csv(frame.columns, rows) if fmt == "csv" else write_xlsx(frame.columns, rows, title="成绩")
    return download(data, f"results-{exam.id}.{fmt}")


def _parquet(frame: pl.DataFrame) -> bytes:
    import io as std_io

    buffer = std_io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


@router.get("/exams/{exam_id}/indicators", response_model=list[IndicatorRead])
def exam_indicators(
    exam_id: int,
    session: Db,
    scope: ApiScope,
    level: Annotated[str | None, Query(description="school / group / district / region")] = None,
    subject: str | None = None,
) -> list[dict[str, Any]]:
    """Counts, mean, std, pass and excellent rates per school, group, district and region, per subject."""
    _, table, _ = service.exam_indicators(session, scope, exam_id)
    if level:
        table = table.filter(pl.col("level") == level)
    if subject:
        table = table.filter(pl.col("subject") == subject)
    return table.to_dicts()


@router.get("/exams/{exam_id}/difference-rates", response_model=list[DifferenceRead])
def exam_difference_rates(exam_id: int, session: Db, scope: ApiScope) -> list[dict[str, Any]]:
    """Inter-school difference rates (HK-18) of each group, district and the region, per subject."""
    _, _, differences = service.exam_indicators(session, scope, exam_id)
    return differences.to_dicts()


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _value_added_body(va: effects.ValueAdded) -> dict[str, Any]:
    columns = ["subject", "entity_id", "entity_name", "effect", "se", "lower", "upper", "significance", "n"]
    return {
        "exam_id": va.exam.id,
        "method": va.method,
        "confidence": va.confidence,
        "covariates": list(va.covariates),
        "previous_exam_id": va.previous.id if va.previous else None,
        "schools": va.schools.select(*columns, "weaker", "previous", "change").to_dicts(),
        "units": va.units.select("level", *columns, "n_schools").to_dicts(),
    }


@router.get("/exams/{exam_id}/value-added")
def exam_value_added(
    exam_id: int,
    session: Db,
    scope: ApiScope,
    method: str = "reml",
    confidence: float = 0.95,
    covariates: Annotated[str | None, Query(description="comma-separated: sex, ses")] = None,
) -> dict[str, Any]:
    """School effects (empirical-Bayes, se, interval) and group/district effects per subject (HK-19)."""
    va = effects.exam_value_added(
        session, scope, exam_id, method=method, confidence=confidence, covariates=_list(covariates)
    )
    return _value_added_body(va)


@router.get("/prizes")
def prizes(
    session: Db,
    scope: ApiScope,
    school_year: int,
    shares: Annotated[str | None, Query(description="一/二/三等奖比例, e.g. 0.2,0.3,0.5")] = None,
    method: str = "reml",
) -> list[dict[str, Any]]:
    """Co-build pairs ranked by value-added into first, second and third prizes (OH-14)."""
    try:
        ratios = [float(v) for v in _list(shares)] or None
    except ValueError as exc:
        raise InvalidInput("比例须为数字", field="shares") from exc
    return [
        r.to_dict() for r in effects.prize_ranking(session, scope, school_year, shares=ratios, method=method)
    ]


def _config_body(config: Any) -> dict[str, Any] | None:
    if config is None:
        return None
    return {
        "name": config.name,
        "grade": config.grade,
        "components": config.components,
        "scale_max": config.scale_max,
        "note": config.note,
    }


@router.get("/science-index")
def get_science_index(session: Db, scope: ApiScope) -> dict[str, Any] | None:
    """The region's science-literacy index configuration (虹优指数, HK-26), or null."""
    return _config_body(students.get_index_config(session, scope))


@router.put("/science-index")
def set_science_index(data: students.IndexConfigWrite, session: Db, scope: ApiScope) -> dict[str, Any] | None:
    """Sets the region's index: exam grade, components (subjects and weights) and scale (bureau)."""
    return _config_body(students.set_index_config(session, scope, data))


@router.get("/exams/{exam_id}/science-index")
def exam_science_index(exam_id: int, session: Db, scope: ApiScope) -> dict[str, Any]:
    """Each school's mean index in the exam (students with every component), in the caller's scope."""
    found = students.exam_index(session, scope, exam_id)
    return {
        "exam_id": found.exam.id,
        "config": _config_body(found.config),
        "schools": found.schools.to_dicts(),
    }


@router.get("/students/{student_id}/profile")
def student_profile(student_id: int, session: Db, scope: ApiScope) -> dict[str, Any]:
    """A student's profile (数字画像): results across years, the index, courses and activities (HK-26)."""
    return students.profile_dict(students.profile(session, scope, student_id))


@router.get("/programmes/{group_id}/stages")
def programme_stages(group_id: int, session: Db, scope: ApiScope) -> dict[str, Any]:
    """Staged value-added of a programme's pilot schools: baseline, yearly, mid-term, final (QP-10)."""
    found = programme.programme_evaluation(session, scope, group_id)
    return {
        "group_id": found.group.id,
        "first_year": found.first_year,
        "length": found.length,
        "baseline_year": found.baseline_year,
        "baseline_moved": found.baseline_moved,
        "points": [
            {
                "school_id": p.school_id,
                "school_name": p.school_name,
                "school_year": p.school_year,
                "stages": list(p.stages),
                "effect": p.effect,
                "se": p.se,
                "lower": p.lower,
                "upper": p.upper,
                "n": p.n,
                "change_from_baseline": p.change,
                "exams": list(p.exams),
            }
            for p in found.points
        ],
    }


@router.get("/groups/{group_id}/export")
def export_group(
    group_id: int, session: Db, scope: ApiScope, exam_id: int | None = None, format: str = "xlsx"
) -> Response:
    """The group's monitoring page as a workbook: its schools' results, difference rates and trend."""
    return _export_unit(session, scope, "group", group_id, exam_id, format)


@router.get("/regions/{region_id}/export")
def export_region(
    region_id: int, session: Db, scope: ApiScope, exam_id: int | None = None, format: str = "xlsx"
) -> Response:
    """The region's monitoring page as a workbook (bureau administrators see every school and group)."""
    return _export_unit(session, scope, "region", region_id, exam_id, format)


def _export_unit(
    session: Session, scope: Any, level: str, entity_id: int, exam_id: int | None, format: str
) -> Response:
    if level == "region" and not scope.is_bureau:
        service.check_unit(session, scope, "region", entity_id)  # 404 for another region
        raise Forbidden("区域学业质量监测报告仅限教育局管理员导出")
    report = service.unit_report(session, scope, level, entity_id, exam_id=exam_id)
    headers, rows = report_sheets(report)[0]
    fmt = _format(format)
    if fmt == "csv":
        return download(write_csv(headers, rows), f"monitoring-{level}-{entity_id}.csv")
    sheets = [*report_sheets(report), value_added_sheet(value_added_of(session, scope, report))]
    return download(_workbook(sheets), f"monitoring-{level}-{entity_id}.xlsx")


def _workbook(sheets: list[tuple[list[str], list[list[Any]]]]) -> bytes:
    import io as std_io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    titles = ["学校成绩", "校际差异率", "历年趋势", "增值评价"]
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, (headers, rows) in zip(titles, sheets, strict=False):
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
    buffer = std_io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
