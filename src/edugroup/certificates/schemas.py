"""Shapes of demonstration-lesson certificates and group quotas that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from edugroup.core.records import ReadShape, required_text, strip_text


class CertificateCreate(BaseModel):
    teacher_id: int
    group_id: int = Field(description="the group issuing the certificate (OH-11 counts per group)")
    issued_on: date
    lesson_title: str = Field(min_length=1, max_length=200)
    subject: str | None = Field(default=None, max_length=30)
    number: str | None = Field(default=None, max_length=50, description="证书编号, unique in the region")
    activity_id: int | None = None
    note: str | None = None

    _clean = field_validator("subject", "number", "note")(strip_text)
    _clean_title = field_validator("lesson_title")(required_text)


class CertificateUpdate(BaseModel):
    teacher_id: int | None = None
    group_id: int | None = None
    issued_on: date | None = None
    lesson_title: str | None = Field(default=None, min_length=1, max_length=200)
    subject: str | None = Field(default=None, max_length=30)
    number: str | None = Field(default=None, max_length=50)
    activity_id: int | None = None
    note: str | None = None

    _clean = field_validator("subject", "number", "note")(strip_text)
    _clean_title = field_validator("lesson_title")(required_text)


class CertificateRead(ReadShape):
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
    share: float | None
    limit: int | None
    issued: int
    remaining: int | None
    per_teacher_limit: int | None
    source: str
