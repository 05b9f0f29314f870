"""Rotation and teacher rules through the compliance engine: each met, not met and at its boundary.

The world: A (primary, quality) and B (primary, weaker) form a same-stage tight group; C and D (junior) a
co-build pair; all five schools lie in one district D1, a cross-stage unit.
"""

from __future__ import annotations

from datetime import date

import pytest
from tests.rotation.factories import rotate, rule, team
from tests.teachers.factories import teacher, teachers

from edugroup.org import service as org
from edugroup.org.models import GroupMode, QualityTier, Stage
from edugroup.org.schemas import GroupCreate, MembershipCreate, SchoolCreate
from edugroup.policy import service
from edugroup.rotation import service as rotations
from edugroup.rotation.schemas import PromotionCreate


def verdict(world, pack, year, clause, entity_id, entity_type=None):
    evaluation = service.run_compliance(world.session, world.scope("bureau"), pack, year=year)
    found = [
        r
        for r in evaluation.rows
        if r.clause == clause
        and r.entity_id == entity_id
        and (entity_type is None or r.entity_type == entity_type)
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def quality_school(world):
    """Ten eligible teachers at A (quality) and ten at B (weaker), under a six-year rule."""
    rule(world)
    return teachers(world, "A", 10), teachers(world, "B", 10)


# --- HK-06: movers to weaker schools / eligible >= 20% ------------------------------------------


@pytest.mark.parametrize(("movers", "expected"), [(2, "met"), (3, "met"), (1, "not_met")])
def test_hk06_a_quality_school_sends_a_fifth_of_its_eligible_teachers_to_weaker_schools(
    world, quality_school, movers, expected
):
    a_teachers, _ = quality_school
    for t in a_teachers[:movers]:
        rotate(world, t, "B")
    row = verdict(world, "hongkou-2025", 2025, "HK-06", world.schools["A"])
    assert (row.value, row.threshold, row.verdict) == (movers / 10, 0.2, expected)
    assert len(row.evidence) == movers
    assert all(e.startswith("rotations:") for e in row.evidence)


def test_hk06_counts_only_moves_to_weaker_schools_started_that_year(world, quality_school):
    a_teachers, _ = quality_school
    rotate(world, a_teachers[0], "B")
    rotate(world, a_teachers[1], "E")  # an ordinary school
    rotate(world, a_teachers[2], "B", start=date(2024, 9, 1))  # last year; on rotation now, so not eligible
    row = verdict(world, "hongkou-2025", 2025, "HK-06", world.schools["A"])
    assert row.value == pytest.approx(1 / 9)
    assert row.verdict == "not_met"


def test_hk06_has_no_data_without_an_eligibility_rule(world):
    t = teacher(world, "A")
    rotate(world, t, "B")
    row = verdict(world, "hongkou-2025", 2025, "HK-06", world.schools["A"])
    assert (row.value, row.verdict) == (None, "no_data")


def test_hk06_applies_to_quality_schools_only(world, quality_school):
    evaluation = service.run_compliance(world.session, world.scope("bureau"), "hongkou-2025", year=2025)
    assert {r.entity_id for r in evaluation.rows if r.clause == "HK-06"} == {world.schools["A"]}


# --- HK-07: backbone share of those movers >= 30% -----------------------------------------------


@pytest.mark.parametrize(("backbone", "expected"), [(3, "met"), (2, "not_met"), (10, "met")])
def test_hk07_backbone_teachers_are_at_least_thirty_percent_of_the_movers(
    world, quality_school, backbone, expected
):
    a_teachers, _ = quality_school
    for i, t in enumerate(a_teachers):
        if i < backbone:
            t.backbone_tier = 1 + i % 5
        rotate(world, t, "B")
    row = verdict(world, "hongkou-2025", 2025, "HK-07", world.schools["A"])
    assert (row.value, row.verdict) == (backbone / 10, expected)


def test_hk07_has_no_data_when_nobody_moved(world, quality_school):
    row = verdict(world, "hongkou-2025", 2025, "HK-07", world.schools["A"])
    assert (row.value, row.verdict) == (None, "no_data")


# --- HK-08: each term >= 3 years ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "expected"),
    [(date(2028, 8, 31), "met"), (date(2028, 8, 30), "not_met"), (date(2029, 8, 31), "met")],
)
def test_hk08_the_shortest_agreed_term_is_at_least_three_years(world, quality_school, end, expected):
    a_teachers, _ = quality_school
    rotate(world, a_teachers[0], "B", end=date(2030, 8, 31))
    rotate(world, a_teachers[1], "B", end=end)
    row = verdict(world, "hongkou-2025", 2025, "HK-08", world.schools["A"])
    assert row.verdict == expected
    if end == date(2028, 8, 31):
        assert row.value == 3.0


# --- HK-09: team inflow >= 3 teachers -----------------------------------------------------------


@pytest.mark.parametrize(("size", "expected"), [(3, "met"), (2, "not_met"), (4, "met")])
def test_hk09_a_team_inflow_has_at_least_three_teachers(world, quality_school, size, expected):
    a_teachers, _ = quality_school
    inflow = team(world, a_teachers[:size], "B")
    row = verdict(world, "hongkou-2025", 2025, "HK-09", inflow.id, "team_inflow")
    assert (row.value, row.threshold, row.verdict) == (size, 3, expected)
    assert len(row.evidence) == size


def test_hk09_evaluates_the_teams_that_started_in_the_year(world, quality_school):
    a_teachers, _ = quality_school
    earlier = team(world, a_teachers[:2], "B", start=date(2024, 9, 1), end=date(2025, 8, 31))
    now = team(world, a_teachers[2:5], "B")
    evaluation = service.run_compliance(world.session, world.scope("bureau"), "hongkou-2025", year=2025)
    assert {r.entity_id for r in evaluation.rows if r.clause == "HK-09"} == {now.id}
    assert earlier.id != now.id


# --- SH-06: same-stage groups rotate 10-20% of eligible teachers --------------------------------


@pytest.mark.parametrize(
    ("movers", "expected"), [(2, "met"), (4, "met"), (3, "met"), (1, "not_met"), (5, "not_met")]
)
def test_sh06_same_stage_groups_rotate_between_ten_and_twenty_percent(
    world, quality_school, movers, expected
):
    a_teachers, _ = quality_school
    for t in a_teachers[:movers]:
        rotate(world, t, "B")
    tight = world.groups["tight"]  # A and B: both primary schools
    row = verdict(world, "shanghai-tight", 2025, "SH-06", tight, "group")
    assert (row.value, row.threshold, row.verdict) == (movers / 20, [0.1, 0.2], expected)


def test_sh06_counts_rotations_between_the_groups_own_schools(world, quality_school):
    a_teachers, _ = quality_school
    rotate(world, a_teachers[0], "B")
    rotate(world, a_teachers[1], "E")  # E is in the district, not in the group
    row = verdict(world, "shanghai-tight", 2025, "SH-06", world.groups["tight"], "group")
    assert row.value == pytest.approx(1 / 20)
    assert len(row.evidence) == 1


# --- SH-07: cross-stage units rotate >= 5% -------------------------------------------------------


@pytest.mark.parametrize(("movers", "expected"), [(1, "met"), (0, "not_met"), (2, "met")])
def test_sh07_cross_stage_districts_rotate_at_least_five_percent(world, quality_school, movers, expected):
    a_teachers, _ = quality_school
    for t in a_teachers[:movers]:
        rotate(world, t, "C")
    district = org.list_districts(world.session, world.scope("bureau"))[0].id
    row = verdict(world, "shanghai-tight", 2025, "SH-07", district, "district")
    assert (row.value, row.verdict) == (movers / 20, expected)


def test_sh06_and_sh07_split_units_by_their_stages(world, quality_school):
    evaluation = service.run_compliance(world.session, world.scope("bureau"), "shanghai-tight", year=2025)
    same = {(r.entity_type, r.entity_id) for r in evaluation.rows if r.clause == "SH-06"}
    cross = {(r.entity_type, r.entity_id) for r in evaluation.rows if r.clause == "SH-07"}
    district = org.list_districts(world.session, world.scope("bureau"))[0].id
    assert ("district", district) in cross
    assert ("district", district) not in same
    assert ("group", world.groups["tight"]) in same
    assert not same & cross


def test_sh07_holds_for_a_cross_stage_group(world, quality_school):
    bureau = world.scope("bureau")
    group = org.create_group(
        world.session, bureau, GroupCreate(code="X1", name="跨学段协作体", mode=GroupMode.collaborative)
    )
    for code in ("A", "C"):
        org.add_membership(
            world.session,
            bureau,
            MembershipCreate(group_id=group.id, school_id=world.schools[code], start_date=date(2024, 9, 1)),
        )
    c_teachers = teachers(world, "C", 10)
    rotate(world, c_teachers[0], "A")
    row = verdict(world, "shanghai-tight", 2025, "SH-07", group.id, "group")
    assert (row.value, row.verdict) == (0.05, "met")


# --- SH-08: backbone >= 20% of rotating teachers -------------------------------------------------


@pytest.mark.parametrize(("backbone", "expected"), [(1, "met"), (0, "not_met"), (2, "met")])
def test_sh08_backbone_teachers_are_a_fifth_of_the_rotating_teachers(
    world, quality_school, backbone, expected
):
    a_teachers, _ = quality_school
    for i, t in enumerate(a_teachers[:5]):
        t.backbone_tier = 2 if i < backbone else None
        rotate(world, t, "B")
    row = verdict(world, "shanghai-tight", 2025, "SH-08", world.groups["tight"], "group")
    assert (row.value, row.verdict) == (backbone / 5, expected)


# --- HK-05 / SH-05: in-group rotation experience before a promotion -----------------------------


def _promote(world, who, day):
    data = PromotionCreate(teacher_id=who.id, school_id=world.schools["B"], post="副校长", decided_on=day)
    return rotations.create_promotion(world.session, world.scope("bureau"), data)


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2023, 9, 1), 2.0, "met"),
        (date(2023, 10, 1), 1 + 335 / 365, "not_met"),
        (date(2022, 9, 1), 3.0, "met"),
    ],
)
def test_hk05_a_promoted_teacher_has_two_years_of_rotation_inside_the_group(world, start, years, expected):
    who = teacher(world, "A")
    rotate(world, who, "B", start=start, end=date(2025, 8, 31))
    promotion = _promote(world, who, date(2025, 9, 1))
    row = verdict(world, "hongkou-2025", 2025, "HK-05", promotion.id, "promotion")
    assert row.value == pytest.approx(years, abs=1e-3)
    assert row.verdict == expected


@pytest.mark.parametrize(("before", "expected"), [(date(2025, 9, 1), "met"), (date(2025, 8, 31), "not_met")])
def test_hk05_check_on_a_candidate_reads_the_threshold_from_the_pack(world, before, expected):
    who = teacher(world, "A")
    rotate(world, who, "B", start=date(2023, 9, 1), end=date(2025, 8, 31))
    check = rotations.promotion_check(world.session, world.scope("bureau"), who.id, before, "hongkou-2025")
    assert (check.clause, check.threshold, check.verdict) == ("HK-05", 2.0, expected)
    assert check.evidence == [
        f"rotations:{rotations.list_rotations(world.session, world.scope('bureau'))[0].id}"
    ]


@pytest.mark.parametrize(("end", "expected"), [(date(2025, 8, 31), "met"), (date(2025, 6, 30), "not_met")])
def test_sh05_one_year_of_rotation_inside_the_group_is_enough(world, end, expected):
    who = teacher(world, "A")
    rotate(world, who, "B", start=date(2024, 9, 1), end=end)
    promotion = _promote(world, who, date(2025, 10, 1))
    row = verdict(world, "shanghai-tight", 2025, "SH-05", promotion.id, "promotion")
    assert (row.threshold, row.verdict) == (1, expected)


def test_rotation_outside_any_district_or_group_is_not_promotion_experience(world):
    bureau = world.scope("bureau")
    far = org.create_school(
        world.session,
        bureau,
        SchoolCreate(code="F", name="区外远郊学校", stage=Stage.primary, quality_tier=QualityTier.weaker),
    )
    world.schools["F"] = far.id
    who = teacher(world, "A")
    rotate(world, who, "F", start=date(2022, 9, 1), end=date(2025, 8, 31))
    check = rotations.promotion_check(world.session, bureau, who.id, date(2025, 9, 1), "shanghai-tight")
    assert (check.experience_years, check.verdict) == (0.0, "not_met")


# --- QP-02 / QP-03: honours per pilot school -----------------------------------------------------


@pytest.fixture
def pilots(world):
    bureau = world.scope("bureau")
    group = org.create_group(
        world.session,
        bureau,
        GroupCreate(
            code="QX", name="测试强校工程", mode=GroupMode.programme, programme_key="qingpu-qiangxiao-2"
        ),
    )
    for code in ("C", "D"):
        org.add_membership(
            world.session,
            bureau,
            MembershipCreate(group_id=group.id, school_id=world.schools[code], start_date=date(2023, 11, 1)),
        )
    return world.schools["C"], world.schools["D"]


@pytest.mark.parametrize(("famous", "expected"), [(2, "met"), (1, "not_met"), (3, "met")])
def test_qp02_each_pilot_school_has_a_famous_principal_and_two_famous_teachers(
    world, pilots, famous, expected
):
    c, d = pilots
    teacher(world, "C", honours=["municipal_famous_principal"])
    for _ in range(famous):
        teacher(world, "C", honours=["famous_teacher"])
    assert verdict(world, "qingpu-2023", 2025, "QP-02.a", c).verdict == "met"
    assert verdict(world, "qingpu-2023", 2025, "QP-02.a", d).verdict == "not_met"
    row = verdict(world, "qingpu-2023", 2025, "QP-02.b", c)
    assert (row.value, row.verdict) == (famous, expected)


def test_qp03_each_pilot_school_has_a_seed_team_member(world, pilots):
    c, d = pilots
    teacher(world, "D", honours=["seed_team", "famous_teacher"])
    assert verdict(world, "qingpu-2023", 2025, "QP-03", d).value == 1
    assert verdict(world, "qingpu-2023", 2025, "QP-03", d).verdict == "met"
    row = verdict(world, "qingpu-2023", 2025, "QP-03", c)
    assert (row.value, row.verdict) == (0, "not_met")


def test_teachers_who_join_after_the_year_are_not_counted(world, pilots):
    c, _ = pilots
    teacher(world, "C", honours=["seed_team"], joined_school_on=date(2026, 9, 1))
    assert verdict(world, "qingpu-2023", 2025, "QP-03", c).value == 0
