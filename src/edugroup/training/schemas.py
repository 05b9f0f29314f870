"""Shapes of the credit rule, training records and yearly totals that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from edugroup.core.records import DatedShape, ReadShape, required_text, strip_text
from edugroup.training.models import TrainingKind, TrainingLevel


class CreditRuleRead(BaseModel):
    """Credits per hour of each level; `default` when the region has no rule of its own."""

    region_id: int | None
    default: bool
    credits_per_hour: dict[TrainingLevel, float]


class CreditRuleUpdate(BaseModel):
    """A region's rule: credits per hour of each of the four levels (学区/集团 must earn more than 校本)."""

    credits_per_hour: dict[TrainingLevel, float]


class TrainingCreate(DatedShape):
    teacher_id: int
    kind: TrainingKind = TrainingKind.training
    level: TrainingLevel
    title: str = Field(min_length=1, max_length=200)
    started_on: date
    ended_on: date | None = None
    hours: float = Field(gt=0, le=2000, description="学时")
    group_id: int | None = Field(default=None, description="organising group (学区/集团 level)")
    district_id: int | None = Field(default=None, description="organising district (学区 level)")
    organiser: str | None = Field(default=None, max_length=100)
    activity_id: int | None = Field(default=None, description="the recorded activity, for a showcase")
    note: str | None = None

    _clean = field_validator("organiser", "note")(strip_text)
    _clean_title = field_validator("title")(required_text)


class TrainingUpdate(DatedShape):
    teacher_id: int | None = None
    kind: TrainingKind | None = None
    level: TrainingLevel | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    started_on: date | None = None
    ended_on: date | None = None
    hours: float | None = Field(default=None, gt=0, le=2000)
    group_id: int | None = None
    district_id: int | None = None
    organiser: str | None = Field(default=None, max_length=100)
    activity_id: int | None = None
    note: str | None = None

    _clean = field_validator("organiser", "note")(strip_text)
    _clean_title = field_validator("title")(required_text)


class TrainingRead(ReadShape):
    id: int
    region_id: int
    teacher_id: int
    kind: TrainingKind
    kind_label: str
    level: TrainingLevel
    level_label: str
    recognition_rank: int
    title: str
    started_on: date
    ended_on: date | None
    school_year: int
    hours: float
    credit_rate: float
    credits: float
    group_id: int | None
    district_id: int | None
    organiser: str | None
    activity_id: int | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class TeacherTotalRead(BaseModel):
    """A teacher's hours and credits in one school year, by level."""

    teacher_id: int
    staff_number: str
    name: str
    school_id: int
    school_year: int
    records: int
    hours: float
    credits: float
    hours_by_level: dict[TrainingLevel, float]
    credits_by_level: dict[TrainingLevel, float]
