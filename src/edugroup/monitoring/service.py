"""Exams and their results: scoped reads, bureau-only writes, and indicators read column-wise from the database.

Who sees what. Exams (name, grade, subjects, cut scores) are facts of the region, listed to every user of it
except teachers. Results and indicators follow the user's scope: a bureau administrator sees every school,
group and district of its region; a group head the schools and groups of its scope; a school administrator its
own school (and the groups it belongs to). Region-wide figures (the region's pass rate, its difference rate) are
shown to all of them: HK-17 compares a group with the region. Teachers see no monitoring data (403). Objects of
another region answer 404. Only bureau administrators create exams and import results.

Indicators are computed by `indicators.compute_indicators` over the exam's rows, read with one SELECT into Polars
(COPY … TO STDOUT on PostgreSQL). A school's group and district are those of the exam day.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import polars as pl
from pydantic import ValidationError
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from edugroup.core import audit
from edugroup.core.errors import Conflict, Forbidden, InvalidInput
from edugroup.core.scope import Scope, check_found
from edugroup.monitoring import io as results_io
from edugroup.monitoring.indicators import INDICATOR_SCHEMA, compute_indicators, difference_rates
from edugroup.monitoring.models import EXAM_STAGE_LABELS, Exam, ExamResult, ExamStage, stage_of_grade
from edugroup.monitoring.schemas import ExamCreate, ExamUpdate
from edugroup.monitoring.value_added import fit_reml, school_sums
from edugroup.org.models import District, Group, Membership, Region, School

INDICATOR_COLUMNS: Final = ("school_id", "subject", "score", "level", "sat")
RESULT_SCHEMA: Final = pl.Schema(
    {
        "exam_id": pl.Int64,
        "row": pl.Int64,
        "student_number": pl.String,
        "school_id": pl.Int64,
        "grade": pl.Int64,
        "subject": pl.String,
        "score": pl.Float64,
        "level": pl.String,
        "prior": pl.Float64,
        "sat": pl.Boolean,
        "sex": pl.String,
        "ses": pl.Float64,
    }
)
_FIXED_AFTER_IMPORT: Final = (
    "grade",
    "stage",
    "subjects",
    "score_min",
    "score_max",
    "cut_excellent",
    "cut_good",
    "cut_pass",
)

# --- scope ---------------------------------------------------------------------------------------------------


def can_read(scope: Scope) -> bool:
    """Teachers see no monitoring data; every other role its scope."""
    return scope.manages_schools and scope.region_id is not None


def require_reader(scope: Scope) -> None:
    """Refuse teachers (403)."""
    if not can_read(scope):
        raise Forbidden("学业质量监测数据仅限教育局、集团和学校管理员查看")


def visible_school_ids(scope: Scope) -> frozenset[int] | None:
    """The schools whose results the user sees; None for all schools of the region."""
    return None if scope.is_bureau else scope.school_ids


# --- exams ---------------------------------------------------------------------------------------------------


def list_exams(session: Session, scope: Scope, *, school_year: int | None = None) -> list[Exam]:
    """The region's exams, newest first."""
    require_reader(scope)
    stmt = select(Exam).where(Exam.region_id == scope.region_id)
    if school_year is not None:
        stmt = stmt.where(Exam.school_year == school_year)
    return list(session.scalars(stmt.order_by(Exam.school_year.desc(), Exam.held_on.desc(), Exam.id.desc())))


def get_exam(session: Session, scope: Scope, exam_id: int) -> Exam:
    """Gets an exam of the user's region."""
    exam = session.get(Exam, exam_id)
    scope.visible_region(exam, "考试", exam_id)
    require_reader(scope)
    assert exam is not None
    return exam


def _refuse_duplicate(
    session: Session, region_id: int, school_year: int, name: str, exam_id: int | None
) -> None:
    stmt = select(Exam.id).where(
        Exam.region_id == region_id, Exam.school_year == school_year, Exam.name == name
    )
    found = session.scalar(stmt)
    if found is not None and found != exam_id:
        raise Conflict(f"{school_year}学年已有名为「{name}」的考试 (编号 {found})", field="name")


def create_exam(session: Session, scope: Scope, data: ExamCreate) -> Exam:
    """Records an exam of the bureau administrator's region."""
    scope.require_bureau("新建考试")
    assert scope.region_id is not None
    _refuse_duplicate(session, scope.region_id, data.school_year, data.name, None)
    values = data.model_dump()
    values["stage"] = data.stage or stage_of_grade(data.grade)
    exam = Exam(region_id=scope.region_id, results_count=0, **values)
    session.add(exam)
    session.flush()
    return exam


def update_exam(session: Session, scope: Scope, exam_id: int, data: ExamUpdate) -> Exam:
    """Changes an exam; its grade, subjects, score range and cut scores are fixed once results exist."""
    exam = get_exam(session, scope, exam_id)
    scope.require_bureau("修改考试")
    changes = data.model_dump(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "note"}
    fixed = [k for k in _FIXED_AFTER_IMPORT if k in changes and changes[k] != getattr(exam, k)]
    if fixed and exam.results_count:
        raise Conflict(
            "已导入成绩的考试不能修改年级、学段、学科、成绩范围或分数线; 请先删除成绩后重新导入",
            field=fixed[0],
        )
    merged = {c: getattr(exam, c) for c in ExamCreate.model_fields if c != "stage"} | changes
    try:
        ExamCreate.model_validate({k: v for k, v in merged.items() if k in ExamCreate.model_fields})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        raise InvalidInput(str(first["msg"]).removeprefix("Value error, "), field=field) from None
    _refuse_duplicate(session, exam.region_id, merged["school_year"], merged["name"], exam.id)
    if "grade" in changes and "stage" not in changes:
        changes["stage"] = stage_of_grade(changes["grade"])
    for key, value in changes.items():
        setattr(exam, key, value)
    session.flush()
    return exam


def delete_results(session: Session, scope: Scope, exam_id: int) -> int:
    """Deletes an exam's results (one audit entry); returns how many rows went."""
    exam = get_exam(session, scope, exam_id)
    scope.require_bureau("删除成绩")
    gone = session.connection().execute(delete(ExamResult).where(ExamResult.exam_id == exam.id)).rowcount
    exam.results_count = 0
    exam.results_file = None
    exam.imported_at = None
    audit.record(
        session,
        action="delete",
        entity_type="exam_results",
        entity_id=str(exam.id),
        note=f"删除考试「{exam.name}」的 {gone} 条成绩",
        region_id=exam.region_id,
    )
    session.flush()
    return int(gone)


def delete_exam(session: Session, scope: Scope, exam_id: int) -> None:
    """Deletes an exam and its results."""
    exam = get_exam(session, scope, exam_id)
    scope.require_bureau("删除考试")
    if exam.results_count:
        delete_results(session, scope, exam_id)
    session.delete(exam)
    session.flush()


def import_results(
    session: Session,
    scope: Scope,
    exam_id: int,
    source: bytes | Path,
    filename: str,
    *,
    progress: results_io.Progress | None = None,
) -> results_io.ImportReport:
    """Replaces the exam's results with the file's rows (all or none; see `io`)."""
    exam = get_exam(session, scope, exam_id)
    scope.require_bureau("导入成绩")
    return results_io.import_results(session, exam, source, filename, progress=progress or results_io._noop)


# --- reading results column-wise -----------------------------------------------------------------------------


def results_frame(
    session: Session,
    exam_ids: Sequence[int],
    columns: Sequence[str] = INDICATOR_COLUMNS,
    *,
    school_ids: Iterable[int] | None = None,
) -> pl.DataFrame:
    """The exams' result rows, `columns` only, read with one SELECT into Polars (no ORM objects)."""
    unknown = [c for c in columns if c not in RESULT_SCHEMA]
    if unknown:
        raise InvalidInput(f"unknown result columns: {', '.join(unknown)}", field="columns")
    schema = pl.Schema({c: RESULT_SCHEMA[c] for c in columns})
    if not exam_ids:
        return schema.to_frame()
    table = ExamResult.__table__
    stmt = (
        select(*(table.c[c] for c in columns))
        .where(table.c.exam_id.in_(list(exam_ids)))
        .order_by(table.c.exam_id, table.c.row)
    )
    if school_ids is not None:
        stmt = stmt.where(table.c.school_id.in_(list(school_ids)))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
        buffer = io.BytesIO()
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:  # type: ignore[union-attr]
            for block in copy:
                buffer.write(block)
        if buffer.tell() == 0:
            return schema.to_frame()
        buffer.seek(0)
        frame = pl.read_csv(
            buffer,
            has_header=False,
            new_columns=list(columns),
            schema_overrides={
                c: (pl.String if dtype == pl.Boolean else dtype) for c, dtype in schema.items()
            },
        )
        return frame.with_columns(pl.col(c) == "t" for c, dtype in schema.items() if dtype == pl.Boolean)
    result = connection.execute(stmt)
    frames = []
    with results_io.gc_paused():  # millions of row tuples would wake the cyclic collector again and again
        while rows := result.fetchmany(500_000):
            frames.append(pl.DataFrame(rows, schema=schema, orient="row"))
    return pl.concat(frames) if frames else schema.to_frame()


# --- indicators ----------------------------------------------------------------------------------------------


def links_on(session: Session, region_id: int, day: date) -> pl.DataFrame:
    """school_id → unit key on a day: "g:<group id>" for each group the school belongs to, "d:<id>" its district."""
    memberships = session.execute(
        select(Membership.school_id, Membership.group_id)
        .join(Group, Group.id == Membership.group_id)
        .where(
            Group.region_id == region_id,
            Membership.start_date <= day,
            or_(Membership.end_date.is_(None), Membership.end_date >= day),
        )
    ).all()
    districts = session.execute(
        select(School.id, School.district_id).where(
            School.region_id == region_id, School.district_id.is_not(None)
        )
    ).all()
    keys = [(s, f"g:{g}") for s, g in memberships] + [(s, f"d:{d}") for s, d in districts]
    return pl.DataFrame(
        {"school_id": [k[0] for k in keys], "group_id": [k[1] for k in keys]},
        schema={"school_id": pl.Int64, "group_id": pl.String},
    )


@dataclass(frozen=True)
class Figures:
    """Indicators of one stage's results: `indicators` (level school/group/district/region) and `differences`."""

    stage: ExamStage
    exam_ids: tuple[int, ...]
    indicators: pl.DataFrame
    differences: pl.DataFrame


def _split_units(frame: pl.DataFrame) -> pl.DataFrame:
    """Unit keys "g:…" / "d:…" back to levels group / district with integer ids."""
    key = pl.col("entity_id")
    return frame.with_columns(
        level=pl.when(key.str.starts_with("d:")).then(pl.lit("district")).otherwise(pl.col("level")),
        entity_id=pl.when(key.str.contains(":"))
        .then(key.str.split(":").list.get(1))
        .otherwise(key)
        .cast(pl.Int64),
    )


_FIGURES: OrderedDict[tuple[Any, ...], Figures] = OrderedDict()
_FIGURES_LOCK = threading.Lock()
_FIGURES_KEPT = 16


def figures(
    session: Session, region_id: int, stage: ExamStage, exams: Sequence[Exam], *, day: date | None = None
) -> Figures:
    """Indicators and difference rates of the results of `exams` (one stage), from the rows in the database.

    Groups and districts are those of `day` (default: the last exam's day). The last few results are kept in
    the process, keyed by the exams, their import times and the memberships read: a re-import or a change
    of membership computes afresh.
    """
    exam_ids = tuple(e.id for e in exams)
    day = day or max(e.held_on for e in exams)
    links = links_on(session, region_id, day)
    key = (
        id(session.get_bind().engine),
        region_id,
        stage,
        exam_ids,
        tuple((e.imported_at, e.results_count) for e in exams),
        day,
        int(links.hash_rows().sum()) if links.height else 0,
        links.height,
    )
    with _FIGURES_LOCK:
        if key in _FIGURES:
            _FIGURES.move_to_end(key)
            return _FIGURES[key]
    found = _figures(session, region_id, stage, exam_ids, links)
    with _FIGURES_LOCK:
        _FIGURES[key] = found
        while len(_FIGURES) > _FIGURES_KEPT:
            _FIGURES.popitem(last=False)
    return found


def _figures(
    session: Session, region_id: int, stage: ExamStage, exam_ids: tuple[int, ...], links: pl.DataFrame
) -> Figures:
    results = results_frame(session, exam_ids)
    schools = results.select(pl.col("school_id").unique()).with_columns(stage=pl.lit(stage.value))
    raw = compute_indicators(results, schools, links, region_id=region_id)
    raw = raw.filter(pl.col("stage").is_not_null() & (pl.col("level") != "stage"))
    by_mean = difference_rates(raw, memberships=links, region_id=region_id)
    by_pass = difference_rates(
        raw, memberships=links, region_id=region_id, result="pass_rate", counted="enrolled"
    )
    by_tested = difference_rates(
        raw, memberships=links, region_id=region_id, result="pass_rate", counted="tested"
    )
    keys = ["level", "entity_id", "stage", "subject"]
    differences = (
        by_mean.rename({"cv": "cv_mean"})
        .join(by_pass.select(*keys, cv_pass_rate="cv"), on=keys, how="left")
        .join(by_tested.select(*keys, cv_pass_rate_tested="cv"), on=keys, how="left")
    )
    table = _split_units(raw)
    differences = _split_units(differences)
    return Figures(stage, exam_ids, table, differences)


def between_school_shares(session: Session, region_id: int, exams: Sequence[Exam], day: date) -> pl.DataFrame:
    """Between-school variance share τ² / (τ² + σ²) of the scores (REML, intercept only), per unit and subject."""
    results = results_frame(session, [e.id for e in exams], ("school_id", "subject", "score")).drop_nulls(
        "score"
    )
    links = links_on(session, region_id, day)
    units = pl.concat(
        [
            results.join(links, on="school_id", how="inner").rename({"group_id": "unit"}),
            results.with_columns(unit=pl.lit(f"r:{region_id}")),
        ],
        how="vertical",
    )
    rows: list[dict[str, Any]] = []
    for (unit, subject), part in units.group_by("unit", "subject", maintain_order=True):
        codes, index = np.unique(part["school_id"].to_numpy(), return_inverse=True)
        if len(codes) < 2:
            continue
        y = part["score"].to_numpy().astype(np.float64)
        fit = fit_reml(school_sums(np.empty((len(y), 0)), y, index.astype(np.intp), len(codes)))
        total = fit.school_variance + fit.residual_variance
        kind, ident = str(unit).split(":")
        rows.append(
            {
                "level": {"g": "group", "d": "district", "r": "region"}[kind],
                "entity_id": int(ident),
                "subject": subject,
                "n_schools": len(codes),
                "share": fit.school_variance / total if total > 0 else None,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "level": pl.String,
            "entity_id": pl.Int64,
            "subject": pl.String,
            "n_schools": pl.Int64,
            "share": pl.Float64,
        },
    )


def names(session: Session, region_id: int) -> dict[tuple[str, int], str]:
    """Names of the region's schools, groups, districts and the region, by (level, id)."""
    found: dict[tuple[str, int], str] = {}
    for school_id, name in session.execute(
        select(School.id, School.name).where(School.region_id == region_id)
    ):
        found[("school", school_id)] = name
    for group_id, name in session.execute(select(Group.id, Group.name).where(Group.region_id == region_id)):
        found[("group", group_id)] = name
    for district_id, name in session.execute(
        select(District.id, District.name).where(District.region_id == region_id)
    ):
        found[("district", district_id)] = name
    region = session.get(Region, region_id)
    if region is not None:
        found[("region", region_id)] = region.name
    return found


def scope_filter(frame: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    """The rows of an indicator or difference frame the user may see (region rows are shown to all readers)."""
    if scope.is_bureau:
        return frame
    level, ident = pl.col("level"), pl.col("entity_id")
    return frame.filter(
        (level == "region")
        | ((level == "school") & ident.is_in(list(scope.school_ids)))
        | ((level == "group") & ident.is_in(list(scope.group_ids)))
    )


def _named(frame: pl.DataFrame, labels: dict[tuple[str, int], str]) -> pl.DataFrame:
    keys = [f"{level}:{ident}" for level, ident in labels]
    mapping = dict(zip(keys, labels.values(), strict=True))
    return frame.with_columns(
        entity_name=pl.concat_str(
            pl.col("level"), pl.lit(":"), pl.col("entity_id").cast(pl.String)
        ).replace_strict(mapping, default="", return_dtype=pl.String)
    )


def exam_indicators(session: Session, scope: Scope, exam_id: int) -> tuple[Exam, pl.DataFrame, pl.DataFrame]:
    """The exam's indicators and difference rates, named and restricted to the user's scope."""
    exam = get_exam(session, scope, exam_id)
    found = figures(session, exam.region_id, exam.stage, [exam])
    labels = names(session, exam.region_id)
    return (
        exam,
        _named(scope_filter(found.indicators, scope), labels),
        _named(scope_filter(found.differences, scope), labels),
    )


def check_unit(session: Session, scope: Scope, level: str, entity_id: int) -> str:
    """The name of a group, district, school or the region the user may see; 404 otherwise."""
    require_reader(scope)
    models: dict[str, type[Any]] = {"group": Group, "district": District, "school": School, "region": Region}
    model = models[level]
    obj = session.get(model, entity_id)
    region_id = getattr(obj, "region_id", None) if level != "region" else entity_id
    if level == "group":
        visible = obj is not None and scope.can_see_group(entity_id, region_id)  # type: ignore[arg-type]
    elif level == "school":
        visible = obj is not None and scope.can_see_school(entity_id, region_id)  # type: ignore[arg-type]
    elif level == "district":
        visible = obj is not None and scope.is_bureau and scope.can_see_region(region_id)  # type: ignore[arg-type]
    else:
        visible = obj is not None and scope.can_see_region(entity_id)
    check_found(
        visible, {"group": "集团", "district": "学区", "school": "学校", "region": "区"}[level], entity_id
    )
    assert obj is not None
    return str(obj.name)


@dataclass(frozen=True)
class UnitReport:
    """A group's or the region's monitoring page: per counting exam, its figures for the unit and its schools."""

    level: str
    entity_id: int
    name: str
    exams: list[Exam]
    exam: Exam | None
    indicators: pl.DataFrame  # the chosen exam: the unit's rows, its schools' rows and the region's rows
    differences: pl.DataFrame  # the chosen exam: the unit's difference rates (and the region's)
    trend: pl.DataFrame  # every exam of the same grade: the unit's and the region's rows, with school_year


def unit_report(
    session: Session, scope: Scope, level: str, entity_id: int, *, exam_id: int | None = None
) -> UnitReport:
    """What a group's (or district's, or the region's) monitoring page shows, in the user's scope."""
    name = check_unit(session, scope, level, entity_id)
    assert scope.region_id is not None
    if exam_id is not None:
        get_exam(session, scope, exam_id)  # 404 for an exam of another region
    exams = exams_of_unit(session, scope, level, entity_id)
    exam = next((e for e in exams if e.id == exam_id), None) if exam_id is not None else None
    exam = exam or (exams[0] if exams and exam_id is None else None)
    labels = names(session, scope.region_id)
    empty = _named(scope_filter(_empty_indicators(), scope), labels)
    if exam is None:
        return UnitReport(level, entity_id, name, exams, None, empty, empty, empty)
    found = figures(session, exam.region_id, exam.stage, [exam])
    schools_of_unit = _schools_of(found.indicators, session, scope.region_id, level, entity_id, exam.held_on)
    unit = (pl.col("level") == level) & (pl.col("entity_id") == entity_id)
    region = pl.col("level") == "region"
    school = (pl.col("level") == "school") & pl.col("entity_id").is_in(schools_of_unit)
    units = pl.col("level").is_in(["group", "district"]) if level == "region" else pl.lit(False)
    indicators = _named(scope_filter(found.indicators.filter(unit | region | school | units), scope), labels)
    differences = _named(scope_filter(found.differences.filter(unit | region | units), scope), labels)
    trend_parts = []
    for other in sorted(
        (e for e in exams if e.grade == exam.grade and e.counts_for_monitoring == exam.counts_for_monitoring),
        key=lambda e: (e.school_year, e.held_on),
    ):
        rows = figures(session, other.region_id, other.stage, [other]).indicators.filter(unit | region)
        trend_parts.append(rows.with_columns(school_year=pl.lit(other.school_year), exam_id=pl.lit(other.id)))
    trend = _named(scope_filter(pl.concat(trend_parts, how="vertical"), scope), labels)
    return UnitReport(level, entity_id, name, exams, exam, indicators, differences, trend)


def exams_of_unit(session: Session, scope: Scope, level: str, entity_id: int) -> list[Exam]:
    """The region's exams (newest first) with results of at least one school of the unit on the exam day."""
    exams = [e for e in list_exams(session, scope) if e.results_count]
    if level == "region":
        return exams
    key = f"{'g' if level == 'group' else 'd'}:{entity_id}"
    found = []
    for exam in exams:
        links = links_on(session, exam.region_id, exam.held_on)
        schools = links.filter(pl.col("group_id") == key)["school_id"].to_list()
        if schools and session.scalar(
            select(ExamResult.row)
            .where(ExamResult.exam_id == exam.id, ExamResult.school_id.in_(schools))
            .limit(1)
        ):
            found.append(exam)
    return found


def _empty_indicators() -> pl.DataFrame:
    return INDICATOR_SCHEMA.to_frame().with_columns(pl.col("entity_id").cast(pl.Int64))


def _schools_of(
    table: pl.DataFrame, session: Session, region_id: int, level: str, entity_id: int, day: date
) -> list[int]:
    if level == "region":
        return table.filter(pl.col("level") == "school")["entity_id"].to_list()
    key = f"{'g' if level == 'group' else 'd'}:{entity_id}"
    links = links_on(session, region_id, day)
    return links.filter(pl.col("group_id") == key)["school_id"].to_list()


def stage_label(stage: str | None) -> str:
    """小学 / 初中 / 高中 for a stage value."""
    try:
        return EXAM_STAGE_LABELS[ExamStage(stage)] if stage else "全学段"
    except ValueError:
        return str(stage)


def results_export(session: Session, scope: Scope, exam_id: int) -> tuple[Exam, pl.DataFrame]:
    """The exam's result rows the user may see, in the import layout."""
    exam = get_exam(session, scope, exam_id)
    columns = (
        "student_number",
        "school_id",
        "grade",
        "subject",
        "score",
        "level",
        "prior",
        "sat",
        "sex",
        "ses",
    )
    rows = results_frame(session, [exam.id], columns, school_ids=visible_school_ids(scope))
    codes = dict(
        session.execute(select(School.id, School.code).where(School.region_id == exam.region_id)).all()
    )
    return exam, results_io.export_frame(rows, codes)
