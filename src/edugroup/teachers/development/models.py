"""Teacher development records: training and showcase credits (HK-10, SH-10), demonstration-lesson
certificates (OH-11, OH-12), mentoring pairs (OH-09, HD-03), teacher dispatch (HD-03) and the experts and
observers assigned to schools and programmes (QP-05, QP-07.a).

Every record is dated, so it falls in a school year, and names the teacher it concerns; a record that
depends on where the teacher worked at the time (a certificate, a dispatch) keeps that school.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.core.periods import school_year_of
from edugroup.org.models import District, Group, School
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
