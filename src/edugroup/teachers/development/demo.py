"""Demo teacher development records: training credits, demonstration-lesson certificates, mentoring pairs,
dispatches and expert assignments for 示例区 (school years 2024 and 2025), and the guiding experts and
classroom observers of 青浦区's 强校工程 (QP-P2).

示例区 is built to show a realistic mix of verdicts:

| clause | 2024 | 2025 |
|---|---|---|
| OH-09 alliance SL-A1 backbone mentors >= 3 | 2, not met | 3, met (when teacher records carry backbone tiers) |
| OH-11 SL-C2 certificates <= 15% of teachers | 2 over the limit (history entered before the limit was checked) | exactly the limit, met |
| OH-12 certificates per teacher <= 2 | one teacher holds 3 (history), not met | one teacher holds 2, met |

Qingpu (QP-05, QP-07.a): three guiding experts at each pilot school (real schools get no invented shortfall); twelve classroom
observers for the programme (the same twelve names as the observation records). Those records are marked
示例数据.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.activities.models import Activity, ActivityKind
from edugroup.core.models import User
from edugroup.core.periods import SchoolYear
from edugroup.org.models import Group, GroupMode, Membership, Region, School
from edugroup.teachers.development import service
from edugroup.teachers.development.models import (
    Assignment,
    AssignmentRole,
    Certificate,
    CertificateKind,
    Dispatch,
    DispatchKind,
    MentoringPair,
    TrainingKind,
    TrainingLevel,
    TrainingRecord,
)
from edugroup.teachers.models import Teacher

TRAININGS = {
    TrainingLevel.city: ["上海市中小学教师新课标专题培训", "市级骨干教师高级研修班"],
    TrainingLevel.district: ["区级学科教学能力提升培训", "区教育学院作业设计专题研修"],
    TrainingLevel.group: ["集团大单元教学设计联合研修", "集团青年教师成长营", "学区跨校课堂观察工作坊"],
    TrainingLevel.school: ["校本研修: 课堂提问的有效性", "校本研修: 信息技术与学科融合"],
}
HOURS = {
    TrainingLevel.city: 24.0,
    TrainingLevel.district: 16.0,
    TrainingLevel.group: 12.0,
    TrainingLevel.school: 8.0,
}
LESSONS = [
    "大单元教学: 单元导入课",
    "跨学科主题学习展示课",
    "作业设计与课堂反馈",
    "分层教学示范课",
    "实验探究示范课",
]


def _members(session: Session, group: Group, on: date) -> list[int]:
    stmt = (
        select(Membership.school_id)
        .join(School, School.id == Membership.school_id)
        .where(Membership.group_id == group.id, Membership.start_date <= on)
        .where((Membership.end_date.is_(None)) | (Membership.end_date >= on))
        .order_by(Membership.is_leader.desc(), School.code)
    )
    return list(session.scalars(stmt))


def _teachers(session: Session, school_ids: list[int]) -> dict[int, list[Teacher]]:
    found: dict[int, list[Teacher]] = {s: [] for s in school_ids}
    stmt = select(Teacher).where(Teacher.school_id.in_(school_ids)).order_by(Teacher.id)
    for teacher in session.scalars(stmt):
        found[teacher.school_id].append(teacher)
    return found


def load_demo_development(
    session: Session, region: Region, groups: dict[str, Group], rng: random.Random
) -> None:
    """Teacher development records for the synthetic region (see the module's table), then for Qingpu."""
    day = date(2025, 9, 1)
    members = {code: _members(session, g, day) for code, g in groups.items()}
    teachers = _teachers(session, sorted({s for schools in members.values() for s in schools}))
    records: list[object] = []
    records += _training(session, region, groups["SL-T1"], members["SL-T1"], teachers, rng)
    records += _certificates(session, region, groups, members, teachers, rng)
    records += _mentoring(session, region, groups, members, teachers)
    records += _dispatches(region, groups["SL-X1"], members["SL-X1"], teachers)
    records += _programme(region, groups["SL-P1"], members["SL-P1"])
    session.add_all(records)
    session.flush()
    _load_qingpu(session)


def _training(
    session: Session,
    region: Region,
    group: Group,
    schools: list[int],
    teachers: dict[int, list[Teacher]],
    rng: random.Random,
) -> list[TrainingRecord]:
    """Two school years of training for eight teachers of each school of SL-T1, at all four levels."""
    rule = service.credit_rule(session, region.id)
    showcase = session.scalar(
        select(Activity).where(
            Activity.group_id == group.id,
            Activity.kind == ActivityKind.showcase,
            Activity.occurred_on >= SchoolYear(2025).start,
        )
    )
    records = []
    for school_id in schools:
        for teacher in teachers[school_id][:8]:
            for year in (2024, 2025):
                for level in rng.sample(list(TrainingLevel), 3):
                    hours = HOURS[level] * rng.choice((0.5, 1.0, 1.5))
                    started = SchoolYear(year).start.replace(
                        month=rng.choice((10, 11, 12)), day=rng.randint(1, 28)
                    )
                    records.append(
                        TrainingRecord(
                            region_id=region.id,
                            teacher_id=teacher.id,
                            kind=TrainingKind.training,
                            level=level,
                            title=rng.choice(TRAININGS[level]),
                            started_on=started,
                            hours=hours,
                            credit_rate=rule.credits_per_hour[level],
                            credits=rule.credits(level, hours),
                            group_id=group.id if level is TrainingLevel.group else None,
                            organiser={
                                TrainingLevel.city: "市教委",
                                TrainingLevel.district: "区教育学院",
                            }.get(level),
                        )
                    )
            if showcase is not None and teacher is teachers[school_id][0]:
                level = TrainingLevel.group
                records.append(
                    TrainingRecord(
                        region_id=region.id,
                        teacher_id=teacher.id,
                        kind=TrainingKind.showcase,
                        level=level,
                        title=f"展示交流: {showcase.title}",
                        started_on=showcase.occurred_on,
                        hours=6.0,
                        credit_rate=rule.credits_per_hour[level],
                        credits=rule.credits(level, 6.0),
                        group_id=group.id,
                        activity_id=showcase.id,
                        note="学区集团层面的展示活动, 按高于校级的原则认定 (SH-10)",
                    )
                )
    return records


def _certificates(
    session: Session,
    region: Region,
    groups: dict[str, Group],
    members: dict[str, list[int]],
    teachers: dict[int, list[Teacher]],
    rng: random.Random,
) -> list[Certificate]:
    """SL-C2 at its limit in 2025 and two over it in 2024; SL-T1 and SL-C1 well inside; one teacher with three
    certificates in 2024 and two in 2025."""
    records = []
    number = 0

    def issue(group: Group, teacher: Teacher, year: int, k: int) -> None:
        nonlocal number
        number += 1
        records.append(
            Certificate(
                region_id=region.id,
                kind=CertificateKind.district_demonstration_lesson,
                teacher_id=teacher.id,
                school_id=teacher.school_id,
                group_id=group.id,
                issued_on=date(year + 1, 1 + k % 5, 10 + k % 15),
                lesson_title=f"{teacher.subject}: {rng.choice(LESSONS)}",
                subject=teacher.subject,
                number=f"示例区示范课〔{year}〕{number:03d}号",
                note="2024学年历史数据 (录入上限检查启用前)" if year == 2024 else None,
            )
        )

    for year in (2024, 2025):
        limits = service.certificate_limits(session, region.id, year)
        counts = service.group_teacher_counts(session, [groups["SL-C2"]], year, limits)
        limit = service.Quota(groups["SL-C2"], year, counts.get(groups["SL-C2"].id, 0), limits, 0).limit
        pool = [t for s in members["SL-C2"] for t in teachers[s]]
        wanted = limit + 2 if year == 2024 else limit
        for k in range(wanted):
            issue(groups["SL-C2"], pool[k % len(pool)], year, k)
        busy = teachers[members["SL-T1"][0]][0]
        for k in range(3 if year == 2024 else 2):
            issue(groups["SL-T1"], busy, year, k)
        for k, school_id in enumerate(members["SL-T1"][1:] + members["SL-C1"]):
            group = groups["SL-T1"] if school_id in members["SL-T1"] else groups["SL-C1"]
            issue(group, teachers[school_id][1], year, k)
    return records


def _mentoring(
    session: Session,
    region: Region,
    groups: dict[str, Group],
    members: dict[str, list[int]],
    teachers: dict[int, list[Teacher]],
) -> list[MentoringPair]:
    """SL-A1 arranges two pairs with backbone mentors from 2024 and a third from 2025 (OH-09), plus one with
    an ordinary mentor; SL-T1 pairs the demo teacher with a mentor; SL-X1 pairs across its schools (HD-03)."""
    candidates = [t for s in members["SL-A1"] for t in teachers[s]]
    backbone = [t for t in candidates if service.is_backbone(t)][:3] or candidates[:3]
    ordinary = [t for t in candidates if not service.is_backbone(t) and t not in backbone]
    mentors = [*backbone, ordinary[0]]
    mentees = ordinary[-4:]
    starts = (date(2024, 9, 1), date(2024, 9, 1), date(2025, 9, 1), date(2025, 9, 1))
    pairs = [
        MentoringPair(
            region_id=region.id,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            group_id=groups["SL-A1"].id,
            started_on=start,
            subject=mentor.subject,
            note="联盟内跨校师徒结对",
        )
        for mentor, mentee, start in zip(mentors, mentees, starts, strict=False)
    ]
    demo_teacher = session.scalar(select(User.teacher_id).where(User.username == "demo-teacher"))
    mentor = teachers[members["SL-T1"][0]][2]
    if demo_teacher is not None:
        pairs.append(
            MentoringPair(
                region_id=region.id,
                mentor_id=mentor.id,
                mentee_id=demo_teacher,
                group_id=groups["SL-T1"].id,
                started_on=date(2025, 9, 1),
                ended_on=date(2026, 8, 31),
                note="集团内青年教师带教",
            )
        )
    x1 = members["SL-X1"]
    for k in range(0, min(len(x1) - 1, 6), 2):
        pairs.append(
            MentoringPair(
                region_id=region.id,
                mentor_id=teachers[x1[k]][0].id,
                mentee_id=teachers[x1[k + 1]][3].id,
                group_id=groups["SL-X1"].id,
                started_on=date(2025, 9, 1),
                note="协作体师徒结对 (HD-03)",
            )
        )
    return pairs


def _dispatches(
    region: Region, collaborative: Group, schools: list[int], teachers: dict[int, list[Teacher]]
) -> list[Dispatch]:
    """Two backbone teachers of the leader school take posts at member schools; one art teacher is sent
    where the subject is lacking (HD-03)."""
    leader = schools[0]
    art = next((t for t in teachers[leader] if t.subject in ("美术", "音乐")), teachers[leader][-1])
    plan = [
        (DispatchKind.backbone_post, teachers[leader][0], schools[-1], date(2025, 9, 1), date(2026, 1, 31)),
        (DispatchKind.backbone_post, teachers[leader][1], schools[-2], date(2026, 2, 1), date(2026, 6, 30)),
        (DispatchKind.special_needs, art, schools[1], date(2025, 9, 1), None),
    ]
    return [
        Dispatch(
            region_id=region.id,
            kind=kind,
            teacher_id=teacher.id,
            from_school_id=teacher.school_id,
            to_school_id=to_school,
            group_id=collaborative.id,
            started_on=start,
            ended_on=end,
            subject=teacher.subject,
        )
        for kind, teacher, to_school, start, end in plan
    ]


def _programme(region: Region, programme: Group, pilots: list[int]) -> list[Assignment]:
    """Three guiding experts for each pilot school of 示例强校工程 (external names)."""
    return [
        Assignment(
            region_id=region.id,
            role=AssignmentRole.guiding_expert,
            expert_name=f"示例指导专家({k * 3 + i + 1})",
            affiliation="示例区教育学院",
            school_id=school_id,
            started_on=programme.founded_on or date(2023, 11, 1),
        )
        for k, school_id in enumerate(pilots)
        for i in range(3)
    ]


def _load_qingpu(session: Session) -> None:
    """QP-05: 3 guiding experts at each pilot school; QP-07.a: 12 classroom observers for QP-P2."""
    programme = session.scalar(
        select(Group)
        .join(Region, Region.id == Group.region_id)
        .where(Region.code == "sh-qingpu", Group.code == "QP-P2", Group.mode == GroupMode.programme)
    )
    if programme is None:
        return
    start = programme.founded_on or date(2023, 11, 1)
    end = date(2026, 10, 31)
    pilots = _members(session, programme, start)
    records = []
    for k, school_id in enumerate(pilots):
        for i in range(3):
            records.append(
                Assignment(
                    region_id=programme.region_id,
                    role=AssignmentRole.guiding_expert,
                    expert_name=f"示例指导专家({'甲乙丙丁戊'[k]}{i + 1})",
                    affiliation="示例高校教育学院",
                    school_id=school_id,
                    started_on=start,
                    ended_on=end,
                    note="示例数据",
                )
            )
    names = [f"示例观察员({n})" for n in "一二三四五六七八九十"] + ["示例观察员(十一)", "示例观察员(十二)"]
    for name in names:
        records.append(
            Assignment(
                region_id=programme.region_id,
                role=AssignmentRole.classroom_observer,
                expert_name=name,
                affiliation="青浦区名优教师、教学管理骨干 (示例)",
                group_id=programme.id,
                started_on=start,
                ended_on=end,
                note="示例数据",
            )
        )
    session.add_all(records)
    session.flush()
