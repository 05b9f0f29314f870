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
from edugroup.monitoring import io, jobs, service
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
    from edugroup.monitoring.pages import report_sheets

    if level == "region" and not scope.is_bureau:
        service.check_unit(session, scope, "region", entity_id)  # 404 for another region
        raise Forbidden("区域学业质量监测报告仅限教育局管理员导出")
    report = service.unit_report(session, scope, level, entity_id, exam_id=exam_id)
    headers, rows = report_sheets(report)[0]
    fmt = _format(format)
    if fmt == "csv":
        return download(write_csv(headers, rows), f"monitoring-{level}-{entity_id}.csv")
    return download(_workbook(report_sheets(report)), f"monitoring-{level}-{entity_id}.xlsx")


def _workbook(sheets: list[tuple[list[str], list[list[Any]]]]) -> bytes:
    import io as std_io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    titles = ["学校成绩", "校际差异率", "历年趋势"]
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
