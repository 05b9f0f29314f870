"""Import and export of teacher development records (.xlsx / .csv, Chinese headers), and the column specs the
pages' forms are built from.

Five kinds: training (培训与展示学分), certificates (示范课证书), mentoring (师徒结对), dispatches (教师派遣),
assignments (指导专家与课堂观察员). An import is all or nothing: each row is parsed, then recorded by the same
service function the web and API use, in its own savepoint; if any row is bad (a third certificate of a teacher
included), nothing is kept and every bad cell is reported with its row number, column and reason. The export
adds read-only columns (names, credits, school year) that an import ignores, and a last column 编号: a file
exported, edited and imported back updates those records instead of adding them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.activities import service as activities_service
from edugroup.core.errors import NotFound
from edugroup.core.imports import RowProblem, apply_rows, validation_problems
from edugroup.core.scope import Scope
from edugroup.core.tabular import SheetRow, cell_text, choice, parse_date, read_table, write_csv, write_xlsx
from edugroup.org.models import District
from edugroup.teachers.development import service
from edugroup.teachers.development.models import (
    ASSIGNMENT_ROLE_LABELS,
    DISPATCH_KIND_LABELS,
    TRAINING_KIND_LABELS,
    TRAINING_LEVEL_LABELS,
    AssignmentRole,
    DispatchKind,
    TrainingKind,
    TrainingLevel,
)
from edugroup.teachers.development.schemas import (
    AssignmentCreate,
    AssignmentUpdate,
    CertificateCreate,
    CertificateUpdate,
    DispatchCreate,
    DispatchUpdate,
    MentoringCreate,
    MentoringUpdate,
    TrainingCreate,
    TrainingUpdate,
)


class Lookups:
    """The region's teacher staff numbers and group, school and district codes, read once per import or form."""

    def __init__(self, session: Session, region_id: int) -> None:
        self.groups, self.schools, self.teachers = activities_service.codes(session, region_id)
        self.districts: dict[str, int] = dict(
            session.execute(select(District.code, District.id).where(District.region_id == region_id)).all()
        )

    @staticmethod
    def one(table: dict[str, int], code: str, what: str) -> int:
        """The id of one code; ValueError naming it when unknown."""
        if code not in table:
            raise ValueError(f"{what}「{code}」不存在")
        return table[code]


Parser = Callable[[Lookups, Any], Any]


def _plain(_lookups: Lookups, value: Any) -> str:
    return cell_text(value)


def _date(_lookups: Lookups, value: Any) -> Any:
    return parse_date(value)


def _number(_lookups: Lookups, value: Any) -> float:
    try:
        return float(cell_text(value))
    except ValueError:
        raise ValueError(f"应为数字, 而不是「{value}」") from None


def _whole(_lookups: Lookups, value: Any) -> int:
    text = cell_text(value)
    if not text.isdigit():
        raise ValueError(f"应为数字, 而不是「{text}」")
    return int(text)


def _code(table: str, what: str) -> Parser:
    def parse(lookups: Lookups, value: Any) -> int:
        return Lookups.one(getattr(lookups, table), cell_text(value), what)

    return parse


def _choice(labels: dict[Any, str], enum_type: type[Enum], aliases: dict[str, Any] | None = None) -> Parser:
    parse = choice(labels, enum_type, aliases)
    return lambda _lookups, value: parse(value)


def _person(lookups: Lookups, value: Any) -> dict[str, Any]:
    """A staff number of the region is a teacher; anything else an external expert's name."""
    text = cell_text(value)
    if text in lookups.teachers:
        return {"teacher_id": lookups.teachers[text]}
    return {"expert_name": text}


@dataclass(frozen=True)
class Column:
    """One column of a file (and one field of a form): its header, the schema field, how a cell is read, and
    how a record shows it. `parse` None marks a read-only column: exported, ignored on import."""

    header: str
    field: str
    required: bool = False
    help: str = ""
    parse: Parser | None = _plain
    show: Callable[[Any], Any] = lambda r: None
    choices: dict[str, str] | None = None  # cell text -> label, for a form's select
    options: str | None = None  # "groups" | "schools" | "districts": a form's select of codes

    @property
    def importable(self) -> bool:
        return self.parse is not None


def _attr(*names: str) -> Callable[[Any], Any]:
    def show(record: Any) -> Any:
        value = record
        for name in names:
            value = getattr(value, name, None) if value is not None else None
        return value

    return show


def _label(labels: dict[Any, str], *names: str) -> Callable[[Any], Any]:
    get = _attr(*names)
    return lambda r: labels.get(get(r)) if get(r) is not None else None


def _yes_no(value: bool | None) -> str:
    return "是" if value else "否"


ID = Column("编号", "id", False, "导出文件中的记录编号; 填写则更新该记录, 留空为新增", _whole, _attr("id"))
NOTE = Column("备注", "note", show=_attr("note"))
START = Column("开始日期", "started_on", True, "YYYY-MM-DD", _date, _attr("started_on"))
END = Column("结束日期", "ended_on", False, "YYYY-MM-DD; 空表示至今", _date, _attr("ended_on"))


def _group(header: str, required: bool = False, help: str = "") -> Column:
    return Column(
        header,
        "group_id",
        required,
        help,
        _code("groups", "集团代码"),
        _attr("group", "code"),
        options="groups",
    )


TRAINING = [
    Column(
        "教师工号", "teacher_id", True, "", _code("teachers", "教师工号"), _attr("teacher", "staff_number")
    ),
    Column("教师姓名", "teacher_name", parse=None, show=_attr("teacher", "name")),
    Column(
        "类型",
        "kind",
        False,
        "培训 / 展示交流/教科研活动 (默认培训)",
        _choice(TRAINING_KIND_LABELS, TrainingKind, {"展示交流": TrainingKind.showcase}),
        _label(TRAINING_KIND_LABELS, "kind"),
        choices={k.value: v for k, v in TRAINING_KIND_LABELS.items()},
    ),
    Column(
        "级别",
        "level",
        True,
        "市级 / 区级 / 学区/集团 / 校本",
        _choice(
            TRAINING_LEVEL_LABELS,
            TrainingLevel,
            {"市": TrainingLevel.city, "区": TrainingLevel.district, "学区集团": TrainingLevel.group}
            | {"学区": TrainingLevel.group, "集团": TrainingLevel.group, "校级": TrainingLevel.school},
        ),
        _label(TRAINING_LEVEL_LABELS, "level"),
        choices={k.value: v for k, v in TRAINING_LEVEL_LABELS.items()},
    ),
    Column("名称", "title", True, "培训或展示活动的名称", show=_attr("title")),
    START,
    END,
    Column("学时", "hours", True, "如 12 或 4.5", _number, _attr("hours")),
    _group("组织集团代码", help="学区/集团级须填写组织集团或组织学区"),
    Column(
        "组织学区代码",
        "district_id",
        False,
        "",
        _code("districts", "学区代码"),
        _attr("district", "code"),
        options="districts",
    ),
    Column("组织单位", "organiser", False, "如 市教委、区教育学院", show=_attr("organiser")),
    Column("关联活动编号", "activity_id", False, "展示交流对应的活动记录编号", _whole, _attr("activity_id")),
    NOTE,
    Column("学年", "school_year", parse=None, show=_attr("school_year")),
    Column("每学时学分", "credit_rate", parse=None, show=_attr("credit_rate")),
    Column("学分", "credits", parse=None, show=_attr("credits")),
]
CERTIFICATES = [
    Column(
        "教师工号", "teacher_id", True, "", _code("teachers", "教师工号"), _attr("teacher", "staff_number")
    ),
    Column("教师姓名", "teacher_name", parse=None, show=_attr("teacher", "name")),
    _group("颁发集团代码", True, "申请区级教研展示的集团 (教共体)"),
    Column("颁发日期", "issued_on", True, "YYYY-MM-DD", _date, _attr("issued_on")),
    Column("示范课课题", "lesson_title", True, show=_attr("lesson_title")),
    Column("学科", "subject", show=_attr("subject")),
    Column("证书编号", "number", False, "区内唯一", show=_attr("number")),
    Column("关联活动编号", "activity_id", False, "示范课的活动记录编号", _whole, _attr("activity_id")),
    NOTE,
    Column("学校", "school_name", parse=None, show=_attr("school", "name")),
    Column("学年", "school_year", parse=None, show=_attr("school_year")),
]
MENTORING = [
    Column("师傅工号", "mentor_id", True, "", _code("teachers", "师傅工号"), _attr("mentor", "staff_number")),
    Column("师傅姓名", "mentor_name", parse=None, show=_attr("mentor", "name")),
    Column(
        "师傅是否骨干教师",
        "mentor_backbone",
        parse=None,
        show=lambda p: _yes_no(service.is_backbone(p.mentor)),
    ),
    Column("徒弟工号", "mentee_id", True, "", _code("teachers", "徒弟工号"), _attr("mentee", "staff_number")),
    Column("徒弟姓名", "mentee_name", parse=None, show=_attr("mentee", "name")),
    _group("结对集团代码", help="安排结对的集团 (联盟等); 可空"),
    START,
    END,
    Column("学科", "subject", show=_attr("subject")),
    NOTE,
]
DISPATCHES = [
    Column(
        "类型",
        "kind",
        True,
        "骨干教师顶岗任教 / 特需教师配送",
        _choice(
            DISPATCH_KIND_LABELS,
            DispatchKind,
            {"顶岗任教": DispatchKind.backbone_post, "特需配送": DispatchKind.special_needs},
        ),
        _label(DISPATCH_KIND_LABELS, "kind"),
        choices={k.value: v for k, v in DISPATCH_KIND_LABELS.items()},
    ),
    Column(
        "教师工号", "teacher_id", True, "", _code("teachers", "教师工号"), _attr("teacher", "staff_number")
    ),
    Column("教师姓名", "teacher_name", parse=None, show=_attr("teacher", "name")),
    Column("派出学校", "from_school", parse=None, show=_attr("from_school", "name")),
    Column(
        "接收学校代码",
        "to_school_id",
        True,
        "",
        _code("schools", "学校代码"),
        _attr("to_school", "code"),
        options="schools",
    ),
    _group("所在集团代码", help="协作体或集团; 可空"),
    START,
    END,
    Column("学科", "subject", show=_attr("subject")),
    NOTE,
]
ASSIGNMENTS = [
    Column(
        "角色",
        "role",
        True,
        "指导专家 / 课堂观察员",
        _choice(ASSIGNMENT_ROLE_LABELS, AssignmentRole),
        _label(ASSIGNMENT_ROLE_LABELS, "role"),
        choices={k.value: v for k, v in ASSIGNMENT_ROLE_LABELS.items()},
    ),
    Column(
        "人员",
        "person",
        True,
        "本区教师填工号, 外部专家填姓名",
        _person,
        lambda a: a.teacher.staff_number if a.teacher is not None else a.expert_name,
    ),
    Column("姓名", "person_name", parse=None, show=_attr("person")),
    Column("工作单位", "affiliation", show=_attr("affiliation")),
    Column(
        "学校代码",
        "school_id",
        False,
        "配备到学校 (与项目二选一)",
        _code("schools", "学校代码"),
        _attr("school", "code"),
        options="schools",
    ),
    _group("项目代码", help="配备到项目 (集团), 如强校工程"),
    START,
    END,
    NOTE,
]


@dataclass(frozen=True)
class Kind:
    """One kind of record: its columns, schemas and service functions."""

    key: str
    label: str
    columns: list[Column]
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    create: Callable[[Session, Scope, Any], Any]
    update: Callable[[Session, Scope, int, Any], Any]
    get: Callable[[Session, Scope, int], Any]
    delete: Callable[[Session, Scope, int], None]
    records: Callable[..., list[Any]]

    @property
    def importable(self) -> list[Column]:
        return [c for c in self.columns if c.importable]


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "training",
            "培训与展示学分",
            TRAINING,
            TrainingCreate,
            TrainingUpdate,
            service.create_training,
            service.update_training,
            service.get_training,
            service.delete_training,
            service.list_training,
        ),
        Kind(
            "certificates",
            "区级示范课证书",
            CERTIFICATES,
            CertificateCreate,
            CertificateUpdate,
            service.create_certificate,
            service.update_certificate,
            service.get_certificate,
            service.delete_certificate,
            service.list_certificates,
        ),
        Kind(
            "mentoring",
            "师徒结对",
            MENTORING,
            MentoringCreate,
            MentoringUpdate,
            service.create_pair,
            service.update_pair,
            service.get_pair,
            service.delete_pair,
            service.list_pairs,
        ),
        Kind(
            "dispatches",
            "教师派遣 (顶岗任教、特需配送)",
            DISPATCHES,
            DispatchCreate,
            DispatchUpdate,
            service.create_dispatch,
            service.update_dispatch,
            service.get_dispatch,
            service.delete_dispatch,
            service.list_dispatches,
        ),
        Kind(
            "assignments",
            "指导专家与课堂观察员",
            ASSIGNMENTS,
            AssignmentCreate,
            AssignmentUpdate,
            service.create_assignment,
            service.update_assignment,
            service.get_assignment,
            service.delete_assignment,
            service.list_assignments,
        ),
    )
}


def kind_of(key: str) -> Kind:
    """The kind named `key`; NotFound listing the kinds otherwise."""
    if key not in KINDS:
        raise NotFound(f"没有 {key} 这种记录 (可用: {', '.join(KINDS)})", field="kind")
    return KINDS[key]


# --- reading rows --------------------------------------------------------------------------------


def parse_cells(
    kind: Kind, cells: dict[str, Any], lookups: Lookups, *, by: str = "header"
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The schema fields of one row (cells by header, or by field for a form), and every (header, problem)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for col in [*kind.importable, ID]:
        raw = cells.get(col.header if by == "header" else col.field)
        if isinstance(raw, str):
            raw = raw.strip() or None
        if raw is None:
            if col.required:
                problems.append((col.header, "必填项为空"))
            continue
        assert col.parse is not None
        try:
            value = col.parse(lookups, raw)
        except (ValueError, TypeError) as exc:
            problems.append((col.header, str(exc) or f"无法识别的值「{raw}」"))
            continue
        values.update(value if isinstance(value, dict) else {col.field: value})
    return values, problems


def header_of(kind: Kind, field: str | None) -> str:
    """The column header of a schema field (an error's field), for the error list."""
    if field in ("teacher_id", "expert_name") and kind.key == "assignments":
        field = "person"
    for col in [*kind.columns, ID]:
        if col.field == field:
            return col.header
    return field or "行"


def full_update(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """Every field of the record: a cell left empty clears an optional field."""
    fields = kind.create_schema.model_fields
    optional = {name: None for name, info in fields.items() if not info.is_required()}
    return {**optional, **values}


@dataclass
class ImportReport:
    kind: Kind
    created: int = 0
    updated: int = 0

    def summary(self) -> str:
        return f"{self.kind.label}: 新增 {self.created} 条, 更新 {self.updated} 条"


def import_records(session: Session, scope: Scope, key: str, data: bytes, filename: str) -> ImportReport:
    """Imports one kind of record from one .xlsx or .csv file; all rows or none."""
    kind = kind_of(key)
    service.require_recorder(scope, f"导入{kind.label}")
    assert scope.region_id is not None
    rows = read_table(data, filename, required=[c.header for c in kind.importable if c.required])
    lookups = Lookups(session, scope.region_id)
    seen: dict[int, int] = {}

    def handle(row: SheetRow) -> bool:
        values, problems = parse_cells(kind, row.cells, lookups)
        record_id = values.pop("id", None)
        if record_id is not None and record_id in seen:
            problems.append((ID.header, f"与第{seen[record_id]}行的编号重复"))
        if problems:
            raise RowProblem.of(problems)
        if record_id is not None:
            seen[record_id] = row.number
        try:
            return _import_row(session, scope, kind, values, record_id)
        except ValidationError as exc:
            problems = [_ended_on(kind, field, message) for field, message in validation_problems(exc)]
            raise RowProblem.of(problems) from None

    created = apply_rows(session, filename, rows, handle, lambda f: header_of(kind, f))
    return ImportReport(kind, created=sum(created), updated=len(created) - sum(created))


def _ended_on(kind: Kind, field: str | None, message: str) -> tuple[str, str]:
    """The column and message of a schema error; a cross-field "ended_on: …" error belongs to ended_on."""
    if message.startswith("ended_on: "):
        field, message = "ended_on", message.removeprefix("ended_on: ")
    return header_of(kind, field), message


def _import_row(
    session: Session, scope: Scope, kind: Kind, values: dict[str, Any], record_id: int | None
) -> bool:
    """Creates the record, or updates record `record_id`; True when created."""
    if record_id is None:
        kind.create(session, scope, kind.create_schema(**values))
        return True
    try:
        kind.get(session, scope, record_id)
    except NotFound:
        raise RowProblem(ID.header, f"编号 {record_id} 的记录不存在或无权查看") from None
    kind.update(session, scope, record_id, kind.update_schema(**full_update(kind, values)))
    return False


def import_file(session: Session, scope: Scope, key: str, path: Path) -> ImportReport:
    """Imports one kind of record from a file on disk (the CLI)."""
    return import_records(session, scope, key, path.read_bytes(), path.name)


# --- export and template -------------------------------------------------------------------------


def export_rows(
    session: Session, scope: Scope, key: str, *, year: int | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the records the user can see, in the import layout plus read-only columns and 编号."""
    kind = kind_of(key)
    columns = [*kind.columns, ID]
    records = reversed(kind.records(session, scope, year=year))
    return [c.header for c in columns], [[c.show(r) for c in columns] for r in records]


def export_file(session: Session, scope: Scope, key: str, fmt: str, *, year: int | None = None) -> bytes:
    """The export as .xlsx or .csv bytes."""
    headers, rows = export_rows(session, scope, key, year=year)
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, title=kind_of(key).label[:30])


def template_file(key: str, fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    kind = kind_of(key)
    headers = [c.header for c in kind.importable]
    if fmt == "csv":
        return write_csv(headers, [])
    notes = [f"{kind.label}导入模板: 第一行为表头, 从第二行起每行一条记录。", "带 * 的列为必填。"]
    notes += [f"{'*' if c.required else ' '} {c.header}: {c.help}" for c in [*kind.importable, ID]]
    notes.append("导入要么全部成功, 要么一条也不写入; 出错时会列出每一个错误的行号、列名和原因。")
    return write_xlsx(headers, [], title=kind.label[:30], notes=notes)


def form_values(kind: Kind, record: Any) -> dict[str, str]:
    """A recorded record as a form's fields (cell text by field)."""
    values: dict[str, str] = {}
    for col in kind.importable:
        shown = col.show(record)
        if col.choices is not None:
            reverse = {label: value for value, label in col.choices.items()}
            shown = reverse.get(shown, shown)
        values[col.field] = "" if shown is None else str(shown)
    return values
