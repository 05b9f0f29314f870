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
