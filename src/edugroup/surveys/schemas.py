"""Shapes of questionnaires, their items and satisfaction results that cross the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edugroup.surveys.models import DEFAULT_SCALE_LABELS, OVERALL_CODE, RespondentKind


def _strip(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class ItemCreate(BaseModel):
    code: str = Field(min_length=1, max_length=20, description="column header of the item in the import")
    text: str = Field(min_length=1, max_length=300)

    @field_validator("code", "text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("不能为空")
        return value


def check_scale(
    scale_min: int, scale_max: int, satisfied: list[int], labels: dict[int, str] | None
) -> str | None:
    """A Chinese sentence saying what is wrong with a scale, or None."""
    if scale_min >= scale_max:
        return "量表最小值应小于最大值"
    if scale_max - scale_min > 10:
        return "量表最多 11 个等级"
    if not satisfied:
        return "请指定计为满意的选项"
    outside = [v for v in satisfied if not scale_min <= v <= scale_max]
    if outside:
        return f"计为满意的选项 {outside} 不在量表 {scale_min}–{scale_max} 内"
    if len(set(satisfied)) == scale_max - scale_min + 1:
        return "不能所有选项都计为满意"
    if labels:
        bad = [k for k in labels if not scale_min <= k <= scale_max]
        if bad:
            return f"选项说明 {bad} 不在量表 {scale_min}–{scale_max} 内"
    return None


class QuestionnaireCreate(BaseModel):
    """A questionnaire about a group or a district (exactly one), with its overall question and items."""

    title: str = Field(min_length=1, max_length=200)
    group_id: int | None = None
    district_id: int | None = None
    conducted_on: date = Field(
        description="the day of the survey; its school year follows (1 Sep starts one)"
    )
    respondent_kinds: list[RespondentKind] = Field(min_length=1, description="parent / teacher / student")
    scale_min: int = Field(default=1, ge=0, le=10)
    scale_max: int = Field(default=5, ge=1, le=20)
    satisfied_values: list[int] = Field(
        default_factory=lambda: [4, 5],
        description="answers that count as satisfied (e.g. 4 满意, 5 非常满意)",
    )
    scale_labels: dict[int, str] | None = Field(default_factory=lambda: dict(DEFAULT_SCALE_LABELS))
    overall_question: str = Field(default="总体而言, 您对本集团办学的满意程度", min_length=1, max_length=300)
    items: list[ItemCreate] = Field(default_factory=list, description="further items, answered optionally")
    description: str | None = None

    _clean = field_validator("description")(_strip)

    @field_validator("title", "overall_question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("不能为空")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> QuestionnaireCreate:
        if (self.group_id is None) == (self.district_id is None):
            raise ValueError("请指定调查对象: 集团或学区 (二选一)")
        if len(set(self.respondent_kinds)) != len(self.respondent_kinds):
            raise ValueError("填答群体有重复")
        problem = check_scale(self.scale_min, self.scale_max, self.satisfied_values, self.scale_labels)
        if problem:
            raise ValueError(problem)
        codes = [item.code for item in self.items]
        if OVERALL_CODE in codes:
            raise ValueError(f"题目代码「{OVERALL_CODE}」留给总体满意度题")
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"题目代码重复: {'、'.join(duplicates)}")
        return self


class QuestionnaireUpdate(BaseModel):
    """Fields to change; the scale's range and the items are fixed once created."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    conducted_on: date | None = None
    satisfied_values: list[int] | None = None
    scale_labels: dict[int, str] | None = None
    description: str | None = None

    _clean = field_validator("description")(_strip)


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    code: str
    text: str
    is_overall: bool


class Share(BaseModel):
    """Satisfied respondents (or answers) out of all of them."""

    respondents: int
    satisfied: int
    share: float | None


class KindShare(Share):
    respondent_kind: RespondentKind
    label: str


class SchoolShare(KindShare):
    school_id: int | None
    school_name: str


class ItemShare(KindShare):
    item_code: str
    item_text: str


class QuestionnaireRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_id: int
    title: str
    group_id: int | None
    district_id: int | None
    target_name: str
    conducted_on: date
    school_year: int
    respondent_kinds: list[RespondentKind]
    scale_min: int
    scale_max: int
    satisfied_values: list[int]
    scale_labels: dict[int, str] | None
    description: str | None
    items: list[ItemRead]
    created_at: datetime
    updated_at: datetime


class QuestionnaireSummary(QuestionnaireRead):
    """A questionnaire with its satisfied share per respondent kind."""

    by_kind: list[KindShare] = Field(default_factory=list)


class SatisfactionRead(BaseModel):
    """A questionnaire's satisfied share per kind, per school (those the caller may see) and per item."""

    questionnaire_id: int
    definition: str
    by_kind: list[KindShare]
    by_school: list[SchoolShare]
    by_item: list[ItemShare]


class ResponseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    respondent_kind: RespondentKind
    respondent_code: str
    school_id: int | None
    overall_answer: int
    answers: dict[str, int]
