"""Training and showcase records with the credits the region's rule grants (HK-10, SH-10).

Every record is dated, so it falls in a school year, and names the teacher it concerns.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.core.periods import school_year_of
from edugroup.org.models import District, Group
from edugroup.teachers.models import Teacher


class TrainingLevel(enum.StrEnum):
    """The four levels of the training structure (四级培训架构, HK-10 / SH-10)."""

    city = "city"
    district = "district"  # 区级
    group = "group"  # 学区、集团
    school = "school"  # 校本


TRAINING_LEVEL_LABELS: dict[TrainingLevel, str] = {
    TrainingLevel.city: "市级",
    TrainingLevel.district: "区级",
    TrainingLevel.group: "学区/集团",
    TrainingLevel.school: "校本",
}
# Recognition order (SH-10: 学区、集团层面 ... 按照高于校级的原则认定): a higher rank is recognised higher.
RECOGNITION_RANK: dict[TrainingLevel, int] = {
    TrainingLevel.school: 1,
    TrainingLevel.group: 2,
    TrainingLevel.district: 3,
    TrainingLevel.city: 4,
}


class TrainingKind(enum.StrEnum):
    """A training course attended, or a showcase / teaching-research activity given (SH-10)."""

    training = "training"
    showcase = "showcase"


TRAINING_KIND_LABELS: dict[TrainingKind, str] = {
    TrainingKind.training: "培训",
    TrainingKind.showcase: "展示交流/教科研活动",
}

DEFAULT_CREDITS_PER_HOUR: dict[TrainingLevel, float] = {
    TrainingLevel.city: 0.15,
    TrainingLevel.district: 0.12,
    TrainingLevel.group: 0.12,
    TrainingLevel.school: 0.1,
}
"""The shipped rule (seeded by the migration as the rows without a region): group-level hours earn more
than school-based hours (HK-10, SH-10); a region replaces it with its own."""


class CreditRule(Base):
    """Credits per hour of one training level: a region's own rule, or the default (region_id NULL)."""

    __tablename__ = "training_credit_rules"
    __table_args__ = (UniqueConstraint("region_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    level: Mapped[TrainingLevel] = mapped_column(Enum(TrainingLevel, native_enum=False, length=20))
    credits_per_hour: Mapped[float] = mapped_column(Float)


class TrainingRecord(TimestampMixin, Base):
    """Hours a teacher spent in one training (or gave in one showcase), with the credits the region's rule
    gave them when recorded (the rate is kept, so a later rule does not rewrite credits already granted)."""

    __tablename__ = "training_records"
    __table_args__ = (Index("ix_training_records_region_started", "region_id", "started_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), index=True)
    kind: Mapped[TrainingKind] = mapped_column(Enum(TrainingKind, native_enum=False, length=20))
    level: Mapped[TrainingLevel] = mapped_column(Enum(TrainingLevel, native_enum=False, length=20))
    title: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    credit_rate: Mapped[float] = mapped_column(Float)
    credits: Mapped[float] = mapped_column(Float)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    organiser: Mapped[str | None] = mapped_column(String(100))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    teacher: Mapped[Teacher] = relationship()
    group: Mapped[Group | None] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def school_year(self) -> int:
        """The school year the record counts in (its first day's)."""
        return school_year_of(self.started_on).year

    @property
    def level_label(self) -> str:
        return TRAINING_LEVEL_LABELS[self.level]

    @property
    def kind_label(self) -> str:
        return TRAINING_KIND_LABELS[self.kind]

    @property
    def recognition_rank(self) -> int:
        """1 校本 < 2 学区/集团 < 3 区级 < 4 市级 (SH-10)."""
        return RECOGNITION_RANK[self.level]
