"""OH-09, OH-11, OH-12, QP-05 and QP-07.a through the compliance engine: met, not met and at the boundary."""

from datetime import date

import pytest
from tests.teachers_development.conftest import add_teachers, certificate

from edugroup.org import service as org
from edugroup.org.models import GroupMode
from edugroup.org.schemas import GroupCreate, MembershipCreate
from edugroup.policy import service as policy
from edugroup.teachers.development import service
from edugroup.teachers.development.models import Certificate, CertificateKind
from edugroup.teachers.development.schemas import AssignmentCreate, MentoringCreate
from edugroup.teachers.models import Teacher


def verdict(world, pack, clause, entity_id, year=2025, who="bureau"):
    evaluation = policy.run_compliance(world.session, world.scope(who), pack, year=year)
    found = [r for r in evaluation.rows if r.clause == clause and r.entity_id == entity_id]
    assert len(found) == 1, found
    return found[0]


def entities(world, pack, clause, year=2025):
    evaluation = policy.run_compliance(world.session, world.scope("bureau"), pack, year=year)
    return {(r.entity_type, r.entity_id) for r in evaluation.rows if r.clause == clause}


def history(world, teacher_id, group, day=date(2025, 12, 1)):
    """A certificate entered before limits were checked (an import of earlier years' records)."""
    teacher = world.session.get(Teacher, teacher_id)
    record = Certificate(
        region_id=world.region_id,
        kind=CertificateKind.district_demonstration_lesson,
        teacher_id=teacher_id,
        school_id=teacher.school_id,
        group_id=world.groups[group],
        issued_on=day,
        lesson_title="历史记录",
    )
    world.session.add(record)
    world.session.flush()
    return record


# --- OH-11, OH-12 --------------------------------------------------------------------------------


@pytest.fixture
def pair_teachers(world):
    """Twenty teachers in the co-build pair's schools C and D: OH-11 allows 20 × 0.15 = 3 certificates."""
    return add_teachers(world, "C", 10) + add_teachers(world, "D", 10)


@pytest.mark.parametrize(("issued", "expected"), [(2, "met"), (3, "met"), (4, "not_met")])
def test_oh11_a_groups_certificates_stay_within_fifteen_percent_of_its_teachers(
    world, pair_teachers, issued, expected
):
    for teacher in pair_teachers[: min(issued, 3)]:
        certificate(world, teacher, group_id=world.groups["pair"])
    if issued > 3:
        history(world, pair_teachers[3], "pair")
    row = verdict(world, "ouhai-2022", "OH-11", world.groups["pair"])
    assert (row.value, row.threshold, row.verdict) == (issued, 3.0, expected)
    assert len(row.evidence) == issued
    assert all(e.startswith("demonstration_certificates:") for e in row.evidence)


def test_oh11_applies_to_tight_groups_and_co_build_pairs(world, pair_teachers):
    assert entities(world, "ouhai-2022", "OH-11") == {
        ("group", world.groups["tight"]),
        ("group", world.groups["pair"]),
    }


@pytest.mark.parametrize(("held", "expected"), [(0, "met"), (2, "met"), (3, "not_met")])
def test_oh12_each_teacher_holds_at_most_two_certificates_a_year(world, pair_teachers, held, expected):
    teacher = pair_teachers[0]
    for _ in range(min(held, 2)):
        certificate(world, teacher, group_id=world.groups["pair"])
    if held > 2:
        history(world, teacher, "pair")
    certificate(world, teacher, group_id=world.groups["pair"], issued_on=date(2025, 3, 1))  # school year 2024
    row = verdict(world, "ouhai-2022", "OH-12", teacher)
    assert (row.entity_type, row.value, row.threshold, row.verdict) == ("teacher", held, 2.0, expected)


def test_oh12_evaluates_the_teachers_of_tight_and_co_build_groups_a_group_head_its_own(world, pair_teachers):
    teachers = {i for kind, i in entities(world, "ouhai-2022", "OH-12") if kind == "teacher"}
    outside = add_teachers(world, "E")[0]  # school E is in no group
    assert set(pair_teachers) <= teachers
    assert outside not in entities(world, "ouhai-2022", "OH-12")
    evaluation = policy.run_compliance(world.session, world.scope("group"), "ouhai-2022", year=2025)
    mine = {r.entity_id for r in evaluation.rows if r.clause == "OH-12"}
    assert mine == {world.scope("teacher").teacher_id}  # the tight group's only teacher


# --- OH-09 ---------------------------------------------------------------------------------------


def pair(world, mentor, mentee, group="alliance", start=date(2024, 9, 1), end=None):
    data = MentoringCreate(
        mentor_id=mentor,
        mentee_id=mentee,
        group_id=world.groups[group] if group else None,
        started_on=start,
        ended_on=end,
    )
    return service.create_pair(world.session, world.scope("bureau"), data)


@pytest.mark.parametrize(("mentors", "expected"), [(2, "not_met"), (3, "met"), (4, "met")])
def test_oh09_an_alliance_pairs_at_least_three_backbone_mentors(world, mentors, expected):
    backbone = add_teachers(world, "C", 2, backbone=True) + add_teachers(world, "D", 2, backbone=True)
    mentees = add_teachers(world, "D", 4)
    for mentor, mentee in zip(backbone[:mentors], mentees, strict=False):
        pair(world, mentor, mentee)
    row = verdict(world, "ouhai-2022", "OH-09", world.groups["alliance"])
    assert (row.value, row.threshold, row.verdict) == (mentors, 3.0, expected)
    assert all(e.startswith("mentoring_pairs:") for e in row.evidence)


def test_oh09_counts_backbone_mentors_active_in_the_year_of_the_alliance_or_its_pairs(world):
    backbone = add_teachers(world, "C", 5, backbone=True)
    ordinary = add_teachers(world, "C", 1)[0]
    mentees = add_teachers(world, "D", 6)
    pair(world, backbone[0], mentees[0])  # the alliance's own pair
    pair(world, backbone[0], mentees[1])  # the same mentor twice counts once
    pair(world, backbone[1], mentees[2], group="pair")  # arranged by a co-build pair inside the alliance
    pair(world, backbone[2], mentees[3], end=date(2025, 8, 31))  # over before the school year
    pair(world, ordinary, mentees[4])  # not a backbone teacher
    row = verdict(world, "ouhai-2022", "OH-09", world.groups["alliance"])
    assert (row.value, row.verdict) == (2, "not_met")
    pair(world, backbone[3], mentees[5], group=None)  # no group: the mentor's school is in the alliance
    assert verdict(world, "ouhai-2022", "OH-09", world.groups["alliance"]).verdict == "met"
    assert verdict(world, "ouhai-2022", "OH-09", world.groups["alliance"], year=2024).value == 4


# --- QP-05, QP-07.a ------------------------------------------------------------------------------


@pytest.fixture
def programme(world):
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
    return group.id


def assign(
    world, role, *, name=None, teacher=None, school=None, group=None, start=date(2023, 11, 1), end=None
):
    data = AssignmentCreate(
        role=role,
        expert_name=name,
        teacher_id=teacher,
        school_id=world.schools[school] if school else None,
        group_id=group,
        started_on=start,
        ended_on=end,
    )
    return service.create_assignment(world.session, world.scope("bureau"), data)


def test_qp05_each_pilot_school_has_at_least_three_guiding_experts(world, programme):
    c, d = world.schools["C"], world.schools["D"]
    for k in range(3):
        assign(world, "guiding_expert", name=f"专家{k}", school="C")
    assign(world, "guiding_expert", name="专家甲", school="D")
    assign(
        world, "guiding_expert", name="专家甲", school="D", start=date(2025, 3, 1)
    )  # the same person again
    assign(world, "guiding_expert", teacher=add_teachers(world, "A")[0], school="D")
    assign(world, "guiding_expert", name="已离任", school="D", end=date(2025, 8, 31))
    assign(world, "classroom_observer", name="观察员", school="D")
    met, short = verdict(world, "qingpu-2023", "QP-05", c), verdict(world, "qingpu-2023", "QP-05", d)
    assert (met.value, met.threshold, met.verdict) == (3, 3.0, "met")
    assert (short.value, short.verdict) == (2, "not_met")
    assert entities(world, "qingpu-2023", "QP-05") == {("school", c), ("school", d)}


@pytest.mark.parametrize(
    ("observers", "expected"), [(9, "not_met"), (10, "met"), (15, "met"), (16, "not_met")]
)
def test_qp07a_a_programme_has_ten_to_fifteen_classroom_observers(world, programme, observers, expected):
    for k in range(observers - 1):
        assign(world, "classroom_observer", name=f"观察员{k}", group=programme)
    assign(
        world, "classroom_observer", name="学校观察员", school="C"
    )  # at a pilot school: the programme's too
    assign(world, "classroom_observer", name="往届观察员", group=programme, end=date(2024, 8, 31))
    row = verdict(world, "qingpu-2023", "QP-07.a", programme)
    assert (row.value, row.threshold, row.verdict) == (observers, [10.0, 15.0], expected)
