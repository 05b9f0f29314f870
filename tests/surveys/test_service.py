from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from tests.surveys.factories import questionnaire, responses

from edugroup.core.errors import Forbidden, InvalidInput, NotFound
from edugroup.core.models import AuditEntry
from edugroup.surveys import service
from edugroup.surveys.models import OVERALL_CODE, RespondentKind, SurveyResponse
from edugroup.surveys.schemas import QuestionnaireCreate, QuestionnaireUpdate


def test_a_questionnaire_asks_the_overall_question_first_and_falls_in_its_school_year(world):
    q = questionnaire(world, conducted_on=date(2025, 9, 1))
    assert [(i.position, i.code, i.is_overall) for i in q.items] == [
        (0, OVERALL_CODE, True),
        (1, "Q1", False),
        (2, "Q2", False),
    ]
    assert q.school_year == 2025
    assert questionnaire(world, conducted_on=date(2025, 8, 31)).school_year == 2024
    assert q.kinds == [RespondentKind.parent, RespondentKind.teacher]
    assert q.satisfied_label == "4 满意 / 5 非常满意"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"group_id": None}, "集团或学区"),
        ({"district_id": 1}, "集团或学区"),
        ({"satisfied_values": [6]}, "不在量表"),
        ({"satisfied_values": [1, 2, 3, 4, 5]}, "不能所有选项"),
        ({"scale_min": 5, "scale_max": 5}, "最小值应小于最大值"),
        ({"respondent_kinds": []}, "respondent_kinds"),
        ({"items": [{"code": "Q1", "text": "a"}, {"code": "Q1", "text": "b"}]}, "题目代码重复"),
        ({"items": [{"code": OVERALL_CODE, "text": "a"}]}, "留给总体满意度题"),
    ],
)
def test_an_inconsistent_questionnaire_is_refused(fields, message):
    data = {
        "title": "调查",
        "group_id": 1,
        "conducted_on": "2026-05-20",
        "respondent_kinds": ["parent"],
        **fields,
    }
    with pytest.raises(ValidationError) as refused:
        QuestionnaireCreate(**data)
    assert message in str(refused.value)


def test_the_satisfied_share_counts_overall_answers_among_the_satisfied_ones(world):
    q = questionnaire(world)
    responses(world, q, "parent", 9, 10, school="A")
    responses(world, q, "parent", 8, 10, school="B", first=100)
    responses(world, q, "teacher", 3, 4, school="A")
    shares = {s.respondent_kind: s for s in service.shares_by_kind(world.session, [q])[q.id]}
    assert (shares["parent"].respondents, shares["parent"].satisfied, shares["parent"].share) == (
        20,
        17,
        0.85,
    )
    assert shares["teacher"].share == 0.75
    result = service.satisfaction(world.session, world.scope("bureau"), q.id)
    assert [(s.school_name, s.respondent_kind.value, s.share) for s in result.by_school] == [
        ("测试乙小学", "parent", 0.8),
        ("测试甲小学", "parent", 0.9),
        ("测试甲小学", "teacher", 0.75),
    ]
    q1 = [s for s in result.by_item if s.item_code == "Q1" and s.respondent_kind == "parent"][0]
    assert (q1.respondents, q1.share) == (20, 1.0)  # every factory response answers Q1 with 4
    assert "总体满意度题" in result.definition


def test_a_kind_without_respondents_has_no_share(world):
    q = questionnaire(world)
    responses(world, q, "parent", 1, 1)
    shares = {s.respondent_kind: s.share for s in service.shares_by_kind(world.session, [q])[q.id]}
    assert shares == {"parent": 1.0, "teacher": None}


def test_changing_the_satisfied_answers_changes_the_share(world):
    q = questionnaire(world)
    responses(world, q, "parent", 9, 10)  # 9 answer 5, 1 answers 3
    bureau = world.scope("bureau")
    service.update_questionnaire(world.session, bureau, q.id, QuestionnaireUpdate(satisfied_values=[3, 4, 5]))
    assert service.shares_by_kind(world.session, [q])[q.id][0].share == 1.0
    with pytest.raises(InvalidInput):
        service.update_questionnaire(world.session, bureau, q.id, QuestionnaireUpdate(satisfied_values=[7]))


def test_who_sees_and_who_writes_a_questionnaire(world):
    tight = questionnaire(world)
    pair = questionnaire(world, group_id=world.groups["pair"])
    district = questionnaire(world, group_id=None, district_id=_district(world))
    session = world.session
    seen = {
        who: {q.id for q in service.list_questionnaires(session, world.scope(who))} for who in world.users
    }
    assert seen["bureau"] == {tight.id, pair.id, district.id}
    assert seen["group"] == {tight.id}
    assert seen["school"] == {tight.id}  # school B is a member of the tight group
    assert seen["teacher"] == set()
    assert seen["other-bureau"] == set()
    with pytest.raises(NotFound):
        service.get_questionnaire(session, world.scope("group"), pair.id)
    with pytest.raises(Forbidden):
        service.update_questionnaire(session, world.scope("school"), tight.id, QuestionnaireUpdate(title="x"))
    assert (
        service.update_questionnaire(
            session, world.scope("group"), tight.id, QuestionnaireUpdate(title="集团自查")
        ).title
        == "集团自查"
    )
    with pytest.raises(NotFound):
        questionnaire(world, who="group", group_id=world.groups["pair"])
    with pytest.raises(Forbidden):
        questionnaire(world, who="school")
    with pytest.raises(Forbidden):
        questionnaire(world, who="group", group_id=None, district_id=_district(world))


def test_a_school_administrator_sees_the_results_of_its_own_school_only(world):
    q = questionnaire(world)
    responses(world, q, "parent", 9, 10, school="A")
    responses(world, q, "parent", 8, 10, school="B", first=100)
    result = service.satisfaction(world.session, world.scope("school"), q.id)
    assert [s.school_name for s in result.by_school] == ["测试乙小学"]
    assert result.by_kind[0].respondents == 20
    with pytest.raises(Forbidden):
        service.list_responses(world.session, world.scope("school"), q.id)


def test_deleting_a_questionnaire_deletes_its_responses_with_one_audit_entry(world):
    q = questionnaire(world)
    responses(world, q, "parent", 5, 6)
    service.delete_questionnaire(world.session, world.scope("bureau"), q.id)
    left = world.session.scalar(select(func.count()).select_from(SurveyResponse))
    assert left == 0
    notes = world.session.scalars(
        select(AuditEntry.note).where(
            AuditEntry.entity_type == "survey_responses", AuditEntry.action == "delete"
        )
    ).all()
    assert notes == ["随问卷「集团满意度调查」删除 6 份答卷"]


def _district(world):
    from edugroup.org import service as org

    return org.list_districts(world.session, world.scope("bureau"))[0].id
