from datetime import date

import pytest
from sqlalchemy import event
from tests.activities.conftest import record

from edugroup.activities.models import ActivityKind, ShowcaseLevel
from edugroup.activities.service import ActivityRow, activities_in
from edugroup.core.periods import SchoolYear, Semester


@pytest.fixture
def recorded(world):
    s, g = world.schools, world.groups
    return {
        "before": record(world, group_id=g["tight"], occurred_on=date(2025, 8, 31)),
        "first-day": record(
            world, group_id=g["tight"], occurred_on=date(2025, 9, 1), school_ids=[s["A"], s["B"]]
        ),
        "last-of-first": record(
            world, kind="public_lesson", group_id=g["pair"], school_id=s["C"], occurred_on=date(2026, 1, 31)
        ),
        "first-of-second": record(
            world,
            kind="classroom_observation",
            group_id=g["pair"],
            school_ids=[s["D"]],
            observer_name="专家",
            report_text="报告",
            occurred_on=date(2026, 2, 1),
        ),
        "showcase": record(
            world, kind="showcase", group_id=g["tight"], level="city", occurred_on=date(2026, 8, 31)
        ),
        "after": record(world, group_id=g["tight"], occurred_on=date(2026, 9, 1)),
    }


def ids(rows):
    return [row.id for row in rows]


def test_a_semester_holds_its_boundary_days_and_nothing_else(world, recorded):
    first, second = Semester(2025, 1), Semester(2025, 2)
    rows = activities_in(world.session, region_id=world.region_id, start=first.start, end=first.end)
    assert ids(rows) == [recorded["first-day"].id, recorded["last-of-first"].id]
    rows = activities_in(world.session, region_id=world.region_id, start=second.start, end=second.end)
    assert ids(rows) == [recorded["first-of-second"].id, recorded["showcase"].id]
    year = SchoolYear(2025)
    rows = activities_in(world.session, region_id=world.region_id, start=year.start, end=year.end)
    assert len(rows) == 4


def test_rows_carry_what_the_engine_counts(world, recorded):
    s, g = world.schools, world.groups
    rows = {
        row.id: row
        for row in activities_in(
            world.session, region_id=world.region_id, start=date(2025, 9, 1), end=date(2026, 8, 31)
        )
    }
    first = rows[recorded["first-day"].id]
    assert first == ActivityRow(
        id=recorded["first-day"].id,
        kind=ActivityKind.joint_research,
        occurred_on=date(2025, 9, 1),
        group_id=g["tight"],
        school_id=None,
        level=None,
        has_report=False,
        school_ids=frozenset({s["A"], s["B"]}),
    )
    lesson = rows[recorded["last-of-first"].id]
    assert lesson.school_ids == frozenset()
    assert lesson.involved_school_ids == frozenset({s["C"]})
    observation = rows[recorded["first-of-second"].id]
    assert observation.has_report is True
    assert observation.involved_school_ids == frozenset({s["D"]})
    assert rows[recorded["showcase"].id].level is ShowcaseLevel.city


def test_kinds_narrow_the_rows(world, recorded):
    rows = activities_in(
        world.session,
        region_id=world.region_id,
        start=date(2025, 1, 1),
        end=date(2027, 1, 1),
        kinds=["public_lesson", ActivityKind.showcase],
    )
    assert ids(rows) == [recorded["last-of-first"].id, recorded["showcase"].id]


def test_another_regions_activities_are_not_read(world, recorded):
    rows = activities_in(
        world.session, region_id=world.other_region_id, start=date(2025, 1, 1), end=date(2027, 1, 1)
    )
    assert rows == []


def test_a_period_is_read_in_two_queries_however_many_activities(world, recorded):
    for day in range(1, 29):
        record(
            world,
            group_id=world.groups["tight"],
            school_ids=[world.schools["A"]],
            occurred_on=date(2025, 10, day),
        )
    world.session.flush()
    statements = []
    connection = world.session.connection()

    def count(*_args):
        statements.append(1)

    event.listen(connection, "before_cursor_execute", count)
    try:
        rows = activities_in(
            world.session, region_id=world.region_id, start=date(2025, 9, 1), end=date(2026, 8, 31)
        )
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(rows) == 32
    assert len(statements) == 2
