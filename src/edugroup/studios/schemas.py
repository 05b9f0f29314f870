"""Shapes of studios and their members that cross the API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator, model_validator

from edugroup.core.records import required_text


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

    _clean_name = field_validator("name")(required_text)

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
