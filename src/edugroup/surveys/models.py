"""Satisfaction surveys (满意度调查, HK-23): questionnaires of a group or a district, their items and answers.

A questionnaire addresses one or more respondent kinds (家长 / 教师 / 学生), is dated (its school year follows
from the date) and has a scale (e.g. 1–5) with the answers that count as satisfied (e.g. 4 满意 and 5 非常满意).
Item 0 is the overall satisfaction question (总体满意度); the other items are optional per response.
Responses are anonymous: a respondent code, the kind, optionally the school, the overall answer and the item
answers as {item code: answer}.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edugroup.core.db import Base, TimestampMixin
from edugroup.core.periods import school_year_of
from edugroup.org.models import District, Group, School


class RespondentKind(enum.StrEnum):
    parent = "parent"
    teacher = "teacher"
    student = "student"


RESPONDENT_LABELS: dict[RespondentKind, str] = {
    RespondentKind.parent: "家长",
    RespondentKind.teacher: "教师",
    RespondentKind.student: "学生",
}

OVERALL_CODE = "总体满意度"
DEFAULT_SCALE_LABELS: dict[int, str] = {1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"}


class Questionnaire(TimestampMixin, Base):
    """A satisfaction questionnaire about one group or one district (exactly one of the two)."""

    __tablename__ = "questionnaires"
    __table_args__ = (Index("ix_questionnaires_region_date", "region_id", "conducted_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    conducted_on: Mapped[date] = mapped_column(Date)
    respondent_kinds: Mapped[list[str]] = mapped_column(JSON)
    scale_min: Mapped[int] = mapped_column(SmallInteger, default=1)
    scale_max: Mapped[int] = mapped_column(SmallInteger, default=5)
    satisfied_values: Mapped[list[int]] = mapped_column(JSON)
    scale_labels: Mapped[dict[str, str] | None] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(Text)

    group: Mapped[Group | None] = relationship()
    district: Mapped[District | None] = relationship()
    items: Mapped[list[QuestionnaireItem]] = relationship(
        back_populates="questionnaire", cascade="all, delete-orphan", order_by="QuestionnaireItem.position"
    )

    @property
    def school_year(self) -> int:
        """The school year the survey was conducted in (1 Sep starts a new one)."""
        return school_year_of(self.conducted_on).year

    @property
    def kinds(self) -> list[RespondentKind]:
        return [RespondentKind(k) for k in self.respondent_kinds]

    @property
    def kind_labels(self) -> list[str]:
        return [RESPONDENT_LABELS[k] for k in self.kinds]

    @property
    def target_name(self) -> str:
        """The group's or the district's name."""
        if self.group is not None:
            return self.group.name
        return self.district.name if self.district is not None else ""

    @property
    def overall_item(self) -> QuestionnaireItem | None:
        return next((item for item in self.items if item.is_overall), None)

    def is_satisfied(self, answer: int | None) -> bool:
        """Whether an answer is one of the questionnaire's satisfied answers."""
        return answer is not None and answer in self.satisfied_values

    def label_of(self, value: int) -> str:
        """The scale label of an answer, or the number itself."""
        labels = self.scale_labels or {}
        return labels.get(str(value), str(value))

    @property
    def satisfied_label(self) -> str:
        """E.g. 4 满意 / 5 非常满意."""
        return " / ".join(
            f"{v} {self.label_of(v)}" if self.label_of(v) != str(v) else str(v)
            for v in sorted(self.satisfied_values)
        )


class QuestionnaireItem(Base):
    """One question; position 0 is the overall satisfaction question every response answers."""

    __tablename__ = "questionnaire_items"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(300))
    is_overall: Mapped[bool] = mapped_column(default=False)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="items")


class SurveyResponse(Base):
    """One anonymous respondent's answers; written in bulk by the import (one audit entry per import)."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint(
            "questionnaire_id", "respondent_kind", "respondent_code", name="uq_survey_responses_respondent"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    respondent_kind: Mapped[RespondentKind] = mapped_column(
        Enum(RespondentKind, native_enum=False, length=20)
    )
    respondent_code: Mapped[str] = mapped_column(String(64))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    overall_answer: Mapped[int] = mapped_column(SmallInteger)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)

    school: Mapped[School | None] = relationship()
