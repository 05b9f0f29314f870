"""Shapes of mentoring pairs and teacher dispatches that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, field_validator

from edugroup.core.records import DatedShape, ReadShape, strip_text
from edugroup.mentoring.models import DispatchKind


class MentoringCreate(DatedShape):
    mentor_id: int
    mentee_id: int
    group_id: int | None = Field(default=None, description="the group arranging the pair (OH-09)")
    started_on: date
    ended_on: date | None = None
    subject: str | None = Field(default=None, max_length=30)
    note: str | None = None

    _clean = field_validator("subject", "note")(strip_text)


class MentoringUpdate(DatedShape):
    mentor_id: int | None = None
    mentee_id: int | None = None
    group_id: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    subject: str | None = Field(default=None, max_length=30)
    note: str | None = None

    _clean = field_validator("subject", "note")(strip_text)


class MentoringRead(ReadShape):
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


class DispatchCreate(DatedShape):
    kind: DispatchKind
    teacher_id: int
    to_school_id: int
    group_id: int | None = None
    started_on: date
    ended_on: date | None = None
    subject: str | None = Field(default=None, max_length=30)
    note: str | None = None

    _clean = field_validator("subject", "note")(strip_text)


class DispatchUpdate(DatedShape):
    kind: DispatchKind | None = None
    teacher_id: int | None = None
    to_school_id: int | None = None
    group_id: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    subject: str | None = Field(default=None, max_length=30)
    note: str | None = None

    _clean = field_validator("subject", "note")(strip_text)


class DispatchRead(ReadShape):
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
