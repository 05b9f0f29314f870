"""Studios (名师/名校长工作室) hosted in a group, with members across schools (OH-10, SH-09)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.teachers.models import Teacher


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
