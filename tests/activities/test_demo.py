from collections import Counter

import pytest
from sqlalchemy import select

from edugroup.activities.models import Activity, ActivityKind, ShowcaseLevel
from edugroup.activities.service import activities_in
from edugroup.core.periods import SchoolYear, Semester
from edugroup.org.models import Group, Region, School
from edugroup.web.composition import load_demo

LESSONS = {ActivityKind.public_lesson, ActivityKind.research_lesson, ActivityKind.demonstration_lesson}


@pytest.fixture
def demo(db):
    load_demo(db)
    region = db.scalar(select(Region).where(Region.code == "demo-region"))
    codes = {g.id: g.code for g in db.scalars(select(Group).where(Group.region_id == region.id))}
    return db, region, codes


def count(rows, codes, kinds, **where):
    kinds = set(kinds)
    return Counter(
        codes.get(r.group_id)
        for r in rows
        if r.kind in kinds and all(getattr(r, k) == v for k, v in where.items())
    )


def test_the_demo_region_meets_some_rules_and_misses_others(demo):
    db, region, codes = demo

    def rows(period):
        return activities_in(db, region_id=region.id, start=period.start, end=period.end)

    first, second, year = rows(Semester(2025, 1)), rows(Semester(2025, 2)), rows(SchoolYear(2025))
    joint = count(first, codes, {ActivityKind.joint_research})
    assert joint["SL-T1"] >= 5 > joint["SL-T2"]  # HK-16: met and not met in 2025-1
    assert count(second, codes, {ActivityKind.joint_research})["SL-T2"] >= 5
    meetings = count(first, codes, {ActivityKind.working_meeting})
    assert meetings["SL-C1"] >= 2 > meetings["SL-C2"]  # OH-03
    lessons = count(year, codes, LESSONS)
    assert lessons["SL-C1"] >= 15 > lessons["SL-C2"]  # OH-04
    assert lessons["SL-C3"] == 15
    research = count(year, codes, {ActivityKind.collective_research})
    assert research["SL-C1"] >= 10 > research["SL-C2"]  # OH-05
    exchanges = count(year, codes, {ActivityKind.student_exchange})
    assert exchanges["SL-C1"] >= 2 > exchanges["SL-C2"]  # OH-06
    showcases = count(year, codes, {ActivityKind.showcase}, level=ShowcaseLevel.district)
    assert showcases["SL-T1"] >= 1
    assert showcases["SL-T2"] == 0
    assert count(year, codes, {ActivityKind.showcase}, level=ShowcaseLevel.city)["SL-T1"] == 1
    assert count(year, codes, {ActivityKind.studio_activity})["SL-A1"] >= 5


def test_the_programme_has_observations_per_school_one_short_and_one_without_a_report(demo):
    db, region, codes = demo
    for semester, expected in ((Semester(2025, 1), [1, 2, 2, 2, 2]), (Semester(2025, 2), [1, 2, 2, 2, 2])):
        rows = activities_in(
            db,
            region_id=region.id,
            start=semester.start,
            end=semester.end,
            kinds=[ActivityKind.classroom_observation],
        )
        reported = Counter(school for r in rows if r.has_report for school in r.school_ids)
        assert len(reported) == 5
        assert sorted(reported.values()) == expected  # QP-07.b: one pilot short of two with a report
        everything = count(rows, codes, {ActivityKind.classroom_observation})
        assert everything["SL-P1"] == sum(expected) + (1 if semester.number == 2 else 0)
        meetings = activities_in(
            db,
            region_id=region.id,
            start=semester.start,
            end=semester.end,
            kinds=["programme_meeting", "teacher_event"],
        )
        assert {r.kind for r in meetings} == {ActivityKind.programme_meeting, ActivityKind.teacher_event}


def test_the_current_semester_is_recorded_part_way(demo):
    db, region, _ = demo
    current = Semester(2026, 1)
    rows = activities_in(db, region_id=region.id, start=current.start, end=current.end)
    assert rows
    assert max(r.occurred_on for r in rows).isoformat() <= "2026-11-24"


def test_qingpu_programme_has_two_school_years_of_records(db):
    load_demo(db)
    region = db.scalar(select(Region).where(Region.code == "sh-qingpu"))
    for year in (2024, 2025):
        for semester in SchoolYear(year).semesters():
            rows = activities_in(db, region_id=region.id, start=semester.start, end=semester.end)
            kinds = Counter(r.kind for r in rows)
            assert kinds[ActivityKind.teacher_event] >= 1
            assert kinds[ActivityKind.programme_meeting] >= 1
            observed = Counter(
                s
                for r in rows
                if r.kind is ActivityKind.classroom_observation and r.has_report
                for s in r.school_ids
            )
            assert len(observed) == 5
            assert min(observed.values()) >= 2


def test_the_demo_users_see_activities_of_their_scope(demo):
    from edugroup.activities import service
    from edugroup.core.models import User
    from edugroup.core.scope import scope_for

    db, _, _ = demo
    seen = {}
    for name in ("demo-bureau", "demo-group", "demo-school", "demo-teacher"):
        user = db.scalar(select(User).where(User.username == name))
        seen[name] = len(service.list_activities(db, scope_for(db, user)))
    assert seen["demo-bureau"] > seen["demo-group"] > seen["demo-school"] > 0
    assert seen["demo-teacher"] > 0


def test_demo_activities_are_the_same_every_time(db):
    def snapshot():
        return db.execute(
            select(Activity.kind, Activity.occurred_on, Activity.title, School.code)
            .outerjoin(School, School.id == Activity.school_id)
            .order_by(Activity.occurred_on, Activity.title, Activity.id)
        ).all()

    first = db.begin_nested()
    load_demo(db)
    one = snapshot()
    first.rollback()
    second = db.begin_nested()
    load_demo(db)
    two = snapshot()
    second.rollback()
    assert one == two
    assert len(one) > 200
