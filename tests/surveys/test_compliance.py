"""HK-23 through the compliance engine: each respondent group of each group and district >= 90%."""

from datetime import date

import pytest
from sqlalchemy import event
from tests.surveys.factories import questionnaire, responses

from edugroup.org import service as org
from edugroup.policy import service


def rows(world, year=2025, who="bureau"):
    evaluation = service.run_compliance(world.session, world.scope(who), "hongkou-2025", year=year)
    return [r for r in evaluation.rows if r.clause == "HK-23"]


def verdicts(world, entity_id, entity_type="group", **kw):
    return {
        r.breakdown: (r.value, r.verdict)
        for r in rows(world, **kw)
        if r.entity_id == entity_id and r.entity_type == entity_type
    }


@pytest.mark.parametrize(
    ("satisfied", "expected"), [(90, "met"), (89, "not_met"), (100, "met"), (0, "not_met")]
)
def test_hk23_parents_need_ninety_percent(world, satisfied, expected):
    q = questionnaire(world)
    responses(world, q, "parent", satisfied, 100)
    responses(world, q, "teacher", 10, 10)
    found = verdicts(world, world.groups["tight"])
    assert found["parent"] == (satisfied / 100, expected)
    assert found["teacher"] == (1.0, "met")


def test_hk23_is_evaluated_per_respondent_group_and_a_missing_group_has_no_data(world):
    q = questionnaire(world, respondent_kinds=["parent", "student"])
    responses(world, q, "parent", 95, 100)
    responses(world, q, "student", 1, 100)  # students are not named by HK-23
    assert verdicts(world, world.groups["tight"]) == {"parent": (0.95, "met"), "teacher": (None, "no_data")}
    pair = verdicts(world, world.groups["pair"])
    assert pair == {"parent": (None, "no_data"), "teacher": (None, "no_data")}
    row = next(
        r
        for r in rows(world)
        if (r.entity_type, r.entity_id, r.breakdown) == ("group", world.groups["tight"], "parent")
    )
    assert row.evidence == [f"questionnaires:{q.id}"]
    assert row.threshold == 0.9


def test_hk23_pools_the_questionnaires_of_the_school_year_and_leaves_other_years_out(world):
    spring = questionnaire(world, conducted_on=date(2026, 5, 20))
    autumn = questionnaire(world, conducted_on=date(2025, 11, 3))
    next_year = questionnaire(world, conducted_on=date(2026, 10, 1))
    responses(world, spring, "parent", 10, 10)
    responses(world, autumn, "parent", 8, 10)
    responses(world, next_year, "parent", 0, 10)
    found = verdicts(world, world.groups["tight"])
    assert found["parent"] == (0.9, "met")
    assert verdicts(world, world.groups["tight"], year=2026)["parent"] == (0.0, "not_met")


def test_hk23_reads_a_district_questionnaire_for_the_district(world):
    district = org.list_districts(world.session, world.scope("bureau"))[0].id
    q = questionnaire(world, group_id=None, district_id=district)
    responses(world, q, "parent", 9, 10)
    responses(world, q, "teacher", 17, 20)
    found = verdicts(world, district, "district")
    assert found == {"parent": (0.9, "met"), "teacher": (0.85, "not_met")}
    assert verdicts(world, world.groups["tight"])["parent"] == (None, "no_data")


def test_hk23_reads_the_responses_once_per_evaluation(world):
    for group in ("tight", "pair"):
        q = questionnaire(world, group_id=world.groups[group])
        responses(world, q, "parent", 9, 10)
    statements: list[str] = []
    connection = world.session.connection()

    def capture(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    event.listen(connection, "before_cursor_execute", capture)
    try:
        rows(world)
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    assert len([s for s in statements if "from survey_responses" in s]) == 1
