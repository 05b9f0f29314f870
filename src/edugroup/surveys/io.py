"""Import and export of survey responses (.xlsx / .csv, Chinese headers), one questionnaire per file.

Columns: 填答群体 (家长 / 教师 / 学生), 答卷编号 (an anonymous code), 学校代码 (optional: a member school of the
questionnaire's group during its school year, or a school of its district), then one column per item headed
by the item's code (a header may go on with the question text after a space, as the template writes it):
总体满意度 must be answered on every row, the other items may be left empty. An answer is a number of the
scale or its label (满意, 非常满意, …).

An import is all or nothing: every row is checked first and, if any is bad, nothing is written and every bad
cell is listed with its row number, column and reason. A respondent code already recorded for the same kind
is replaced by the new row, so a corrected file can be imported again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from edugroup.core.errors import ImportFailed, RowError
from edugroup.core.scope import Scope
from edugroup.core.sheets import ALL_OR_NOTHING
from edugroup.core.tabular import SheetRow, cell_text, read_table, write_table
from edugroup.surveys import service
from edugroup.surveys.models import RESPONDENT_LABELS, Questionnaire, QuestionnaireItem, RespondentKind

KIND_COLUMN = "填答群体"
CODE_COLUMN = "答卷编号"
SCHOOL_COLUMN = "学校代码"
FIXED = (KIND_COLUMN, CODE_COLUMN, SCHOOL_COLUMN)
_KINDS = {label: kind for kind, label in RESPONDENT_LABELS.items()} | {k.value: k for k in RespondentKind}


@dataclass
class ImportReport:
    created: int = 0
    replaced: int = 0

    def summary(self) -> str:
        return f"答卷: 新增 {self.created} 份, 替换 {self.replaced} 份"


def item_header(item: QuestionnaireItem) -> str:
    """The template's header of an item: its code, a space, the question."""
    return f"{item.code} {item.text}"


def _item_of(header: str, items: dict[str, QuestionnaireItem]) -> QuestionnaireItem | None:
    code = header.split()[0] if header.split() else ""
    return items.get(code)


def parse_answer(questionnaire: Questionnaire, value: Any) -> int:
    """An answer on the questionnaire's scale, from a number or a scale label; ValueError naming the scale."""
    low, high = questionnaire.scale_min, questionnaire.scale_max
    labels = {label: int(k) for k, label in (questionnaire.scale_labels or {}).items()}
    text = cell_text(value)
    number: int | None = None
    if text in labels:
        number = labels[text]
    else:
        head = text.split()[0] if text.split() else ""
        try:
            as_float = float(head)
        except ValueError:
            as_float = None
        if as_float is not None and as_float.is_integer():
            number = int(as_float)
    if number is None or not low <= number <= high:
        named = f" (或 {' / '.join(labels)})" if labels else ""
        raise ValueError(f"应为 {low}–{high} 的整数{named}, 而不是「{text}」")
    return number


def _kind(questionnaire: Questionnaire, value: Any) -> RespondentKind:
    text = cell_text(value)
    kind = _KINDS.get(text)
    if kind is None:
        raise ValueError(f"应为 {' / '.join(RESPONDENT_LABELS.values())} 之一, 而不是「{text}」")
    if kind not in questionnaire.kinds:
        raise ValueError(
            f"本问卷不面向{RESPONDENT_LABELS[kind]} (面向: {'、'.join(questionnaire.kind_labels)})"
        )
    return kind


def _header_errors(header: list[str], items: dict[str, QuestionnaireItem]) -> list[RowError]:
    errors = []
    for name in header:
        if name and name not in FIXED and _item_of(name, items) is None:
            errors.append(RowError(1, name, "未知的列: 不是本问卷的题目代码 (请使用本问卷的导入模板)"))
    overall = [name for name in header if (item := _item_of(name, items)) is not None and item.is_overall]
    if not overall:
        errors.append(RowError(1, service.OVERALL_CODE, "缺少必填列"))
    return errors


def _parse_row(
    questionnaire: Questionnaire,
    row: SheetRow,
    items: dict[str, QuestionnaireItem],
    schools: dict[str, int],
) -> tuple[service.ResponseValues | None, list[RowError]]:
    errors: list[RowError] = []
    kind: RespondentKind | None = None
    code: str | None = None
    school_id: int | None = None
    overall: int | None = None
    answers: dict[str, int] = {}
    raw_kind = row.cells.get(KIND_COLUMN)
    if raw_kind is None:
        errors.append(RowError(row.number, KIND_COLUMN, "必填项为空"))
    else:
        try:
            kind = _kind(questionnaire, raw_kind)
        except ValueError as exc:
            errors.append(RowError(row.number, KIND_COLUMN, str(exc)))
    raw_code = row.cells.get(CODE_COLUMN)
    if raw_code is None:
        errors.append(RowError(row.number, CODE_COLUMN, "必填项为空"))
    elif len(cell_text(raw_code)) > 64:
        errors.append(RowError(row.number, CODE_COLUMN, "答卷编号不能超过 64 个字符"))
    else:
        code = cell_text(raw_code)
    raw_school = row.cells.get(SCHOOL_COLUMN)
    if raw_school is not None:
        school_code = cell_text(raw_school)
        if school_code not in schools:
            target = "该集团当学年的成员校" if questionnaire.group_id is not None else "该学区的学校"
            errors.append(RowError(row.number, SCHOOL_COLUMN, f"学校代码「{school_code}」不是{target}"))
        else:
            school_id = schools[school_code]
    for header, value in row.cells.items():
        item = _item_of(header, items) if header not in FIXED else None
        if item is None:
            continue
        if value is None:
            if item.is_overall:
                errors.append(RowError(row.number, header, "必填项为空: 每份答卷都须回答总体满意度"))
            continue
        try:
            answer = parse_answer(questionnaire, value)
        except ValueError as exc:
            errors.append(RowError(row.number, header, str(exc)))
            continue
        if item.is_overall:
            overall = answer
        else:
            answers[item.code] = answer
    if errors or kind is None or code is None or overall is None:
        return None, errors
    return service.ResponseValues(kind, code, school_id, overall, answers), errors


def import_responses(
    session: Session, scope: Scope, questionnaire_id: int, data: bytes, filename: str
) -> ImportReport:
    """Imports the responses of one questionnaire from an .xlsx or .csv file; all rows or none."""
    questionnaire = service.get_writable(session, scope, questionnaire_id, "导入答卷")
    rows = read_table(data, filename, required=[KIND_COLUMN, CODE_COLUMN])
    items = {item.code: item for item in questionnaire.items}
    if not rows:
        raise ImportFailed(filename, [RowError(2, "文件", "没有数据行")])
    errors = _header_errors(list(rows[0].cells), items)
    if errors:
        raise ImportFailed(filename, errors)
    schools = service.respondent_schools(session, questionnaire)
    parsed: list[service.ResponseValues] = []
    seen: dict[tuple[RespondentKind, str], int] = {}
    for row in rows:
        values, problems = _parse_row(questionnaire, row, items, schools)
        if values is not None:
            key = (values.respondent_kind, values.respondent_code)
            if key in seen:
                problems.append(
                    RowError(row.number, CODE_COLUMN, f"与第{seen[key]}行的答卷编号重复 (同一填答群体)")
                )
            else:
                seen[key] = row.number
                parsed.append(values)
        errors += problems
    if errors:
        raise ImportFailed(filename, errors)
    created, replaced = service.store_responses(session, questionnaire, parsed, source=filename)
    return ImportReport(created, replaced)


def import_responses_file(session: Session, scope: Scope, questionnaire_id: int, path: Path) -> ImportReport:
    """Imports responses from a file on disk (the CLI)."""
    return import_responses(session, scope, questionnaire_id, path.read_bytes(), path.name)


# --- export and template -------------------------------------------------------------------------


def headers(questionnaire: Questionnaire) -> list[str]:
    """The import layout of a questionnaire: fixed columns, then one per item (总体满意度 first)."""
    return [*FIXED, *(item_header(item) for item in questionnaire.items)]


def _notes(questionnaire: Questionnaire) -> list[str]:
    scale = f"{questionnaire.scale_min}–{questionnaire.scale_max}"
    labels = "; ".join(f"{k} {v}" for k, v in (questionnaire.scale_labels or {}).items())
    notes = [
        f"问卷「{questionnaire.title}」({questionnaire.target_name}, {questionnaire.conducted_on}) 答卷导入模板。",
        "第一行为表头, 从第二行起每行一份答卷。",
        f"* {KIND_COLUMN}: {' / '.join(questionnaire.kind_labels)}",
        f"* {CODE_COLUMN}: 匿名编号, 同一填答群体内不重复; 已导入的编号再次导入时替换原答卷",
        f"  {SCHOOL_COLUMN}: 可选; 须为"
        + ("该集团当学年的成员校" if questionnaire.group_id is not None else "该学区的学校"),
        f"答案: {scale} 的整数或选项名称 ({labels})" if labels else f"答案: {scale} 的整数",
        f"计为满意的选项: {questionnaire.satisfied_label}",
    ]
    for item in questionnaire.items:
        mark = "*" if item.is_overall else " "
        notes.append(f"{mark} {item.code}: {item.text}" + (" (必答)" if item.is_overall else " (可不答)"))
    notes.append(service.DEFINITION)
    notes.append(ALL_OR_NOTHING)
    return notes


def template_file(questionnaire: Questionnaire, fmt: str = "xlsx") -> bytes:
    """An empty import template for one questionnaire, with a sheet of instructions."""
    return write_table(fmt, headers(questionnaire), [], title="答卷", notes=_notes(questionnaire))


def export_file(session: Session, scope: Scope, questionnaire_id: int, fmt: str) -> bytes:
    """A questionnaire's responses in the import layout (for those who may write it)."""
    questionnaire = service.get_writable(session, scope, questionnaire_id, "导出答卷")
    rows = []
    for response in service.list_responses(session, scope, questionnaire_id):
        row: list[Any] = [
            RESPONDENT_LABELS[response.respondent_kind],
            response.respondent_code,
            response.school.code if response.school else None,
        ]
        for item in questionnaire.items:
            row.append(response.overall_answer if item.is_overall else response.answers.get(item.code))
        rows.append(row)
    return write_table(fmt, headers(questionnaire), rows, title="答卷")


def template_for(session: Session, scope: Scope, questionnaire_id: int, fmt: str) -> bytes:
    """The import template of a questionnaire in scope."""
    return template_file(service.get_questionnaire(session, scope, questionnaire_id), fmt)
