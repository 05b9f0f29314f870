"""Import and export of schools, groups and memberships (.xlsx / .csv, Chinese headers).

An import is all or nothing: every row is checked by the same service functions the web and API use,
each in its own savepoint; if any row is bad, nothing is kept and every bad row is reported with its
row number, column and reason. Rows are matched by code, so an exported file imports back as updates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.imports import RowProblem, apply_rows
from edugroup.core.scope import Scope
from edugroup.core.sheets import (
    Column,
    ImportReport,
    code,
    count,
    day,
    flag,
    header_in,
    number,
    one_of,
    read_cells,
    required_headers,
    template,
)
from edugroup.core.tabular import SheetRow, read_table, write_table
from edugroup.org import service
from edugroup.org.models import (
    MODE_LABELS,
    STAGE_LABELS,
    TIER_LABELS,
    District,
    Group,
    GroupMode,
    Membership,
    QualityTier,
    School,
    Stage,
)
from edugroup.org.schemas import GroupCreate, GroupUpdate, MembershipCreate, SchoolCreate, SchoolUpdate

SCHOOL_COLUMNS = [
    Column("学校代码", "code", True, "区内唯一; 已存在的代码按更新处理"),
    Column("学校名称", "name", True),
    Column(
        "学段", "stage", True, "小学 / 初中 / 九年一贯制 / 高中 / 十二年一贯制", one_of(STAGE_LABELS, Stage)
    ),
    Column(
        "办学水平",
        "quality_tier",
        False,
        "优质校 / 一般校 / 相对薄弱校 (默认一般校)",
        one_of(TIER_LABELS, QualityTier),
    ),
    Column("学区代码", "district_id", False, "所在学区的代码", code("districts", "代码")),
    Column("纬度", "lat", False, "如 31.2650", number),
    Column("经度", "lon", False, "如 121.4850", number),
    Column("学生数", "student_count", False, "", count),
    Column("教师数", "teacher_count", False, "", count),
    Column("地址", "address", False),
]
GROUP_COLUMNS = [
    Column("集团代码", "code", True, "区内唯一; 已存在的代码按更新处理"),
    Column("集团名称", "name", True),
    Column(
        "模式",
        "mode",
        True,
        "紧密型(融合型) / 共建型 / 联盟型 / 协作体 / 专项计划",
        one_of(MODE_LABELS, GroupMode),
    ),
    Column("上级集团代码", "parent_id", False, "共建体所属联盟等", code("groups", "代码")),
    Column("成立日期", "founded_on", False, "YYYY-MM-DD", day),
    Column("撤销日期", "dissolved_on", False, "YYYY-MM-DD", day),
    Column("说明", "description", False),
]
MEMBERSHIP_COLUMNS = [
    Column("集团代码", "group_id", True, "", code("groups", "代码")),
    Column("学校代码", "school_id", True, "", code("schools", "代码")),
    Column("开始日期", "start_date", True, "YYYY-MM-DD; 同一集团、学校、开始日期的行按更新处理", day),
    Column("结束日期", "end_date", False, "空表示至今", day),
    Column("是否牵头校", "is_leader", False, "是 / 否", flag),
    Column("备注", "note", False),
]
COLUMNS = {"schools": SCHOOL_COLUMNS, "groups": GROUP_COLUMNS, "memberships": MEMBERSHIP_COLUMNS}
KIND_LABELS = {"schools": "学校", "groups": "集团", "memberships": "集团成员关系"}


class _Codes:
    """The region's district, group and school codes, read again at each use: a group created by an earlier row
    of the file is a parent a later row may name."""

    def __init__(self, session: Session, region_id: int | None) -> None:
        self._session = session
        self._region_id = region_id

    def _of(self, model: Any) -> dict[str, int]:
        stmt = select(model.code, model.id).where(model.region_id == self._region_id)
        return dict(self._session.execute(stmt).all())

    @property
    def districts(self) -> dict[str, int]:
        return self._of(District)

    @property
    def groups(self) -> dict[str, int]:
        return self._of(Group)

    @property
    def schools(self) -> dict[str, int]:
        return self._of(School)


def _values(row: SheetRow, columns: list[Column], codes: _Codes) -> dict[str, Any]:
    """The row's schema fields; RowProblem naming the first bad cell."""
    values, problems = read_cells(columns, row.cells, codes)
    if problems:
        raise RowProblem(*problems[0])
    return values


def import_table(session: Session, scope: Scope, kind: str, data: bytes, filename: str) -> ImportReport:
    """Imports schools, groups or memberships from one file; all rows or none."""
    scope.require_bureau(f"导入{KIND_LABELS[kind]}")
    columns = COLUMNS[kind]
    rows = read_table(data, filename, required=required_headers(columns))
    handler = {"schools": _import_school, "groups": _import_group, "memberships": _import_membership}[kind]
    codes = _Codes(session, scope.region_id)
    created = apply_rows(
        session,
        filename,
        rows,
        lambda row: handler(session, scope, _values(row, columns, codes)),
        lambda f: header_in(columns, f),
    )
    return ImportReport.counting(KIND_LABELS[kind], created, kind)


def _import_school(session: Session, scope: Scope, values: dict[str, Any]) -> bool:
    existing = session.scalar(
        select(School).where(School.region_id == scope.region_id, School.code == values["code"])
    )
    if existing is None:
        service.create_school(session, scope, SchoolCreate(**values))
        return True
    values.pop("code")
    service.update_school(session, scope, existing.id, SchoolUpdate(**values))
    return False


def _import_group(session: Session, scope: Scope, values: dict[str, Any]) -> bool:
    existing = session.scalar(
        select(Group).where(Group.region_id == scope.region_id, Group.code == values["code"])
    )
    if existing is None:
        dissolved = values.pop("dissolved_on", None)
        group = service.create_group(session, scope, GroupCreate(**values))
        if dissolved is not None:
            service.update_group(session, scope, group.id, GroupUpdate(dissolved_on=dissolved))
        return True
    if values["mode"] != existing.mode:
        raise RowProblem(
            "模式", f"集团已存在, 模式为{MODE_LABELS[existing.mode]}, 不能改为{MODE_LABELS[values['mode']]}"
        )
    values.pop("code")
    values.pop("mode")
    service.update_group(session, scope, existing.id, GroupUpdate(**values))
    return False


def _import_membership(session: Session, scope: Scope, values: dict[str, Any]) -> bool:
    data = MembershipCreate(**values)
    existing = session.scalar(
        select(Membership).where(
            Membership.group_id == data.group_id,
            Membership.school_id == data.school_id,
            Membership.start_date == data.start_date,
        )
    )
    if existing is None:
        service.add_membership(session, scope, data)
        return True
    if (
        data.end_date != existing.end_date
        or data.is_leader != existing.is_leader
        or data.note != existing.note
    ):
        service.delete_membership(session, scope, existing.id)
        session.flush()
        service.add_membership(session, scope, data)
    return False


# --- export and templates ------------------------------------------------------------------------


def _label(mapping: dict[Any, str], value: Any) -> str:
    return mapping.get(value, str(value))


def export_rows(session: Session, scope: Scope, kind: str) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of what the user can see, in the import layout."""
    headers = [c.header for c in COLUMNS[kind]]
    if kind == "schools":
        districts = {d.id: d.code for d in service.list_districts(session, scope)}
        rows: list[list[Any]] = [
            [
                s.code,
                s.name,
                _label(STAGE_LABELS, s.stage),
                _label(TIER_LABELS, s.quality_tier),
                districts.get(s.district_id) if s.district_id else None,
                s.lat,
                s.lon,
                s.student_count,
                s.teacher_count,
                s.address,
            ]
            for s in service.list_schools(session, scope)
        ]
    elif kind == "groups":
        groups = service.list_groups(session, scope)
        codes = {
            g.id: g.code for g in session.scalars(select(Group).where(Group.region_id == scope.region_id))
        }
        rows = [
            [
                g.code,
                g.name,
                _label(MODE_LABELS, g.mode),
                codes.get(g.parent_id) if g.parent_id else None,
                g.founded_on,
                g.dissolved_on,
                g.description,
            ]
            for g in groups
        ]
    else:
        rows = []
        for group in service.list_groups(session, scope):
            for m in service.membership_history(session, scope, group_id=group.id):
                rows.append(
                    [
                        group.code,
                        m.school.code,
                        m.start_date,
                        m.end_date,
                        "是" if m.is_leader else "否",
                        m.note,
                    ]
                )
    return headers, rows


def export_file(session: Session, scope: Scope, kind: str, fmt: str) -> bytes:
    """The export as .xlsx or .csv bytes."""
    headers, rows = export_rows(session, scope, kind)
    return write_table(fmt, headers, rows, title=KIND_LABELS[kind])


def template_file(kind: str, fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    return template(KIND_LABELS[kind], COLUMNS[kind], fmt)
