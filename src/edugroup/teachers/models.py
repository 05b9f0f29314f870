"""Teachers (HK-04: school in use and group pool, titles, backbone tiers, honours) and group-level recruitment
and title applications (HK-04). Rotations, eligibility rules and promotions are in `rotation`, studios in
`studios`.

A teacher's `school_id` is the school that uses the teacher (校用): its staff, whose 人事关系 a rotation does
not change. During a rotation the teacher works at the rotation's `to_school`; the rotation records
(`rotation.models`) say where and when.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.org.models import Group, School


class Honour(enum.StrEnum):
    """Honours the Qingpu rules count (QP-02, QP-03)."""

    municipal_famous_principal = (
        "municipal_famous_principal"  # 市级名校长 (含特级校长、“双名工程”名校长培养对象)
    )
    famous_teacher = "famous_teacher"  # 名师 (含特级教师、正高级教师、“双名工程”名师培养对象)
    seed_team = "seed_team"  # “双名工程”种子团队成员


HONOUR_LABELS: dict[Honour, str] = {
    Honour.municipal_famous_principal: "市级名校长",
    Honour.famous_teacher: "名师",
    Honour.seed_team: "种子团队成员",
}

BACKBONE_TIERS = (1, 2, 3, 4, 5)
"""五层级梯队: level 1 is the top of the ladder; a teacher on any level is a backbone teacher (骨干教师)."""
BACKBONE_TIER_LABELS: dict[int, str] = {tier: f"第{'一二三四五'[tier - 1]}层级" for tier in BACKBONE_TIERS}


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
    extra_subjects: Mapped[str | None] = mapped_column(String(100))  # 兼教学科, separated by 、
    backbone_tier: Mapped[int | None]  # 五层级梯队 level 1..5; None: not a backbone teacher
    municipal_famous_principal: Mapped[bool] = mapped_column(default=False, server_default=false())
    famous_teacher: Mapped[bool] = mapped_column(default=False, server_default=false())
    seed_team: Mapped[bool] = mapped_column(default=False, server_default=false())

    school: Mapped[School] = relationship()
    pool_group: Mapped[Group | None] = relationship()

    @property
    def is_backbone(self) -> bool:
        """On any level of the five-tier ladder (五层级梯队)."""
        return self.backbone_tier is not None

    @property
    def backbone_label(self) -> str | None:
        return BACKBONE_TIER_LABELS.get(self.backbone_tier) if self.backbone_tier is not None else None

    @property
    def subjects(self) -> list[str]:
        """The main subject first, then the other subjects taught."""
        extra = [s for s in (self.extra_subjects or "").replace(";", "、").split("、") if s.strip()]
        return [self.subject, *[s.strip() for s in extra if s.strip() != self.subject]]

    @property
    def honours(self) -> list[Honour]:
        return [h for h in Honour if getattr(self, h.value)]

    @property
    def honour_labels(self) -> list[str]:
        return [HONOUR_LABELS[h] for h in self.honours]


class StaffingKind(enum.StrEnum):
    recruitment = "recruitment"  # 招聘
    title_application = "title_application"  # 职称申报


class StaffingStatus(enum.StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


STAFFING_KIND_LABELS: dict[StaffingKind, str] = {
    StaffingKind.recruitment: "招聘",
    StaffingKind.title_application: "职称申报",
}
STAFFING_STATUS_LABELS: dict[StaffingStatus, str] = {
    StaffingStatus.submitted: "已申报",
    StaffingStatus.approved: "已通过",
    StaffingStatus.rejected: "未通过",
}


class StaffingRecord(TimestampMixin, Base):
    """A recruitment or a title application recorded at group level for a school that uses it (HK-04)."""

    __tablename__ = "group_staffing_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    kind: Mapped[StaffingKind] = mapped_column(Enum(StaffingKind, native_enum=False, length=30))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id"), index=True)
    subject: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str | None] = mapped_column(String(30))  # the title applied for
    positions: Mapped[int] = mapped_column(default=1)  # recruitment: posts to fill
    recorded_on: Mapped[date] = mapped_column(Date)
    status: Mapped[StaffingStatus] = mapped_column(
        Enum(StaffingStatus, native_enum=False, length=20), default=StaffingStatus.submitted
    )
    note: Mapped[str | None] = mapped_column(Text)

    group: Mapped[Group] = relationship()
    school: Mapped[School | None] = relationship()
    teacher: Mapped[Teacher | None] = relationship()

    @property
    def kind_label(self) -> str:
        return STAFFING_KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return STAFFING_STATUS_LABELS[self.status]
