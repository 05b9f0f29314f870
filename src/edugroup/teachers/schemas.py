"""Shapes of teacher records and staffing records that cross the API (rotations' are in `rotation.schemas`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from edugroup.teachers.models import BACKBONE_TIERS, Honour, StaffingKind, StaffingStatus


def _strip(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _tier(value: int | None) -> int | None:
    if value is not None and value not in BACKBONE_TIERS:
        raise ValueError("骨干梯队层级应为 1-5 (五层级梯队), 不是骨干教师留空")
    return value


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- teachers ------------------------------------------------------------------------------------


class TeacherCreate(BaseModel):
    staff_number: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=50)
    school_id: int = Field(description="the school that uses the teacher (校用)")
    subject: str = Field(min_length=1, max_length=30, description="main subject")
    extra_subjects: str | None = Field(
        default=None, max_length=100, description="other subjects, 、-separated"
    )
    pool_group_id: int | None = Field(
        default=None, description="the group pool managing the teacher (集团管)"
    )
    title: str | None = Field(default=None, max_length=30, description="professional title (职称)")
    backbone_tier: int | None = Field(default=None, description="五层级梯队 level 1-5; empty: not backbone")
    honours: list[Honour] = Field(default_factory=list)
    birth_year: int | None = Field(default=None, ge=1940, le=2010)
    joined_school_on: date | None = Field(default=None, description="date joined the current school")

    _clean = field_validator("staff_number", "name", "subject", "extra_subjects", "title")(_strip)
    _check_tier = field_validator("backbone_tier")(_tier)


class TeacherUpdate(BaseModel):
    """Fields to change; `honours`, when given, replaces the recorded list."""

    name: str | None = Field(default=None, min_length=1, max_length=50)
    school_id: int | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=30)
    extra_subjects: str | None = Field(default=None, max_length=100)
    pool_group_id: int | None = None
    title: str | None = Field(default=None, max_length=30)
    backbone_tier: int | None = None
    honours: list[Honour] | None = None
    birth_year: int | None = Field(default=None, ge=1940, le=2010)
    joined_school_on: date | None = None

    _clean = field_validator("name", "subject", "extra_subjects", "title")(_strip)
    _check_tier = field_validator("backbone_tier")(_tier)


class TeacherRead(_Read):
    id: int
    region_id: int
    staff_number: str
    name: str
    school_id: int
    pool_group_id: int | None
    subject: str
    subjects: list[str]
    extra_subjects: str | None
    title: str | None
    backbone_tier: int | None
    backbone_label: str | None
    is_backbone: bool
    honours: list[Honour]
    birth_year: int | None
    joined_school_on: date | None


# --- staffing (HK-04) ----------------------------------------------------------------------------


class StaffingCreate(BaseModel):
    group_id: int
    kind: StaffingKind
    recorded_on: date
    school_id: int | None = Field(default=None, description="the school that will use the teacher")
    teacher_id: int | None = Field(default=None, description="title applications: the applicant")
    subject: str | None = Field(default=None, max_length=30)
    title: str | None = Field(
        default=None, max_length=30, description="title applications: the title applied for"
    )
    positions: int = Field(default=1, ge=1, le=500)
    status: StaffingStatus = StaffingStatus.submitted
    note: str | None = None

    _clean = field_validator("subject", "title", "note")(_strip)


class StaffingRead(_Read):
    id: int
    region_id: int
    group_id: int
    kind: StaffingKind
    kind_label: str
    school_id: int | None
    teacher_id: int | None
    subject: str | None
    title: str | None
    positions: int
    recorded_on: date
    status: StaffingStatus
    status_label: str
    note: str | None
    created_at: datetime
