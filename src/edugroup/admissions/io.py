"""Import and export of quota allocations and entry outcomes (.xlsx / .csv, Chinese headers).

An import is all or nothing: each row is parsed, then recorded by the same service function the API uses, in
its own savepoint; if any row is bad, nothing is kept and every bad cell is reported with its row number,
column and reason. Rows are matched by their natural key (school year, junior school and senior high; school
year and school), so a corrected or re-exported file imports back as updates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from edugroup.admissions import service
from edugroup.admissions.schemas import EntryOutcomeCreate, QuotaAllocationCreate
from edugroup.core.errors import RowError
from edugroup.core.imports import RowProblem, apply_rows
from edugroup.core.scope import Scope
from edugroup.core.tabular import SheetRow, cell_text, read_table, write_csv, write_xlsx
from edugroup.org.models import School


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    help: str = ""


QUOTA_COLUMNS = [
    Column("学年", "school_year", True, "如 2025 (2025学年 = 2026年中考)"),
    Column("初中学校代码", "school_id", True, "初中、九年一贯制或十二年一贯制学校"),
    Column("高中学校代码", "senior_school_id", False, "本区登记的高中填代码; 区外或市属高中留空并填名称"),
    Column("高中名称", "senior_school_name", False, "市实验性示范性高中名称; 填了代码可不填"),
    Column("计划名额", "planned", True, "名额分配到校的计划名额 (整数)"),
    Column("实际录取", "filled", True, "实际录取人数 (整数, 不超过计划名额)"),
    Column("备注", "note", False),
]
OUTCOME_COLUMNS = [
    Column("学年", "school_year", True, "如 2025 (2025学年 = 2026年中考)"),
    Column("学校代码", "school_id", True, "初中、九年一贯制或十二年一贯制学校"),
    Column("毕业生数", "graduates", True, "初中毕业生数 (整数)"),
    Column("进入优质高中人数", "quality_entries", True, "进入优质高中阶段学校的人数 (整数, 不超过毕业生数)"),
    Column("备注", "note", False),
]


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    columns: list[Column]


QUOTAS = Kind("quota-allocations", "名额分配到校", QUOTA_COLUMNS)
OUTCOMES = Kind("entry-outcomes", "优质高中升学结果", OUTCOME_COLUMNS)
KINDS = {QUOTAS.key: QUOTAS, OUTCOMES.key: OUTCOMES}


@dataclass
class ImportReport:
    label: str
    created: int = 0
    updated: int = 0

    def summary(self) -> str:
        return f"{self.label}: 新增 {self.created} 条, 更新 {self.updated} 条"


def _count(value: Any) -> int:
    text = cell_text(value)
    if not text.isdigit():
        raise ValueError(f"应为非负整数, 而不是「{text}」")
    return int(text)


def _year(value: Any) -> int:
    text = cell_text(value).removesuffix("学年")
    if not (text.isdigit() and len(text) == 4):
        raise ValueError(f"学年应为四位年份, 如 2025, 而不是「{cell_text(value)}」")
    return int(text)


def _parsers(schools: dict[str, School]) -> dict[str, Callable[[Any], Any]]:
    def school(value: Any) -> int:
        code = cell_text(value)
        if code not in schools:
            raise ValueError(f"学校代码「{code}」不存在")
        return schools[code].id

    return {
        "school_year": _year,
        "school_id": school,
        "senior_school_id": school,
        "planned": _count,
        "filled": _count,
        "graduates": _count,
        "quality_entries": _count,
    }


def _row_values(
    row: SheetRow, kind: Kind, parsers: dict[str, Callable[[Any], Any]]
) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for col in kind.columns:
        raw = row.cells.get(col.header)
        if raw is None:
            if col.required:
                errors.append(RowError(row.number, col.header, "必填项为空"))
            continue
        try:
            values[col.field] = parsers.get(col.field, cell_text)(raw)
        except (ValueError, TypeError) as exc:
            errors.append(RowError(row.number, col.header, str(exc) or f"无法识别的值「{raw}」"))
    if errors:
        return values, errors
    if kind is QUOTAS:
        if "senior_school_id" not in values and "senior_school_name" not in values:
            errors.append(RowError(row.number, "高中名称", "请填写高中学校代码或高中名称"))
        if values["filled"] > values["planned"]:
            message = f"实际录取 {values['filled']} 超过计划名额 {values['planned']}"
            errors.append(RowError(row.number, "实际录取", message))
    elif values["quality_entries"] > values["graduates"]:
        message = f"进入优质高中人数 {values['quality_entries']} 超过毕业生数 {values['graduates']}"
        errors.append(RowError(row.number, "进入优质高中人数", message))
    return values, errors


def _header_of(kind: Kind, field: str | None) -> str:
    return next((c.header for c in kind.columns if c.field == field), field or "行")


def _key(kind: Kind, values: dict[str, Any]) -> tuple[Any, ...]:
    if kind is QUOTAS:
        senior = values.get("senior_school_id") or values.get("senior_school_name")
        return (values["school_year"], values["school_id"], senior)
    return (values["school_year"], values["school_id"])


def import_table(session: Session, scope: Scope, kind_key: str, data: bytes, filename: str) -> ImportReport:
    """Imports quota allocations or entry outcomes from one .xlsx or .csv file; all rows or none."""
    kind = KINDS[kind_key]
    scope.require_bureau(f"导入{kind.label}")
    assert scope.region_id is not None
    rows = read_table(data, filename, required=[c.header for c in kind.columns if c.required])
    parsers = _parsers(service.school_codes(session, scope.region_id))
    seen: dict[tuple[Any, ...], int] = {}

    def handle(row: SheetRow) -> bool:
        values, problems = _row_values(row, kind, parsers)
        if not problems:
            key = _key(kind, values)
            if key in seen:
                column = "初中学校代码" if kind is QUOTAS else "学校代码"
                problems.append(RowError(row.number, column, f"与第{seen[key]}行重复 (同一学年、学校)"))
            seen.setdefault(key, row.number)
        if problems:
            raise RowProblem.of([(p.column, p.message) for p in problems])
        if kind is QUOTAS:
            _, created = service.save_allocation(
                session, scope, QuotaAllocationCreate(**values), replace=True
            )
        else:
            _, created = service.save_outcome(session, scope, EntryOutcomeCreate(**values), replace=True)
        return created

    created = apply_rows(session, filename, rows, handle, lambda f: _header_of(kind, f))
    return ImportReport(kind.label, created=sum(created), updated=len(created) - sum(created))


def import_file(session: Session, scope: Scope, kind_key: str, path: Path) -> ImportReport:
    """Imports a file on disk (the CLI)."""
    return import_table(session, scope, kind_key, path.read_bytes(), path.name)


# --- export and template -------------------------------------------------------------------------


def export_rows(session: Session, scope: Scope, kind_key: str, year: int | None = None) -> list[list[Any]]:
    """Rows the user can see, in the import layout."""
    if kind_key == QUOTAS.key:
        return [
            [
                a.school_year,
                a.school.code,
                a.senior_school.code if a.senior_school else None,
                a.senior_school_name,
                a.planned,
                a.filled,
                a.note,
            ]
            for a in service.list_allocations(session, scope, year=year)
        ]
    return [
        [o.school_year, o.school.code, o.graduates, o.quality_entries, o.note]
        for o in service.list_outcomes(session, scope, year=year)
    ]


def export_file(session: Session, scope: Scope, kind_key: str, fmt: str, year: int | None = None) -> bytes:
    """The export as .xlsx or .csv bytes."""
    kind = KINDS[kind_key]
    headers = [c.header for c in kind.columns]
    rows = export_rows(session, scope, kind_key, year)
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, title=kind.label)


def template_file(kind_key: str, fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    kind = KINDS[kind_key]
    headers = [c.header for c in kind.columns]
    if fmt == "csv":
        return write_csv(headers, [])
    notes = [f"{kind.label}导入模板: 第一行为表头, 从第二行起每行一条记录。", "带 * 的列为必填。"]
    notes += [f"{'*' if c.required else ' '} {c.header}: {c.help}" for c in kind.columns]
    notes.append("同一学年、学校(及高中)已有记录的行按更新处理。")
    notes.append("导入要么全部成功, 要么一条也不写入; 出错时会列出每一个错误的行号、列名和原因。")
    return write_xlsx(headers, [], title=kind.label, notes=notes)
