"""Import of one exam's results from .csv, .xlsx or .parquet, validated column-wise and written in bulk.

The file is read into Polars once (every column as text for .csv and .xlsx), every check runs on whole columns,
and the rows are written with the backend's bulk path: COPY on PostgreSQL (psycopg 3 `cursor.copy`),
multi-row INSERT statements on SQLite — never ORM objects.

All or nothing: any bad cell refuses the whole file, and the error lists every bad row with its row number (as
a spreadsheet shows it: the header is row 1), its column and the reason; nothing is written. Re-importing an
exam replaces its results atomically: the old rows are deleted and the new ones inserted in the caller's one
transaction, so readers see the old results until it commits and the new ones after, never a mix, and a failed
import leaves the old results as they were. Each import writes one audit entry (`exam_results`, the exam id).

Columns (Chinese headers; the English names in brackets are accepted too):

| header | | |
|---|---|---|
| 学籍号 (student_number) | required | the bureau's student number; one row per student and subject |
| 学校代码 (school_code) | required | a school of the region that teaches the exam's grade |
| 年级 (grade) | required | the exam's grade |
| 学科 (subject) | required | one of the exam's subjects |
| 成绩 (score) | required column | within the exam's score range; empty for an absent student |
| 等级 (level) | optional | 优秀 / 良好 / 合格 / 不合格; empty: derived from the score by the exam's cut scores |
| 前测成绩 (prior) | optional | prior attainment (e.g. last year's score), for value-added |
| 缺考 (absent) | optional | 是 / 否; empty: a row without score and level is absent |
| 性别 (sex) | optional | 男 / 女 (M / F) |
| 家庭社会经济地位 (ses) | optional | a number (the survey's socio-economic index) |
"""

from __future__ import annotations

import gc
import hashlib
import io
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl
from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from edugroup.core import audit
from edugroup.core.db import utcnow
from edugroup.core.errors import ImportFailed, RowError
from edugroup.core.sheets import ALL_OR_NOTHING, Column
from edugroup.core.tabular import write_table
from edugroup.monitoring.indicators import LEVELS, derive_levels
from edugroup.monitoring.models import Exam, ExamResult
from edugroup.org.models import School, Stage

SUFFIXES: Final = (".csv", ".xlsx", ".parquet")
MAX_LISTED_ERRORS: Final = 10_000
Progress = Callable[[float, str], None]


COLUMNS: Final = (
    Column("学籍号", "student_number", True, "学生的学籍号; 每名学生每个学科一行"),
    Column("学校代码", "school_code", True, "本区学校代码; 该校须开设本次考试的年级"),
    Column("年级", "grade", True, "本次考试的年级 (数字)"),
    Column("学科", "subject", True, "本次考试的学科之一"),
    Column("成绩", "score", True, "在本次考试的成绩范围内; 缺考留空"),
    Column("等级", "level", False, "优秀 / 良好 / 合格 / 不合格; 留空则按本次考试的分数线由成绩划定"),
    Column("前测成绩", "prior", False, "前测 (如上一年) 成绩, 用于增值评价"),
    Column("缺考", "absent", False, "是 / 否; 留空时, 既无成绩也无等级的行视为缺考"),
    Column("性别", "sex", False, "男 / 女"),
    Column("家庭社会经济地位", "ses", False, "数字 (问卷的家庭社会经济地位指数)"),
)
HEADERS: Final = {c.field: c.header for c in COLUMNS}
# A column is also found by its field name, the English header.
_BY_NAME: Final = {c.header: c for c in COLUMNS} | {c.field: c for c in COLUMNS}
_YES: Final = ("是", "缺考", "1", "true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "absent", "Absent")
_NO: Final = ("否", "0", "false", "False", "FALSE", "no", "No", "NO", "n", "N")
_BLANKS: Final = " \t\r\n\u3000"
_PADDED: Final = r"^$|^[\s\u3000]|[\s\u3000]$"
_SEX: Final = {"男": "M", "女": "F", "M": "M", "F": "F", "m": "M", "f": "F"}
# Grades each recorded school stage teaches (5-4-3 system: 1–5 primary, 6–9 junior, 10–12 senior).
GRADES: Final = {
    Stage.primary: (1, 5),
    Stage.junior: (6, 9),
    Stage.nine_year: (1, 9),
    Stage.senior: (10, 12),
    Stage.twelve_year: (1, 12),
}
STAGE_NAMES: Final = {
    Stage.primary: "小学",
    Stage.junior: "初中",
    Stage.nine_year: "九年一贯制学校",
    Stage.senior: "高中",
    Stage.twelve_year: "十二年一贯制学校",
}


@dataclass
class ImportReport:
    exam_id: int
    rows: int
    replaced: int
    students: int
    schools: int
    absent: int
    derived_levels: int
    seconds: float

    def summary(self) -> str:
        replaced = f", 替换原有 {self.replaced} 条" if self.replaced else ""
        return (
            f"成绩: 导入 {self.rows} 条 ({self.students} 名学生, {self.schools} 所学校, 缺考 {self.absent} 条, "
            f"由分数线划定等级 {self.derived_levels} 条){replaced}, 用时 {self.seconds:.1f} 秒"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam_id": self.exam_id,
            "rows": self.rows,
            "replaced": self.replaced,
            "students": self.students,
            "schools": self.schools,
            "absent": self.absent,
            "derived_levels": self.derived_levels,
            "seconds": round(self.seconds, 3),
            "message": self.summary(),
        }


def _noop(_fraction: float, _stage: str) -> None:
    return None


# --- reading -------------------------------------------------------------------------------------------------


def read_results_file(source: bytes | Path, filename: str) -> pl.DataFrame:
    """The file's columns renamed to field names, plus `row` (header = row 1); text columns stripped.

    Refuses (ImportFailed) an unknown file type, an unreadable file and a missing required column.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        shown = suffix or "(无扩展名)"
        raise ImportFailed(
            filename, [RowError(1, "文件", f"不支持的文件类型 {shown}: 请用 .csv、.xlsx 或 .parquet")]
        )
    try:
        if suffix == ".csv":
            frame = _read_csv(source, filename)
        elif suffix == ".xlsx":
            frame = _read_xlsx(source, filename)
        else:
            frame = pl.read_parquet(source if isinstance(source, Path) else io.BytesIO(source))
    except ImportFailed:
        raise
    except Exception as exc:  # polars and openpyxl raise many kinds for a damaged file
        raise ImportFailed(filename, [RowError(1, "文件", f"无法读取文件: {exc}")]) from exc
    renames: dict[str, str] = {}
    errors: list[RowError] = []
    for name in frame.columns:
        column = _BY_NAME.get(name.strip())
        if column is None:
            continue  # other columns are ignored
        if column.field in renames.values():
            errors.append(RowError(1, name, f"列「{column.header}」出现了不止一次"))
            continue
        renames[name] = column.field
    missing = [c.header for c in COLUMNS if c.required and c.field not in renames.values()]
    errors += [RowError(1, header, "缺少必填列") for header in missing]
    if errors:
        raise ImportFailed(filename, errors)
    frame = frame.select(pl.col(old).alias(new) for old, new in renames.items())
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    # Strip only the columns that need it: a check is a third of the cost of stripping every cell.
    padded = frame.select(pl.col(name).str.contains(_PADDED).any() for name in text).row(0) if text else ()
    frame = frame.with_columns(
        pl.col(name).str.strip_chars(_BLANKS).replace("", None)
        for name, needed in zip(text, padded, strict=True)
        if needed
    ).with_row_index("row", offset=2)
    return frame.with_columns(pl.col("row").cast(pl.Int64))


def _read_csv(source: bytes | Path, filename: str) -> pl.DataFrame:
    data = source.read_bytes() if isinstance(source, Path) else source
    if not data.strip():
        raise ImportFailed(filename, [RowError(1, "文件", "文件为空")])
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower():
            raise
    try:  # Excel on a Chinese Windows saves CSV as GB18030 (GBK)
        data = data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError:
        raise ImportFailed(filename, [RowError(1, "文件", "无法识别的文字编码: 请保存为 UTF-8")]) from None
    return pl.read_csv(io.BytesIO(data), infer_schema=False)


def _xlsx_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(source: bytes | Path, filename: str) -> pl.DataFrame:
    from openpyxl import load_workbook

    workbook = load_workbook(
        source if isinstance(source, Path) else io.BytesIO(source), read_only=True, data_only=True
    )
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        workbook.close()
        raise ImportFailed(filename, [RowError(1, "文件", "工作表为空")])
    names = [str(h).strip() if h is not None else f"(第{i + 1}列)" for i, h in enumerate(header)]
    columns: list[list[str | None]] = [[] for _ in names]
    for values in rows:
        for i in range(len(names)):
            columns[i].append(_xlsx_text(values[i]) if i < len(values) else None)
    workbook.close()
    return pl.DataFrame(
        {name: pl.Series(name, col, dtype=pl.String) for name, col in zip(names, columns, strict=True)}
    )


# --- validation ----------------------------------------------------------------------------------------------


def _number(name: str) -> tuple[pl.Expr, pl.Expr]:
    """(parsed Float64, the rows whose non-empty cell is not a finite number)."""
    raw = pl.col(name)
    parsed = raw.cast(pl.Float64, strict=False)
    bad = raw.is_not_null() & (parsed.is_null() | ~parsed.is_finite())
    return parsed, bad


def _text(frame: pl.DataFrame, name: str) -> pl.Expr:
    if frame.schema[name] == pl.String:
        return pl.col(name)
    if frame.schema[name].is_float():
        whole = pl.col(name) == pl.col(name).floor()
        as_int = pl.col(name).cast(pl.Int64, strict=False).cast(pl.String)
        return pl.when(whole).then(as_int).otherwise(pl.col(name).cast(pl.String))
    return pl.col(name).cast(pl.String)


def validate(
    frame: pl.DataFrame, exam: Exam, schools: pl.DataFrame
) -> tuple[pl.DataFrame, list[RowError], int]:
    """The typed result rows, and every bad cell (at most MAX_LISTED_ERRORS of them, plus the total count).

    `schools` holds the region's schools: code, school_id, stage. Every check runs on whole columns in one
    pass; messages are built only for the rows that break a check.
    """
    has = set(frame.columns)
    none_float, none_text, false = pl.lit(None, pl.Float64), pl.lit(None, pl.String), pl.lit(False)
    score, score_bad = _number("score")
    grade, grade_bad = _number("grade")
    prior, prior_bad = _number("prior") if "prior" in has else (none_float, false)
    ses, ses_bad = _number("ses") if "ses" in has else (none_float, false)
    codes = schools["code"].to_list()
    position = pl.col("school_code").cast(pl.Enum(codes), strict=False).to_physical()
    index = dict(enumerate(zip(schools["school_id"].to_list(), schools["stage"].to_list(), strict=True)))
    first_grade = {i: GRADES[Stage(stage)][0] for i, (_, stage) in index.items()}
    last_grade = {i: GRADES[Stage(stage)][1] for i, (_, stage) in index.items()}
    typed = frame.select(
        "row",
        student_number=_text(frame, "student_number"),
        school_code=_text(frame, "school_code"),
        grade=grade,
        grade_bad=grade_bad,
        subject=_text(frame, "subject"),
        score=score,
        score_bad=score_bad,
        level=_text(frame, "level") if "level" in has else none_text,
        prior=prior,
        prior_bad=prior_bad,
        absent_raw=_text(frame, "absent") if "absent" in has else none_text,
        sex_raw=_text(frame, "sex") if "sex" in has else none_text,
        ses=ses,
        ses_bad=ses_bad,
    ).with_columns(school_index=position)
    has_result = pl.col("score").is_not_null() | pl.col("level").is_not_null()
    absent_raw = pl.col("absent_raw")
    typed = typed.with_columns(
        school_id=pl.col("school_index").replace_strict(
            {i: v[0] for i, v in index.items()}, default=None, return_dtype=pl.Int64
        ),
        absent=pl.when(absent_raw.is_null())
        .then(~has_result)
        .when(absent_raw.is_in(_YES))
        .then(True)
        .when(absent_raw.is_in(_NO))
        .then(False),
    )
    low, high = exam.score_min, exam.score_max
    grade_missing = (
        pl.col("school_index").replace_strict(first_grade, default=None, return_dtype=pl.Int64) > exam.grade
    ) | (pl.col("school_index").replace_strict(last_grade, default=None, return_dtype=pl.Int64) < exam.grade)
    h = HEADERS
    # The cells as written, for the messages (joined to the bad rows only).
    raw_names = [name for name in ("grade", "score", "prior", "ses") if name in has]
    raw = {name: pl.col(f"{name}_raw").cast(pl.String) for name in raw_names}
    stage_name = pl.col("school_index").replace_strict(
        {i: STAGE_NAMES[Stage(v[1])] for i, v in index.items()}, default=None, return_dtype=pl.String
    )
    checks: list[tuple[str, pl.Expr, pl.Expr]] = [
        (h["student_number"], pl.col("student_number").is_null(), pl.lit("必填项为空")),
        (
            h["student_number"],
            pl.col("student_number").str.len_chars() > 32,
            pl.lit("学籍号不超过 32 个字符"),
        ),
        (h["school_code"], pl.col("school_code").is_null(), pl.lit("必填项为空")),
        (
            h["school_code"],
            pl.col("school_code").is_not_null() & pl.col("school_id").is_null(),
            pl.format("学校代码「{}」不存在 (不是本区学校)", pl.col("school_code")),
        ),
        (
            h["school_code"],
            grade_missing,
            pl.format("学校「{}」是{}, 没有 {} 年级", pl.col("school_code"), stage_name, pl.lit(exam.grade)),
        ),
        (h["grade"], pl.col("grade").is_null() & ~pl.col("grade_bad"), pl.lit("必填项为空")),
        (h["grade"], pl.col("grade_bad"), pl.format("「{}」不是数字", raw["grade"])),
        (
            h["grade"],
            pl.col("grade").is_not_null() & (pl.col("grade") != exam.grade),
            pl.format("年级 {} 与本次考试的年级 {} 不符", raw["grade"], pl.lit(exam.grade)),
        ),
        (h["subject"], pl.col("subject").is_null(), pl.lit("必填项为空")),
        (
            h["subject"],
            pl.col("subject").is_not_null() & ~pl.col("subject").is_in(exam.subjects),
            pl.format(
                "学科「{}」不是本次考试的学科 ({})", pl.col("subject"), pl.lit("/".join(exam.subjects))
            ),
        ),
        (h["score"], pl.col("score_bad"), pl.format("「{}」不是数字", raw["score"])),
        (
            h["score"],
            pl.col("score").is_not_null() & ((pl.col("score") < low) | (pl.col("score") > high)),
            pl.format(
                "成绩 {} 超出本次考试的成绩范围 {}–{}", raw["score"], pl.lit(f"{low:g}"), pl.lit(f"{high:g}")
            ),
        ),
        (
            h["level"],
            pl.col("level").is_not_null() & ~pl.col("level").is_in(LEVELS),
            pl.format("等级「{}」应为 {} 之一", pl.col("level"), pl.lit(" / ".join(LEVELS))),
        ),
        (h["prior"], pl.col("prior_bad"), pl.format("「{}」不是数字", raw.get("prior", none_text))),
        (
            h["absent"],
            absent_raw.is_not_null() & pl.col("absent").is_null(),
            pl.format("「{}」应为 是 / 否", absent_raw),
        ),
        (
            h["absent"],
            (pl.col("absent") == True) & has_result,  # noqa: E712  (a Polars expression)
            pl.lit("标记为缺考的行不应有成绩或等级"),
        ),
        (
            h["score"],
            (pl.col("absent") == False) & ~has_result,  # noqa: E712
            pl.lit("未标记缺考, 但成绩和等级都为空"),
        ),
        (
            h["sex"],
            pl.col("sex_raw").is_not_null() & ~pl.col("sex_raw").is_in(list(_SEX)),
            pl.format("「{}」应为 男 / 女", pl.col("sex_raw")),
        ),
        (h["ses"], pl.col("ses_bad"), pl.format("「{}」不是数字", raw.get("ses", none_text))),
    ]
    order = {header: i for i, header in enumerate(h.values())}
    flags = typed.select(
        *(condition.fill_null(False).alias(f"c{i}") for i, (_, condition, _) in enumerate(checks))
    )
    broken = flags.select(pl.any_horizontal(pl.all()).alias("any"))["any"]
    parts: list[pl.DataFrame] = []
    if broken.any():
        written = frame.select("row", *(pl.col(name).alias(f"{name}_raw") for name in raw_names))
        bad = typed.filter(broken).join(written, on="row", how="left")
        bad_flags = flags.filter(broken)
        parts = [
            bad.filter(bad_flags[f"c{i}"]).select(
                "row", column=pl.lit(header), order=pl.lit(order[header]), message=message
            )
            for i, (header, _, message) in enumerate(checks)
        ]
    parts += _duplicates(typed, order)
    found = (
        pl.concat(parts, how="vertical").sort("row", "order")
        if parts
        else pl.DataFrame(
            schema={"row": pl.Int64, "column": pl.String, "order": pl.Int32, "message": pl.String}
        )
    )
    errors = [
        RowError(row, column, message)
        for row, column, message in found.head(MAX_LISTED_ERRORS)
        .select("row", "column", "message")
        .iter_rows()
    ]
    if found.height > MAX_LISTED_ERRORS:
        errors.append(
            RowError(
                int(found["row"][MAX_LISTED_ERRORS]),
                "文件",
                f"另有 {found.height - MAX_LISTED_ERRORS} 处错误未列出 (只列出前 {MAX_LISTED_ERRORS} 处)",
            )
        )
    if frame.height == 0:
        errors.append(RowError(2, "文件", "没有数据行"))
    if errors:
        return typed.clear(), errors, found.height
    result = typed.select(
        "row",
        "student_number",
        "school_id",
        grade=pl.lit(exam.grade, pl.Int16),
        subject="subject",
        score="score",
        level="level",
        prior="prior",
        sat=~pl.col("absent"),
        sex=pl.col("sex_raw").replace_strict(_SEX, default=None, return_dtype=pl.String),
        ses="ses",
    )
    return result, [], 0


def _duplicates(typed: pl.DataFrame, order: dict[str, int]) -> list[pl.DataFrame]:
    """Rows repeating the (student, subject) of an earlier row, and rows giving a student another school.

    One sort of 64-bit keys finds whether there is any such row; only then are the rows concerned compared
    exactly (a hash collision costs that exact pass, never a wrong error).
    """
    h = HEADERS
    student, subject, school = pl.col("student_number"), pl.col("subject"), pl.col("school_code")
    keys = typed.select(
        who=student.hash(7),
        what=subject.hash(11),
        where=school.hash(13),
    ).sort("who", "what", "where")
    same_who = pl.col("who") == pl.col("who").shift(1)
    suspects = keys.select(
        repeated=(same_who & (pl.col("what") == pl.col("what").shift(1))).any(),
        moved=(same_who & (pl.col("where") != pl.col("where").shift(1))).any(),
    ).row(0)
    parts: list[pl.DataFrame] = []
    keyed = typed.filter(student.is_not_null())
    if suspects[0]:
        repeated = keyed.filter(subject.is_not_null() & pl.struct(student, subject).is_duplicated())
        parts.append(
            repeated.with_columns(first=pl.col("row").min().over(student, subject))
            .filter(pl.col("row") != pl.col("first"))
            .select(
                "row",
                column=pl.lit(h["subject"]),
                order=pl.lit(order[h["subject"]]),
                message=pl.format(
                    "与第{}行重复: 学生 {} 的{}成绩只能有一行", pl.col("first"), student, subject
                ),
            )
        )
    if suspects[1]:
        pairs = keyed.select(student, school).drop_nulls().unique()
        movers = pairs.filter(student.is_duplicated())["student_number"]
        rows = keyed.filter(student.is_in(movers.implode()) & school.is_not_null()).sort("row")
        parts.append(
            rows.with_columns(
                first_school=school.first().over(student), first_row=pl.col("row").first().over(student)
            )
            .filter(school != pl.col("first_school"))
            .select(
                "row",
                column=pl.lit(h["school_code"]),
                order=pl.lit(order[h["school_code"]]),
                message=pl.format(
                    "学生 {} 在第{}行属于学校「{}」, 一名学生只能属于一所学校",
                    student,
                    pl.col("first_row"),
                    pl.col("first_school"),
                ),
            )
        )
    return parts


def region_schools(session: Session, region_id: int) -> pl.DataFrame:
    """The region's schools: code, school_id, stage."""
    rows = session.execute(
        School.__table__.select()
        .with_only_columns(School.code, School.id, School.stage)
        .where(School.region_id == region_id)
    ).all()
    return pl.DataFrame(
        {
            "code": [r[0] for r in rows],
            "school_id": [r[1] for r in rows],
            "stage": [r[2].value if hasattr(r[2], "value") else r[2] for r in rows],
        },
        schema={"code": pl.String, "school_id": pl.Int64, "stage": pl.String},
    )


# --- writing -------------------------------------------------------------------------------------------------

_WRITTEN: Final = (
    "row",
    "student_number",
    "school_id",
    "subject",
    "score",
    "level",
    "prior",
    "sat",
    "sex",
    "ses",
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Millions of short-lived tuples would trigger the cyclic collector again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _columns_to_write(rows: pl.DataFrame) -> list[str]:
    """Optional covariates are written only when the file has any."""
    return [c for c in _WRITTEN if c not in ("sex", "ses", "prior") or rows[c].null_count() < rows.height]


def write_rows(
    session: Session, exam_id: int, grade: int, rows: pl.DataFrame, progress: Progress = _noop
) -> int:
    """Replace the exam's results by `rows` in the session's transaction; returns how many rows were replaced."""
    connection = session.connection()
    replaced = connection.execute(delete(ExamResult).where(ExamResult.exam_id == exam_id)).rowcount or 0
    columns = _columns_to_write(rows)
    dialect = connection.dialect.name
    raw = connection.connection.driver_connection
    if dialect == "postgresql":
        _copy_postgresql(raw, exam_id, grade, rows.select(columns), progress)
    elif dialect == "sqlite":
        _insert_sqlite(raw, exam_id, grade, rows.select(columns), progress)
    else:  # any other backend: SQLAlchemy executemany in chunks
        for start in range(0, rows.height, 50_000):
            part = rows.slice(start, 50_000).select(columns)
            values = [{"exam_id": exam_id, "grade": grade, **row} for row in part.iter_rows(named=True)]
            connection.execute(insert(ExamResult), values)
            progress(min(1.0, (start + part.height) / rows.height), "写入")
    return int(replaced)


def _quoted(names: list[str]) -> str:
    """Column names for raw SQL, quoted (`row` is a keyword)."""
    return ", ".join(f'"{name}"' for name in names)


def _copy_postgresql(raw: Any, exam_id: int, grade: int, rows: pl.DataFrame, progress: Progress) -> None:
    """COPY … FROM STDIN in CSV, 250,000 rows a chunk, inside the open transaction."""
    frame = rows.with_columns(exam_id=pl.lit(exam_id, pl.Int32), grade=pl.lit(grade, pl.Int16))
    names = ["exam_id", "grade", *rows.columns]
    statement = f"COPY exam_results ({_quoted(names)}) FROM STDIN (FORMAT csv)"
    chunk = 250_000
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, frame.height, chunk):
            part = frame.slice(start, chunk).select(names)
            copy.write(part.write_csv(include_header=False, null_value=""))
            progress(min(1.0, (start + part.height) / max(frame.height, 1)), "写入")


def _insert_sqlite(raw: Any, exam_id: int, grade: int, rows: pl.DataFrame, progress: Progress) -> None:
    """Multi-row INSERT statements (200 rows each) through the sqlite3 cursor, inside the open transaction."""
    width = rows.width
    per_statement = 200
    placeholders = "(" + ", ".join([str(exam_id), str(grade)] + ["?"] * width) + ")"
    head = f"INSERT INTO exam_results ({_quoted(['exam_id', 'grade', *rows.columns])}) VALUES "
    many = head + ", ".join([placeholders] * per_statement)
    chunk = 100_000
    cursor = raw.cursor()
    try:
        with gc_paused():
            for start in range(0, rows.height, chunk):
                part = rows.slice(start, chunk)
                flat: list[Any] = [None] * (part.height * width)
                for j, name in enumerate(part.columns):
                    flat[j::width] = part[name].to_list()
                step = per_statement * width
                full = (len(flat) // step) * step
                if full:
                    cursor.executemany(many, (flat[i : i + step] for i in range(0, full, step)))
                rest = len(flat) - full
                if rest:
                    tail = head + ", ".join([placeholders] * (rest // width))
                    cursor.execute(tail, flat[full:])
                progress(min(1.0, (start + part.height) / max(rows.height, 1)), "写入")
    finally:
        cursor.close()


# --- the import ----------------------------------------------------------------------------------------------


class _Digest:
    """SHA-256 of the file, computed in a thread while the import goes on."""

    def __init__(self, data: bytes) -> None:
        self._hash = hashlib.sha256()
        self._thread = threading.Thread(target=self._hash.update, args=(data,), daemon=True)
        self._thread.start()

    def hexdigest(self) -> str:
        self._thread.join()
        return self._hash.hexdigest()


def import_results(
    session: Session,
    exam: Exam,
    source: bytes | Path,
    filename: str,
    *,
    progress: Progress = _noop,
) -> ImportReport:
    """Validate the file and replace the exam's results with it (all rows or none); one audit entry.

    The caller checks that the user may import into `exam` (service.import_results does).
    """
    started = time.perf_counter()
    progress(0.0, "读取文件")
    data = source.read_bytes() if isinstance(source, Path) else source
    digest = _Digest(data)  # hashlib releases the GIL: the file's SHA-256 is computed meanwhile
    frame = read_results_file(data, filename)
    progress(0.10, "校验")
    schools = region_schools(session, exam.region_id)
    rows, errors, _ = validate(frame, exam, schools)
    if errors:
        raise ImportFailed(filename, errors)
    derived = int(rows.select((pl.col("level").is_null() & pl.col("score").is_not_null()).sum()).item())
    rows = derive_levels(rows, exam.cuts)
    progress(0.25, "写入")

    def writing(fraction: float, stage: str) -> None:
        progress(0.25 + 0.70 * fraction, stage)

    replaced = write_rows(session, exam.id, exam.grade, rows, writing)
    now = utcnow()
    session.execute(
        update(Exam)
        .where(Exam.id == exam.id)
        .values(results_count=rows.height, results_file=filename[:255], imported_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire(exam)
    report = ImportReport(
        exam_id=exam.id,
        rows=rows.height,
        replaced=replaced,
        students=rows["student_number"].n_unique(),
        schools=rows["school_id"].n_unique(),
        absent=int((~rows["sat"]).sum()),
        derived_levels=derived,
        seconds=time.perf_counter() - started,
    )
    audit.record(
        session,
        action="import",
        entity_type="exam_results",
        entity_id=str(exam.id),
        note=f"{filename}: {report.summary()}"[:500],
        after={"file": filename, "sha256": digest.hexdigest(), **report.to_dict()},
        region_id=exam.region_id,
    )
    progress(1.0, "完成")
    return report


# --- template and export -------------------------------------------------------------------------------------


def template_file(exam: Exam | None, fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers (and, in .xlsx, a sheet of instructions)."""
    notes = [
        "学业质量监测成绩导入模板: 第一行为表头, 从第二行起每名学生每个学科一行。也可上传 .csv 或 .parquet。",
        "带 * 的列为必填列。",
    ]
    notes += [f"{'*' if c.required else ' '} {c.header} ({c.field}): {c.help}" for c in COLUMNS]
    if exam is not None:
        notes.append(
            f"本次考试: {exam.name}, {exam.grade} 年级, 学科 {'/'.join(exam.subjects)}, 成绩范围 "
            f"{exam.score_min:g}–{exam.score_max:g}, 分数线 优秀 {exam.cut_excellent:g} / 良好 {exam.cut_good:g} / "
            f"合格 {exam.cut_pass:g}"
        )
    notes.append(ALL_OR_NOTHING)
    notes.append("再次导入同一考试的成绩会整体替换原有成绩 (在一个事务中完成)。")
    return write_table(fmt, EXPORT_HEADERS, [], title="成绩", notes=notes)


EXPORT_HEADERS: Final = [c.header for c in COLUMNS]


def export_frame(rows: pl.DataFrame, codes: dict[int, str]) -> pl.DataFrame:
    """Result rows (as `service.results_frame` reads them) in the import layout, so they import back."""
    return rows.select(
        pl.col("student_number").alias("学籍号"),
        pl.col("school_id").replace_strict(codes, default=None, return_dtype=pl.String).alias("学校代码"),
        pl.col("grade").alias("年级"),
        pl.col("subject").alias("学科"),
        pl.col("score").alias("成绩"),
        pl.col("level").alias("等级"),
        pl.col("prior").alias("前测成绩"),
        pl.when(pl.col("sat")).then(pl.lit("否")).otherwise(pl.lit("是")).alias("缺考"),
        pl.col("sex")
        .replace_strict({"M": "男", "F": "女"}, default=None, return_dtype=pl.String)
        .alias("性别"),
        pl.col("ses").alias("家庭社会经济地位"),
    )
