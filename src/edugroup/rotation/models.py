"""Rotation plans, the product side of the planner: the bureau's demand per receiving school and subject,
and plans the planner made for a region and school year, reviewed row by row and accepted into rotations.

The planner itself (`planner.py` and its modules) stays pure; `rotation.service` loads these tables, builds
its instance and stores its answer here.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Enum, Float, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.org.models import School
from edugroup.teachers.models import Teacher


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
