"""Shapes of teacher development records that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edugroup.teachers.development.models import (
    AssignmentRole,
    DispatchKind,
    TrainingKind,
    TrainingLevel,
)


def _strip(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _required_text(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("不能为空")
    return value.strip() if value is not None else None


class _Dated(BaseModel):
    """A record running from `started_on` to `ended_on` (inclusive; open when None)."""

    @model_validator(mode="after")
    def _end_after_start(self) -> _Dated:
        start, end = getattr(self, "started_on", None), getattr(self, "ended_on", None)
        if start is not None and end is not None and end < start:
            raise ValueError("ended_on: 结束日期早于开始日期")
        return self


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- training ------------------------------------------------------------------------------------


class CreditRuleRead(BaseModel):
    """Credits per hour of each level; `default` when the region has no rule of its own."""

    region_id: int | None
    default: bool
    credits_per_hour: dict[TrainingLevel, float]


class CreditRuleUpdate(BaseModel):
    """A region's rule: credits per hour of each of the four levels (学区/集团 must earn more than 校本)."""

    credits_per_hour: dict[TrainingLevel, float]


class TrainingCreate(_Dated):
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

    _clean = field_validator("organiser", "note")(_strip)
    _clean_title = field_validator("title")(_required_text)


class TrainingUpdate(_Dated):
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

    _clean = field_validator("organiser", "note")(_strip)
    _clean_title = field_validator("title")(_required_text)


class TrainingRead(_Read):
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


# --- certificates --------------------------------------------------------------------------------


class CertificateCreate(BaseModel):
    teacher_id: int
    group_id: int = Field(description="the group issuing the certificate (OH-11 counts per group)")
    issued_on: date
    lesson_title: str = Field(min_length=1, max_length=200)
    subject: str | None = Field(default=None, max_length=30)
    number: str | None = Field(default=None, max_length=50, description="证书编号, unique in the region")
    activity_id: int | None = None
    note: str | None = None

    _clean = field_validator("subject", "number", "note")(_strip)
    _clean_title = field_validator("lesson_title")(_required_text)


class CertificateUpdate(BaseModel):
    teacher_id: int | None = None
    group_id: int | None = None
    issued_on: date | None = None
    lesson_title: str | None = Field(default=None, min_length=1, max_length=200)
    subject: str | None = Field(default=None, max_length=30)
    number: str | None = Field(default=None, max_length=50)
    activity_id: int | None = None
    note: str | None = None

    _clean = field_validator("subject", "number", "note")(_strip)
    _clean_title = field_validator("lesson_title")(_required_text)


class CertificateRead(_Read):
    id: int
    region_id: int
    kind: str
    kind_label: str
    teacher_id: int
    school_id: int
    group_id: int
    issued_on: date
    school_year: int
    lesson_title: str
    subject: str | None
    number: str | None
    activity_id: int | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class CertificateQuotaRead(BaseModel):
    """A group's certificates in one school year against its limit (OH-11), and each teacher's (OH-12)."""

    group_id: int
    school_year: int
    teachers: int
    share: float
    limit: int
    issued: int
    remaining: int
    per_teacher_limit: int
    source: str


# --- mentoring, dispatch, assignments ------------------------------------------------------------


class MentoringCreate(_Dated):
    mentor_id: int
    mentee_id: int
    group_id: int | None = Field(default=None, description="the group arranging the pair (OH-09)")
    started_on: date
    ended_on: date | None = None
    subject: str | None = Field(default=None, max_length=30)
    note: str | None = None

    _clean = field_validator("subject", "note")(_strip)


class MentoringUpdate(_Dated):
    mentor_id: int | None = None
    mentee_id: int | None = None
    group_id: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    subject: str | None = Field(default=None, max_length=30)
    note: str | None = None

    _clean = field_validator("subject", "note")(_strip)


class MentoringRead(_Read):
    id: int
    region_id: int
    mentor_id: int
    mentee_id: int
    group_id: int | None
    started_on: date
    ended_on: date | None
    subject: str | None
    note: str | None
    mentor_backbone: bool | None = None
    created_at: datetime
    updated_at: datetime


class DispatchCreate(_Dated):
    kind: DispatchKind
    teacher_id: int
    to_school_id: int
    group_id: int | None = None
    started_on: date
    ended_on: date | None = None
    subject: str | None = Field(default=None, max_length=30)
    note: str | None = None

    _clean = field_validator("subject", "note")(_strip)


class DispatchUpdate(_Dated):
    kind: DispatchKind | None = None
    teacher_id: int | None = None
    to_school_id: int | None = None
    group_id: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    subject: str | None = Field(default=None, max_length=30)
    note: str | None = None

    _clean = field_validator("subject", "note")(_strip)


class DispatchRead(_Read):
    id: int
    region_id: int
    kind: DispatchKind
    kind_label: str
    teacher_id: int
    from_school_id: int
    to_school_id: int
    group_id: int | None
    started_on: date
    ended_on: date | None
    subject: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class AssignmentCreate(_Dated):
    role: AssignmentRole
    teacher_id: int | None = Field(default=None, description="a teacher of the region ...")
    expert_name: str | None = Field(default=None, max_length=100, description="... or a named external")
    affiliation: str | None = Field(default=None, max_length=100)
    school_id: int | None = Field(default=None, description="the school served ...")
    group_id: int | None = Field(default=None, description="... or the programme group")
    started_on: date
    ended_on: date | None = None
    note: str | None = None

    _clean = field_validator("expert_name", "affiliation", "note")(_strip)


class AssignmentUpdate(_Dated):
    role: AssignmentRole | None = None
    teacher_id: int | None = None
    expert_name: str | None = Field(default=None, max_length=100)
    affiliation: str | None = Field(default=None, max_length=100)
    school_id: int | None = None
    group_id: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    note: str | None = None

    _clean = field_validator("expert_name", "affiliation", "note")(_strip)


class AssignmentRead(_Read):
    id: int
    region_id: int
    role: AssignmentRole
    role_label: str
    teacher_id: int | None
    expert_name: str | None
    affiliation: str | None
    person: str
    school_id: int | None
    group_id: int | None
    started_on: date
    ended_on: date | None
    note: str | None
    created_at: datetime
    updated_at: datetime


# --- studios -------------------------------------------------------------------------------------


class StudioCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    group_id: int | None = None
    host_teacher_id: int | None = None
    member_teacher_ids: list[int] = Field(default_factory=list)
    founded_on: date | None = None


class StudioUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    group_id: int | None = None
    host_teacher_id: int | None = None
    founded_on: date | None = None
    closed_on: date | None = None

    _clean_name = field_validator("name")(_required_text)

    @model_validator(mode="after")
    def _closed_after_founded(self) -> StudioUpdate:
        if self.founded_on and self.closed_on and self.closed_on < self.founded_on:
            raise ValueError("closed_on: 撤销日期早于成立日期")
        return self


class StudioMemberCreate(BaseModel):
    teacher_id: int
    joined_on: date | None = None


class StudioMemberUpdate(BaseModel):
    """End a membership (left_on), or correct its start."""

    joined_on: date | None = None
    left_on: date | None = None


class StudioMemberRead(BaseModel):
    teacher_id: int
    staff_number: str
    name: str
    school_id: int
    school_name: str
    joined_on: date | None
    left_on: date | None


class StudioRead(BaseModel):
    id: int
    region_id: int
    group_id: int | None
    name: str
    host_teacher_id: int | None
    founded_on: date | None
    closed_on: date | None
    members: list[StudioMemberRead]
    activities_by_year: dict[int, int] = Field(default_factory=dict)
