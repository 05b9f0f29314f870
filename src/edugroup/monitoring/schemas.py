"""Shapes of exams, imports and indicators that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edugroup.core.periods import SchoolYear
from edugroup.monitoring.models import ExamStage


def _subjects(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    cleaned = [s.strip() for s in value]
    if any(not s for s in cleaned):
        raise ValueError("学科名称不能为空")
    if any(len(s) > 20 for s in cleaned):
        raise ValueError("学科名称不超过 20 个字")
    if len(set(cleaned)) != len(cleaned):
        raise ValueError("学科重复")
    return cleaned


class _ExamFields(BaseModel):
    def check_consistent(self) -> None:
        """Cut scores inside the score range and ordered; the exam day inside its school year."""
        values = self.model_dump()
        low, high = values.get("score_min"), values.get("score_max")
        cuts: list[float | None] = [values.get(k) for k in ("cut_pass", "cut_good", "cut_excellent")]
        if low is not None and high is not None and low >= high:
            raise ValueError("满分应高于最低分")
        known = [c for c in cuts if c is not None]
        if len(known) == 3 and not known[0] <= known[1] <= known[2]:
            raise ValueError("分数线应满足 合格 ≤ 良好 ≤ 优秀")
        if low is not None and high is not None and any(c is not None and not low <= c <= high for c in cuts):
            raise ValueError(f"分数线应在成绩范围 {low:g}–{high:g} 内")
        year, held_on = values.get("school_year"), values.get("held_on")
        if year is not None and held_on is not None and not SchoolYear(year).contains(held_on):
            raise ValueError(f"考试日期 {held_on} 不在 {SchoolYear(year).label} (9月1日—次年8月31日) 内")


class ExamCreate(_ExamFields):
    name: str = Field(min_length=1, max_length=100, description="e.g. 2025年市学业质量监测")
    school_year: int = Field(ge=2000, le=2100, description="the school year, named by its first year")
    held_on: date
    grade: int = Field(ge=1, le=12)
    stage: ExamStage | None = Field(default=None, description="default: from the grade (1–5, 6–9, 10–12)")
    subjects: list[str] = Field(min_length=1, max_length=20)
    score_min: float = 0.0
    score_max: float = 100.0
    cut_excellent: float = Field(description="lowest score of 优秀")
    cut_good: float = Field(description="lowest score of 良好")
    cut_pass: float = Field(description="lowest score of 合格")
    counts_for_monitoring: bool = Field(
        default=True, description="read by HK-17/18/20 for its school year (a 学业质量监测 exam)"
    )
    note: str | None = Field(default=None, max_length=500)

    _clean_subjects = field_validator("subjects")(_subjects)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("名称不能为空")
        return value.strip()

    @model_validator(mode="after")
    def _consistent(self) -> ExamCreate:
        self.check_consistent()
        return self


class ExamUpdate(BaseModel):
    """Fields to change; subjects, grade and score range are fixed once results are imported."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    school_year: int | None = Field(default=None, ge=2000, le=2100)
    held_on: date | None = None
    grade: int | None = Field(default=None, ge=1, le=12)
    stage: ExamStage | None = None
    subjects: list[str] | None = Field(default=None, min_length=1, max_length=20)
    score_min: float | None = None
    score_max: float | None = None
    cut_excellent: float | None = None
    cut_good: float | None = None
    cut_pass: float | None = None
    counts_for_monitoring: bool | None = None
    note: str | None = Field(default=None, max_length=500)

    _clean_subjects = field_validator("subjects")(_subjects)


class ExamRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_id: int
    name: str
    school_year: int
    held_on: date
    grade: int
    stage: ExamStage
    subjects: list[str]
    score_min: float
    score_max: float
    cut_excellent: float
    cut_good: float
    cut_pass: float
    counts_for_monitoring: bool
    results_count: int
    results_file: str | None
    imported_at: datetime | None
    note: str | None


class ImportRead(BaseModel):
    exam_id: int
    rows: int
    replaced: int
    students: int
    schools: int
    absent: int
    derived_levels: int
    seconds: float
    message: str


class JobRead(BaseModel):
    id: str
    exam_id: int
    filename: str
    status: str = Field(description="queued / running / done / failed")
    progress: float = Field(description="0 … 1")
    stage: str
    message: str | None = None
    result: ImportRead | None = None
    errors: list[dict[str, object]] = Field(default_factory=list)
    error_count: int = 0
    started_at: str | None = None
    finished_at: str | None = None


class IndicatorRead(BaseModel):
    """One row of `indicators.INDICATOR_SCHEMA`, with the entity's name; level school/group/district/stage/region."""

    level: str
    entity_id: int
    entity_name: str
    stage: str | None
    subject: str
    enrolled: int
    sat: int
    absent: int
    passed: int
    excellent: int
    mean: float | None
    std: float | None
    pass_rate_enrolled: float | None
    pass_rate_tested: float | None
    excellent_rate_enrolled: float | None
    excellent_rate_tested: float | None


class DifferenceRead(BaseModel):
    """The inter-school difference rate (HK-18) of a group, district or the region, per stage and subject."""

    level: str
    entity_id: int
    entity_name: str
    stage: str | None
    subject: str
    n_schools: int
    cv_mean: float | None = Field(description="CV of the schools' mean scores (HK-18's default)")
    cv_pass_rate: float | None = Field(description="CV of the schools' pass rates, enrolled students counted")
    cv_pass_rate_tested: float | None = Field(description="CV of the schools' pass rates, tested students")
