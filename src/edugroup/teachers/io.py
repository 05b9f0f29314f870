"""Import and export of teacher records (.xlsx / .csv, Chinese headers).

An import is all or nothing: each row is parsed, then recorded by the same service functions the web and API
use, each in its own savepoint; if any row is bad, nothing is kept and every bad cell is reported with its row
number, column and reason. Rows are matched by staff number (工号): an exported file imports back as updates,
and a row replaces the whole record (an empty optional cell clears it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.errors import Forbidden, RowError
from edugroup.core.imports import RowProblem, apply_rows
from edugroup.core.scope import Scope
from edugroup.core.tabular import SheetRow, cell_text, parse_date, read_table, write_csv, write_xlsx
from edugroup.org.models import Group, School
from edugroup.teachers import service
from edugroup.teachers.models import BACKBONE_TIER_LABELS, HONOUR_LABELS, Honour, Teacher
from edugroup.teachers.schemas import TeacherCreate, TeacherUpdate


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    help: str = ""


COLUMNS = [
    Column("工号", "staff_number", True, "全市唯一; 已存在的工号按更新处理"),
    Column("姓名", "name", True),
    Column("学校代码", "school_id", True, "使用该教师的学校 (校用)"),
    Column("学科", "subject", True, "主教学科"),
    Column("兼教学科", "extra_subjects", False, "多个用 、 分隔"),
    Column("集团教师池代码", "pool_group_id", False, "管理该教师的集团 (集团管)"),
    Column("职称", "title", False, "如 二级教师 / 一级教师 / 高级教师 / 正高级教师"),
    Column("骨干梯队层级", "backbone_tier", False, "五层级梯队: 1-5 或 第一层级…第五层级; 非骨干教师留空"),
    Column("称号", "honours", False, "、".join(HONOUR_LABELS.values()) + " (多个用 、 分隔)"),
    Column("出生年份", "birth_year", False, "如 1985"),
    Column("入校日期", "joined_school_on", False, "到现任学校任教的日期, YYYY-MM-DD"),
]
KIND_LABEL = "教师"

_SEPARATORS = re.compile(r"[、;；,，\s]+")
_HONOURS = {label: honour for honour, label in HONOUR_LABELS.items()} | {
    "种子团队": Honour.seed_team,
    "名校长": Honour.municipal_famous_principal,
}
_TIERS = {label: tier for tier, label in BACKBONE_TIER_LABELS.items()}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0

    def summary(self) -> str:
        return f"{KIND_LABEL}: 新增 {self.created} 条, 更新 {self.updated} 条"


def _honours(value: Any) -> list[Honour]:
    found: list[Honour] = []
    for part in _SEPARATORS.split(cell_text(value)):
        if not part:
            continue
        honour = _HONOURS.get(part) or (Honour(part) if part in Honour.__members__ else None)
        if honour is None:
            raise ValueError(f"应为 {' / '.join(HONOUR_LABELS.values())}, 而不是「{part}」")
        if honour not in found:
            found.append(honour)
    return found


def _tier(value: Any) -> int | None:
    text = cell_text(value).removeprefix("五层级梯队")
    if text in ("", "无", "否"):
        return None
    if text in _TIERS:
        return _TIERS[text]
    if text.isdigit() and int(text) in BACKBONE_TIER_LABELS:
        return int(text)
    raise ValueError(f"应为 1-5 或 第一层级…第五层级, 而不是「{text}」")


def _year(value: Any) -> int:
    text = cell_text(value)
    if not text.isdigit() or len(text) != 4:
        raise ValueError(f"应为四位年份, 而不是「{text}」")
    return int(text)


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "honours": _honours,
    "backbone_tier": _tier,
    "birth_year": _year,
    "joined_school_on": parse_date,
}
_CLEARABLE = ("extra_subjects", "pool_group_id", "title", "backbone_tier", "birth_year", "joined_school_on")


class Lookups:
    """The region's school and group codes, read once per import."""

    def __init__(self, session: Session, region_id: int) -> None:
        self.schools: dict[str, int] = dict(
            session.execute(select(School.code, School.id).where(School.region_id == region_id)).all()
        )
        self.groups: dict[str, int] = dict(
            session.execute(select(Group.code, Group.id).where(Group.region_id == region_id)).all()
        )


def _row_values(row: SheetRow, lookups: Lookups) -> tuple[dict[str, Any], list[RowError]]:
    """The row as TeacherCreate fields, and every bad cell of it."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for col in COLUMNS:
        raw = row.cells.get(col.header)
        if raw is None:
            if col.required:
                errors.append(RowError(row.number, col.header, "必填项为空"))
            continue
        try:
            value = _PARSERS.get(col.field, cell_text)(raw)
            if col.field == "school_id":
                if value not in lookups.schools:
                    raise ValueError(f"学校代码「{value}」不存在")
                value = lookups.schools[value]
            elif col.field == "pool_group_id":
                if value not in lookups.groups:
                    raise ValueError(f"集团代码「{value}」不存在")
                value = lookups.groups[value]
        except (ValueError, TypeError) as exc:
            errors.append(RowError(row.number, col.header, str(exc) or f"无法识别的值「{raw}」"))
            continue
        values[col.field] = value
    return values, errors


def _header_of(field: str | None) -> str:
    for col in COLUMNS:
        if col.field == field:
            return col.header
    return field or "行"


def import_teachers(session: Session, scope: Scope, data: bytes, filename: str) -> ImportReport:
    """Imports teacher records from one .xlsx or .csv file; all rows or none."""
    if not service.can_manage(scope):
        raise Forbidden("导入教师仅限教育局、集团或学校管理员")
    assert scope.region_id is not None
    rows = read_table(data, filename, required=[c.header for c in COLUMNS if c.required])
    lookups = Lookups(session, scope.region_id)
    seen: dict[str, int] = {}

    def handle(row: SheetRow) -> bool:
        values, problems = _row_values(row, lookups)
        number = values.get("staff_number")
        if number is not None and number in seen:
            problems.append(RowError(row.number, "工号", f"与第{seen[number]}行的工号重复"))
        if problems:
            raise RowProblem.of([(p.column, p.message) for p in problems])
        seen[str(number)] = row.number
        existing = session.scalar(select(Teacher).where(Teacher.staff_number == number))
        if existing is None:
            service.create_teacher(session, scope, TeacherCreate(**values))
            return True
        if existing.region_id != scope.region_id:
            raise RowProblem("工号", f"工号 {number} 已被其他区使用")
        service.get_teacher(session, scope, existing.id)
        full = {"honours": [], **{f: None for f in _CLEARABLE}, **values}
        full.pop("staff_number")
        service.update_teacher(session, scope, existing.id, TeacherUpdate(**full))
        return False

    created = apply_rows(session, filename, rows, handle, _header_of, unnamed_column="工号")
    return ImportReport(created=sum(created), updated=len(created) - sum(created))


def import_teachers_file(session: Session, scope: Scope, path: Path) -> ImportReport:
    """Imports teacher records from a file on disk (the CLI)."""
    return import_teachers(session, scope, path.read_bytes(), path.name)


# --- export and template -------------------------------------------------------------------------


def export_rows(session: Session, scope: Scope) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the teachers the user can see, in the import layout."""
    groups = dict(
        session.execute(select(Group.id, Group.code).where(Group.region_id == scope.region_id)).all()
    )
    rows = [
        [
            t.staff_number,
            t.name,
            t.school.code,
            t.subject,
            t.extra_subjects,
            groups.get(t.pool_group_id) if t.pool_group_id else None,
            t.title,
            t.backbone_tier,
            "、".join(t.honour_labels) or None,
            t.birth_year,
            t.joined_school_on,
        ]
        for t in service.list_teachers(session, scope)
    ]
    return [c.header for c in COLUMNS], rows


def export_file(session: Session, scope: Scope, fmt: str) -> bytes:
    """The export as .xlsx or .csv bytes."""
    headers, rows = export_rows(session, scope)
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, title=KIND_LABEL)


def template_file(fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    headers = [c.header for c in COLUMNS]
    if fmt == "csv":
        return write_csv(headers, [])
    notes = [f"{KIND_LABEL}导入模板: 第一行为表头, 从第二行起每行一名教师。", "带 * 的列为必填。"]
    notes += [f"{'*' if c.required else ' '} {c.header}: {c.help}" for c in COLUMNS]
    notes.append("按工号匹配: 已有的工号按整行更新 (空的选填项会清空原值)。")
    notes.append("导入要么全部成功, 要么一条也不写入; 出错时会列出每一个错误的行号、列名和原因。")
    return write_xlsx(headers, [], title=KIND_LABEL, notes=notes)
