"""Shapes of receiving demand and rotation plans that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edugroup.rotation.models import PlanStatus


class DemandCreate(BaseModel):
    """A receiving (相对薄弱) school's demand for rotating teachers of one subject in one school year."""

    school_id: int
    year: int = Field(ge=2000, le=2100, description="school year, by its first year")
    subject: str = Field(min_length=1, max_length=30)
    min_count: int = Field(default=0, ge=0, le=500)
    max_count: int | None = Field(default=None, ge=0, le=500, description="empty: no cap")
    note: str | None = Field(default=None, max_length=200)

    @field_validator("subject")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("学科不能为空")
        return value.strip()

    @model_validator(mode="after")
    def _bounds(self) -> DemandCreate:
        if self.max_count is not None and self.max_count < self.min_count:
            raise ValueError("max_count: 上限小于下限")
        return self


class DemandRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_id: int
    school_id: int
    year: int
    subject: str
    min_count: int
    max_count: int | None
    note: str | None


class PlanCreate(BaseModel):
    year: int = Field(ge=2000, le=2100, description="the school year the rotations start")
    pack: str | None = Field(
        default=None, description="policy pack whose quotas the plan keeps (default: the region's)"
    )
    time_limit: float = Field(default=30.0, gt=0, le=600, description="solver time limit, seconds")


class PlanRowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    teacher_id: int
    teacher_name: str | None = None
    staff_number: str | None = None
    subject: str | None = None
    backbone: bool = False
    from_school_id: int
    to_school_id: int
    km: float | None
    edited: bool
    rotation_id: int | None


class PlanRowUpdate(BaseModel):
    to_school_id: int


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_id: int
    year: int
    status: PlanStatus
    pack_id: str | None
    pack_edition: date | None
    min_out_share: float | None
    min_backbone_share: float | None
    min_team_size: int | None
    duration_years: int
    solver_status: str
    objective_km: float | None
    explanation: str | None
    eligible_count: int
    created_by: str
    created_at: datetime
    accepted_at: datetime | None
    accepted_by: str | None
    rows: list[PlanRowRead] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
