"""Senior-high admissions of junior schools (HK-21, HK-22): quota allocations and entry outcomes.

School year Y is the year whose graduates sit the 中考 in June Y+1 (2025 = the 2026 中考).

- A quota allocation (名额分配到校) is the plan of places a 市实验性示范性高中 gives one junior school in one
  year, and how many of them were filled. The senior high is named (it is often city-run, outside the
  region's registry) and, when it is one of the region's schools, linked to it.
- An entry outcome is a junior school's graduates in one year and how many of them entered a quality
  senior-high-stage school (优质高中阶段学校).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.org.models import School


class QuotaAllocation(TimestampMixin, Base):
    """Planned and filled places of one senior high for one junior school in one school year."""

    __tablename__ = "quota_allocations"
    __table_args__ = (
        UniqueConstraint("school_id", "school_year", "senior_school_name"),
        Index("ix_quota_allocations_region_year", "region_id", "school_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    school_year: Mapped[int] = mapped_column(SmallInteger)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    senior_school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    senior_school_name: Mapped[str] = mapped_column(String(100))
    planned: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))

    school: Mapped[School] = relationship(foreign_keys=[school_id])
    senior_school: Mapped[School | None] = relationship(foreign_keys=[senior_school_id])

    @property
    def fill_rate(self) -> float | None:
        """Filled / planned places; None when nothing was planned."""
        return self.filled / self.planned if self.planned else None


class EntryOutcome(TimestampMixin, Base):
    """A junior school's graduates of one school year and those who entered a quality senior-high-stage school."""

    __tablename__ = "entry_outcomes"
    __table_args__ = (
        UniqueConstraint("school_id", "school_year"),
        Index("ix_entry_outcomes_region_year", "region_id", "school_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    school_year: Mapped[int] = mapped_column(SmallInteger)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    graduates: Mapped[int] = mapped_column(Integer)
    quality_entries: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))

    school: Mapped[School] = relationship()

    @property
    def entry_rate(self) -> float | None:
        """Quality entries / graduates; None without graduates."""
        return self.quality_entries / self.graduates if self.graduates else None
