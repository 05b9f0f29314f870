"""Import and export of quota allocations and entry outcomes (.xlsx / .csv, Chinese headers).

An import is all or nothing: each row is parsed, then recorded by the same service function the API uses, in
its own savepoint; if any row is bad, nothing is kept and every bad cell is reported with its row number,
column and reason. Rows are matched by their natural key (school year, junior school and senior high; school
year and school), so a corrected or re-exported file imports back as updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from edugroup.admissions import service
from edugroup.admissions.schemas import EntryOutcomeCreate, QuotaAllocationCreate
from edugroup.core.imports import RowProblem, apply_rows
from edugroup.core.scope import Scope
from edugroup.core.sheets import (
    NOTE,
    Column,
    ImportReport,
    code,
    header_in,
    read_cells,
    required_headers,
    school_year,
    template,
    whole_number,
)
from edugroup.core.tabular import SheetRow, read_table, write_table

_count = whole_number("应为非负整数")
_school = code("schools", "学校代码")
_YEAR = Column("学年", "school_year", True, "如 2025 (2025学年 = 2026年中考)", school_year)

QUOTA_COLUMNS = [
    _YEAR,
    Column("初中学校代码", "school_id", True, "初中、九年一贯制或十二年一贯制学校", _school),
    Column(
        "高中学校代码", "senior_school_id", False, "本区登记的高中填代码; 区外或市属高中留空并填名称", _school
    ),
    Column("高中名称", "senior_school_name", False, "市实验性示范性高中名称; 填了代码可不填"),
    Column("计划名额", "planned", True, "名额分配到校的计划名额 (整数)", _count),
    Column("实际录取", "filled", True, "实际录取人数 (整数, 不超过计划名额)", _count),
    NOTE,
]
OUTCOME_COLUMNS = [
    _YEAR,
    Column("学校代码", "school_id", True, "初中、九年一贯制或十二年一贯制学校", _school),
    Column("毕业生数", "graduates", True, "初中毕业生数 (整数)", _count),
    Column(
        "进入优质高中人数",
        "quality_entries",
        True,
        "进入优质高中阶段学校的人数 (整数, 不超过毕业生数)",
        _count,
    ),
    NOTE,
]


@dataclass(frozen=True)
class Kind:
    """One kind of admissions file: its key in URLs, its label and its columns."""

    key: str
    label: str
    columns: list[Column]


QUOTAS = Kind("quota-allocations", "名额分配到校", QUOTA_COLUMNS)
OUTCOMES = Kind("entry-outcomes", "优质高中升学结果", OUTCOME_COLUMNS)
KINDS = {QUOTAS.key: QUOTAS, OUTCOMES.key: OUTCOMES}


class _Lookups:
    def __init__(self, schools: dict[str, Any]) -> None:
        self.schools = {school_code: school.id for school_code, school in schools.items()}


def _row_values(row: SheetRow, kind: Kind, lookups: _Lookups) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The row's schema fields and every (column, problem), the cross-column checks included."""
    values, problems = read_cells(kind.columns, row.cells, lookups)
    if problems:
        return values, problems
    if kind is QUOTAS:
        if "senior_school_id" not in values and "senior_school_name" not in values:
            problems.append(("高中名称", "请填写高中学校代码或高中名称"))
        if values["filled"] > values["planned"]:
            problems.append(("实际录取", f"实际录取 {values['filled']} 超过计划名额 {values['planned']}"))
    elif values["quality_entries"] > values["graduates"]:
        message = f"进入优质高中人数 {values['quality_entries']} 超过毕业生数 {values['graduates']}"
        problems.append(("进入优质高中人数", message))
    return values, problems


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
    rows = read_table(data, filename, required=required_headers(kind.columns))
    lookups = _Lookups(service.school_codes(session, scope.region_id))
    seen: dict[tuple[Any, ...], int] = {}

    def handle(row: SheetRow) -> bool:
        values, problems = _row_values(row, kind, lookups)
        if not problems:
            key = _key(kind, values)
            if key in seen:
                column = "初中学校代码" if kind is QUOTAS else "学校代码"
                problems.append((column, f"与第{seen[key]}行重复 (同一学年、学校)"))
            seen.setdefault(key, row.number)
        if problems:
            raise RowProblem.of(problems)
        if kind is QUOTAS:
            _, created = service.save_allocation(
                session, scope, QuotaAllocationCreate(**values), replace=True
            )
        else:
            _, created = service.save_outcome(session, scope, EntryOutcomeCreate(**values), replace=True)
        return created

    created = apply_rows(session, filename, rows, handle, lambda f: header_in(kind.columns, f))
    return ImportReport.counting(kind.label, created, kind.key)


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
    return write_table(fmt, headers, export_rows(session, scope, kind_key, year), title=kind.label)


def template_file(kind_key: str, fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    kind = KINDS[kind_key]
    return template(kind.label, kind.columns, fmt, extra=["同一学年、学校(及高中)已有记录的行按更新处理。"])
