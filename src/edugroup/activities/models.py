"""Activity records: typed, dated, organised by a group and/or a school, with participants and evidence.

Kinds are the closed list the policy packs count (HK-16, OH-03..06, OH-10, QP-07, QP-08, QP-11, SH-11, SH-18).
Participants are association rows mapped as classes, so the audit log records who was added or removed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.core.periods import semester_of
from edugroup.org.models import Group, School
from edugroup.policy.contract import ACTIVITY_KIND_LABELS, SHOWCASE_LEVEL_LABELS, ActivityKind, ShowcaseLevel
from edugroup.teachers.models import Teacher


class Activity(TimestampMixin, Base):
    """One activity on one day, organised by a group and/or a school of a region."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_region_date", "region_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    kind: Mapped[ActivityKind] = mapped_column(Enum(ActivityKind, native_enum=False, length=30))
    occurred_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id"), index=True)
    level: Mapped[ShowcaseLevel | None] = mapped_column(Enum(ShowcaseLevel, native_enum=False, length=20))
    observer_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id"), index=True)
    observer_name: Mapped[str | None] = mapped_column(String(100))
    report_text: Mapped[str | None] = mapped_column(Text)
    has_report: Mapped[bool] = mapped_column(default=False)

    group: Mapped[Group | None] = relationship()
    school: Mapped[School | None] = relationship()
    observer_teacher: Mapped[Teacher | None] = relationship()
    school_links: Mapped[list[ActivitySchool]] = relationship(
        cascade="all, delete-orphan", order_by="ActivitySchool.school_id"
    )
    teacher_links: Mapped[list[ActivityTeacher]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityTeacher.teacher_id"
    )
    attachments: Mapped[list[ActivityAttachment]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityAttachment.id"
    )

    @property
    def kind_label(self) -> str:
        return ACTIVITY_KIND_LABELS[self.kind]

    @property
    def level_label(self) -> str | None:
        return SHOWCASE_LEVEL_LABELS[self.level] if self.level is not None else None

    @property
    def semester(self) -> str:
        """The semester id the activity falls in (2025-1 runs Sep – Jan)."""
        return semester_of(self.occurred_on).id

    @property
    def school_ids(self) -> list[int]:
        """Participating schools."""
        return [link.school_id for link in self.school_links]

    @property
    def teacher_ids(self) -> list[int]:
        """Participating teachers."""
        return [link.teacher_id for link in self.teacher_links]


class ActivitySchool(Base):
    """A school taking part in an activity."""

    __tablename__ = "activity_schools"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True, index=True)

    school: Mapped[School] = relationship()


class ActivityTeacher(Base):
    """A teacher taking part in an activity."""

    __tablename__ = "activity_teachers"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), primary_key=True, index=True)

    teacher: Mapped[Teacher] = relationship()


class ActivityAttachment(TimestampMixin, Base):
    """An evidence file of an activity, stored under var/attachments with a random name."""

    __tablename__ = "activity_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    is_report: Mapped[bool] = mapped_column(default=False)

    activity: Mapped[Activity] = relationship(back_populates="attachments")
