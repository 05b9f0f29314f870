from datetime import date

from sqlalchemy import func, select

from edugroup.core.models import Role, User
from edugroup.core.scope import scope_for
from edugroup.org import service
from edugroup.org.demo import HEDONG_COLLABORATIVES
from edugroup.org.models import Group, GroupMode, Region, School, Student
from edugroup.teachers.models import Teacher
from edugroup.web.composition import load_demo

HEDONG_TEXT = {
    "第一协作体": "互助道小学、友爱道小学、中心东道小学、二号桥小学、福东小学、松竹里小学",
    "第二协作体": "一中心小学、六纬路小学、街坊小学、大桥道小学、翔宇小学",
    "第三协作体": "实验小学、缘诚小学、东兴小学、第二实验小学",
    "第四协作体": "香山道小学、嵩山道小学、盘山道小学、丽苑小学",
    "第五协作体": "前程小学、二中心小学、常州道小学、益寿里小学",
}


def _scope(session, username):
    return scope_for(session, session.scalar(select(User).where(User.username == username)))


def test_hedong_has_the_five_collaboratives_with_the_documents_23_schools_and_5_leaders(db):
    load_demo(db)
    scope = _scope(db, "demo-hedong")
    groups = service.list_groups(db, scope)
    assert len(groups) == 5
    assert {g.mode for g in groups} == {GroupMode.collaborative}
    day = date(2025, 1, 1)
    leaders = []
    for group in groups:
        members = service.members_on(db, scope, group.id, day)
        name = group.name.removeprefix("河东区小学")
        assert [m.school.name for m in sorted(members, key=lambda m: m.school.code)] == HEDONG_TEXT[
            name
        ].split("、")
        leaders += [m.school.name for m in members if m.is_leader]
    assert sorted(leaders) == sorted(["互助道小学", "一中心小学", "实验小学", "香山道小学", "前程小学"])
    assert len(service.list_schools(db, scope)) == 23
    assert sum(len(m) for _, m in HEDONG_COLLABORATIVES) == 23


def test_qingpu_pilots_form_a_programme_each_in_a_support_group_led_by_a_senior_high(db):
    load_demo(db)
    scope = _scope(db, "demo-qingpu")
    day = date(2024, 3, 1)
    programme = service.list_groups(db, scope, mode=GroupMode.programme)[0]
    pilots = service.members_on(db, scope, programme.id, day)
    assert sorted(m.school.name for m in pilots) == sorted(
        ["徐泾中学", "尚美中学", "白鹤中学", "博文学校", "凤溪中学"]
    )
    for pilot in pilots:
        support = service.groups_of_school_on(db, scope, pilot.school_id, day, mode=GroupMode.tight)
        assert len(support) == 1
        leader = [m for m in service.members_on(db, scope, support[0].id, day) if m.is_leader][0]
        assert leader.school.stage.value == "senior"
        assert leader.school.name.startswith("示例")


def test_the_synthetic_region_covers_every_mode_with_people_in_every_school(db):
    load_demo(db)
    region = db.scalar(select(Region).where(Region.code == "demo-region"))
    groups = db.scalars(select(Group).where(Group.region_id == region.id)).all()
    assert len(groups) >= 8
    assert {g.mode for g in groups} == set(GroupMode)
    assert any(g.parent_id for g in groups if g.mode is GroupMode.co_build)
    schools = db.scalars(select(School).where(School.region_id == region.id)).all()
    assert 35 <= len(schools) <= 45
    assert all(s.name.startswith("示例") for s in schools)
    for school in schools:
        assert (
            db.scalar(select(func.count()).where(Teacher.school_id == school.id)) == school.teacher_count > 0
        )
        assert (
            db.scalar(select(func.count()).where(Student.school_id == school.id)) == school.student_count > 0
        )
    roles = {u.role for u in db.scalars(select(User).where(User.username.like("demo-%")))}
    assert roles == set(Role)


def test_the_demo_loads_the_same_data_every_time(db):
    def snapshot():
        return (
            db.execute(
                select(School.code, School.name, School.lat, School.student_count).order_by(School.code)
            ).all(),
            db.execute(
                select(Teacher.staff_number, Teacher.name, Teacher.subject).order_by(Teacher.staff_number)
            ).all(),
        )

    first = db.begin_nested()
    load_demo(db)
    one = snapshot()
    first.rollback()
    second = db.begin_nested()
    load_demo(db)
    two = snapshot()
    second.rollback()
    assert one == two
    assert len(one[1]) > 1000


def test_loading_the_demo_twice_adds_nothing(db):
    load_demo(db)
    before = db.scalar(select(func.count()).select_from(School))
    users = load_demo(db)
    assert db.scalar(select(func.count()).select_from(School)) == before
    assert {u.username for u in users} >= {"demo-bureau", "demo-group", "demo-school", "demo-teacher"}
