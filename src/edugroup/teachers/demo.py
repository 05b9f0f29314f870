"""Demo teacher facts for 示例区 (deterministic): backbone tiers, honours and titles; and the helpers other
domains' demo records use to find a group's schools and their teachers. The region's rotations are
`rotation.demo`'s, drawn from the same random stream right after these facts."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from edugroup.core import audit
from edugroup.core.auth import create_user
from edugroup.core.models import Role
from edugroup.org.demo import DEMO_PASSWORD, DemoUser, DemoWorld
from edugroup.org.models import Group, Membership, QualityTier, Region, School, Stage, Student
from edugroup.teachers.models import Teacher


def load_demo_teachers(session: Session, region: Region, schools: list[School], rng: random.Random) -> None:
    """Teacher facts for the synthetic region: backbone tiers, titles and honours (the first draws of `rng`)."""
    stmt = select(Teacher).where(Teacher.region_id == region.id).order_by(Teacher.id)
    _facts(session, rng, region, list(session.scalars(stmt)), {s.id: s for s in schools})


def _facts(
    session: Session, rng: random.Random, region: Region, teachers: list[Teacher], schools: dict[int, School]
) -> None:
    """Backbone tiers (two in five at quality schools, one in eight elsewhere), titles to match, and
    a few honours per school."""
    rows: list[dict[str, object]] = []
    seen: dict[int, int] = defaultdict(int)
    for t in teachers:
        k = seen[t.school_id]
        seen[t.school_id] += 1
        quality = schools[t.school_id].quality_tier is QualityTier.quality
        tier = (
            rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 3, 4, 5))[0]
            if rng.random() < (0.4 if quality else 0.12)
            else None
        )
        title = "高级教师" if tier in (1, 2) and t.title != "正高级教师" else t.title
        rows.append(
            {
                "id": t.id,
                "backbone_tier": tier,
                "title": title,
                "municipal_famous_principal": k == 0 and quality and rng.random() < 0.6,
                "famous_teacher": 1 <= k <= 2 and rng.random() < 0.5,
                "seed_team": k == 3 and rng.random() < 0.6,
            }
        )
    session.execute(update(Teacher), rows)
    audit.record(
        session,
        action="import",
        entity_type="teachers",
        entity_id=region.code,
        note=f"示例数据: {len(rows)} 名教师的骨干梯队、职称与称号",
        region_id=region.id,
    )


def member_schools(session: Session, group: Group, on: date) -> list[int]:
    """The schools of a group on a day, leader first then by code (the demo records of other domains use them)."""
    stmt = (
        select(Membership.school_id)
        .join(School, School.id == Membership.school_id)
        .where(Membership.group_id == group.id, Membership.start_date <= on)
        .where((Membership.end_date.is_(None)) | (Membership.end_date >= on))
        .order_by(Membership.is_leader.desc(), School.code)
    )
    return list(session.scalars(stmt))


def teachers_by_school(session: Session, school_ids: list[int]) -> dict[int, list[Teacher]]:
    """The teachers of each school, by id."""
    found: dict[int, list[Teacher]] = {s: [] for s in school_ids}
    stmt = select(Teacher).where(Teacher.school_id.in_(school_ids)).order_by(Teacher.id)
    for teacher in session.scalars(stmt):
        found[teacher.school_id].append(teacher)
    return found


def staffed_groups(
    session: Session, groups: dict[str, Group], codes: Iterable[str], on: date
) -> tuple[dict[str, list[int]], dict[int, list[Teacher]]]:
    """The schools of the groups named by `codes` on a day (as `member_schools`), and the teachers of each."""
    members = {code: member_schools(session, groups[code], on) for code in codes}
    return members, teachers_by_school(session, sorted({s for schools in members.values() for s in schools}))


# --- the people of the synthetic region ----------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉萍红娟建文辉力国春晓晨欣怡子涵浩宇思雨嘉琪睿博文轩佳雪梦瑶俊杰"
SUBJECTS = [
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "道德与法治",
    "体育",
    "音乐",
    "美术",
    "信息科技",
]
PRIMARY_SUBJECTS = ["语文", "数学", "英语", "科学", "体育", "音乐", "美术", "道德与法治", "信息科技"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def load_demo_people(session: Session, world: DemoWorld) -> None:
    """Teachers and students of every synthetic school (drawn in one pass, school by school), and the demo
    teacher's user: the head of the first junior school's staff list."""
    region = world.region
    _people(session, world.rng, region, world.all_schools)
    school = world.schools[Stage.junior][0]
    head_teacher = session.scalar(select(Teacher).where(Teacher.school_id == school.id).order_by(Teacher.id))
    assert head_teacher is not None
    create_user(
        session,
        username="demo-teacher",
        password=DEMO_PASSWORD,
        display_name=head_teacher.name,
        role=Role.teacher,
        region_id=region.id,
        school_id=school.id,
        teacher_id=head_teacher.id,
    )
    world.users.append(DemoUser("demo-teacher", Role.teacher, f"{head_teacher.name} ({school.name})"))


def _people(session: Session, rng: random.Random, region: Region, schools: list[School]) -> None:
    """Teachers and students for every synthetic school, in bulk (one audit entry each)."""
    teachers: list[dict[str, object]] = []
    students: list[dict[str, object]] = []
    titles = ["二级教师", "一级教师", "高级教师", "正高级教师"]
    for school in schools:
        subjects = PRIMARY_SUBJECTS if school.stage is Stage.primary else SUBJECTS
        for k in range(school.teacher_count):
            teachers.append(
                {
                    "region_id": region.id,
                    "school_id": school.id,
                    "staff_number": f"T{school.code}{k + 1:03d}",
                    "name": _name(rng),
                    "subject": subjects[k % len(subjects)],
                    "title": rng.choices(titles, weights=(4, 4, 2, 0.2))[0],
                    "birth_year": rng.randint(1968, 2000),
                    "joined_school_on": date(rng.randint(2005, 2024), 9, 1),
                }
            )
        first_grade, last_grade = {
            Stage.primary: (1, 5),
            Stage.junior: (6, 9),
            Stage.nine_year: (1, 9),
            Stage.senior: (10, 12),
            Stage.twelve_year: (1, 12),
        }[school.stage]
        for k in range(school.student_count):
            students.append(
                {
                    "region_id": region.id,
                    "school_id": school.id,
                    "student_number": f"{school.code}{k + 1:05d}",
                    "name": _name(rng),
                    "grade": first_grade + k % (last_grade - first_grade + 1),
                    "sex": "M" if rng.random() < 0.51 else "F",
                }
            )
    session.execute(insert(Teacher), teachers)
    session.execute(insert(Student), students)
    audit.record(
        session,
        action="import",
        entity_type="teachers",
        entity_id=region.code,
        note=f"示例数据: {len(teachers)} 名教师",
        region_id=region.id,
    )
    audit.record(
        session,
        action="import",
        entity_type="students",
        entity_id=region.code,
        note=f"示例数据: {len(students)} 名学生",
        region_id=region.id,
    )
