"""Cities, regions (区), districts (学区), groups, schools, dated memberships and students."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin


class GroupMode(enum.StrEnum):
    """How tightly a group binds its schools (OH-01, HD-01, QP-01)."""

    tight = "tight"  # 紧密型/融合型: one leadership, several campuses
    co_build = "co_build"  # 共建型: one quality school paired with one potential school
    alliance = "alliance"  # 联盟型: several co-build pairs, an elected chair
    collaborative = "collaborative"  # 协作体 (Hedong)
    programme = "programme"  # a programme such as Qingpu's 强校工程


class Stage(enum.StrEnum):
    primary = "primary"
    junior = "junior"
    nine_year = "nine_year"
    senior = "senior"
    twelve_year = "twelve_year"


class QualityTier(enum.StrEnum):
    """The bureau's own label for a school (HK-06: 优质校 / 相对薄弱校)."""

    quality = "quality"
    ordinary = "ordinary"
    weaker = "weaker"


MODE_LABELS = {
    GroupMode.tight: "紧密型(融合型)",
    GroupMode.co_build: "共建型",
    GroupMode.alliance: "联盟型",
    GroupMode.collaborative: "协作体",
    GroupMode.programme: "专项计划",
}
STAGE_LABELS = {
    Stage.primary: "小学",
    Stage.junior: "初中",
    Stage.nine_year: "九年一贯制",
    Stage.senior: "高中",
    Stage.twelve_year: "十二年一贯制",
}
TIER_LABELS = {
    QualityTier.quality: "优质校",
    QualityTier.ordinary: "一般校",
    QualityTier.weaker: "相对薄弱校",
}


class City(Base):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))


class Region(Base):
    """A 区 (or a county-level bureau): the unit a bureau administrator runs."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    policy_pack: Mapped[str | None] = mapped_column(String(80))  # the pack the region evaluates by default

    city: Mapped[City] = relationship()


class District(TimestampMixin, Base):
    """A 学区: geographic and long-lived (HK-01)."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("region_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    demonstrative_candidate: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )  # applying for 市示范性 (SH-18)


class School(TimestampMixin, Base):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("region_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    stage: Mapped[Stage] = mapped_column(Enum(Stage, native_enum=False, length=20))
    quality_tier: Mapped[QualityTier] = mapped_column(Enum(QualityTier, native_enum=False, length=20))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    student_count: Mapped[int] = mapped_column(default=0)
    teacher_count: Mapped[int] = mapped_column(default=0)
    address: Mapped[str | None] = mapped_column(String(200))

    region: Mapped[Region] = relationship()
    district: Mapped[District | None] = relationship()


class Group(TimestampMixin, Base):
    """An education group, co-build pair, alliance, collaborative or programme."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("region_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[GroupMode] = mapped_column(Enum(GroupMode, native_enum=False, length=20))
    founded_on: Mapped[date | None] = mapped_column(Date)
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    programme_key: Mapped[str | None] = mapped_column(String(80))  # a pack's programme id (QP-01)
    demonstrative_candidate: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )  # applying for 市示范性 (SH-18)

    region: Mapped[Region] = relationship()
    parent: Mapped[Group | None] = relationship(remote_side="Group.id")


class Membership(TimestampMixin, Base):
    """A school in a group from `start` to `end` (inclusive; open when None). History is kept, never rewritten."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_school_dates", "school_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    is_leader: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(200))

    group: Mapped[Group] = relationship()
    school: Mapped[School] = relationship()

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class Student(Base):
    """A pupil enrolled at a school (identified by the bureau's student number)."""

    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("region_id", "student_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    student_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    grade: Mapped[int]
    sex: Mapped[str | None] = mapped_column(String(1))
    enrolled_on: Mapped[date | None] = mapped_column(Date)
