"""Teachers: school in use and group pool (HK-04)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.org.models import Group, School


class Teacher(TimestampMixin, Base):
    __tablename__ = "teachers"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    pool_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    staff_number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(30))
    title: Mapped[str | None] = mapped_column(String(30))
    birth_year: Mapped[int | None]
    joined_school_on: Mapped[date | None] = mapped_column(Date)

    school: Mapped[School] = relationship()
    pool_group: Mapped[Group | None] = relationship()


class Studio(TimestampMixin, Base):
    """A 名师/名校长工作室 or similar community, hosted in a group, with members across schools (OH-10, SH-09)."""

    __tablename__ = "studios"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    host_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id"))
    founded_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)

    members: Mapped[list[StudioMember]] = relationship(
        cascade="all, delete-orphan", order_by="StudioMember.teacher_id"
    )


class StudioMember(Base):
    """A teacher in a studio from a date; the member's school is the teacher's school."""

    __tablename__ = "studio_members"

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), primary_key=True, index=True)
    joined_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    teacher: Mapped[Teacher] = relationship()
