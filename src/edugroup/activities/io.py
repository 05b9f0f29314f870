"""Import and export of activity records (.xlsx / .csv, Chinese headers).

An import is all or nothing: each row is parsed, then recorded by the same service function the web and API
use, in its own savepoint; if any row is bad, nothing is kept and every bad cell is reported with its row
number, column and reason. The export adds a last column 编号: a file exported, edited and imported back
updates those activities instead of adding them again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from edugroup.activities import service
from edugroup.activities.models import (
    ACTIVITY_KIND_LABELS,
    SHOWCASE_LEVEL_LABELS,
    ActivityKind,
    ShowcaseLevel,
)
from edugroup.activities.schemas import ActivityCreate, ActivityUpdate
from edugroup.core.errors import NotFound, RowError
from edugroup.core.imports import RowProblem, apply_rows
from edugroup.core.scope import Scope
from edugroup.core.tabular import SheetRow, cell_text, choice, parse_date, read_table, write_csv, write_xlsx


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    help: str = ""


COLUMNS = [
    Column("活动类型", "kind", True, "中文名称或英文代码: " + " / ".join(ACTIVITY_KIND_LABELS.values())),
    Column("日期", "occurred_on", True, "YYYY-MM-DD; 9月—次年1月为第一学期, 2月—8月为第二学期"),
    Column("标题", "title", True),
    Column("组织集团代码", "group_id", False, "组织集团与组织学校至少填一项"),
    Column("组织学校代码", "school_id", False),
    Column("参与学校代码", "school_ids", False, "多个用 、 或 ; 分隔"),
    Column("参与教师工号", "teacher_ids", False, "多个用 、 或 ; 分隔"),
    Column("级别", "level", False, "仅展示交流填写: 校级 / 全区 / 全市"),
    Column("观察员", "observer", False, "仅课堂观察填写: 本区教师填工号, 外部观察员填姓名"),
    Column("是否有报告", "has_report", False, "是 / 否 (课堂观察的分析报告等)"),
    Column("说明", "description", False),
]
ID_COLUMN = Column("编号", "id", False, "导出文件中的活动编号; 填写则更新该活动, 留空为新增")
KIND_LABEL = "活动记录"

_SEPARATORS = re.compile(r"[、;；,，\s]+")
_YES = {"是", "有", "1", "true", "yes", "y"}
_NO = {"否", "无", "0", "false", "no", "n"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0

    def summary(self) -> str:
        return f"{KIND_LABEL}: 新增 {self.created} 条, 更新 {self.updated} 条"


def _yes_no(value: Any) -> bool:
    text = cell_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"应为 是 / 否, 而不是「{value}」")


def code_list(value: Any) -> list[str]:
    return [part for part in _SEPARATORS.split(cell_text(value)) if part]


def _id(value: Any) -> int:
    text = cell_text(value)
    if not text.isdigit():
        raise ValueError(f"编号应为数字, 而不是「{text}」")
    return int(text)


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "kind": choice(ACTIVITY_KIND_LABELS, ActivityKind, {"教师活动": ActivityKind.teacher_event}),
    "level": choice(SHOWCASE_LEVEL_LABELS, ShowcaseLevel),
    "occurred_on": parse_date,
    "has_report": _yes_no,
    "school_ids": code_list,
    "teacher_ids": code_list,
    "id": _id,
}


class Lookups:
    """The region's group codes, school codes and teacher staff numbers, read once per import or form."""

    def __init__(self, session: Session, region_id: int) -> None:
        self.groups, self.schools, self.teachers = service.codes(session, region_id)

    def one(self, table: dict[str, int], code: str, what: str) -> int:
        """The id of one code; ValueError naming it when unknown."""
        if code not in table:
            raise ValueError(f"{what}「{code}」不存在")
        return table[code]

    def many(self, table: dict[str, int], codes: list[str], what: str) -> list[int]:
        """The ids of several codes; ValueError naming every unknown one."""
        missing = [code for code in codes if code not in table]
        if missing:
            raise ValueError(f"{what}「{'、'.join(missing)}」不存在")
        return [table[code] for code in codes]

    def observer(self, value: str) -> dict[str, Any]:
        """A staff number of the region is a teacher observer; anything else an external observer's name."""
        if value in self.teachers:
            return {"observer_teacher_id": self.teachers[value]}
        return {"observer_name": value}


def _row_values(row: SheetRow, lookups: Lookups) -> tuple[dict[str, Any], list[RowError]]:
    """The row as ActivityCreate fields, and every bad cell of it."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for col in [*COLUMNS, ID_COLUMN]:
        raw = row.cells.get(col.header)
        if raw is None:
            if col.required:
                errors.append(RowError(row.number, col.header, "必填项为空"))
            continue
        try:
            value = _PARSERS.get(col.field, cell_text)(raw)
            if col.field == "group_id":
                value = lookups.one(lookups.groups, value, "集团代码")
            elif col.field == "school_id":
                value = lookups.one(lookups.schools, value, "学校代码")
            elif col.field == "school_ids":
                value = lookups.many(lookups.schools, value, "学校代码")
            elif col.field == "teacher_ids":
                value = lookups.many(lookups.teachers, value, "教师工号")
            elif col.field == "observer":
                values.update(lookups.observer(value))
                continue
        except (ValueError, TypeError) as exc:
            errors.append(RowError(row.number, col.header, str(exc) or f"无法识别的值「{raw}」"))
            continue
        values[col.field] = value
    return values, errors


def _header_of(field: str | None) -> str:
    if field in ("observer_teacher_id", "observer_name"):
        field = "observer"
    for col in [*COLUMNS, ID_COLUMN]:
        if col.field == field:
            return col.header
    return field or "行"


def import_activities(session: Session, scope: Scope, data: bytes, filename: str) -> ImportReport:
    """Imports activity records from one .xlsx or .csv file; all rows or none."""
    service.require_recorder(scope, "导入活动记录")
    assert scope.region_id is not None
    rows = read_table(data, filename, required=[c.header for c in COLUMNS if c.required])
    lookups = Lookups(session, scope.region_id)
    seen_ids: dict[int, int] = {}

    def handle(row: SheetRow) -> bool:
        values, problems = _row_values(row, lookups)
        activity_id = values.pop("id", None)
        if activity_id is not None and activity_id in seen_ids:
            problems.append(
                RowError(row.number, ID_COLUMN.header, f"与第{seen_ids[activity_id]}行的编号重复")
            )
        if problems:
            raise RowProblem.of([(p.column, p.message) for p in problems])
        if activity_id is not None:
            seen_ids[activity_id] = row.number
        if activity_id is None:
            service.create_activity(session, scope, ActivityCreate(**values))
            return True
        _visible_or_row_error(session, scope, activity_id)
        full = {"school_ids": [], "teacher_ids": [], **{f: None for f in _CLEARABLE}, **values}
        service.update_activity(session, scope, activity_id, ActivityUpdate(**full))
        return False

    created = apply_rows(session, filename, rows, handle, _header_of)
    return ImportReport(created=sum(created), updated=len(created) - sum(created))


def _visible_or_row_error(session: Session, scope: Scope, activity_id: int) -> None:
    try:
        service.get_activity(session, scope, activity_id)
    except NotFound:
        raise RowProblem(ID_COLUMN.header, f"编号 {activity_id} 的活动不存在或无权查看") from None


# Cells left empty in a row that updates an activity clear the recorded value.
_CLEARABLE = ("group_id", "school_id", "level", "observer_teacher_id", "observer_name", "description")


def import_activities_file(session: Session, scope: Scope, path: Path) -> ImportReport:
    """Imports activity records from a file on disk (the CLI)."""
    return import_activities(session, scope, path.read_bytes(), path.name)


# --- export and template -------------------------------------------------------------------------


def export_rows(session: Session, scope: Scope) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the activities the user can see, in the import layout plus 编号."""
    headers = [c.header for c in COLUMNS] + [ID_COLUMN.header]
    rows: list[list[Any]] = []
    for a in reversed(service.list_activities(session, scope)):
        if a.observer_teacher is not None:
            observer: str | None = a.observer_teacher.staff_number
        else:
            observer = a.observer_name
        rows.append(
            [
                a.kind_label,
                a.occurred_on,
                a.title,
                a.group.code if a.group else None,
                a.school.code if a.school else None,
                "、".join(link.school.code for link in a.school_links) or None,
                "、".join(link.teacher.staff_number for link in a.teacher_links) or None,
                a.level_label,
                observer,
                "是" if a.has_report else "否",
                a.description,
                a.id,
            ]
        )
    return headers, rows


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
    notes = [f"{KIND_LABEL}导入模板: 第一行为表头, 从第二行起每行一条活动记录。", "带 * 的列为必填。"]
    notes += [f"{'*' if c.required else ' '} {c.header}: {c.help}" for c in [*COLUMNS, ID_COLUMN]]
    notes.append("导入要么全部成功, 要么一条也不写入; 出错时会列出每一个错误的行号、列名和原因。")
    return write_xlsx(headers, [], title=KIND_LABEL, notes=notes)
