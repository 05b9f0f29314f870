"""The rotation domain's tables: the region's eligibility rules (符合交流轮岗条件), rotations and team inflows
(HK-05..09, SH-05..08, OH-13), promotions to school leadership posts (HK-05, SH-05); and the planning side
(`rotation.plans`): the bureau's demand per receiving school and subject, and plans the planner made for a
region and school year, reviewed row by row and accepted into rotations.

The plan tables live here with the records they turn into: a rotation accepted from a plan row may not be
deleted (`rotation.service.delete_rotation` reads the row), and `rotation.plans` builds on `rotation.service`,
so keeping them in `rotation/plans/` would make the two import each other. The planner itself
(`algorithms/rotation/`) stays pure; `rotation.plans.service` loads these tables, builds its instance and
stores its answer here.

A rotation does not change a teacher's `school_id` (the school that uses the teacher, 校用): during a rotation
the teacher works at the rotation's `to_school`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.org.models import School
from edugroup.teachers.models import Teacher


class EligibilityRule(TimestampMixin, Base):
    """A region's rule for who may rotate (符合交流轮岗条件), in force from a date until the next one.

    A teacher is eligible on a day when every condition holds (missing facts fail the condition they feed):
    at the current school for at least `min_years_at_school` full years; no older than `max_age` (by birth
    year) when an age limit is set; not on a rotation (when `exclude_on_rotation`); back from the last rotation
    at least `rest_years` years; and not holding one of `excluded_titles`.
    """

    __tablename__ = "rotation_eligibility_rules"
    __table_args__ = (UniqueConstraint("region_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    min_years_at_school: Mapped[int] = mapped_column(default=6)
    max_age: Mapped[int | None]
    exclude_on_rotation: Mapped[bool] = mapped_column(default=True, server_default=true())
    rest_years: Mapped[int] = mapped_column(default=0, server_default="0")
    excluded_titles: Mapped[str | None] = mapped_column(String(200))  # separated by 、
    note: Mapped[str | None] = mapped_column(String(200))

    @property
    def excluded_title_list(self) -> list[str]:
        return [t.strip() for t in (self.excluded_titles or "").replace(";", "、").split("、") if t.strip()]


class RotationMode(enum.StrEnum):
    individual = "individual"  # 个人交流
    team = "team"  # 组团流入 (HK-09)


ROTATION_MODE_LABELS: dict[RotationMode, str] = {
    RotationMode.individual: "个人交流",
    RotationMode.team: "组团流入",
}


class RotationTeam(TimestampMixin, Base):
    """A 组团流入: teachers rotating into one school together from one day (HK-09)."""

    __tablename__ = "rotation_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    to_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str | None] = mapped_column(String(200))

    to_school: Mapped[School] = relationship()
    rotations: Mapped[list[Rotation]] = relationship(back_populates="team", order_by="Rotation.id")


class Rotation(TimestampMixin, Base):
    """A teacher's 交流轮岗 from one school to another, with its agreed term and, once over, its actual end."""

    __tablename__ = "rotations"
    __table_args__ = (Index("ix_rotations_region_start", "region_id", "start_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), index=True)
    from_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    to_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    planned_end_on: Mapped[date] = mapped_column(Date)
    actual_end_on: Mapped[date | None] = mapped_column(Date)
    mode: Mapped[RotationMode] = mapped_column(
        Enum(RotationMode, native_enum=False, length=20), default=RotationMode.individual
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("rotation_teams.id"), index=True)
    purpose: Mapped[str | None] = mapped_column(String(200))

    teacher: Mapped[Teacher] = relationship()
    from_school: Mapped[School] = relationship(foreign_keys=[from_school_id])
    to_school: Mapped[School] = relationship(foreign_keys=[to_school_id])
    team: Mapped[RotationTeam | None] = relationship(back_populates="rotations")

    @property
    def end_on(self) -> date:
        """The last day: the actual end once recorded, else the planned one."""
        return self.actual_end_on or self.planned_end_on

    @property
    def mode_label(self) -> str:
        return ROTATION_MODE_LABELS[self.mode]

    def active_on(self, day: date) -> bool:
        return self.start_on <= day <= self.end_on


class Promotion(TimestampMixin, Base):
    """A teacher promoted to a school leadership post (提任校级干部) on a day (HK-05, SH-05)."""

    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    post: Mapped[str] = mapped_column(String(50))
    decided_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))

    teacher: Mapped[Teacher] = relationship()
    school: Mapped[School] = relationship()


# --- plans (`rotation.plans`) -------------------------------------------------------------------


class RotationDemand(TimestampMixin, Base):
    """How many rotating teachers of a subject a receiving (相对薄弱) school asks for in a school year."""

    __tablename__ = "rotation_demands"
    __table_args__ = (UniqueConstraint("school_id", "year", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    year: Mapped[int]
    subject: Mapped[str] = mapped_column(String(30))
    min_count: Mapped[int] = mapped_column(default=0)
    max_count: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(200))

    school: Mapped[School] = relationship()


class PlanStatus(enum.StrEnum):
    draft = "draft"
    accepted = "accepted"


PLAN_STATUS_LABELS: dict[PlanStatus, str] = {PlanStatus.draft: "草案", PlanStatus.accepted: "已采纳"}
SOLVER_STATUS_LABELS: dict[str, str] = {
    "optimal": "最优方案",
    "feasible": "可行方案 (未证明最优)",
    "infeasible": "无可行方案",
    "unknown": "时限内未求解",
}


class RotationPlan(TimestampMixin, Base):
    """One run of the planner for a region and school year, with the quotas it kept and the solver's answer."""

    __tablename__ = "rotation_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    year: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(
        Enum(PlanStatus, native_enum=False, length=20), default=PlanStatus.draft
    )
    pack_id: Mapped[str | None] = mapped_column(String(80))
    pack_edition: Mapped[date | None] = mapped_column(Date)
    min_out_share: Mapped[float | None] = mapped_column(Float)
    min_backbone_share: Mapped[float | None] = mapped_column(Float)
    min_team_size: Mapped[int | None]
    duration_years: Mapped[int] = mapped_column(default=3)
    solver_status: Mapped[str] = mapped_column(String(20))
    objective_km: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[str | None] = mapped_column(Text)
    eligible_count: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_by: Mapped[str | None] = mapped_column(String(100))

    rows: Mapped[list[RotationPlanRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="RotationPlanRow.id"
    )

    @property
    def status_label(self) -> str:
        return PLAN_STATUS_LABELS[self.status]

    @property
    def solver_label(self) -> str:
        return SOLVER_STATUS_LABELS.get(self.solver_status, self.solver_status)


class RotationPlanRow(TimestampMixin, Base):
    """One teacher of a plan and the school it goes to; `rotation_id` once the plan is accepted."""

    __tablename__ = "rotation_plan_rows"
    __table_args__ = (UniqueConstraint("plan_id", "teacher_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("rotation_plans.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), index=True)
    from_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    to_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    km: Mapped[float | None] = mapped_column(Float)
    edited: Mapped[bool] = mapped_column(default=False, server_default=false())
    rotation_id: Mapped[int | None] = mapped_column(ForeignKey("rotations.id"))

    plan: Mapped[RotationPlan] = relationship(back_populates="rows")
    teacher: Mapped[Teacher] = relationship()
    from_school: Mapped[School] = relationship(foreign_keys=[from_school_id])
    to_school: Mapped[School] = relationship(foreign_keys=[to_school_id])
