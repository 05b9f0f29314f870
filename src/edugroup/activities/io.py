"""Import and export of activity records (.xlsx / .csv, Chinese headers).

An import is all or nothing: each row is parsed, then recorded by the same service function the web and API
use, in its own savepoint; if any row is bad, nothing is kept and every bad cell is reported with its row
number, column and reason. The export adds a last column 编号: a file exported, edited and imported back
updates those activities instead of adding them again.
"""

from __future__ import annotations

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
from edugroup.core.errors import NotFound
from edugroup.core.imports import RowProblem, apply_rows
from edugroup.core.scope import Scope
from edugroup.core.sheets import (
    Column,
    ImportReport,
    code,
    codes,
    day,
    header_in,
    one_of,
    read_cells,
    required_headers,
    template,
    whole_number,
    yes_no,
)
from edugroup.core.tabular import SheetRow, cell_text, read_table, write_table


def _observer(lookups: Lookups, value: Any) -> dict[str, Any]:
    return lookups.observer(cell_text(value))


COLUMNS = [
    Column(
        "活动类型",
        "kind",
        True,
        "中文名称或英文代码: " + " / ".join(ACTIVITY_KIND_LABELS.values()),
        one_of(ACTIVITY_KIND_LABELS, ActivityKind, {"教师活动": ActivityKind.teacher_event}),
    ),
    Column("日期", "occurred_on", True, "YYYY-MM-DD; 9月—次年1月为第一学期, 2月—8月为第二学期", day),
    Column("标题", "title", True),
    Column("组织集团代码", "group_id", False, "组织集团与组织学校至少填一项", code("groups", "集团代码")),
    Column("组织学校代码", "school_id", False, "", code("schools", "学校代码")),
    Column("参与学校代码", "school_ids", False, "多个用 、 或 ; 分隔", codes("schools", "学校代码")),
    Column("参与教师工号", "teacher_ids", False, "多个用 、 或 ; 分隔", codes("teachers", "教师工号")),
    Column(
        "级别",
        "level",
        False,
        "仅展示交流填写: 校级 / 全区 / 全市",
        one_of(SHOWCASE_LEVEL_LABELS, ShowcaseLevel),
    ),
    Column(
        "观察员",
        "observer",
        False,
        "仅课堂观察填写: 本区教师填工号, 外部观察员填姓名",
        _observer,
        aliases=("observer_teacher_id", "observer_name"),
    ),
    Column("是否有报告", "has_report", False, "是 / 否 (课堂观察的分析报告等)", yes_no),
    Column("说明", "description", False),
]
ID_COLUMN = Column(
    "编号", "id", False, "导出文件中的活动编号; 填写则更新该活动, 留空为新增", whole_number("编号应为数字")
)
KIND_LABEL = "活动记录"


class Lookups:
    """The region's group codes, school codes and teacher staff numbers, read once per import or form."""

    def __init__(self, session: Session, region_id: int) -> None:
        self.groups, self.schools, self.teachers = service.codes(session, region_id)

    def observer(self, value: str) -> dict[str, Any]:
        """A staff number of the region is a teacher observer; anything else an external observer's name."""
        if value in self.teachers:
            return {"observer_teacher_id": self.teachers[value]}
        return {"observer_name": value}


def import_activities(session: Session, scope: Scope, data: bytes, filename: str) -> ImportReport:
    """Imports activity records from one .xlsx or .csv file; all rows or none."""
    scope.require_school_manager("导入活动记录")
    assert scope.region_id is not None
    rows = read_table(data, filename, required=required_headers(COLUMNS))
    lookups = Lookups(session, scope.region_id)
    seen_ids: dict[int, int] = {}

    def handle(row: SheetRow) -> bool:
        values, problems = read_cells([*COLUMNS, ID_COLUMN], row.cells, lookups)
        activity_id = values.pop("id", None)
        if activity_id is not None and activity_id in seen_ids:
            problems.append((ID_COLUMN.header, f"与第{seen_ids[activity_id]}行的编号重复"))
        if problems:
            raise RowProblem.of(problems)
        if activity_id is not None:
            seen_ids[activity_id] = row.number
        if activity_id is None:
            service.create_activity(session, scope, ActivityCreate(**values))
            return True
        _visible_or_row_error(session, scope, activity_id)
        full = {"school_ids": [], "teacher_ids": [], **{f: None for f in _CLEARABLE}, **values}
        service.update_activity(session, scope, activity_id, ActivityUpdate(**full))
        return False

    created = apply_rows(session, filename, rows, handle, lambda f: header_in([*COLUMNS, ID_COLUMN], f))
    return ImportReport.counting(KIND_LABEL, created)


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
    return write_table(fmt, headers, rows, title=KIND_LABEL)


def template_file(fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    return template(KIND_LABEL, [*COLUMNS, ID_COLUMN], fmt, row="活动记录")
