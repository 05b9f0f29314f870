"""OH-11 and OH-12 through the compliance engine: met, not met and at the boundary."""

from datetime import date

import pytest
from tests.development.factories import add_teachers, certificate, entities, verdict

from edugroup.certificates.models import Certificate, CertificateKind
from edugroup.policy import service as policy
from edugroup.teachers.models import Teacher


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
