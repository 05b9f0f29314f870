"""The demo region, loaded deterministically by `edugroup demo` (and `make run`).

- 天津市河东区: the five 小学教育协作体 with exactly the 23 schools and 5 组长校 the 2018 document lists (HD-01).
- 上海市青浦区: the five 第二轮公办初中强校工程 pilot schools as a programme (QP-01), each a member of a support
  group led by a senior high school (QP-04). The document's attachment naming the support groups is not
  in the text, so those groups and their leader schools are synthetic and named 示例….
- 示例市示例区: a synthetic 虹口-style region with three districts, groups of every mode, 40 schools, teachers
  and students. Every name there reads as synthetic (示例…).
Real schools get no invented coordinates or head counts: those stay empty until a bureau imports them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from edugroup.certificates.demo import load_demo_certificates
from edugroup.core import audit
from edugroup.core.auth import create_user
from edugroup.core.models import Role, User
from edugroup.experts.demo import load_demo_experts
from edugroup.mentoring.demo import load_demo_mentoring
from edugroup.org.models import (
    City,
    District,
    Group,
    GroupMode,
    Membership,
    QualityTier,
    Region,
    School,
    Stage,
    Student,
)
from edugroup.rotation.demo import load_demo_rotations
from edugroup.rotation.plans.demo import load_demo_plan
from edugroup.studios.demo import load_demo_studios
from edugroup.teachers.demo import load_demo_teachers
from edugroup.teachers.models import Teacher
from edugroup.training.demo import load_demo_training

DEMO_PASSWORD = "edugroup-demo"

HEDONG_COLLABORATIVES = [
    ("第一协作体", ["互助道小学", "友爱道小学", "中心东道小学", "二号桥小学", "福东小学", "松竹里小学"]),
    ("第二协作体", ["一中心小学", "六纬路小学", "街坊小学", "大桥道小学", "翔宇小学"]),
    ("第三协作体", ["实验小学", "缘诚小学", "东兴小学", "第二实验小学"]),
    ("第四协作体", ["香山道小学", "嵩山道小学", "盘山道小学", "丽苑小学"]),
    ("第五协作体", ["前程小学", "二中心小学", "常州道小学", "益寿里小学"]),
]
HEDONG_LEADERS = {"互助道小学", "一中心小学", "实验小学", "香山道小学", "前程小学"}
HEDONG_START = date(2018, 3, 8)

# 博文学校 is taken as a nine-year school (the notice goes to 各初中及九年一贯制学校 and its name is not 中学).
QINGPU_PILOTS = [
    ("徐泾中学", Stage.junior),
    ("尚美中学", Stage.junior),
    ("白鹤中学", Stage.junior),
    ("博文学校", Stage.nine_year),
    ("凤溪中学", Stage.junior),
]
QINGPU_START = date(2023, 11, 1)
NUMERALS = "一二三四五六七八九十"

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


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    scope: str


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def load_demo(session: Session) -> list[DemoUser]:
    """Loads the demo region once; returns the demo users (all with password DEMO_PASSWORD)."""
    if session.scalar(select(City.id).where(City.code == "demo")) is not None:
        return demo_users(session)
    session.info.setdefault("actor", "demo-loader")
    users: list[DemoUser] = []
    users += _load_hedong(session)
    users += _load_qingpu(session)
    users += _load_synthetic(session, random.Random(20250310))
    return users


def demo_users(session: Session) -> list[DemoUser]:
    """Demo users already in the database."""
    rows = session.scalars(select(User).where(User.username.like("demo-%")).order_by(User.id))
    return [DemoUser(u.username, u.role, u.display_name) for u in rows]


def _school(session: Session, region: Region, code: str, name: str, stage: Stage, **kw: object) -> School:
    school = School(region_id=region.id, code=code, name=name, stage=stage, **kw)
    session.add(school)
    return school


def _join(
    session: Session,
    group: Group,
    school: School,
    start: date,
    *,
    leader: bool = False,
    end: date | None = None,
    note: str | None = None,
) -> None:
    session.add(
        Membership(
            group_id=group.id,
            school_id=school.id,
            start_date=start,
            end_date=end,
            is_leader=leader,
            note=note,
        )
    )


def _load_hedong(session: Session) -> list[DemoUser]:
    tianjin = City(code="tianjin", name="天津市")
    session.add(tianjin)
    session.flush()
    region = Region(city_id=tianjin.id, code="tj-hedong", name="河东区", policy_pack="hedong-2018")
    session.add(region)
    session.flush()
    number = 0
    for index, (name, members) in enumerate(HEDONG_COLLABORATIVES, start=1):
        group = Group(
            region_id=region.id,
            code=f"HD-C{index}",
            name=f"河东区小学{name}",
            mode=GroupMode.collaborative,
            founded_on=HEDONG_START,
            description="河东区小学学区化办学 (教育协作体) 实施意见, 2018年3月8日",
        )
        session.add(group)
        session.flush()
        for school_name in members:
            number += 1
            school = _school(
                session,
                region,
                f"HD{number:03d}",
                school_name,
                Stage.primary,
                quality_tier=QualityTier.ordinary,
            )
            session.flush()
            _join(session, group, school, HEDONG_START, leader=school_name in HEDONG_LEADERS)
    session.flush()
    create_user(
        session,
        username="demo-hedong",
        password=DEMO_PASSWORD,
        display_name="河东区教育局管理员",
        role=Role.bureau_admin,
        region_id=region.id,
    )
    return [DemoUser("demo-hedong", Role.bureau_admin, "河东区")]


def _load_qingpu(session: Session) -> list[DemoUser]:
    shanghai = City(code="shanghai", name="上海市")
    session.add(shanghai)
    session.flush()
    region = Region(city_id=shanghai.id, code="sh-qingpu", name="青浦区", policy_pack="qingpu-2023")
    session.add(region)
    session.flush()
    programme = Group(
        region_id=region.id,
        code="QP-P2",
        name="第二轮公办初中强校工程",
        mode=GroupMode.programme,
        founded_on=QINGPU_START,
        description="青教〔2023〕75号, 实验期3年",
        programme_key="qingpu-qiangxiao-2",
    )
    session.add(programme)
    session.flush()
    for index, (name, stage) in enumerate(QINGPU_PILOTS, start=1):
        pilot = _school(session, region, f"QP{index:03d}", name, stage, quality_tier=QualityTier.weaker)
        leader = _school(
            session,
            region,
            f"QPH{index:02d}",
            f"示例实验性示范性高中({NUMERALS[index - 1]})",
            Stage.senior,
            quality_tier=QualityTier.quality,
        )
        support = Group(
            region_id=region.id,
            code=f"QP-S{index}",
            name=f"示例支援集团({NUMERALS[index - 1]})",
            mode=GroupMode.tight,
            founded_on=date(2020, 9, 1),
            description="支援集团: 牵头校为市实验性示范性高中, 实验校纳为成员校 (QP-04); 名称为示例",
        )
        session.add(support)
        session.flush()
        _join(session, support, leader, date(2020, 9, 1), leader=True)
        _join(session, support, pilot, QINGPU_START, note="强校工程实验校纳为集团成员校")
        _join(session, programme, pilot, QINGPU_START, end=date(2026, 10, 31))
    session.flush()
    create_user(
        session,
        username="demo-qingpu",
        password=DEMO_PASSWORD,
        display_name="青浦区教育局管理员",
        role=Role.bureau_admin,
        region_id=region.id,
    )
    return [DemoUser("demo-qingpu", Role.bureau_admin, "青浦区")]


# (name suffix, stage, count)
SYNTHETIC_SCHOOLS = [
    ("小学", Stage.primary, 18),
    ("初级中学", Stage.junior, 10),
    ("学校", Stage.nine_year, 6),
    ("高级中学", Stage.senior, 4),
    ("实验学校", Stage.twelve_year, 2),
]
SYNTHETIC_GROUPS = [
    # code, name, mode, parent code, founded
    ("SL-T1", "示例第一教育集团", GroupMode.tight, None, date(2019, 9, 1)),
    ("SL-T2", "示例第二教育集团", GroupMode.tight, None, date(2021, 9, 1)),
    ("SL-A1", "示例教育联盟", GroupMode.alliance, None, date(2022, 9, 1)),
    ("SL-C1", "示例共建体(一)", GroupMode.co_build, "SL-A1", date(2022, 9, 1)),
    ("SL-C2", "示例共建体(二)", GroupMode.co_build, "SL-A1", date(2022, 9, 1)),
    ("SL-C3", "示例共建体(三)", GroupMode.co_build, None, date(2023, 2, 1)),
    ("SL-X1", "示例第一协作体", GroupMode.collaborative, None, date(2020, 9, 1)),
    ("SL-P1", "示例强校工程", GroupMode.programme, None, date(2023, 11, 1)),
]


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _load_synthetic(session: Session, rng: random.Random) -> list[DemoUser]:
    city = City(code="demo", name="示例市")
    session.add(city)
    session.flush()
    region = Region(city_id=city.id, code="demo-region", name="示例区", policy_pack="hongkou-2025")
    session.add(region)
    session.flush()
    districts = []
    for i in range(1, 4):
        district = District(region_id=region.id, code=f"D{i}", name=f"示例第{_numeral(i)}学区")
        session.add(district)
        districts.append(district)
    session.flush()

    schools: dict[Stage, list[School]] = {}
    number = 0
    for suffix, stage, count in SYNTHETIC_SCHOOLS:
        for i in range(1, count + 1):
            number += 1
            tier = (
                QualityTier.quality
                if i % 4 == 1
                else QualityTier.weaker
                if i % 4 == 3
                else QualityTier.ordinary
            )
            students = rng.randint(450, 1900) if stage is not Stage.senior else rng.randint(900, 1500)
            school = _school(
                session,
                region,
                f"S{number:03d}",
                f"示例第{_numeral(i)}{suffix}",
                stage,
                quality_tier=tier,
                district_id=districts[(number - 1) % 3].id,
                lat=round(31.24 + rng.uniform(0, 0.07), 5),
                lon=round(121.46 + rng.uniform(0, 0.07), 5),
                student_count=students,
                teacher_count=max(25, students // 12),
                address=f"示例区示例路{rng.randint(1, 999)}号",
            )
            schools.setdefault(stage, []).append(school)
    session.flush()

    groups: dict[str, Group] = {}
    for code, name, mode, parent, founded in SYNTHETIC_GROUPS:
        group = Group(
            region_id=region.id,
            code=code,
            name=name,
            mode=mode,
            founded_on=founded,
            parent_id=groups[parent].id if parent else None,
            demonstrative_candidate=code == "SL-T1",  # 示例第一教育集团 is applying for 市示范性 (SH-18)
        )
        session.add(group)
        session.flush()
        groups[code] = group

    p, j, n, s, t = (
        schools[Stage.primary],
        schools[Stage.junior],
        schools[Stage.nine_year],
        schools[Stage.senior],
        schools[Stage.twelve_year],
    )
    g = groups
    # Tight groups: a quality leader with stage-mixed members; one school moved between them in 2024.
    _join(session, g["SL-T1"], t[0], date(2019, 9, 1), leader=True)
    for school in (p[0], p[1], p[2], j[0], j[1]):
        _join(session, g["SL-T1"], school, date(2019, 9, 1))
    _join(
        session,
        g["SL-T1"],
        p[3],
        date(2019, 9, 1),
        end=date(2024, 8, 31),
        note="2024学年调整至示例第二教育集团",
    )
    _join(session, g["SL-T2"], s[0], date(2021, 9, 1), leader=True)
    for school in (j[2], j[3], n[0], n[1]):
        _join(session, g["SL-T2"], school, date(2021, 9, 1))
    _join(session, g["SL-T2"], p[3], date(2024, 9, 1), note="双向选择加入")
    # Alliance of two co-build pairs (quality + weaker each); the alliance holds all four schools.
    pairs = [("SL-C1", p[4], p[6]), ("SL-C2", j[4], j[6])]
    for code, quality, weaker in pairs:
        _join(session, g[code], quality, date(2022, 9, 1), leader=True)
        _join(session, g[code], weaker, date(2022, 9, 1))
        _join(session, g["SL-A1"], quality, date(2022, 9, 1), leader=code == "SL-C1")
        _join(session, g["SL-A1"], weaker, date(2022, 9, 1))
    _join(session, g["SL-C3"], n[2], date(2023, 2, 1), leader=True)
    _join(session, g["SL-C3"], n[3], date(2023, 2, 1))
    # A collaborative of primary schools in one district's spirit.
    _join(session, g["SL-X1"], p[8], date(2020, 9, 1), leader=True)
    for school in p[9:16]:
        _join(session, g["SL-X1"], school, date(2020, 9, 1))
    # A programme of weaker junior / nine-year schools.
    for school in (j[2], j[6], j[7], n[4], n[5]):
        _join(session, g["SL-P1"], school, date(2023, 11, 1))
    session.flush()

    _people(session, rng, region, [school for stage_schools in schools.values() for school in stage_schools])
    head_teacher = session.scalar(select(Teacher).where(Teacher.school_id == j[0].id).order_by(Teacher.id))
    assert head_teacher is not None
    create_user(
        session,
        username="demo-bureau",
        password=DEMO_PASSWORD,
        display_name="示例区教育局管理员",
        role=Role.bureau_admin,
        region_id=region.id,
    )
    create_user(
        session,
        username="demo-group",
        password=DEMO_PASSWORD,
        display_name="示例第一教育集团总校长",
        role=Role.group_head,
        region_id=region.id,
        group_id=g["SL-T1"].id,
    )
    create_user(
        session,
        username="demo-school",
        password=DEMO_PASSWORD,
        display_name=f"{j[0].name}管理员",
        role=Role.school_admin,
        region_id=region.id,
        school_id=j[0].id,
    )
    create_user(
        session,
        username="demo-teacher",
        password=DEMO_PASSWORD,
        display_name=head_teacher.name,
        role=Role.teacher,
        region_id=region.id,
        school_id=j[0].id,
        teacher_id=head_teacher.id,
    )
    from edugroup.activities.demo import load_demo_activities

    load_demo_activities(session, region, g, schools, rng)
    load_demo_studios(session, region, g["SL-A1"])
    every_school = [school for stage_schools in schools.values() for school in stage_schools]
    teacher_rng = random.Random(20251124)  # teacher facts, then rotations, draw from this one stream
    load_demo_teachers(session, region, every_school, teacher_rng)
    load_demo_rotations(session, region, g, every_school, teacher_rng)
    load_demo_plan(session, region, every_school)
    load_demo_training(session, region, g, rng)
    load_demo_certificates(session, region, g, rng)
    load_demo_mentoring(session, region, g)
    load_demo_experts(session, region, g)
    from edugroup.monitoring.demo import load_demo_results

    load_demo_results(session, region, g, schools)
    from edugroup.admissions.demo import load_demo_admissions
    from edugroup.surveys.demo import load_demo_surveys

    load_demo_surveys(session, region, g)
    load_demo_admissions(session, region, schools)
    return [
        DemoUser("demo-bureau", Role.bureau_admin, "示例区"),
        DemoUser("demo-group", Role.group_head, "示例第一教育集团"),
        DemoUser("demo-school", Role.school_admin, j[0].name),
        DemoUser("demo-teacher", Role.teacher, f"{head_teacher.name} ({j[0].name})"),
    ]


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
