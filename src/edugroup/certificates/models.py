"""District demonstration-lesson certificates (OH-11, OH-12): dated, so each falls in a school year, and
keeping the teacher's school on the day it was recorded."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.core.periods import school_year_of
from edugroup.org.models import Group, School
from edugroup.teachers.models import Teacher


class CertificateKind(enum.StrEnum):
    district_demonstration_lesson = "district_demonstration_lesson"


CERTIFICATE_KIND_LABELS: dict[CertificateKind, str] = {
    CertificateKind.district_demonstration_lesson: "区级示范课证书",
}


class Certificate(TimestampMixin, Base):
    """A district demonstration-lesson certificate issued to a teacher through a group (OH-11, OH-12).

    `school_id` is the teacher's school on the day it was recorded."""

    __tablename__ = "demonstration_certificates"
    __table_args__ = (
        Index("ix_demonstration_certificates_region_issued", "region_id", "issued_on"),
        UniqueConstraint("region_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    kind: Mapped[CertificateKind] = mapped_column(Enum(CertificateKind, native_enum=False, length=40))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    lesson_title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(30))
    number: Mapped[str | None] = mapped_column(String(50))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    teacher: Mapped[Teacher] = relationship()
    school: Mapped[School] = relationship()
    group: Mapped[Group] = relationship()

    @property
    def school_year(self) -> int:
        return school_year_of(self.issued_on).year

    @property
    def kind_label(self) -> str:
        return CERTIFICATE_KIND_LABELS[self.kind]
