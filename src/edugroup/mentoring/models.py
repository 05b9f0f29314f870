"""Mentoring pairs (OH-09, HD-03) and teachers dispatched from their school to teach at another (HD-03),
each from one date to another; a dispatch keeps the sending school."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.org.models import Group, School
from edugroup.teachers.models import Teacher


class MentoringPair(TimestampMixin, Base):
    """A mentor (师傅) and a mentee (徒弟) from one date to another, optionally arranged by a group (OH-09)."""

    __tablename__ = "mentoring_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)

    mentor: Mapped[Teacher] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Teacher] = relationship(foreign_keys=[mentee_id])
    group: Mapped[Group | None] = relationship()


class DispatchKind(enum.StrEnum):
    """HD-03: 骨干教师顶岗任教 (a backbone teacher takes a post at another school) and 特需教师配送
    (a teacher of a subject a school lacks is sent to teach there)."""

    backbone_post = "backbone_post"
    special_needs = "special_needs"


DISPATCH_KIND_LABELS: dict[DispatchKind, str] = {
    DispatchKind.backbone_post: "骨干教师顶岗任教",
    DispatchKind.special_needs: "特需教师配送",
}


class Dispatch(TimestampMixin, Base):
    """A teacher sent from its school to teach at another, from one date to another (HD-03)."""

    __tablename__ = "teacher_dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    kind: Mapped[DispatchKind] = mapped_column(Enum(DispatchKind, native_enum=False, length=20))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), index=True)
    from_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    to_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)

    teacher: Mapped[Teacher] = relationship()
    from_school: Mapped[School] = relationship(foreign_keys=[from_school_id])
    to_school: Mapped[School] = relationship(foreign_keys=[to_school_id])
    group: Mapped[Group | None] = relationship()

    @property
    def kind_label(self) -> str:
        return DISPATCH_KIND_LABELS[self.kind]
