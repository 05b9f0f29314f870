"""Exams (学业质量监测) and their results: one narrow row per student and subject.

`exam_results` is written in bulk (COPY on PostgreSQL, multi-row inserts on SQLite), never through the ORM,
and read column-wise into Polars. Its primary key is (exam_id, row): `row` is the row number of the imported
file as a spreadsheet shows it (header = row 1), so every stored result points back to its line in the file.
It has no foreign keys on purpose: a per-row foreign-key check costs PostgreSQL about 4 µs per row and key
(≈20 s per 5 million rows), while the import already checks every school code column-wise against the
region's schools, and the service deletes an exam's results with the exam.

An exam counts for monitoring (HK-17, HK-18, HK-20) when `counts_for_monitoring` is set: for a school year, the
compliance metrics read the results of every exam of that school year in the region with the flag set (the
学业质量监测 ones), one stage from each exam's `stage`. A mock or school-made test is recorded with the flag
off and never enters a verdict.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from edugroup.core.db import Base, TimestampMixin
from edugroup.core.periods import SchoolYear


class ExamStage(enum.StrEnum):
    """The 学段 an exam's grade belongs to; a nine-year school's grade 9 results are junior results."""

    primary = "primary"
    junior = "junior"
    senior = "senior"


EXAM_STAGE_LABELS: dict[ExamStage, str] = {
    ExamStage.primary: "小学",
    ExamStage.junior: "初中",
    ExamStage.senior: "高中",
}


def stage_of_grade(grade: int) -> ExamStage:
    """The stage of a grade in Shanghai's 5-4-3 system: 1–5 primary, 6–9 junior, 10–12 senior."""
    if grade <= 5:
        return ExamStage.primary
    if grade <= 9:
        return ExamStage.junior
    return ExamStage.senior


class Exam(TimestampMixin, Base):
    """One exam of a region: a grade, its subjects, the score range and the cut scores of the levels."""

    __tablename__ = "exams"
    __table_args__ = (UniqueConstraint("region_id", "school_year", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    school_year: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    grade: Mapped[int] = mapped_column(SmallInteger)
    stage: Mapped[ExamStage] = mapped_column(Enum(ExamStage, native_enum=False, length=10))
    subjects: Mapped[list[str]] = mapped_column(JSON)
    score_min: Mapped[float] = mapped_column(Float, default=0.0)
    score_max: Mapped[float] = mapped_column(Float, default=100.0)
    cut_excellent: Mapped[float] = mapped_column(Float)
    cut_good: Mapped[float] = mapped_column(Float)
    cut_pass: Mapped[float] = mapped_column(Float)
    counts_for_monitoring: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    results_count: Mapped[int] = mapped_column(Integer, default=0)
    results_file: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(String(500))

    @property
    def school_year_label(self) -> str:
        return SchoolYear(self.school_year).label

    @property
    def stage_label(self) -> str:
        return EXAM_STAGE_LABELS[self.stage]

    @property
    def cuts(self) -> dict[str, float]:
        """Cut scores by level name, as `indicators.derive_levels` takes them."""
        return {"优秀": self.cut_excellent, "良好": self.cut_good, "合格": self.cut_pass}


class ExamResult(Base):
    """One student's result in one subject of one exam (absent: `sat` false, no score, no level)."""

    __tablename__ = "exam_results"
    # On SQLite the rows live in the primary key's B-tree (one tree to append to instead of two).
    __table_args__ = {"sqlite_with_rowid": False}

    exam_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)  # row number in the imported file
    student_number: Mapped[str] = mapped_column(String(32))
    school_id: Mapped[int] = mapped_column(Integer)
    grade: Mapped[int] = mapped_column(SmallInteger)
    subject: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    # 优秀 / 良好 / 合格 / 不合格; derived from the exam's cut scores when the file gives none
    level: Mapped[str | None] = mapped_column(String(4))
    prior: Mapped[float | None] = mapped_column(Float)  # prior attainment (前测), for value-added
    sat: Mapped[bool] = mapped_column(Boolean)
    sex: Mapped[str | None] = mapped_column(String(1))  # covariate: M / F
    ses: Mapped[float | None] = mapped_column(Float)  # covariate: 家庭社会经济地位指数


class ScienceIndexConfig(TimestampMixin, Base):
    """A region's science-literacy index (虹优指数, HK-26): which results it is built from, weights and scale.

    `components` lists {"subject": <exam subject>, "weight": <positive number>}; the index of a student in an
    exam of `grade` is the weighted mean of the components' scores rescaled to 0–`scale_max` (every component
    needed), a school's the mean over its students with an index.
    """

    __tablename__ = "science_index_configs"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), unique=True)
    name: Mapped[str] = mapped_column(String(50), default="虹优指数")
    grade: Mapped[int] = mapped_column(SmallInteger)
    components: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    scale_max: Mapped[float] = mapped_column(Float, default=100.0)
    note: Mapped[str | None] = mapped_column(String(500))
