"""Shapes of eligibility rules, rotations, team inflows and promotions that cross the API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator, model_validator

from edugroup.core.records import ReadShape as _Read
from edugroup.core.records import strip_text as _strip
from edugroup.rotation.models import RotationMode

# --- eligibility (符合交流轮岗条件) ---------------------------------------------------------------


class EligibilityRead(BaseModel):
    teacher_id: int
    on: date
    rule_id: int | None
    eligible: bool
    reasons: list[str]


class EligibilityRuleCreate(BaseModel):
    effective_from: date
    min_years_at_school: int = Field(default=6, ge=0, le=40, description="full years at the current school")
    max_age: int | None = Field(
        default=None, ge=18, le=70, description="age limit by birth year; empty: none"
    )
    exclude_on_rotation: bool = Field(default=True, description="teachers on a rotation are not eligible")
    rest_years: int = Field(default=0, ge=0, le=10, description="years after a rotation before the next")
    excluded_titles: str | None = Field(
        default=None, max_length=200, description="titles excluded, 、-separated"
    )
    note: str | None = Field(default=None, max_length=200)

    _clean = field_validator("excluded_titles", "note")(_strip)


class EligibilityRuleRead(_Read):
    id: int
    region_id: int
    effective_from: date
    min_years_at_school: int
    max_age: int | None
    exclude_on_rotation: bool
    rest_years: int
    excluded_titles: str | None
    note: str | None


# --- rotations -----------------------------------------------------------------------------------


def _end_not_before_start(start: date | None, end: date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{field}: 结束日期早于开始日期")


class RotationCreate(BaseModel):
    teacher_id: int
    to_school_id: int
    start_on: date
    planned_end_on: date = Field(description="the agreed last day (HK-08 reads the agreed term)")
    from_school_id: int | None = Field(default=None, description="default: the teacher's school")
    actual_end_on: date | None = None
    purpose: str | None = Field(default=None, max_length=200)

    _clean = field_validator("purpose")(_strip)

    @model_validator(mode="after")
    def _dates(self) -> RotationCreate:
        _end_not_before_start(self.start_on, self.planned_end_on, "planned_end_on")
        _end_not_before_start(self.start_on, self.actual_end_on, "actual_end_on")
        return self


class RotationUpdate(BaseModel):
    planned_end_on: date | None = None
    actual_end_on: date | None = None
    purpose: str | None = Field(default=None, max_length=200)

    _clean = field_validator("purpose")(_strip)


class RotationRead(_Read):
    id: int
    region_id: int
    teacher_id: int
    teacher_name: str | None = None
    from_school_id: int
    to_school_id: int
    start_on: date
    planned_end_on: date
    actual_end_on: date | None
    mode: RotationMode
    team_id: int | None
    purpose: str | None
    term_years: float | None = None
    within_group_or_district: bool = False
    weak_school_experience: bool = Field(
        default=False,
        description="counts as rural/weak-school experience (OH-13, or the receiving school is weaker)",
    )
    experience_note: str | None = None


class TeamCreate(BaseModel):
    """A 组团流入: the team and one rotation per teacher, each from the teacher's school."""

    to_school_id: int
    start_on: date
    planned_end_on: date
    teacher_ids: list[int] = Field(min_length=1)
    name: str | None = Field(default=None, max_length=100)
    purpose: str | None = Field(default=None, max_length=200)

    _clean = field_validator("name", "purpose")(_strip)

    @model_validator(mode="after")
    def _dates(self) -> TeamCreate:
        _end_not_before_start(self.start_on, self.planned_end_on, "planned_end_on")
        if len(set(self.teacher_ids)) != len(self.teacher_ids):
            raise ValueError("teacher_ids: 同一名教师不能重复列出")
        return self


class TeamRead(_Read):
    id: int
    region_id: int
    to_school_id: int
    start_on: date
    name: str
    purpose: str | None
    size: int = 0
    rotation_ids: list[int] = Field(default_factory=list)


# --- promotions ----------------------------------------------------------------------------------


class PromotionCreate(BaseModel):
    teacher_id: int
    school_id: int = Field(description="the school of the post")
    post: str = Field(min_length=1, max_length=50, description="e.g. 副校长")
    decided_on: date
    note: str | None = Field(default=None, max_length=200)

    _clean = field_validator("post", "note")(_strip)


class PromotionCheckRead(BaseModel):
    """HK-05 / SH-05: in-group rotation experience before a promotion date, against the pack's threshold."""

    teacher_id: int
    on: date
    pack: str
    clause: str
    threshold: float
    experience_years: float
    verdict: str
    message: str
    evidence: list[str]


class PromotionRead(_Read):
    id: int
    region_id: int
    teacher_id: int
    school_id: int
    post: str
    decided_on: date
    note: str | None
    check: PromotionCheckRead | None = None
