"""Shapes of quota allocations, entry outcomes and their rates that cross the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def _strip(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class QuotaAllocationCreate(BaseModel):
    """Places a senior high (named, or one of the region's schools) allocates to a junior school."""

    school_year: int = Field(
        ge=2000, le=2100, description="school year Y: graduates of June Y+1 (2025 = 2026 中考)"
    )
    school_id: int = Field(description="the junior school (初中, 九年一贯制 or 十二年一贯制)")
    senior_school_id: int | None = Field(default=None, description="the senior high, when in the registry")
    senior_school_name: str | None = Field(default=None, max_length=100, description="or its name")
    planned: int = Field(ge=0, description="计划名额")
    filled: int = Field(ge=0, description="实际录取")
    note: str | None = Field(default=None, max_length=200)

    _clean = field_validator("senior_school_name", "note")(_strip)

    @model_validator(mode="after")
    def _consistent(self) -> QuotaAllocationCreate:
        if self.senior_school_id is None and self.senior_school_name is None:
            raise ValueError("请填写高中学校代码或高中名称")
        if self.filled > self.planned:
            raise ValueError(f"实际录取 {self.filled} 超过计划名额 {self.planned}")
        return self


class QuotaAllocationUpdate(BaseModel):
    planned: int | None = Field(default=None, ge=0)
    filled: int | None = Field(default=None, ge=0)
    note: str | None = Field(default=None, max_length=200)

    _clean = field_validator("note")(_strip)


class QuotaAllocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_id: int
    school_year: int
    school_id: int
    school_name: str = ""
    senior_school_id: int | None
    senior_school_name: str
    planned: int
    filled: int
    fill_rate: float | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class EntryOutcomeCreate(BaseModel):
    """A junior school's graduates of a school year and those entering a quality senior-high-stage school."""

    school_year: int = Field(
        ge=2000, le=2100, description="school year Y: graduates of June Y+1 (2025 = 2026 中考)"
    )
    school_id: int
    graduates: int = Field(ge=0, description="初中毕业生数")
    quality_entries: int = Field(ge=0, description="进入优质高中阶段学校人数")
    note: str | None = Field(default=None, max_length=200)

    _clean = field_validator("note")(_strip)

    @model_validator(mode="after")
    def _consistent(self) -> EntryOutcomeCreate:
        if self.quality_entries > self.graduates:
            raise ValueError(f"进入优质高中人数 {self.quality_entries} 超过毕业生数 {self.graduates}")
        return self


class EntryOutcomeUpdate(BaseModel):
    graduates: int | None = Field(default=None, ge=0)
    quality_entries: int | None = Field(default=None, ge=0)
    note: str | None = Field(default=None, max_length=200)

    _clean = field_validator("note")(_strip)


class EntryOutcomeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_id: int
    school_year: int
    school_id: int
    school_name: str = ""
    graduates: int
    quality_entries: int
    entry_rate: float | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class UnitRates(BaseModel):
    """Quota fill rate (HK-21) and quality entry rate (HK-22) of a group, district, region or city."""

    entity_type: str
    entity_id: int
    name: str
    schools: int = Field(description="schools with records")
    planned: int
    filled: int
    fill_rate: float | None
    graduates: int
    quality_entries: int
    entry_rate: float | None


class AdmissionsSummary(BaseModel):
    school_year: int
    groups: list[UnitRates]
    districts: list[UnitRates]
    region: UnitRates | None
    city: UnitRates | None
