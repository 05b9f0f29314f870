"""Eligibility for rotation (符合交流轮岗条件) is the region's rule with parameters, read on a day."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import auth
from tests.rotation.factories import rotate, rule
from tests.teachers.factories import teacher

from edugroup.core.errors import Conflict, Forbidden
from edugroup.rotation import service
from edugroup.rotation.rules import Term, eligibility_problems, years_between
from edugroup.rotation.schemas import EligibilityRuleCreate

SEPT = date(2025, 9, 1)


def eligible_ids(world, on=SEPT):
    return {t.id for t in service.eligible_teachers(world.session, world.region_id, on)}


def test_nobody_is_eligible_before_the_region_sets_a_rule(world):
    t = teacher(world, "A")
    assert eligible_ids(world) == set()
    rule(world)
    assert t.id in eligible_ids(world)


@pytest.mark.parametrize(("joined", "eligible"), [(date(2019, 9, 1), True), (date(2019, 9, 2), False)])
def test_years_at_the_current_school_are_counted_to_the_day(world, joined, eligible):
    rule(world, min_years_at_school=6)
    t = teacher(world, "A", joined_school_on=joined)
    assert (t.id in eligible_ids(world)) is eligible


@pytest.mark.parametrize(("born", "eligible"), [(1970, True), (1969, False)])
def test_the_age_limit_is_read_from_the_birth_year(world, born, eligible):
    rule(world, max_age=55)
    t = teacher(world, "A", birth_year=born)
    assert (t.id in eligible_ids(world)) is eligible


def test_missing_facts_fail_the_condition_they_feed(world):
    rule(world, max_age=55)
    no_date = teacher(world, "A", joined_school_on=None)
    no_birth = teacher(world, "A", birth_year=None)
    assert eligible_ids(world).isdisjoint({no_date.id, no_birth.id})
    rule(world, effective_from=date(2025, 1, 1), max_age=None)
    assert no_birth.id in eligible_ids(world)


def test_teachers_on_rotation_or_just_back_are_excluded(world):
    rule(world, rest_years=2)
    away = teacher(world, "A")
    back = teacher(world, "A")
    rested = teacher(world, "A")
    rotate(world, away, "B", start=date(2024, 9, 1), end=date(2027, 8, 31))
    rotate(world, back, "B", start=date(2021, 9, 1), end=date(2024, 8, 31))
    rotate(world, rested, "B", start=date(2019, 9, 1), end=date(2022, 8, 31))
    found = eligible_ids(world)
    assert away.id not in found
    assert back.id not in found
    assert rested.id in found


def test_a_rotation_starting_that_day_does_not_yet_exclude_the_teacher(world):
    rule(world)
    mover = teacher(world, "A")
    rotate(world, mover, "B", start=SEPT)
    assert mover.id in eligible_ids(world, SEPT)
    assert mover.id not in eligible_ids(world, date(2025, 9, 2))


def test_excluded_titles_are_not_eligible(world):
    rule(world, excluded_titles="正高级教师、见习教师")
    senior = teacher(world, "A", title="正高级教师")
    ordinary = teacher(world, "A", title="一级教师")
    found = eligible_ids(world)
    assert senior.id not in found
    assert ordinary.id in found


def test_the_rule_in_force_is_the_latest_started_on_or_before_the_day(world):
    rule(world, min_years_at_school=6)
    rule(world, effective_from=date(2025, 9, 1), min_years_at_school=3)
    t = teacher(world, "A", joined_school_on=date(2021, 9, 1))
    assert t.id not in eligible_ids(world, date(2025, 8, 31))
    assert t.id in eligible_ids(world, SEPT)


def test_only_the_bureau_sets_rules_and_one_per_day(world, client):
    rule(world)
    with pytest.raises(Conflict):
        rule(world)
    with pytest.raises(Forbidden):
        service.create_rule(world.session, world.scope("group"), EligibilityRuleCreate(effective_from=SEPT))
    body = {"effective_from": "2026-09-01", "min_years_at_school": -1}
    response = client.post("/api/v1/eligibility-rules", json=body, headers=auth(world, "bureau"))
    assert response.status_code == 422
    assert response.json()["field"] == "min_years_at_school"


def test_the_api_says_why_a_teacher_is_not_eligible(world, client):
    rule(world, max_age=50)
    t = teacher(world, "A", birth_year=1970, joined_school_on=date(2022, 9, 1))
    body = client.get(
        f"/api/v1/teachers/{t.id}/eligibility?on=2025-09-01", headers=auth(world, "bureau")
    ).json()
    assert body["eligible"] is False
    assert body["reasons"] == ["在本校任教不满6年", "年龄超过50岁"]
    listed = client.get("/api/v1/teachers/eligible?on=2025-09-01", headers=auth(world, "bureau")).json()
    assert t.id not in {row["id"] for row in listed}


def test_the_pure_rule_reads_terms(world):
    class Facts:
        joined_school_on = date(2010, 9, 1)
        birth_year = 1980
        title = None

    class Rule:
        min_years_at_school = 6
        max_age = None
        exclude_on_rotation = True
        rest_years = 0
        excluded_title_list: list[str] = []

    assert eligibility_problems(Facts(), Rule(), SEPT, [Term(date(2024, 9, 1), date(2026, 8, 31))]) == [
        "正在交流轮岗 (2024-09-01 起)"
    ]


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (date(2024, 9, 1), date(2027, 8, 31), 3.0),
        (date(2024, 9, 1), date(2025, 2, 28), 0.5),
        (date(2024, 2, 29), date(2025, 2, 27), 1.0),
        (date(2024, 9, 1), date(2024, 8, 31), 0.0),
    ],
)
def test_terms_are_measured_in_calendar_years(start, end, years):
    assert years_between(start, end) == pytest.approx(years, abs=0.01)
