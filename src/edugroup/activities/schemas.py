"""Shapes of activity records that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from edugroup.activities.models import ActivityKind, ShowcaseLevel


def _strip(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _title(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("标题不能为空")
    return value.strip() if value is not None else None


class ActivityCreate(BaseModel):
    kind: ActivityKind
    occurred_on: date
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    group_id: int | None = None
    school_id: int | None = None
    studio_id: int | None = Field(default=None, description="the studio whose activity this is (OH-10)")
    school_ids: list[int] = Field(default_factory=list, description="participating schools")
    teacher_ids: list[int] = Field(default_factory=list, description="participating teachers")
    level: ShowcaseLevel | None = Field(default=None, description="showcases only: school / district / city")
    observer_teacher_id: int | None = Field(default=None, description="classroom observations: a teacher")
    observer_name: str | None = Field(
        default=None, max_length=100, description="or a named external observer"
    )
    report_text: str | None = None
    has_report: bool = False

    _clean = field_validator("description", "observer_name", "report_text")(_strip)
    _clean_title = field_validator("title")(_title)


class ActivityUpdate(BaseModel):
    """Fields to change; a given list of participants replaces the recorded one."""

    kind: ActivityKind | None = None
    occurred_on: date | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    group_id: int | None = None
    school_id: int | None = None
    studio_id: int | None = None
    school_ids: list[int] | None = None
    teacher_ids: list[int] | None = None
    level: ShowcaseLevel | None = None
    observer_teacher_id: int | None = None
    observer_name: str | None = Field(default=None, max_length=100)
    report_text: str | None = None
    has_report: bool | None = None

    _clean = field_validator("description", "observer_name", "report_text")(_strip)
    _clean_title = field_validator("title")(_title)


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    activity_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    is_report: bool
    created_at: datetime


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_id: int
    kind: ActivityKind
    kind_label: str
    occurred_on: date
    semester: str
    title: str
    description: str | None
    group_id: int | None
    school_id: int | None
    studio_id: int | None
    school_ids: list[int]
    teacher_ids: list[int]
    level: ShowcaseLevel | None
    level_label: str | None
    observer_teacher_id: int | None
    observer_name: str | None
    report_text: str | None
    has_report: bool
    attachments: list[AttachmentRead]
    created_at: datetime
    updated_at: datetime


class KindRead(BaseModel):
    id: str
    label: str
