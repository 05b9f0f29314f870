"""Shapes of expert and observer assignments that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, field_validator

from edugroup.core.records import DatedShape, ReadShape, strip_text
from edugroup.experts.models import AssignmentRole


class AssignmentCreate(DatedShape):
    role: AssignmentRole
    teacher_id: int | None = Field(default=None, description="a teacher of the region ...")
    expert_name: str | None = Field(default=None, max_length=100, description="... or a named external")
    affiliation: str | None = Field(default=None, max_length=100)
    school_id: int | None = Field(default=None, description="the school served ...")
    group_id: int | None = Field(default=None, description="... or the programme group")
    started_on: date
    ended_on: date | None = None
    note: str | None = None

    _clean = field_validator("expert_name", "affiliation", "note")(strip_text)


class AssignmentUpdate(DatedShape):
    role: AssignmentRole | None = None
    teacher_id: int | None = None
    expert_name: str | None = Field(default=None, max_length=100)
    affiliation: str | None = Field(default=None, max_length=100)
    school_id: int | None = None
    group_id: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    note: str | None = None

    _clean = field_validator("expert_name", "affiliation", "note")(strip_text)


class AssignmentRead(ReadShape):
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
