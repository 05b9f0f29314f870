"""Shapes of the registry that cross the API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from edugroup.org.models import GroupMode, QualityTier, Stage


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RegionRead(_Read):
    id: int
    code: str
    name: str
    city_id: int


class DistrictCreate(BaseModel):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=100)


class DistrictRead(_Read):
    id: int
    region_id: int
    code: str
    name: str


class SchoolBase(BaseModel):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=100)
    stage: Stage
    quality_tier: QualityTier = QualityTier.ordinary
    district_id: int | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    student_count: int = Field(default=0, ge=0)
    teacher_count: int = Field(default=0, ge=0)
    address: str | None = Field(default=None, max_length=200)


class SchoolCreate(SchoolBase):
    pass


class SchoolUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    stage: Stage | None = None
    quality_tier: QualityTier | None = None
    district_id: int | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    student_count: int | None = Field(default=None, ge=0)
    teacher_count: int | None = Field(default=None, ge=0)
    address: str | None = Field(default=None, max_length=200)


class SchoolRead(_Read):
    id: int
    region_id: int
    district_id: int | None
    code: str
    name: str
    stage: Stage
    quality_tier: QualityTier
    lat: float | None
    lon: float | None
    student_count: int
    teacher_count: int
    address: str | None


class GroupCreate(BaseModel):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=100)
    mode: GroupMode
    parent_id: int | None = None
    founded_on: date | None = None
    description: str | None = None
    programme_key: str | None = Field(default=None, max_length=80, description="a policy pack's programme id")
    demonstrative_candidate: bool = Field(default=False, description="applying for 市示范性 (SH-18)")


class GroupUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: int | None = None
    founded_on: date | None = None
    dissolved_on: date | None = None
    description: str | None = None
    programme_key: str | None = Field(default=None, max_length=80)
    demonstrative_candidate: bool | None = None


class GroupRead(_Read):
    id: int
    region_id: int
    parent_id: int | None
    code: str
    name: str
    mode: GroupMode
    founded_on: date | None
    dissolved_on: date | None
    description: str | None
    programme_key: str | None
    demonstrative_candidate: bool
    leader_school_id: int | None = None
    member_count: int | None = None


class MembershipCreate(BaseModel):
    group_id: int
    school_id: int
    start_date: date
    end_date: date | None = None
    is_leader: bool = False
    note: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _end_after_start(self) -> MembershipCreate:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date: 结束日期早于开始日期")
        return self


class MembershipEnd(BaseModel):
    end_date: date


class MembershipRead(_Read):
    id: int
    group_id: int
    school_id: int
    start_date: date
    end_date: date | None
    is_leader: bool
    note: str | None
    group_name: str | None = None
    school_name: str | None = None
