from datetime import date

import pytest
from sqlalchemy import select
from tests.activities.conftest import record, teacher_id

from edugroup.activities import service
from edugroup.activities.models import (
    ACTIVITY_KIND_LABELS,
    Activity,
    ActivityKind,
    ActivitySchool,
    ShowcaseLevel,
)
from edugroup.activities.schemas import ActivityCreate, ActivityUpdate
from edugroup.core.errors import Forbidden, InvalidInput, NotFound
from edugroup.core.models import AuditEntry


def test_every_kind_has_a_chinese_label_and_matches_the_metric_catalogue():
    assert set(ACTIVITY_KIND_LABELS) == set(ActivityKind)
    assert len(ActivityKind) == 15
    assert ACTIVITY_KIND_LABELS[ActivityKind.joint_research] == "联合教研"
    assert ACTIVITY_KIND_LABELS[ActivityKind.classroom_observation] == "课堂观察"


def test_an_activity_is_recorded_with_its_organisers_and_participants(world):
    s = world.schools
    activity = record(
        world,
        group_id=world.groups["tight"],
        school_id=s["A"],
        school_ids=[s["A"], s["B"], s["A"]],
        teacher_ids=[teacher_id(world)],
        description="同学科跨学段",
    )
    again = service.get_activity(world.session, world.scope("bureau"), activity.id)
    assert again.kind is ActivityKind.joint_research
    assert again.school_ids == sorted([s["A"], s["B"]])
    assert again.teacher_ids == [teacher_id(world)]
    assert again.semester == "2025-1"
    assert again.has_report is False


def test_an_update_changes_fields_and_replaces_the_participants(world):
    s = world.schools
    activity = record(world, group_id=world.groups["tight"], school_ids=[s["A"], s["B"]])
    service.update_activity(
        world.session,
        world.scope("bureau"),
        activity.id,
        ActivityUpdate(title="改后的标题", occurred_on=date(2026, 2, 1), school_ids=[s["B"], s["E"]]),
    )
    world.session.expire_all()
    again = service.get_activity(world.session, world.scope("bureau"), activity.id)
    assert again.title == "改后的标题"
    assert again.semester == "2025-2"
    assert again.school_ids == sorted([s["B"], s["E"]])


def test_a_deleted_activity_is_gone_with_its_participants(world):
    activity = record(world, group_id=world.groups["tight"], school_ids=[world.schools["A"]])
    service.delete_activity(world.session, world.scope("bureau"), activity.id)
    assert world.session.get(Activity, activity.id) is None
    assert (
        world.session.scalars(select(ActivitySchool).where(ActivitySchool.activity_id == activity.id)).all()
        == []
    )


def test_create_update_and_delete_are_in_the_audit_log(world):
    activity = record(world, group_id=world.groups["tight"], school_ids=[world.schools["A"]])
    service.update_activity(world.session, world.scope("bureau"), activity.id, ActivityUpdate(title="新标题"))
    service.delete_activity(world.session, world.scope("bureau"), activity.id)
    entries = world.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "activities", AuditEntry.entity_id == str(activity.id)
        )
    ).all()
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[0].after["title"] == "联合教研"
    assert entries[1].before == {"title": "联合教研"}
    assert entries[1].after == {"title": "新标题"}
    assert entries[0].region_id == world.region_id
    participants = world.session.scalars(
        select(AuditEntry.action)
        .where(
            AuditEntry.entity_type == "activity_schools",
            AuditEntry.entity_id == f"{activity.id}/{world.schools['A']}",
        )
        .order_by(AuditEntry.id)
    ).all()
    assert participants == ["create", "delete"]


def test_an_activity_needs_an_organiser(world):
    with pytest.raises(InvalidInput, match="组织集团或组织学校"):
        record(world, school_ids=[world.schools["A"]])


def test_a_showcase_needs_its_level_and_other_kinds_have_none(world):
    with pytest.raises(InvalidInput, match="级别") as refused:
        record(world, kind="showcase", group_id=world.groups["tight"])
    assert refused.value.field == "level"
    with pytest.raises(InvalidInput, match="只有展示交流有级别"):
        record(world, group_id=world.groups["tight"], level="city")
    showcase = record(world, kind="showcase", group_id=world.groups["tight"], level="district")
    assert showcase.level is ShowcaseLevel.district
    assert showcase.level_label == "全区"


def test_an_observation_has_one_observer_a_teacher_or_a_named_outsider(world):
    with pytest.raises(InvalidInput, match="观察员"):
        record(world, kind="classroom_observation", group_id=world.groups["tight"])
    with pytest.raises(InvalidInput, match="只填一位"):
        record(
            world,
            kind="classroom_observation",
            group_id=world.groups["tight"],
            observer_teacher_id=teacher_id(world),
            observer_name="外部专家",
        )
    with pytest.raises(InvalidInput, match="只有课堂观察有观察员"):
        record(world, group_id=world.groups["tight"], observer_name="外部专家")
    by_teacher = record(
        world,
        kind="classroom_observation",
        group_id=world.groups["tight"],
        observer_teacher_id=teacher_id(world),
    )
    by_outsider = record(
        world, kind="classroom_observation", group_id=world.groups["tight"], observer_name="专家"
    )
    assert by_teacher.observer_teacher_id == teacher_id(world)
    assert by_outsider.observer_name == "专家"


def test_an_observation_without_a_report_is_told_apart_from_one_with_a_report(world):
    common = {"kind": "classroom_observation", "group_id": world.groups["tight"], "observer_name": "专家"}
    without = record(world, **common)
    with_text = record(world, **common, report_text="分析报告: 目标清晰")
    declared = record(world, **common, has_report=True)
    assert (without.has_report, with_text.has_report, declared.has_report) == (False, True, True)
    service.update_activity(
        world.session, world.scope("bureau"), with_text.id, ActivityUpdate(report_text="")
    )
    assert with_text.has_report is False


def test_a_refused_update_changes_nothing(world):
    activity = record(world, group_id=world.groups["tight"])
    with pytest.raises(InvalidInput):
        service.update_activity(
            world.session,
            world.scope("bureau"),
            activity.id,
            ActivityUpdate(title="新", level=ShowcaseLevel.city),
        )
    assert activity.title == "联合教研"
    assert not world.session.is_modified(activity)


def test_participants_from_another_region_are_refused(world):
    with pytest.raises(NotFound, match="不在本区") as refused:
        record(world, group_id=world.groups["tight"], school_ids=[world.schools["X"]])
    assert refused.value.field == "school_ids"


# --- scope ---------------------------------------------------------------------------------------


@pytest.fixture
def activities(world):
    """One activity per situation the scope rules tell apart."""
    s, g = world.schools, world.groups
    return {
        "tight": record(world, group_id=g["tight"], school_ids=[s["A"]]),
        "pair": record(world, group_id=g["pair"], school_ids=[s["C"], s["D"]]),
        "school-B": record(world, school_id=s["B"]),
        "pair-with-B": record(world, group_id=g["pair"], school_ids=[s["C"], s["B"]]),
        "teacher": record(world, group_id=g["pair"], teacher_ids=[teacher_id(world)]),
        "observed-by-teacher": record(
            world, kind="classroom_observation", group_id=g["pair"], observer_teacher_id=teacher_id(world)
        ),
    }


VISIBLE = {
    "bureau": {"tight", "pair", "school-B", "pair-with-B", "teacher", "observed-by-teacher"},
    "group": {"tight", "school-B", "pair-with-B"},
    "school": {"school-B", "pair-with-B"},
    "teacher": {"teacher", "observed-by-teacher"},
    "other-bureau": set(),
}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_each_role_sees_exactly_the_activities_of_its_scope(world, activities, role):
    scope = world.scope(role)
    listed = {a.id for a in service.list_activities(world.session, scope)}
    assert listed == {activities[name].id for name in VISIBLE[role]}
    for name, activity in activities.items():
        if name in VISIBLE[role]:
            assert service.get_activity(world.session, scope, activity.id).id == activity.id
        else:
            with pytest.raises(NotFound):
                service.get_activity(world.session, scope, activity.id)


def test_a_group_head_records_for_its_groups_and_schools_only(world, activities):
    s, g = world.schools, world.groups
    assert record(world, "group", group_id=g["tight"], school_ids=[s["A"], s["C"]]).group_id == g["tight"]
    assert record(world, "group", school_id=s["A"]).school_id == s["A"]
    with pytest.raises(NotFound):
        record(world, "group", group_id=g["pair"])
    with pytest.raises(Forbidden):
        service.update_activity(
            world.session, world.scope("group"), activities["pair-with-B"].id, ActivityUpdate(title="改")
        )
    service.update_activity(
        world.session, world.scope("group"), activities["school-B"].id, ActivityUpdate(title="改")
    )


def test_a_school_administrator_records_for_its_school_only(world, activities):
    s, g = world.schools, world.groups
    assert record(world, "school", school_id=s["B"], school_ids=[s["A"]]).school_id == s["B"]
    with pytest.raises(Forbidden) as refused:
        record(world, "school", group_id=g["tight"])
    assert refused.value.field == "group_id"
    with pytest.raises(NotFound):
        record(world, "school", school_id=s["A"])
    with pytest.raises(Forbidden):
        service.delete_activity(world.session, world.scope("school"), activities["pair-with-B"].id)
    with pytest.raises(Forbidden):
        service.update_activity(
            world.session,
            world.scope("school"),
            activities["school-B"].id,
            ActivityUpdate(group_id=g["tight"]),
        )


def test_a_teacher_reads_its_activities_but_records_none(world, activities):
    with pytest.raises(Forbidden, match="仅限"):
        record(world, "teacher", school_id=world.schools["B"])
    with pytest.raises(Forbidden):
        service.update_activity(
            world.session, world.scope("teacher"), activities["teacher"].id, ActivityUpdate(title="改")
        )


def test_another_region_can_neither_see_nor_use_our_groups(world, activities):
    with pytest.raises(NotFound):
        record(world, "other-bureau", group_id=world.groups["tight"])
    with pytest.raises(NotFound):
        service.delete_activity(world.session, world.scope("other-bureau"), activities["tight"].id)


def test_lists_filter_by_kind_group_school_and_dates(world):
    s, g = world.schools, world.groups
    bureau = world.scope("bureau")
    early = record(world, group_id=g["tight"], occurred_on=date(2025, 9, 1))
    lesson = record(world, kind="public_lesson", school_id=s["C"], occurred_on=date(2026, 3, 1))
    joined = record(world, group_id=g["pair"], school_ids=[s["A"]], occurred_on=date(2026, 1, 31))

    def ids(**filters):
        return {a.id for a in service.list_activities(world.session, bureau, **filters)}

    assert ids(kind=ActivityKind.public_lesson) == {lesson.id}
    assert ids(group_id=g["tight"]) == {early.id}
    assert ids(school_id=s["A"]) == {joined.id}
    assert ids(school_id=s["C"]) == {lesson.id}
    assert ids(start=date(2025, 9, 2), end=date(2026, 1, 31)) == {joined.id}
    listed = service.list_activities(world.session, bureau)
    assert [a.id for a in listed] == [lesson.id, joined.id, early.id]


def test_activities_created_through_the_schema_refuse_an_empty_title():
    with pytest.raises(ValueError, match="标题不能为空"):
        ActivityCreate(kind="joint_research", occurred_on=date(2025, 9, 1), title="   ", group_id=1)
