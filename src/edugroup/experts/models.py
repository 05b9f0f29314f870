"""Guiding experts (QP-05) and classroom observers (QP-07.a) assigned to schools and programmes, each from
one date to another: a teacher of the region or a named external expert."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.org.models import Group, School
from edugroup.teachers.models import Teacher


class AssignmentRole(enum.StrEnum):
    guiding_expert = "guiding_expert"
    classroom_observer = "classroom_observer"


ASSIGNMENT_ROLE_LABELS: dict[AssignmentRole, str] = {
    AssignmentRole.guiding_expert: "指导专家",
    AssignmentRole.classroom_observer: "课堂观察员",
}


class Assignment(TimestampMixin, Base):
    """A person (a teacher of the region, or a named external expert) assigned to a school or to a
    programme group in a role, from one date to another (QP-05 guiding experts, QP-07.a observers)."""

    __tablename__ = "expert_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    role: Mapped[AssignmentRole] = mapped_column(Enum(AssignmentRole, native_enum=False, length=30))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id"), index=True)
    expert_name: Mapped[str | None] = mapped_column(String(100))
    affiliation: Mapped[str | None] = mapped_column(String(100))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    teacher: Mapped[Teacher | None] = relationship()
    school: Mapped[School | None] = relationship()
    group: Mapped[Group | None] = relationship()

    @property
    def role_label(self) -> str:
        return ASSIGNMENT_ROLE_LABELS[self.role]

    @property
    def person(self) -> str:
        """The teacher's name and staff number, or the external expert's name."""
        if self.teacher is not None:
            return f"{self.teacher.name} ({self.teacher.staff_number})"
        return self.expert_name or ""

    @property
    def person_key(self) -> str:
        """Who the person is, for counting each person once: a teacher id or an external name."""
        return f"teacher:{self.teacher_id}" if self.teacher_id is not None else f"name:{self.expert_name}"
