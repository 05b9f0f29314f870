"""HK-21 and HK-22 through the compliance engine: met, not met and at the boundary."""

import pytest
from sqlalchemy import event
from tests.admissions.factories import allocation, outcome

from edugroup.admissions import service as admissions
from edugroup.admissions.schemas import EntryOutcomeCreate
from edugroup.org import service as org
from edugroup.org.models import Stage
from edugroup.org.schemas import SchoolCreate
from edugroup.policy import service


def rows(world, clause, year=2025, who="bureau"):
    evaluation = service.run_compliance(world.session, world.scope(who), "hongkou-2025", year=year)
    return [r for r in evaluation.rows if r.clause == clause]


def verdict(world, clause, entity_id, entity_type="group", **kw):
    found = [r for r in rows(world, clause, **kw) if (r.entity_type, r.entity_id) == (entity_type, entity_id)]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("planned", "filled", "expected"),
    [((50, 50), (50, 50), "met"), ((100, 100), (100, 99), "not_met"), ((200, 1000), (200, 999), "not_met")],
)
def test_hk21_is_met_only_when_every_planned_place_is_filled(world, planned, filled, expected):
    allocation(world, "C", planned[0], filled[0])
    allocation(world, "D", planned[1], filled[1])
    row = verdict(world, "HK-21", world.groups["pair"])
    assert row.value == pytest.approx(sum(filled) / sum(planned), abs=1e-6)
    assert (row.threshold, row.verdict) == (1.0, expected)
    assert len(row.evidence) == 2
    assert all(e.startswith("quota_allocations:") for e in row.evidence)


def test_hk21_sums_the_senior_highs_of_the_year_and_covers_districts(world):
    allocation(world, "C", 5, 5, senior="甲高中")
    allocation(world, "C", 3, 2, senior="乙高中")
    allocation(world, "D", 4, 3, year=2024)  # an earlier year's plan does not count
    row = verdict(world, "HK-21", world.groups["pair"])
    assert (row.value, row.verdict) == (0.875, "not_met")
    district = org.list_districts(world.session, world.scope("bureau"))[0].id
    assert verdict(world, "HK-21", district, "district").value == 0.875


def test_hk21_without_a_plan_has_no_data_and_applies_to_groups_with_junior_schools(world):
    entities = {(r.entity_type, r.entity_id): r.verdict for r in rows(world, "HK-21")}
    assert entities[("group", world.groups["pair"])] == "no_data"
    assert ("group", world.groups["tight"]) not in entities  # primary schools only


def _other_region_junior(world):
    other = world.scope("other-bureau")
    school = org.create_school(
        world.session, other, SchoolCreate(code="Y", name="外区初中", stage=Stage.junior)
    )
    return other, school.id


@pytest.mark.parametrize(("other_entries", "expected"), [(50, "met"), (51, "not_met"), (49, "met")])
def test_hk22_compares_with_the_average_of_every_region_of_the_city(world, other_entries, expected):
    outcome(world, "C", 100, 60)
    outcome(world, "D", 100, 40)
    other, school_id = _other_region_junior(world)
    admissions.create_outcome(
        world.session,
        other,
        EntryOutcomeCreate(
            school_year=2025, school_id=school_id, graduates=100, quality_entries=other_entries
        ),
    )
    row = verdict(world, "HK-22", world.groups["pair"])
    assert row.value == 0.5
    assert row.threshold == pytest.approx((100 + other_entries) / 300, abs=1e-6)
    assert row.verdict == expected
    assert sorted(row.evidence) == sorted(
        f"entry_outcomes:{o.id}" for o in admissions.list_outcomes(world.session, world.scope("bureau"))
    )


def test_hk22_equal_to_the_city_average_is_met(world):
    outcome(world, "C", 120, 48)
    outcome(world, "D", 80, 32)
    row = verdict(world, "HK-22", world.groups["pair"])
    assert (row.value, row.threshold, row.verdict) == (0.4, 0.4, "met")


def test_hk22_without_graduates_has_no_data(world):
    row = verdict(world, "HK-22", world.groups["pair"])
    assert row.verdict == "no_data"


def test_the_admissions_tables_are_read_once_per_evaluation(world):
    allocation(world, "C", 5, 5)
    outcome(world, "C", 100, 50)
    statements: list[str] = []
    connection = world.session.connection()

    def capture(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    event.listen(connection, "before_cursor_execute", capture)
    try:
        service.run_compliance(world.session, world.scope("bureau"), "hongkou-2025", year=2025)
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    assert len([s for s in statements if "from quota_allocations" in s]) == 1
    assert len([s for s in statements if "from entry_outcomes" in s]) == 2  # the region's and the city's
