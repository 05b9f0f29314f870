from datetime import date

import pytest

from edugroup.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from edugroup.org import service
from edugroup.org.models import GroupMode, Stage
from edugroup.org.schemas import GroupCreate, GroupUpdate, MembershipCreate, SchoolCreate, SchoolUpdate


def test_a_school_cannot_join_a_second_group_of_the_same_mode_on_the_same_day(world):
    bureau = world.scope("bureau")
    other = service.create_group(
        world.session, bureau, GroupCreate(code="G2", name="测试第二教育集团", mode=GroupMode.tight)
    )
    with pytest.raises(Conflict, match="同一所学校同一天不能属于两个同类集团") as refused:
        service.add_membership(
            world.session,
            bureau,
            MembershipCreate(group_id=other.id, school_id=world.schools["A"], start_date=date(2025, 3, 1)),
        )
    assert "测试第一教育集团" in refused.value.message
    assert refused.value.field == "school_id"


def test_a_school_may_join_groups_of_different_modes(world):
    bureau = world.scope("bureau")
    collaborative = service.create_group(
        world.session, bureau, GroupCreate(code="X1", name="测试协作体", mode=GroupMode.collaborative)
    )
    service.add_membership(
        world.session,
        bureau,
        MembershipCreate(
            group_id=collaborative.id, school_id=world.schools["A"], start_date=date(2025, 3, 1)
        ),
    )
    groups = service.groups_of_school_on(world.session, bureau, world.schools["A"], date(2025, 3, 1))
    assert {g.mode for g in groups} == {GroupMode.tight, GroupMode.collaborative}


def test_history_answers_which_group_a_school_was_in_on_a_date(world):
    bureau = world.scope("bureau")
    session = world.session
    second = service.create_group(
        session, bureau, GroupCreate(code="G2", name="测试第二教育集团", mode=GroupMode.tight)
    )
    old = service.membership_history(session, bureau, school_id=world.schools["B"])[0]
    service.end_membership(session, bureau, old.id, date(2025, 8, 31))
    service.add_membership(
        session,
        bureau,
        MembershipCreate(group_id=second.id, school_id=world.schools["B"], start_date=date(2025, 9, 1)),
    )

    def group_on(day):
        return [g.name for g in service.groups_of_school_on(session, bureau, world.schools["B"], day)]

    assert group_on(date(2024, 8, 31)) == []
    assert group_on(date(2025, 8, 31)) == ["测试第一教育集团"]
    assert group_on(date(2025, 9, 1)) == ["测试第二教育集团"]
    history = service.membership_history(session, bureau, school_id=world.schools["B"])
    assert [(m.group.name, m.end_date) for m in history] == [
        ("测试第一教育集团", date(2025, 8, 31)),
        ("测试第二教育集团", None),
    ]


def test_a_membership_overlapping_only_by_one_day_is_refused(world):
    bureau = world.scope("bureau")
    session = world.session
    second = service.create_group(
        session, bureau, GroupCreate(code="G2", name="二集团", mode=GroupMode.tight)
    )
    old = service.membership_history(session, bureau, school_id=world.schools["B"])[0]
    service.end_membership(session, bureau, old.id, date(2025, 8, 31))
    with pytest.raises(Conflict):
        service.add_membership(
            session,
            bureau,
            MembershipCreate(group_id=second.id, school_id=world.schools["B"], start_date=date(2025, 8, 31)),
        )


def test_a_group_has_one_leader_at_a_time(world):
    bureau = world.scope("bureau")
    with pytest.raises(Conflict, match="牵头校"):
        service.add_membership(
            world.session,
            bureau,
            MembershipCreate(
                group_id=world.groups["tight"],
                school_id=world.schools["E"],
                start_date=date(2025, 1, 1),
                is_leader=True,
            ),
        )


def test_members_on_a_date_list_the_leader_first(world):
    members = service.members_on(
        world.session, world.scope("bureau"), world.groups["tight"], date(2025, 1, 1)
    )
    assert [(m.school.name, m.is_leader) for m in members] == [("测试甲小学", True), ("测试乙小学", False)]
    assert (
        service.members_on(world.session, world.scope("bureau"), world.groups["tight"], date(2024, 1, 1))
        == []
    )


def test_an_end_date_before_the_start_is_refused(world):
    with pytest.raises(ValueError, match="结束日期早于开始日期"):
        MembershipCreate(group_id=1, school_id=1, start_date=date(2025, 9, 1), end_date=date(2025, 1, 1))
    membership = service.membership_history(
        world.session, world.scope("bureau"), school_id=world.schools["B"]
    )[0]
    with pytest.raises(InvalidInput):
        service.end_membership(world.session, world.scope("bureau"), membership.id, date(2020, 1, 1))


def test_a_group_cannot_be_its_own_ancestor(world):
    bureau = world.scope("bureau")
    with pytest.raises(InvalidInput, match="上级集团"):
        service.update_group(
            world.session, bureau, world.groups["alliance"], GroupUpdate(parent_id=world.groups["pair"])
        )


def test_codes_are_unique_within_a_region(world):
    with pytest.raises(Conflict, match="代码 A 已被使用"):
        service.create_school(
            world.session, world.scope("bureau"), SchoolCreate(code="A", name="重复", stage=Stage.primary)
        )


def test_only_bureau_administrators_change_the_registry(world):
    for name in ("group", "school", "teacher"):
        with pytest.raises(Forbidden):
            service.update_school(
                world.session, world.scope(name), world.schools["B"], SchoolUpdate(name="改名")
            )


def test_a_group_head_sees_its_group_and_its_schools_only(world):
    scope = world.scope("group")
    assert {s.code for s in service.list_schools(world.session, scope)} == {"A", "B"}
    assert [g.code for g in service.list_groups(world.session, scope)] == ["G1"]
    with pytest.raises(NotFound):
        service.get_school(world.session, scope, world.schools["C"])
    with pytest.raises(NotFound):
        service.get_group(world.session, scope, world.groups["pair"])


def test_a_school_administrator_never_reads_another_school(world):
    scope = world.scope("school")
    assert [s.code for s in service.list_schools(world.session, scope)] == ["B"]
    with pytest.raises(NotFound):
        service.get_school(world.session, scope, world.schools["A"])


def test_a_bureau_administrator_sees_nothing_of_another_region(world):
    scope = world.scope("other-bureau")
    assert [s.code for s in service.list_schools(world.session, scope)] == ["X"]
    with pytest.raises(NotFound):
        service.get_group(world.session, scope, world.groups["tight"])


def test_a_school_with_history_cannot_be_deleted(world):
    with pytest.raises(Conflict, match="成员记录"):
        service.delete_school(world.session, world.scope("bureau"), world.schools["A"])
    service.delete_school(world.session, world.scope("bureau"), world.schools["E"])
    with pytest.raises(NotFound):
        service.get_school(world.session, world.scope("bureau"), world.schools["E"])


def test_overview_counts_groups_by_mode_and_schools(world):
    ov = service.overview(world.session, world.scope("bureau"), date(2025, 1, 1))
    assert ov.schools == 5
    assert ov.groups_by_mode == {GroupMode.tight: 1, GroupMode.alliance: 1, GroupMode.co_build: 1}
    assert ov.students == 2500
    assert ov.member_counts[world.groups["tight"]] == 2
    assert ov.school_names[ov.leaders[world.groups["tight"]]] == "测试甲小学"
