"""Demo activity records: school year 2025 and the current semester so far for 示例区, and the 强校工程
programme of 青浦区 for school years 2024 and 2025.

示例区 is built to show a realistic mix of met and not met (counts per semester or school year):

| group | clause | 2025-1 | 2025-2 | school year 2025 |
|---|---|---|---|---|
| SL-T1 | HK-16 joint research >= 5 / semester | 6 met | 5 met | |
| SL-T2 | HK-16 | 4 not met | 5 met | |
| SL-C1 | OH-03 working meetings >= 2 / semester | 2 met | 3 met | |
| SL-C2 | OH-03 | 1 not met | 2 met | |
| SL-C3 | OH-03 | 2 met | 2 met | |
| SL-C1 / C2 / C3 | OH-04 lessons >= 15 / year | | | 16 met / 12 not met / 15 met |
| SL-C1 / C2 / C3 | OH-05 collective research >= 10 / year | | | 11 met / 8 not met / 10 met |
| SL-C1 / C2 / C3 | OH-06 student exchanges >= 2 / year | | | 2 met / 1 not met / 3 met |
| SL-P1 | QP-07 observations with a report >= 2 / school / semester | one pilot has 1 | one pilot's lacks its report | |
| SL-P1 | QP-08 teacher events, QP-11 programme meetings >= 1 / semester | met | met | |
| SL-T1 / SL-A1 / SL-T2 | SH-18 showcases | district + city / district / school level only | | |

The current semester (2026-1) is recorded up to 2026-11-20, part-way through: some counts are still short.
Qingpu's pilot schools are real, so their records are complete (no invented shortfalls) and marked 示例数据.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from edugroup.activities.models import (
    ACTIVITY_KIND_LABELS,
    Activity,
    ActivityKind,
    ActivitySchool,
    ActivityTeacher,
    ShowcaseLevel,
)
from edugroup.core.periods import Semester
from edugroup.org.demo import DemoWorld
from edugroup.org.models import Group, Membership, Region, School, Stage
from edugroup.teachers.models import Teacher

RECORDED_UNTIL = date(2026, 11, 20)
S1, S2, S3 = Semester(2025, 1), Semester(2025, 2), Semester(2026, 1)

SUBJECTS = ["语文", "数学", "英语", "物理", "化学", "道德与法治", "科学", "体育", "艺术"]
TOPICS = [
    "大单元教学设计",
    "作业设计与减负增效",
    "跨学科主题学习",
    "课堂提问的有效性",
    "信息技术与学科融合",
    "学业质量监测结果分析",
    "分层教学与个别化辅导",
    "新课标下的评价改革",
]
REPORTS = [
    "课堂观察分析报告: 教学目标清晰, 学生参与度较高; 建议增加高阶思维问题的比例。",
    "课堂观察分析报告: 课堂结构完整, 小组合作有效; 建议关注学习困难学生的反馈。",
    "课堂观察分析报告: 情境创设贴近生活, 评价及时; 建议优化板书与时间分配。",
]
EXTERNAL_OBSERVERS = ["区教研室示例教研员", "示例高校教育学院专家", "市教研室示例学科教研员"]


def _term(semester: Semester) -> tuple[date, date]:
    """Teaching weeks of a semester (holidays left out), cut at RECORDED_UNTIL."""
    if semester.number == 1:
        start, end = semester.start + timedelta(days=7), date(semester.year + 1, 1, 20)
    else:
        start, end = date(semester.year + 1, 2, 16), date(semester.year + 1, 6, 30)
    return start, min(end, RECORDED_UNTIL)


def _days(rng: random.Random, semester: Semester, n: int) -> list[date]:
    """`n` distinct school days of a semester, in order."""
    start, end = _term(semester)
    weekdays = [
        start + timedelta(days=i)
        for i in range((end - start).days + 1)
        if (start + timedelta(days=i)).weekday() < 5
    ]
    return sorted(rng.sample(weekdays, n))


@dataclass
class _Recorder:
    region_id: int
    rng: random.Random
    teachers: dict[int, list[int]]
    activities: list[Activity] = field(default_factory=list)

    def add(
        self,
        kind: ActivityKind,
        day: date,
        title: str,
        *,
        group: Group | None = None,
        school: School | None = None,
        schools: list[School] | tuple[School, ...] = (),
        teachers_per_school: int = 0,
        extra_teachers: tuple[int, ...] = (),
        **fields: object,
    ) -> Activity:
        teacher_ids = list(extra_teachers)
        for s in schools:
            pool = self.teachers.get(s.id, [])
            teacher_ids += self.rng.sample(pool, min(teachers_per_school, len(pool)))
        activity = Activity(
            region_id=self.region_id,
            kind=kind,
            occurred_on=day,
            title=title,
            group_id=group.id if group else None,
            school_id=school.id if school else None,
            **fields,
        )
        activity.school_links = [ActivitySchool(school_id=s.id) for s in dict.fromkeys(schools)]
        activity.teacher_links = [ActivityTeacher(teacher_id=t) for t in dict.fromkeys(teacher_ids)]
        self.activities.append(activity)
        return activity

    def topic(self) -> str:
        return f"{self.rng.choice(SUBJECTS)}: {self.rng.choice(TOPICS)}"


def _members(session: Session, groups: list[Group], on: date) -> dict[int, list[School]]:
    """Member schools of each group on a date, leader first."""
    stmt = (
        select(Membership.group_id, School)
        .join(School, School.id == Membership.school_id)
        .where(
            Membership.group_id.in_([g.id for g in groups]),
            Membership.start_date <= on,
            or_(Membership.end_date.is_(None), Membership.end_date >= on),
        )
        .order_by(Membership.group_id, Membership.is_leader.desc(), School.code)
    )
    members: dict[int, list[School]] = {}
    for group_id, school in session.execute(stmt).all():
        members.setdefault(group_id, []).append(school)
    return members


def _teachers_by_school(session: Session, region_id: int) -> dict[int, list[int]]:
    teachers: dict[int, list[int]] = {}
    stmt = select(Teacher.school_id, Teacher.id).where(Teacher.region_id == region_id).order_by(Teacher.id)
    for school_id, teacher_id in session.execute(stmt).all():
        teachers.setdefault(school_id, []).append(teacher_id)
    return teachers


def load_demo(session: Session, world: DemoWorld) -> None:
    """Activity records for the synthetic region (see the module's table), then for Qingpu's programme."""
    region, groups, schools, rng = world.region, world.groups, world.schools, world.rng
    teachers = _teachers_by_school(session, region.id)
    rec = _Recorder(region.id, rng, teachers)
    members = _members(session, list(groups.values()), S1.start)
    g = groups
    j0 = schools[Stage.junior][0]
    demo_teacher = teachers[j0.id][0]  # the demo teacher: first teacher of the demo school

    # HK-16 joint research in the tight groups; the demo teacher takes part in SL-T1's.
    for code, counts in (("SL-T1", (6, 5, 3)), ("SL-T2", (4, 5, 2))):
        group, group_schools = g[code], members[g[code].id]
        for semester, n in zip((S1, S2, S3), counts, strict=True):
            for day in _days(rng, semester, n):
                taking_part = rng.sample(group_schools, min(len(group_schools), rng.randint(3, 5)))
                mine = j0 in taking_part
                rec.add(
                    ActivityKind.joint_research,
                    day,
                    f"集团联合教研 · {rec.topic()}",
                    group=group,
                    school=rng.choice(taking_part),
                    schools=taking_part,
                    teachers_per_school=2,
                    extra_teachers=(demo_teacher,) if code == "SL-T1" and mine else (),
                    description="同学科跨学段集体备课、听课、评课",
                )
    for semester in (S1, S2):
        t1 = members[g["SL-T1"].id]
        for day in _days(rng, semester, 2):
            rec.add(
                ActivityKind.joint_lesson_prep,
                day,
                f"联合备课 · {rec.topic()}",
                group=g["SL-T1"],
                schools=t1[:3],
                teachers_per_school=2,
            )
    rec.add(
        ActivityKind.teaching_contest,
        _days(rng, S2, 1)[0],
        "集团青年教师教学比武",
        group=g["SL-T1"],
        schools=members[g["SL-T1"].id],
        teachers_per_school=1,
        extra_teachers=(demo_teacher,),
    )
    rec.add(
        ActivityKind.cooperative_research,
        _days(rng, S1, 1)[0],
        "集团合作科研课题开题: 集团化办学背景下的教师专业发展",
        group=g["SL-T1"],
        schools=members[g["SL-T1"].id][:2],
        teachers_per_school=2,
    )

    # OH-03..06 in the co-build pairs: (meetings per semester, lessons, collective research, exchanges).
    plans = {
        "SL-C1": ((2, 3, 1), 16, 11, 2),
        "SL-C2": ((1, 2, 1), 12, 8, 1),
        "SL-C3": ((2, 2, 0), 15, 10, 3),
    }
    lesson_kinds = [
        ActivityKind.public_lesson,
        ActivityKind.research_lesson,
        ActivityKind.demonstration_lesson,
    ]
    for code, (meetings, lessons, research, exchanges) in plans.items():
        pair, pair_schools = g[code], members[g[code].id]
        for semester, n in zip((S1, S2, S3), meetings, strict=True):
            for day in _days(rng, semester, n):
                rec.add(
                    ActivityKind.working_meeting,
                    day,
                    f"{pair.name}工作例会",
                    group=pair,
                    school=pair_schools[0],
                    schools=pair_schools,
                    description="通报共建进展, 商定下阶段教研与交流安排",
                )
        first = lessons // 2
        lesson_days = _days(rng, S1, first) + _days(rng, S2, lessons - first)
        for i, day in enumerate(lesson_days):
            kind = lesson_kinds[i % 3]
            host = pair_schools[i % 2]
            rec.add(
                kind,
                day,
                f"{ACTIVITY_KIND_LABELS[kind]} · {rec.topic()}",
                group=pair,
                school=host,
                schools=pair_schools,
                teachers_per_school=1,
            )
        first = research // 2
        for day in _days(rng, S1, first) + _days(rng, S2, research - first):
            rec.add(
                ActivityKind.collective_research,
                day,
                f"集体研修 · {rec.topic()}",
                group=pair,
                schools=pair_schools,
                teachers_per_school=3,
            )
        semesters = [S1, S2] * exchanges
        for i in range(exchanges):
            rec.add(
                ActivityKind.student_exchange,
                _days(rng, semesters[i], 1)[0],
                f"学生交流: {rng.choice(['科技节', '读书节', '体育联赛', '研学实践', '艺术展演'])}",
                group=pair,
                schools=pair_schools,
            )

    # OH-10 studios of the alliance, and the collaborative's cross-school research network (HD-04).
    alliance_schools = members[g["SL-A1"].id]
    for semester, n in ((S1, 3), (S2, 3), (S3, 2)):
        for day in _days(rng, semester, n):
            rec.add(
                ActivityKind.studio_activity,
                day,
                f"示例名师工作室活动 · {rec.topic()}",
                group=g["SL-A1"],
                schools=rng.sample(alliance_schools, 2),
                teachers_per_school=2,
            )
    for semester in (S1, S2, S3):
        for day in _days(rng, semester, 3):
            rec.add(
                ActivityKind.joint_research,
                day,
                f"协作体联校教研 · {rec.topic()}",
                group=g["SL-X1"],
                schools=rng.sample(members[g["SL-X1"].id], 4),
                teachers_per_school=1,
            )

    # SH-18 showcases.
    rec.add(
        ActivityKind.showcase,
        _days(rng, S1, 1)[0],
        "集团化办学成果全区展示",
        group=g["SL-T1"],
        schools=members[g["SL-T1"].id],
        level=ShowcaseLevel.district,
    )
    rec.add(
        ActivityKind.showcase,
        _days(rng, S2, 1)[0],
        "紧密型集团建设经验全市交流",
        group=g["SL-T1"],
        schools=members[g["SL-T1"].id][:2],
        level=ShowcaseLevel.city,
    )
    rec.add(
        ActivityKind.showcase,
        _days(rng, S2, 1)[0],
        "联盟共建成果全区展示",
        group=g["SL-A1"],
        schools=alliance_schools,
        level=ShowcaseLevel.district,
    )
    rec.add(
        ActivityKind.showcase,
        _days(rng, S2, 1)[0],
        "集团内教学开放日",
        group=g["SL-T2"],
        schools=members[g["SL-T2"].id][:3],
        level=ShowcaseLevel.school,
    )

    # The demo school's own public lessons.
    for day in _days(rng, S1, 1) + _days(rng, S2, 1):
        rec.add(
            ActivityKind.public_lesson,
            day,
            f"校级公开课 · {rec.topic()}",
            school=j0,
            schools=[j0],
            extra_teachers=(demo_teacher,),
        )

    _programme(rec, g["SL-P1"], members[g["SL-P1"].id], schools, teachers)
    session.add_all(rec.activities)
    session.flush()
    _load_qingpu_activities(session, rng)


def _programme(
    rec: _Recorder,
    programme: Group,
    pilots: list[School],
    schools: dict[Stage, list[School]],
    teachers: dict[int, list[int]],
) -> None:
    """QP-07 observations (2 per pilot per semester), QP-08 teacher events, QP-11 programme meetings."""
    rng = rec.rng
    observer_pool = teachers[schools[Stage.senior][0].id][:6] + teachers[schools[Stage.twelve_year][0].id][:6]
    short, unreported = pilots[-1], pilots[2]
    for semester, per_school in ((S1, 2), (S2, 2), (S3, 1)):
        for pilot in pilots:
            n = 1 if (semester == S1 and pilot is short) else per_school
            for k, day in enumerate(_days(rng, semester, n)):
                report = not (semester == S2 and pilot is unreported and k == 0)
                external = rng.random() < 0.3
                rec.add(
                    ActivityKind.classroom_observation,
                    day,
                    f"{pilot.name}课堂教学观察",
                    group=programme,
                    schools=[pilot],
                    teachers_per_school=1,
                    observer_teacher_id=None if external else rng.choice(observer_pool),
                    observer_name=rng.choice(EXTERNAL_OBSERVERS) if external else None,
                    report_text=rng.choice(REPORTS) if report else None,
                    has_report=report,
                )
    for semester, events, meetings in ((S1, 1, 1), (S2, 2, 1), (S3, 1, 0)):
        for day in _days(rng, semester, events):
            rec.add(
                ActivityKind.teacher_event,
                day,
                rng.choice(["实验校教师教育教学理念提升专题培训", "实验校青年教师技能大比武"]),
                group=programme,
                schools=pilots,
                teachers_per_school=2,
            )
        for day in _days(rng, semester, meetings):
            rec.add(
                ActivityKind.programme_meeting,
                day,
                "强校工程推进会",
                group=programme,
                schools=pilots,
                description="各实验校汇报阶段进展, 支援集团交流帮扶举措",
            )


def _load_qingpu_activities(session: Session, rng: random.Random) -> None:
    """Qingpu's 强校工程 (QP-P2): observations, teacher events and programme meetings in 2024 and 2025."""
    programme = session.scalar(
        select(Group)
        .join(Region, Region.id == Group.region_id)
        .where(Region.code == "sh-qingpu", Group.code == "QP-P2")
    )
    if programme is None:
        return
    pilots = _members(session, [programme], date(2024, 9, 1)).get(programme.id, [])
    rec = _Recorder(programme.region_id, rng, {})
    observers = [f"示例观察员({n})" for n in "一二三四五六七八九十"] + [
        "示例观察员(十一)",
        "示例观察员(十二)",
    ]
    for year in (2024, 2025):
        for semester in Semester(year, 1), Semester(year, 2):
            for pilot in pilots:
                for day in _days(rng, semester, 2):
                    rec.add(
                        ActivityKind.classroom_observation,
                        day,
                        f"{pilot.name}课堂教学观察",
                        group=programme,
                        schools=[pilot],
                        observer_name=rng.choice(observers),
                        report_text=rng.choice(REPORTS),
                        has_report=True,
                        description="示例数据",
                    )
            rec.add(
                ActivityKind.teacher_event,
                _days(rng, semester, 1)[0],
                "实验校教师理念提升与技能大比武",
                group=programme,
                schools=pilots,
                description="示例数据",
            )
            rec.add(
                ActivityKind.programme_meeting,
                _days(rng, semester, 1)[0],
                "强校工程推进会",
                group=programme,
                schools=pilots,
                description="示例数据",
            )
    session.add_all(rec.activities)
    session.flush()
