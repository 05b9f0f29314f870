"""Records of one kind as spreadsheet rows (.xlsx / .csv, Chinese headers) and as form fields: the columns of
a kind, how a cell is read and a record shown, all-or-nothing imports, exports and empty templates.

An import is all or nothing: each row is parsed, then recorded by the same service function the web and API
use, in its own savepoint; if any row is bad, nothing is kept and every bad cell is reported with its row
number, column and reason. The export adds read-only columns (names, school year, ...) that an import ignores,
and a last column 编号: a file exported, edited and imported back updates those records instead of adding them
again. Codes in cells (staff numbers, group and school codes) are read through the import's lookups: an
object with one dict per kind of code (`teachers`, `groups`, `schools`, ...), code to id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from edugroup.core.errors import NotFound
from edugroup.core.imports import RowProblem, apply_rows, validation_problems
from edugroup.core.scope import Scope
from edugroup.core.tabular import SheetRow, cell_text, choice, parse_date, read_table, write_table

Parser = Callable[[Any, Any], Any]
"""Reads one cell, given the import's lookups; raises ValueError naming what is wrong."""

# --- reading cells -------------------------------------------------------------------------------


def plain(_lookups: Any, value: Any) -> str:
    """The cell's text."""
    return cell_text(value)


def day(_lookups: Any, value: Any) -> Any:
    """A date (YYYY-MM-DD, or a spreadsheet date)."""
    return parse_date(value)


def number(_lookups: Any, value: Any) -> float:
    """A number such as 12 or 4.5."""
    try:
        return float(cell_text(value))
    except ValueError:
        raise ValueError(f"应为数字, 而不是「{value}」") from None


def count(lookups: Any, value: Any) -> int:
    """A number cut to its whole part, such as a head count (12, 12.0)."""
    return int(number(lookups, value))


def whole_number(expected: str = "应为数字") -> Parser:
    """A whole number written with digits only; ValueError "`expected`, 而不是「…」" otherwise."""

    def parse(_lookups: Any, value: Any) -> int:
        text = cell_text(value)
        if not text.isdigit():
            raise ValueError(f"{expected}, 而不是「{text}」")
        return int(text)

    return parse


whole = whole_number()
"""A whole number, such as a record's 编号."""


def school_year(_lookups: Any, value: Any) -> int:
    """A school year as its first calendar year (2025, or 2025学年)."""
    text = cell_text(value).removesuffix("学年")
    if not (text.isdigit() and len(text) == 4):
        raise ValueError(f"学年应为四位年份, 如 2025, 而不是「{cell_text(value)}」")
    return int(text)


_YES = {"是", "有", "1", "true", "yes", "y"}
_NO = {"否", "无", "0", "false", "no", "n"}
_LENIENT_YES = {"是", "1", "true", "True", "TRUE", "Y", "y", "yes"}


def yes_no(_lookups: Any, value: Any) -> bool:
    """是 / 否 (有 / 无, yes / no, 1 / 0); ValueError for anything else."""
    text = cell_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"应为 是 / 否, 而不是「{value}」")


def flag(_lookups: Any, value: Any) -> bool:
    """True for 是 (1, yes, ...), False for anything else."""
    return str(value).strip() in _LENIENT_YES


_SEPARATORS = re.compile(r"[、;；,，\s]+")


def code_list(value: Any) -> list[str]:
    """The codes of a cell that lists several, separated by 、 ; , or blanks."""
    return [part for part in _SEPARATORS.split(cell_text(value)) if part]


def code(table: str, what: str) -> Parser:
    """The id of a code in the lookups' `table` (`teachers`, `groups`, ...); ValueError naming it when unknown."""

    def parse(lookups: Any, value: Any) -> int:
        codes: dict[str, int] = getattr(lookups, table)
        text = cell_text(value)
        if text not in codes:
            raise ValueError(f"{what}「{text}」不存在")
        return codes[text]

    return parse


def codes(table: str, what: str) -> Parser:
    """The ids of a list of codes (see `code_list`) in the lookups' `table`; ValueError naming every unknown one."""

    def parse(lookups: Any, value: Any) -> list[int]:
        return ids_of(getattr(lookups, table), code_list(value), what)

    return parse


def ids_of(table: dict[str, int], listed: list[str], what: str) -> list[int]:
    """The ids of several codes; ValueError naming every unknown one."""
    missing = [c for c in listed if c not in table]
    if missing:
        raise ValueError(f"{what}「{'、'.join(missing)}」不存在")
    return [table[c] for c in listed]


def one_of(labels: Mapping[Any, str], enum_type: type[Enum], aliases: dict[str, Any] | None = None) -> Parser:
    """A member of `enum_type` by its label, its value or an alias."""
    parse = choice(labels, enum_type, aliases)
    return lambda _lookups, value: parse(value)


# --- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a file (and one field of a form): its header, the schema field, how a cell is read, and
    how a record shows it. `parse` None marks a read-only column: exported, ignored on import."""

    header: str
    field: str
    required: bool = False
    help: str = ""
    parse: Parser | None = plain
    show: Callable[[Any], Any] = lambda r: None
    choices: dict[str, str] | None = None  # cell text -> label, for a form's select
    options: str | None = None  # "groups" | "schools" | "districts": a form's select of codes
    aliases: tuple[str, ...] = ()  # other schema fields this column fills (their errors name it)

    @property
    def importable(self) -> bool:
        return self.parse is not None


def attr(*names: str) -> Callable[[Any], Any]:
    """Shows a record's attribute, or an attribute of an attribute (None along the way shows None)."""

    def show(record: Any) -> Any:
        value = record
        for name in names:
            value = getattr(value, name, None) if value is not None else None
        return value

    return show


def label(labels: dict[Any, str], *names: str) -> Callable[[Any], Any]:
    """Shows the label of a record's attribute."""
    get = attr(*names)
    return lambda r: labels.get(get(r)) if get(r) is not None else None


ID = Column("编号", "id", False, "导出文件中的记录编号; 填写则更新该记录, 留空为新增", whole, attr("id"))
NOTE = Column("备注", "note", show=attr("note"))
START = Column("开始日期", "started_on", True, "YYYY-MM-DD", day, attr("started_on"))
END = Column("结束日期", "ended_on", False, "YYYY-MM-DD; 空表示至今", day, attr("ended_on"))


def group_column(header: str, required: bool = False, help: str = "") -> Column:
    """A group's code: read into `group_id`, shown from the record's group, offered as a select of groups."""
    return Column(
        header,
        "group_id",
        required,
        help,
        code("groups", "集团代码"),
        attr("group", "code"),
        options="groups",
    )


# --- kinds of record -----------------------------------------------------------------------------


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


# --- reading rows --------------------------------------------------------------------------------


def parse_cells(
    kind: Kind, cells: dict[str, Any], lookups: Any, *, by: str = "header"
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The schema fields of one row of `kind` (cells by header, or by field for a form), and every
    (header, problem)."""
    return read_cells([*kind.importable, ID], cells, lookups, by=by)


def read_cells(
    columns: Sequence[Column], cells: dict[str, Any], lookups: Any, *, by: str = "header"
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The schema fields of one row read by `columns` (cells by header, or by field for a form), and every
    (header, problem); a parser that returns a dict fills those fields."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for col in columns:
        if not col.importable:
            continue
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
    return header_in([*kind.columns, ID], field)


def header_in(columns: Sequence[Column], field: str | None) -> str:
    """The header of the column that fills a schema field (an error's field); the field itself, or 行."""
    for col in columns:
        if field == col.field or field in col.aliases:
            return col.header
    return field or "行"


def required_headers(columns: Sequence[Column]) -> list[str]:
    """The headers of the columns an import file must have."""
    return [c.header for c in columns if c.importable and c.required]


def full_update(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """Every field of the record: a cell left empty clears an optional field."""
    fields = kind.create_schema.model_fields
    optional = {name: None for name, info in fields.items() if not info.is_required()}
    return {**optional, **values}


@dataclass
class ImportReport:
    """How many records an import added and updated; `key` names the kind imported."""

    label: str
    created: int = 0
    updated: int = 0
    key: str = ""

    @classmethod
    def counting(cls, label: str, created: Sequence[bool], key: str = "") -> ImportReport:
        """The report of rows that each created a record (True) or updated one (False)."""
        return cls(label, created=sum(created), updated=len(created) - sum(created), key=key)

    def summary(self) -> str:
        return f"{self.label}: 新增 {self.created} 条, 更新 {self.updated} 条"


def import_rows(
    session: Session, scope: Scope, kind: Kind, lookups: Any, data: bytes, filename: str
) -> ImportReport:
    """Imports records of `kind` from one .xlsx or .csv file, reading codes through `lookups`; all rows or
    none."""
    rows = read_table(data, filename, required=required_headers(kind.columns))
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
    return ImportReport.counting(kind.label, created, kind.key)


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


# --- export and template -------------------------------------------------------------------------


def export_rows(
    session: Session, scope: Scope, kind: Kind, *, year: int | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the records the user can see, in the import layout plus read-only columns and 编号."""
    columns = [*kind.columns, ID]
    records = reversed(kind.records(session, scope, year=year))
    return [c.header for c in columns], [[c.show(r) for c in columns] for r in records]


def export_file(session: Session, scope: Scope, kind: Kind, fmt: str, *, year: int | None = None) -> bytes:
    """The export as .xlsx or .csv bytes."""
    headers, rows = export_rows(session, scope, kind, year=year)
    return write_table(fmt, headers, rows, title=kind.label[:30])


def template_file(kind: Kind, fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    return template(kind.label, [*kind.importable, ID], fmt, title=kind.label[:30])


ALL_OR_NOTHING = "导入要么全部成功, 要么一条也不写入; 出错时会列出每一个错误的行号、列名和原因。"


def template(
    label: str,
    columns: Sequence[Column],
    fmt: str = "xlsx",
    *,
    title: str | None = None,
    row: str = "记录",
    extra: Sequence[str] = (),
) -> bytes:
    """An empty import template: the headers of the importable `columns` but 编号, and in .xlsx a sheet of
    instructions (what a row is, required marks, each column's help, `extra` lines, all or nothing)."""
    headers = [c.header for c in columns if c.importable and c is not ID and c.field != "id"]
    notes = [f"{label}导入模板: 第一行为表头, 从第二行起每行一条{row}。", "带 * 的列为必填。"]
    notes += [f"{'*' if c.required else ' '} {c.header}: {c.help}" for c in columns if c.importable]
    notes += [*extra, ALL_OR_NOTHING]
    return write_table(fmt, headers, [], title=title or label, notes=notes)


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
