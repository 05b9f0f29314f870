"""Import and export of schools, groups and memberships (.xlsx / .csv, Chinese headers).

An import is all or nothing: every row is checked by the same service functions the web and API use,
each in its own savepoint; if any row is bad, nothing is kept and every bad row is reported with its
row number, column and reason. Rows are matched by code, so an exported file imports back as updates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.imports import RowProblem, apply_rows
from edugroup.core.scope import Scope
from edugroup.core.tabular import SheetRow, parse_date, read_table, write_csv, write_xlsx
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


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    help: str = ""


SCHOOL_COLUMNS = [
    Column("学校代码", "code", True, "区内唯一; 已存在的代码按更新处理"),
    Column("学校名称", "name", True),
    Column("学段", "stage", True, "小学 / 初中 / 九年一贯制 / 高中 / 十二年一贯制"),
    Column("办学水平", "quality_tier", False, "优质校 / 一般校 / 相对薄弱校 (默认一般校)"),
    Column("学区代码", "district_id", False, "所在学区的代码"),
    Column("纬度", "lat", False, "如 31.2650"),
    Column("经度", "lon", False, "如 121.4850"),
    Column("学生数", "student_count", False),
    Column("教师数", "teacher_count", False),
    Column("地址", "address", False),
]
GROUP_COLUMNS = [
    Column("集团代码", "code", True, "区内唯一; 已存在的代码按更新处理"),
    Column("集团名称", "name", True),
    Column("模式", "mode", True, "紧密型(融合型) / 共建型 / 联盟型 / 协作体 / 专项计划"),
    Column("上级集团代码", "parent_id", False, "共建体所属联盟等"),
    Column("成立日期", "founded_on", False, "YYYY-MM-DD"),
    Column("撤销日期", "dissolved_on", False, "YYYY-MM-DD"),
    Column("说明", "description", False),
]
MEMBERSHIP_COLUMNS = [
    Column("集团代码", "group_id", True),
    Column("学校代码", "school_id", True),
    Column("开始日期", "start_date", True, "YYYY-MM-DD; 同一集团、学校、开始日期的行按更新处理"),
    Column("结束日期", "end_date", False, "空表示至今"),
    Column("是否牵头校", "is_leader", False, "是 / 否"),
    Column("备注", "note", False),
]
COLUMNS = {"schools": SCHOOL_COLUMNS, "groups": GROUP_COLUMNS, "memberships": MEMBERSHIP_COLUMNS}
KIND_LABELS = {"schools": "学校", "groups": "集团", "memberships": "集团成员关系"}


def _enum_from(label_map: dict[Any, str], enum_type: type[Enum]) -> Callable[[Any], Any]:
    reverse = {label: member for member, label in label_map.items()}

    def parse(value: Any) -> Any:
        text = str(value).strip()
        if text in reverse:
            return reverse[text]
        try:
            return enum_type(text)
        except ValueError:
            raise ValueError(f"应为 {' / '.join(label_map.values())} 之一, 而不是「{text}」") from None

    return parse


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "stage": _enum_from(STAGE_LABELS, Stage),
    "quality_tier": _enum_from(TIER_LABELS, QualityTier),
    "mode": _enum_from(MODE_LABELS, GroupMode),
    "founded_on": parse_date,
    "dissolved_on": parse_date,
    "start_date": parse_date,
    "end_date": parse_date,
    "lat": float,
    "lon": float,
    "student_count": lambda v: int(float(v)),
    "teacher_count": lambda v: int(float(v)),
    "code": lambda v: str(v).removesuffix(".0") if isinstance(v, float) else str(v),
    "is_leader": lambda v: str(v).strip() in {"是", "1", "true", "True", "TRUE", "Y", "y", "yes"},
}


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0

    def summary(self) -> str:
        return f"{KIND_LABELS[self.kind]}: 新增 {self.created} 条, 更新 {self.updated} 条"


def _values(row: SheetRow, columns: Sequence[Column]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for col in columns:
        raw = row.cells.get(col.header)
        if raw is None:
            if col.required:
                raise RowProblem(col.header, "必填项为空")
            continue
        parser = _PARSERS.get(col.field, lambda v: str(v) if not isinstance(v, str) else v)
        try:
            values[col.field] = parser(raw)
        except (ValueError, TypeError) as exc:
            raise RowProblem(col.header, str(exc) or f"无法识别的值「{raw}」") from None
    return values


def _header_of(columns: Sequence[Column], field: str | None) -> str:
    for col in columns:
        if col.field == field:
            return col.header
    return field or "行"


def _code_lookup(session: Session, model: Any, region_id: int | None, header: str) -> Callable[[str], int]:
    ids: dict[str, int] = dict(
        session.execute(select(model.code, model.id).where(model.region_id == region_id)).all()
    )

    def lookup(code: str) -> int:
        if code not in ids:
            raise RowProblem(header, f"代码「{code}」不存在")
        return int(ids[code])

    return lookup


def import_table(session: Session, scope: Scope, kind: str, data: bytes, filename: str) -> ImportReport:
    """Imports schools, groups or memberships from one file; all rows or none."""
    scope.require_bureau(f"导入{KIND_LABELS[kind]}")
    columns = COLUMNS[kind]
    rows = read_table(data, filename, required=[c.header for c in columns if c.required])
    handler = {"schools": _import_school, "groups": _import_group, "memberships": _import_membership}[kind]
    created = apply_rows(
        session, filename, rows, lambda row: handler(session, scope, row), lambda f: _header_of(columns, f)
    )
    return ImportReport(kind, created=sum(created), updated=len(created) - sum(created))


def _import_school(session: Session, scope: Scope, row: SheetRow) -> bool:
    values = _values(row, SCHOOL_COLUMNS)
    if "district_id" in values:
        values["district_id"] = _code_lookup(session, District, scope.region_id, "学区代码")(
            values["district_id"]
        )
    existing = session.scalar(
        select(School).where(School.region_id == scope.region_id, School.code == values["code"])
    )
    if existing is None:
        service.create_school(session, scope, SchoolCreate(**values))
        return True
    values.pop("code")
    service.update_school(session, scope, existing.id, SchoolUpdate(**values))
    return False


def _import_group(session: Session, scope: Scope, row: SheetRow) -> bool:
    values = _values(row, GROUP_COLUMNS)
    if "parent_id" in values:
        values["parent_id"] = _code_lookup(session, Group, scope.region_id, "上级集团代码")(
            values["parent_id"]
        )
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


def _import_membership(session: Session, scope: Scope, row: SheetRow) -> bool:
    values = _values(row, MEMBERSHIP_COLUMNS)
    values["group_id"] = _code_lookup(session, Group, scope.region_id, "集团代码")(values["group_id"])
    values["school_id"] = _code_lookup(session, School, scope.region_id, "学校代码")(values["school_id"])
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
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, title=KIND_LABELS[kind])


def template_file(kind: str, fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    columns = COLUMNS[kind]
    headers = [c.header for c in columns]
    if fmt == "csv":
        return write_csv(headers, [])
    notes = [f"{KIND_LABELS[kind]}导入模板: 第一行为表头, 从第二行起每行一条记录。", "带 * 的列为必填。"]
    notes += [f"{'*' if c.required else ' '} {c.header}: {c.help}" for c in columns]
    notes.append("导入要么全部成功, 要么一条也不写入; 出错时会列出每一个错误的行号、列名和原因。")
    return write_xlsx(headers, [], title=KIND_LABELS[kind], notes=notes)
