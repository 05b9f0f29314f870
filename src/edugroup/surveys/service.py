"""Satisfaction surveys (HK-23): questionnaires, their responses and the satisfied share.

**Satisfied share (满意度)** of one respondent kind (家长, 教师 or 学生) = respondents of that kind whose answer
to the questionnaire's overall item (总体满意度) is one of its satisfied answers (by default 4 满意 and
5 非常满意 on a 1–5 scale; set per questionnaire) / all respondents of that kind. Every response answers the
overall item (the import refuses a row without it), so no respondent is left out of the denominator. Answers
to the other items are reported per item (satisfied answers / answers given to that item) and never enter
the share. For a group (or a district) and a period, the share pools every questionnaire about it conducted
in the period: Σ satisfied / Σ respondents of the kind. A school's share pools the respondents who named it;
the region's pools every questionnaire of the region.

Who sees a questionnaire and its results: a bureau administrator every one of its region; a group head or a
school administrator those about the groups of its scope (per-school results only for its own schools);
teachers none. Who writes (creates, changes, deletes, imports responses, reads single responses): a bureau
administrator any of its region; a group head those about its groups. Hidden → 404, visible but not
writable → 403.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session, selectinload

from edugroup.core import audit
from edugroup.core.errors import InvalidInput
from edugroup.core.periods import SchoolYear
from edugroup.core.records import not_found_as, visible_one
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.org.models import Membership, School
from edugroup.surveys.models import (
    OVERALL_CODE,
    RESPONDENT_LABELS,
    Questionnaire,
    QuestionnaireItem,
    RespondentKind,
    SurveyResponse,
)
from edugroup.surveys.schemas import (
    ItemShare,
    KindShare,
    QuestionnaireCreate,
    QuestionnaireUpdate,
    SatisfactionRead,
    SchoolShare,
    check_scale,
)

DEFINITION = (
    "满意度 = 总体满意度题回答为满意选项的人数 / 该群体全部答卷人数 (每份答卷都须回答总体满意度题); "
    "同一集团或学区同一学年的多份问卷合并计算。"
)
_LOADS = (
    selectinload(Questionnaire.items),
    selectinload(Questionnaire.group),
    selectinload(Questionnaire.district),
)

# --- scope ---------------------------------------------------------------------------------------


def visible(scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the questionnaires `scope` may see."""
    return scope.managed_groups(Questionnaire.group_id, Questionnaire.region_id)


def require_writer(scope: Scope, group_id: int | None, what: str) -> None:
    """Refuse (403) a user who may not write a questionnaire about this group or district (None)."""
    if group_id is None:
        scope.require_bureau(f"{what}: 学区问卷", field="district_id")
    scope.require_group_writer(group_id, f"{what}: ")


# --- questionnaires ------------------------------------------------------------------------------


def list_questionnaires(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    group_id: int | None = None,
    district_id: int | None = None,
) -> list[Questionnaire]:
    """Questionnaires in scope, newest first; `year` is a school year."""
    stmt = select(Questionnaire).where(visible(scope))
    if year is not None:
        period = SchoolYear(year)
        stmt = stmt.where(Questionnaire.conducted_on.between(period.start, period.end))
    if group_id is not None:
        stmt = stmt.where(Questionnaire.group_id == group_id)
    if district_id is not None:
        stmt = stmt.where(Questionnaire.district_id == district_id)
    stmt = stmt.options(*_LOADS).order_by(Questionnaire.conducted_on.desc(), Questionnaire.id.desc())
    return list(session.scalars(stmt))


def get_questionnaire(session: Session, scope: Scope, questionnaire_id: int) -> Questionnaire:
    """Gets a questionnaire in scope, with its items."""
    return visible_one(session, Questionnaire, questionnaire_id, visible(scope), _LOADS, "问卷")


def get_writable(session: Session, scope: Scope, questionnaire_id: int, what: str) -> Questionnaire:
    """Gets a questionnaire the caller may write (404 when hidden, 403 when only readable)."""
    questionnaire = get_questionnaire(session, scope, questionnaire_id)
    require_writer(scope, questionnaire.group_id, what)
    return questionnaire


def _check_target(session: Session, scope: Scope, group_id: int | None, district_id: int | None) -> None:
    if group_id is not None:
        with not_found_as("group_id"):
            org_service.get_group(session, scope, group_id)
    if district_id is not None:
        with not_found_as("district_id"):
            org_service.get_district(session, scope, district_id)


def create_questionnaire(session: Session, scope: Scope, data: QuestionnaireCreate) -> Questionnaire:
    """Creates a questionnaire about a group or district the caller may write for."""
    scope.require_group_manager("新建问卷")
    assert scope.region_id is not None
    _check_target(session, scope, data.group_id, data.district_id)
    require_writer(scope, data.group_id, "新建问卷")
    questionnaire = Questionnaire(
        region_id=scope.region_id,
        group_id=data.group_id,
        district_id=data.district_id,
        title=data.title,
        conducted_on=data.conducted_on,
        respondent_kinds=[k.value for k in data.respondent_kinds],
        scale_min=data.scale_min,
        scale_max=data.scale_max,
        satisfied_values=sorted(set(data.satisfied_values)),
        scale_labels=_labels(data.scale_labels, data.scale_min, data.scale_max),
        description=data.description,
    )
    questionnaire.items = [
        QuestionnaireItem(position=0, code=OVERALL_CODE, text=data.overall_question, is_overall=True)
    ]
    questionnaire.items += [
        QuestionnaireItem(position=i, code=item.code, text=item.text, is_overall=False)
        for i, item in enumerate(data.items, start=1)
    ]
    session.add(questionnaire)
    session.flush()
    return questionnaire


def _labels(labels: dict[int, str] | None, low: int, high: int) -> dict[str, str] | None:
    """Scale labels as stored (JSON keys are text), only those inside the scale."""
    if not labels:
        return None
    return {str(k): v.strip() for k, v in sorted(labels.items()) if low <= k <= high and v.strip()}


def update_questionnaire(
    session: Session, scope: Scope, questionnaire_id: int, data: QuestionnaireUpdate
) -> Questionnaire:
    """Changes a questionnaire's title, date, satisfied answers, scale labels or description."""
    questionnaire = get_writable(session, scope, questionnaire_id, "修改问卷")
    changes = data.model_dump(exclude_unset=True)
    for key, label in (("title", "标题"), ("conducted_on", "调查日期"), ("satisfied_values", "满意选项")):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{label}不能为空", field=key)
    satisfied = changes.get("satisfied_values", questionnaire.satisfied_values)
    labels = changes.get("scale_labels")
    problem = check_scale(questionnaire.scale_min, questionnaire.scale_max, satisfied, labels)
    if problem:
        raise InvalidInput(problem, field="satisfied_values" if "满意" in problem else "scale_labels")
    if "satisfied_values" in changes:
        changes["satisfied_values"] = sorted(set(satisfied))
    if "scale_labels" in changes:
        changes["scale_labels"] = _labels(labels, questionnaire.scale_min, questionnaire.scale_max)
    for key, value in changes.items():
        setattr(questionnaire, key, value)
    session.flush()
    return questionnaire


def delete_questionnaire(session: Session, scope: Scope, questionnaire_id: int) -> None:
    """Deletes a questionnaire with its items and responses (the responses as one audit entry)."""
    questionnaire = get_writable(session, scope, questionnaire_id, "删除问卷")
    removed = session.scalar(select(func.count()).where(SurveyResponse.questionnaire_id == questionnaire_id))
    session.execute(delete(SurveyResponse).where(SurveyResponse.questionnaire_id == questionnaire_id))
    if removed:
        audit.record(
            session,
            action="delete",
            entity_type="survey_responses",
            entity_id=str(questionnaire_id),
            note=f"随问卷「{questionnaire.title}」删除 {removed} 份答卷",
            region_id=questionnaire.region_id,
        )
    session.delete(questionnaire)
    session.flush()


# --- results -------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Respondents (or answers) and how many of them are satisfied."""

    respondents: int = 0
    satisfied: int = 0

    @property
    def share(self) -> float | None:
        return self.satisfied / self.respondents if self.respondents else None

    def add(self, satisfied: bool, count: int = 1) -> None:
        self.respondents += count
        if satisfied:
            self.satisfied += count


def _kind_share(kind: RespondentKind, tally: Tally) -> dict[str, Any]:
    return {
        "respondent_kind": kind,
        "label": RESPONDENT_LABELS[kind],
        "respondents": tally.respondents,
        "satisfied": tally.satisfied,
        "share": tally.share,
    }


def shares_by_kind(session: Session, questionnaires: Sequence[Questionnaire]) -> dict[int, list[KindShare]]:
    """The satisfied share per respondent kind of each questionnaire (every kind it addresses), one query."""
    by_id = {q.id: q for q in questionnaires}
    tallies: dict[tuple[int, RespondentKind], Tally] = defaultdict(Tally)
    if by_id:
        stmt = (
            select(
                SurveyResponse.questionnaire_id,
                SurveyResponse.respondent_kind,
                SurveyResponse.overall_answer,
                func.count(),
            )
            .where(SurveyResponse.questionnaire_id.in_(list(by_id)))
            .group_by(
                SurveyResponse.questionnaire_id, SurveyResponse.respondent_kind, SurveyResponse.overall_answer
            )
        )
        for qid, kind, answer, count in session.execute(stmt).all():
            tallies[(qid, kind)].add(by_id[qid].is_satisfied(answer), count)
    return {
        q.id: [KindShare(**_kind_share(kind, tallies[(q.id, kind)])) for kind in q.kinds]
        for q in questionnaires
    }


def satisfaction(session: Session, scope: Scope, questionnaire_id: int) -> SatisfactionRead:
    """A questionnaire's satisfied share per kind, per school (those the caller may see) and per item."""
    questionnaire = get_questionnaire(session, scope, questionnaire_id)
    writer = scope.can_write_group(questionnaire.group_id)
    stmt = select(
        SurveyResponse.respondent_kind,
        SurveyResponse.school_id,
        SurveyResponse.overall_answer,
        SurveyResponse.answers,
    ).where(SurveyResponse.questionnaire_id == questionnaire_id)
    by_kind: dict[RespondentKind, Tally] = defaultdict(Tally)
    by_school: dict[tuple[int | None, RespondentKind], Tally] = defaultdict(Tally)
    by_item: dict[tuple[str, RespondentKind], Tally] = defaultdict(Tally)
    for kind, school_id, overall, answers in session.execute(stmt).all():
        satisfied = questionnaire.is_satisfied(overall)
        by_kind[kind].add(satisfied)
        if writer or (school_id is not None and school_id in scope.school_ids):
            by_school[(school_id, kind)].add(satisfied)
        for code, answer in (answers or {}).items():
            by_item[(code, kind)].add(questionnaire.is_satisfied(answer))
    names = dict(
        session.execute(
            select(School.id, School.name).where(School.id.in_([s for s, _ in by_school if s is not None]))
        ).all()
    )
    kinds = questionnaire.kinds
    order = {kind: i for i, kind in enumerate(kinds)}
    schools = sorted(
        by_school, key=lambda key: (names.get(key[0], "~") if key[0] else "~", order.get(key[1], 9))
    )
    return SatisfactionRead(
        questionnaire_id=questionnaire.id,
        definition=DEFINITION,
        by_kind=[KindShare(**_kind_share(kind, by_kind[kind])) for kind in kinds],
        by_school=[
            SchoolShare(
                school_id=school_id,
                school_name=names.get(school_id, "") if school_id is not None else "(未填学校)",
                **_kind_share(kind, by_school[(school_id, kind)]),
            )
            for school_id, kind in schools
        ],
        by_item=[
            ItemShare(
                item_code=item.code, item_text=item.text, **_kind_share(kind, by_item[(item.code, kind)])
            )
            for item in questionnaire.items
            if not item.is_overall
            for kind in kinds
        ],
    )


@dataclass(frozen=True)
class TargetShare:
    """The pooled satisfied share of one group or district and one respondent kind."""

    target: str
    respondent_kind: RespondentKind
    respondents: int
    satisfied: int

    @property
    def share(self) -> float | None:
        return self.satisfied / self.respondents if self.respondents else None


def pooled_by_target(
    questionnaires: Sequence[Questionnaire], shares: dict[int, list[KindShare]]
) -> list[TargetShare]:
    """Satisfied share per group or district and kind, pooling the given questionnaires as HK-23 does;
    groups by code first, then districts, each kind in the order parent, teacher, student."""
    tallies: dict[tuple[str, str, RespondentKind], Tally] = {}
    kinds = list(RespondentKind)
    for q in questionnaires:
        order = q.group.code if q.group is not None else f"~{q.district.code if q.district else ''}"
        for share in shares[q.id]:
            tally = tallies.setdefault((order, q.target_name, share.respondent_kind), Tally())
            tally.respondents += share.respondents
            tally.satisfied += share.satisfied
    keys = sorted(tallies, key=lambda key: (key[0], key[1], kinds.index(key[2])))
    return [
        TargetShare(name, kind, tallies[(o, name, kind)].respondents, tallies[(o, name, kind)].satisfied)
        for o, name, kind in keys
    ]


def list_responses(
    session: Session, scope: Scope, questionnaire_id: int, *, limit: int | None = None, offset: int = 0
) -> list[SurveyResponse]:
    """Single responses of a questionnaire, for those who may write it."""
    get_writable(session, scope, questionnaire_id, "查看答卷明细")
    stmt = (
        select(SurveyResponse)
        .where(SurveyResponse.questionnaire_id == questionnaire_id)
        .options(selectinload(SurveyResponse.school))
        .order_by(SurveyResponse.respondent_kind, SurveyResponse.respondent_code)
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class ResponseValues:
    """One parsed response, ready to store."""

    respondent_kind: RespondentKind
    respondent_code: str
    school_id: int | None
    overall_answer: int
    answers: dict[str, int]


def store_responses(
    session: Session, questionnaire: Questionnaire, responses: Iterable[ResponseValues], *, source: str
) -> tuple[int, int]:
    """Stores parsed responses in bulk; a respondent code already recorded (same kind) is replaced.

    Returns (new, replaced). The caller has checked the rows and the caller's right to write.
    """
    rows = list(responses)
    existing = {
        (kind, code): rid
        for rid, kind, code in session.execute(
            select(SurveyResponse.id, SurveyResponse.respondent_kind, SurveyResponse.respondent_code).where(
                SurveyResponse.questionnaire_id == questionnaire.id
            )
        ).all()
    }
    replaced = [existing[key] for r in rows if (key := (r.respondent_kind, r.respondent_code)) in existing]
    for start in range(0, len(replaced), 500):
        session.execute(delete(SurveyResponse).where(SurveyResponse.id.in_(replaced[start : start + 500])))
    if rows:
        session.execute(
            insert(SurveyResponse),
            [
                {
                    "questionnaire_id": questionnaire.id,
                    "respondent_kind": r.respondent_kind,
                    "respondent_code": r.respondent_code,
                    "school_id": r.school_id,
                    "overall_answer": r.overall_answer,
                    "answers": r.answers,
                }
                for r in rows
            ],
        )
    new = len(rows) - len(replaced)
    audit.record(
        session,
        action="import",
        entity_type="survey_responses",
        entity_id=str(questionnaire.id),
        note=f"{source}: 问卷「{questionnaire.title}」新增 {new} 份答卷, 替换 {len(replaced)} 份",
        region_id=questionnaire.region_id,
    )
    return new, len(replaced)


def respondent_schools(session: Session, questionnaire: Questionnaire) -> dict[str, int]:
    """Codes of the schools whose respondents may answer: the group's members during the survey's school
    year, or the district's schools."""
    period = SchoolYear(questionnaire.school_year)
    stmt = select(School.code, School.id).where(School.region_id == questionnaire.region_id)
    if questionnaire.group_id is not None:
        members = select(Membership.school_id).where(
            Membership.group_id == questionnaire.group_id,
            Membership.start_date <= period.end,
            (Membership.end_date.is_(None)) | (Membership.end_date >= period.start),
        )
        stmt = stmt.where(School.id.in_(members))
    else:
        stmt = stmt.where(School.district_id == questionnaire.district_id)
    return dict(session.execute(stmt).all())


# --- the period read for the compliance engine ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class SurveyCount:
    """Respondents of one kind at one school (or none named) in one questionnaire, and the satisfied ones."""

    questionnaire_id: int
    group_id: int | None
    district_id: int | None
    conducted_on: date
    respondent_kind: RespondentKind
    school_id: int | None
    respondents: int
    satisfied: int


def counts_in(session: Session, *, region_id: int, start: date, end: date) -> list[SurveyCount]:
    """Respondents and satisfied respondents per questionnaire, kind and school, for every questionnaire of a
    region conducted from `start` to `end` (inclusive). Not scoped: the engine evaluates a whole region."""
    questionnaires = {
        q.id: q
        for q in session.scalars(
            select(Questionnaire).where(
                Questionnaire.region_id == region_id,
                Questionnaire.conducted_on >= start,
                Questionnaire.conducted_on <= end,
            )
        )
    }
    if not questionnaires:
        return []
    stmt = (
        select(
            SurveyResponse.questionnaire_id,
            SurveyResponse.respondent_kind,
            SurveyResponse.school_id,
            SurveyResponse.overall_answer,
            func.count(),
        )
        .where(SurveyResponse.questionnaire_id.in_(list(questionnaires)))
        .group_by(
            SurveyResponse.questionnaire_id,
            SurveyResponse.respondent_kind,
            SurveyResponse.school_id,
            SurveyResponse.overall_answer,
        )
    )
    tallies: dict[tuple[int, RespondentKind, int | None], Tally] = defaultdict(Tally)
    for qid, kind, school_id, answer, count in session.execute(stmt).all():
        tallies[(qid, kind, school_id)].add(questionnaires[qid].is_satisfied(answer), count)
    return [
        SurveyCount(
            questionnaire_id=qid,
            group_id=questionnaires[qid].group_id,
            district_id=questionnaires[qid].district_id,
            conducted_on=questionnaires[qid].conducted_on,
            respondent_kind=kind,
            school_id=school_id,
            respondents=tally.respondents,
            satisfied=tally.satisfied,
        )
        for (qid, kind, school_id), tally in sorted(
            tallies.items(), key=lambda kv: (kv[0][0], kv[0][1].value, kv[0][2] or 0)
        )
    ]
