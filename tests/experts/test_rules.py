"""QP-05 and QP-07.a through the compliance engine: met, not met and at the boundary."""

from datetime import date

import pytest
from tests.development.factories import add_teachers, entities, verdict

from edugroup.experts import service
from edugroup.experts.schemas import AssignmentCreate
from edugroup.org import service as org
from edugroup.org.models import GroupMode
from edugroup.org.schemas import GroupCreate, MembershipCreate


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
