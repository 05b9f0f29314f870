"""The science-literacy index (虹优指数) and the student profile (数字画像), HK-26; quality per collaborative, HD-04.

Index. A region configures it once (`ScienceIndexConfig`): the exam grade, the components (exam subjects with
weights) and the scale. For an exam of that grade, a student's index is Σ w_k · s_k / Σ w_k, where s_k is the
student's score in component k rescaled to 0–scale (score_min → 0, score_max → scale); a student absent from
or without a score in any component has no index (never a partial one). A school's index is the mean of its
students' indices, with their number. Computed column-wise over the exam's rows.

Profile. A student's results are the rows of the region's exams with the student's number (the bureau's
学籍号), across years. There is no shared-course domain yet, and activities name participating schools and
teachers, not students: the profile says so, and lists the activities of the student's school labelled as such.

Scope. A bureau administrator sees every student of its region, a group head the students of its group's
schools, a school administrator its own school's. Teachers see no student profile (as for the monitoring
data: 403); an out-of-scope student answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.activities.models import Activity, ActivitySchool
from edugroup.core.errors import InvalidInput, NotFound
from edugroup.core.scope import Scope, check_found
from edugroup.monitoring import service
from edugroup.monitoring.models import Exam, ExamResult, ScienceIndexConfig
from edugroup.org.models import School, Student

NO_COURSES = "暂无共享课程记录 (共享课程功能尚未上线)"
STUDENT_LIMIT = 200


class IndexComponent(BaseModel):
    subject: str = Field(min_length=1, max_length=20)
    weight: float = Field(gt=0)


class IndexConfigWrite(BaseModel):
    """The index's configuration as the bureau writes it."""

    name: str = Field(default="虹优指数", min_length=1, max_length=50)
    grade: int = Field(ge=1, le=12)
    components: list[IndexComponent] = Field(min_length=1)
    scale_max: float = Field(default=100.0, gt=0)
    note: str | None = Field(default=None, max_length=500)

    @field_validator("components")
    @classmethod
    def _distinct(cls, value: list[IndexComponent]) -> list[IndexComponent]:
        subjects = [c.subject for c in value]
        if len(set(subjects)) != len(subjects):
            raise ValueError("每个学科只能作为一个组成部分")
        return value


# --- configuration ---------------------------------------------------------------------------------------


def get_index_config(session: Session, scope: Scope) -> ScienceIndexConfig | None:
    """The region's index configuration (None when the region has none)."""
    service.require_reader(scope)
    return session.scalar(select(ScienceIndexConfig).where(ScienceIndexConfig.region_id == scope.region_id))


def set_index_config(session: Session, scope: Scope, data: IndexConfigWrite) -> ScienceIndexConfig:
    """Creates or replaces the region's index configuration (bureau administrators)."""
    scope.require_bureau("设置虹优指数")
    assert scope.region_id is not None
    config = get_index_config(session, scope)
    if config is None:
        config = ScienceIndexConfig(region_id=scope.region_id)
        session.add(config)
    config.name = data.name
    config.grade = data.grade
    config.components = [c.model_dump() for c in data.components]
    config.scale_max = data.scale_max
    config.note = data.note
    session.flush()
    return config


# --- the index, column-wise ------------------------------------------------------------------------------


def student_index(results: pl.DataFrame, exam: Exam, config: ScienceIndexConfig) -> pl.DataFrame:
    """Index per student (student_number, school_id, index) from rows (student_number, school_id, subject, score)."""
    weights = {str(c["subject"]): float(c["weight"]) for c in config.components}  # type: ignore[arg-type]
    missing = [s for s in weights if s not in exam.subjects]
    if missing:
        raise InvalidInput(f"考试「{exam.name}」没有学科: {', '.join(missing)}", field="components")
    span = exam.score_max - exam.score_min
    scaled = (pl.col("score") - exam.score_min) / span * config.scale_max
    rows = results.filter(pl.col("subject").is_in(list(weights))).with_columns(
        w=pl.col("subject").replace_strict(weights, return_dtype=pl.Float64), s=scaled
    )
    return (
        rows.group_by("student_number", "school_id")
        .agg(
            complete=(pl.col("s").is_not_null().sum() == len(weights)),
            index=(pl.col("w") * pl.col("s")).sum() / sum(weights.values()),
        )
        .with_columns(index=pl.when(pl.col("complete")).then(pl.col("index")).otherwise(None))
        .drop("complete")
        .sort("school_id", "student_number")
    )


def school_index(students: pl.DataFrame) -> pl.DataFrame:
    """Mean index per school over its students with an index (school_id, index, n)."""
    return (
        students.drop_nulls("index")
        .group_by("school_id")
        .agg(index=pl.col("index").mean(), n=pl.len())
        .sort("school_id")
    )


@dataclass(frozen=True)
class IndexReport:
    config: ScienceIndexConfig
    exam: Exam
    schools: pl.DataFrame  # school_id, entity_name, index, n (in scope)


def exam_index(session: Session, scope: Scope, exam_id: int) -> IndexReport:
    """The schools' index in an exam (of the configured grade), in the user's scope."""
    exam = service.get_exam(session, scope, exam_id)
    config = get_index_config(session, scope)
    if config is None:
        raise NotFound("本区尚未设置虹优指数")
    if exam.grade != config.grade:
        raise InvalidInput(f"{config.name}按 {config.grade} 年级的考试计算", field="exam_id")
    rows = service.results_frame(session, [exam.id], ("student_number", "school_id", "subject", "score"))
    schools = school_index(student_index(rows, exam, config))
    visible = service.visible_school_ids(scope)
    if visible is not None:
        schools = schools.filter(pl.col("school_id").is_in(list(visible)))
    labels = service.names(session, exam.region_id)
    schools = schools.with_columns(
        entity_name=pl.col("school_id").replace_strict(
            {k[1]: v for k, v in labels.items() if k[0] == "school"}, default="", return_dtype=pl.String
        )
    )
    return IndexReport(config, exam, schools)


# --- students and their profile --------------------------------------------------------------------------


def _check_reader(scope: Scope) -> None:
    service.require_reader(scope)


def list_students(
    session: Session, scope: Scope, *, school_id: int | None = None, q: str | None = None
) -> list[Student]:
    """Students in the user's scope (at most STUDENT_LIMIT), by school and number."""
    _check_reader(scope)
    stmt = select(Student).where(Student.region_id == scope.region_id)
    visible = service.visible_school_ids(scope)
    if visible is not None:
        stmt = stmt.where(Student.school_id.in_(list(visible)))
    if school_id is not None:
        stmt = stmt.where(Student.school_id == school_id)
    if q:
        stmt = stmt.where(Student.name.contains(q) | Student.student_number.contains(q))
    return list(
        session.scalars(stmt.order_by(Student.school_id, Student.student_number).limit(STUDENT_LIMIT))
    )


def get_student(session: Session, scope: Scope, student_id: int) -> Student:
    """A student the user may see; 404 otherwise (teachers: 403)."""
    student = session.get(Student, student_id)
    check_found(
        student is not None and scope.can_see_school(student.school_id, student.region_id), "学生", student_id
    )
    _check_reader(scope)
    assert student is not None
    return student


@dataclass(frozen=True)
class Profile:
    """What the 数字画像 page shows."""

    student: Student
    school: School
    results: list[dict[str, Any]]  # per exam: exam, school year, subjects with score and level, index
    index_name: str | None
    courses_note: str
    school_activities: list[Activity]
    activities_note: str


def profile(session: Session, scope: Scope, student_id: int) -> Profile:
    """A student's results across years, the index where configured, courses and activities (HK-26)."""
    student = get_student(session, scope, student_id)
    school = session.get(School, student.school_id)
    assert school is not None
    table = ExamResult.__table__
    exams = {e.id: e for e in session.scalars(select(Exam).where(Exam.region_id == student.region_id))}
    rows = session.execute(
        select(table.c.exam_id, table.c.subject, table.c.score, table.c.level, table.c.sat).where(
            table.c.exam_id.in_(list(exams)), table.c.student_number == student.student_number
        )
    ).all()
    config = get_index_config(session, scope)
    by_exam: dict[int, dict[str, Any]] = {}
    for exam_id, subject, score, level, sat in rows:
        exam = exams[exam_id]
        entry = by_exam.setdefault(exam_id, {"exam": exam, "subjects": {}, "index": None})
        entry["subjects"][subject] = {"score": score, "level": level, "sat": sat}
    for entry in by_exam.values():
        exam = entry["exam"]
        if config is not None and exam.grade == config.grade:
            frame = pl.DataFrame(
                [
                    (student.student_number, student.school_id, subject, cell["score"])
                    for subject, cell in entry["subjects"].items()
                ],
                schema={
                    "student_number": pl.String,
                    "school_id": pl.Int64,
                    "subject": pl.String,
                    "score": pl.Float64,
                },
                orient="row",
            )
            try:
                found = student_index(frame, exam, config)
            except InvalidInput:
                found = pl.DataFrame()
            entry["index"] = found["index"][0] if found.height else None
    results = sorted(by_exam.values(), key=lambda e: (e["exam"].school_year, e["exam"].held_on))
    activities = list(
        session.scalars(
            select(Activity)
            .join(ActivitySchool, ActivitySchool.activity_id == Activity.id)
            .where(ActivitySchool.school_id == school.id)
            .order_by(Activity.occurred_on.desc(), Activity.id.desc())
            .limit(50)
        )
    )
    return Profile(
        student=student,
        school=school,
        results=results,
        index_name=config.name if config else None,
        courses_note=NO_COURSES,
        school_activities=activities,
        activities_note="活动记录只登记参与的学校和教师, 未记录学生; 以下为本校参与的活动, 不表示该生本人参加。",
    )


def profile_dict(found: Profile) -> dict[str, Any]:
    """The profile as the API returns it."""
    return {
        "student": {
            "id": found.student.id,
            "student_number": found.student.student_number,
            "name": found.student.name,
            "grade": found.student.grade,
            "school_id": found.school.id,
            "school_name": found.school.name,
        },
        "results": [
            {
                "exam_id": r["exam"].id,
                "exam_name": r["exam"].name,
                "school_year": r["exam"].school_year,
                "subjects": r["subjects"],
                "index": r["index"],
            }
            for r in found.results
        ],
        "index_name": found.index_name,
        "shared_courses": {"records": [], "note": found.courses_note},
        "school_activities": {
            "note": found.activities_note,
            "records": [
                {"id": a.id, "title": a.title, "occurred_on": a.occurred_on.isoformat(), "kind": a.kind.value}
                for a in found.school_activities
            ],
        },
    }
