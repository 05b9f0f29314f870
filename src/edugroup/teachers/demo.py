"""Demo teacher facts and rotations for 示例区 (deterministic): backbone tiers, honours and titles; the region's
eligibility rule; rotations that started in school years 2023 (a few), 2024 and 2025; two promotions; and
receiving demand for school year 2027 with a draft rotation plan made by the planner.

The rotations are built to show a realistic mix on the compliance pages (values per school year):

| rule | 2024 | 2025 |
|---|---|---|
| HK-06 quality school sends >= 20% of its eligible teachers to weaker schools | (Hongkou pack in force from 2025) | 9 of 12 met |
| HK-07 backbone >= 30% of those movers | | 10 of 12 met |
| HK-08 agreed term >= 3 years | | 10 of 12 met |
| HK-09 team inflow >= 3 teachers | | 22 of 25 met (the pairs not) |
| SH-06 same-stage groups rotate 10-20% | 2 of 4 met | 3 of 4 met |
| SH-07 cross-stage districts and groups rotate >= 5% | 5 of 7 met | 5 of 7 met |
| SH-08 backbone >= 20% of rotating teachers | 6 of 11 met | 7 of 11 met |
| HK-05 / SH-05 promotions (2025-10-15) | | 2 years: both met; 1.1 years: HK-05 not met, SH-05 met |

The draft plan for 2027 keeps every quota (optimal, 120 teachers from the 12 quality schools).

Quality schools send to a weaker school of their group when there is one, else of their district, nearest
first. The same-stage groups and the districts then get exchanges between their other schools up to the
shares the tables above need. The demo teacher (demo-teacher) rotated inside 示例第一教育集团 from 2023 to
2026, so its page shows a rotation that counts as weak-school experience (OH-13).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from edugroup.algorithms.rotation.instance import great_circle_km
from edugroup.core import audit
from edugroup.core.auth import create_user
from edugroup.core.models import Role
from edugroup.core.scope import Scope
from edugroup.org.demo import DEMO_PASSWORD, DemoUser, DemoWorld
from edugroup.org.models import Group, Membership, QualityTier, Region, School, Stage, Student
from edugroup.teachers.models import EligibilityRule, Promotion, Rotation, RotationMode, RotationTeam, Teacher
from edugroup.teachers.rules import Term, eligibility_problems, term_end

YEARS = (2024, 2025)
PLAN_YEAR = 2027
# Per quality school (in code order, shifted by three each year): share of its eligible teachers sent to
# weaker schools (HK-06), backbone share among them (HK-07), agreed term in years (HK-08), team size (HK-09;
# 0: individual rotations).
CYCLE = [
    (0.24, 0.40, 3, 4),
    (0.21, 0.30, 3, 3),
    (0.12, 0.35, 3, 0),
    (0.26, 0.20, 3, 5),
    (0.22, 0.34, 2, 2),
    (0.30, 0.45, 3, 4),
    (0.16, 0.30, 3, 0),
]
# In-unit rotation shares the exchanges top up to, per unit code and year (SH-06, SH-07).
SAME_STAGE = {"SL-C1": (0.12, 0.14), "SL-C2": (0.07, 0.18), "SL-C3": (0.15, 0.06), "SL-X1": (0.22, 0.11)}
CROSS_STAGE = {"D1": (0.06, 0.03), "D2": (0.04, 0.07), "D3": (0.08, 0.05)}
PRIMARY_DEMAND = ["语文", "数学", "英语", "科学", "体育", "音乐", "美术", "道德与法治", "信息科技"]
SECONDARY_DEMAND = [
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
    "信息科技",
]


class _Demo:
    """What the steps share: the region's schools, memberships, teachers and the rotations made so far."""

    def __init__(
        self, session: Session, region: Region, groups: dict[str, Group], schools: list[School]
    ) -> None:
        self.session = session
        self.region = region
        self.groups = groups
        self.schools = {s.id: s for s in schools}
        self.memberships = list(
            session.scalars(
                select(Membership).where(Membership.group_id.in_([g.id for g in groups.values()]))
            )
        )
        self.teachers: list[Teacher] = []
        self.rotations: list[Rotation] = []
        self.rule: EligibilityRule | None = None

    def members(self, group: Group, day: date) -> set[int]:
        return {m.school_id for m in self.memberships if m.group_id == group.id and m.active_on(day)}

    def eligible(self, day: date) -> dict[int, list[Teacher]]:
        """Eligible teachers by school at the start of `day`, given the rotations made so far."""
        assert self.rule is not None
        terms: dict[int, list[Term]] = defaultdict(list)
        for r in self.rotations:
            terms[r.teacher_id].append(Term(r.start_on, r.end_on))
        found: dict[int, list[Teacher]] = defaultdict(list)
        for t in self.teachers:
            if not eligibility_problems(t, self.rule, day, terms.get(t.id, [])):
                found[t.school_id].append(t)
        return found

    def rotate(
        self,
        teacher: Teacher,
        to_school: int,
        start: date,
        end: date,
        *,
        actual_end: date | None = None,
        team: RotationTeam | None = None,
        purpose: str,
    ) -> Rotation:
        rotation = Rotation(
            region_id=self.region.id,
            teacher_id=teacher.id,
            from_school_id=teacher.school_id,
            to_school_id=to_school,
            start_on=start,
            planned_end_on=end,
            actual_end_on=actual_end,
            mode=RotationMode.team if team is not None else RotationMode.individual,
            team=team,
            purpose=purpose,
        )
        self.session.add(rotation)
        self.rotations.append(rotation)
        return rotation


def load_demo_teachers(
    session: Session, region: Region, groups: dict[str, Group], schools: list[School]
) -> None:
    """Teacher facts, the eligibility rule, rotations, promotions and a draft plan for the synthetic region."""
    rng = random.Random(20251124)
    demo = _Demo(session, region, groups, schools)
    stmt = select(Teacher).where(Teacher.region_id == region.id).order_by(Teacher.id)
    _facts(session, rng, region, list(session.scalars(stmt)), demo.schools)
    demo.teachers = list(session.scalars(stmt.execution_options(populate_existing=True)))
    demo.rule = EligibilityRule(
        region_id=region.id,
        effective_from=date(2020, 9, 1),
        min_years_at_school=6,
        max_age=55,
        exclude_on_rotation=True,
        rest_years=1,
        excluded_titles="正高级教师",
        note="示例规则: 在本校连续任教满6年、55周岁以下; 交流期间及交流结束未满1年者、正高级教师除外",
    )
    session.add(demo.rule)
    session.flush()
    promoted = _early_rotations(demo)
    for index, year in enumerate(YEARS):
        _quality_movers(demo, rng, year)
        _exchanges(demo, rng, year, index)
        session.flush()
    for rotation, post in zip(promoted, ("副校长", "校长助理"), strict=True):
        session.add(
            Promotion(
                region_id=region.id,
                teacher_id=rotation.teacher_id,
                school_id=rotation.to_school_id,
                post=post,
                decided_on=date(2025, 10, 15),
                note="示例数据",
            )
        )
    session.flush()
    _plan(demo)


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


def _km(a: School, b: School) -> float:
    return float(great_circle_km(a.lat or 0.0, a.lon or 0.0, b.lat or 0.0, b.lon or 0.0))


def _nearest(school: School, candidates: Iterable[School]) -> list[School]:
    return sorted(candidates, key=lambda s: (_km(school, s), s.code))


def _early_rotations(demo: _Demo) -> list[Rotation]:
    """Rotations inside 示例第一教育集团 from 2023: the demo teacher's, and those of the two teachers promoted
    in 2025 (two years and one year of in-group experience)."""
    day = date(2023, 9, 1)
    tight = demo.members(demo.groups["SL-T1"], day)
    leader = next(
        m.school_id for m in demo.memberships if m.is_leader and m.group_id == demo.groups["SL-T1"].id
    )
    weaker = next(s for s in sorted(tight) if demo.schools[s].quality_tier is QualityTier.weaker)
    junior = next(
        s
        for s in sorted(tight)
        if demo.schools[s].stage is Stage.junior and demo.schools[s].quality_tier is QualityTier.quality
    )
    demo_teacher = next(t for t in demo.teachers if t.school_id == junior)
    demo.rotate(
        demo_teacher,
        weaker,
        day,
        date(2026, 8, 31),
        actual_end=date(2026, 8, 31),
        purpose="集团内交流 (示例)",
    )
    promoted = [t for t in demo.teachers if t.school_id == leader][-2:]
    return [
        demo.rotate(t, weaker, day, end, actual_end=end, purpose="集团内交流 (示例)")
        for t, end in zip(promoted, (date(2025, 8, 31), date(2024, 8, 31)), strict=True)
    ]


def _quality_movers(demo: _Demo, rng: random.Random, year: int) -> None:
    """Each quality school's movers to weaker schools in one school year, by the cycle (HK-06..09)."""
    start = date(year, 9, 1)
    eligible = demo.eligible(start)
    senders = sorted(
        (s for s in demo.schools.values() if s.quality_tier is QualityTier.quality), key=lambda s: s.code
    )
    for k, school in enumerate(senders):
        share, backbone_share, years, team_size = CYCLE[(k + 3 * (year - YEARS[0])) % len(CYCLE)]
        pool = eligible.get(school.id, [])
        groups = [g for g in demo.groups.values() if school.id in demo.members(g, start)]
        in_group = {s for g in groups for s in demo.members(g, start)}
        weaker = [s for s in demo.schools.values() if s.quality_tier is QualityTier.weaker]
        targets = _nearest(school, [s for s in weaker if s.id in in_group]) or _nearest(
            school, [s for s in weaker if s.district_id == school.district_id]
        )
        if not pool or not targets:
            continue
        count = max(1, round(share * len(pool)))
        backbone = [t for t in pool if t.backbone_tier is not None]
        others = [t for t in pool if t.backbone_tier is None]
        rng.shuffle(backbone)
        rng.shuffle(others)
        wanted = min(len(backbone), round(backbone_share * count))
        movers = backbone[:wanted] + others[: count - wanted]
        rng.shuffle(movers)
        by_target: dict[int, list[Teacher]] = defaultdict(list)
        for i, t in enumerate(movers):
            by_target[targets[i % min(len(targets), 2)].id].append(t)
        for target, members in sorted(by_target.items()):
            for chunk in _teams(members, team_size):
                team = None
                if len(chunk) >= 2:
                    team = RotationTeam(
                        region_id=demo.region.id,
                        to_school_id=target,
                        start_on=start,
                        name=f"{demo.schools[target].name} {year}学年组团流入 ({school.name})",
                        purpose="组团流入, 带动学科建设 (示例)",
                    )
                    demo.session.add(team)
                for t in chunk:
                    demo.rotate(
                        t,
                        target,
                        start,
                        term_end(start, years),
                        team=team,
                        purpose="优质校教师流入相对薄弱校 (示例)",
                    )


def _teams(members: list[Teacher], size: int) -> list[list[Teacher]]:
    """Team inflows of `size` (a short last team joins the one before); size 2 makes one pair and the rest
    go alone; size 0 makes individual rotations only."""
    if size == 0:
        return [[t] for t in members]
    if size == 2:
        return [members[:2], *[[t] for t in members[2:]]]
    teams = [members[i : i + size] for i in range(0, len(members), size)]
    if len(teams) > 1 and len(teams[-1]) < 3:
        teams[-2:] = [teams[-2] + teams[-1]]
    return teams


def _exchanges(demo: _Demo, rng: random.Random, year: int, index: int) -> None:
    """Exchanges between the other schools of same-stage groups and of districts, up to the tables' shares."""
    start = date(year, 9, 1)
    units: list[tuple[set[int], float]] = [
        (demo.members(demo.groups[code], start), shares[index]) for code, shares in SAME_STAGE.items()
    ]
    districts = {s.district_id for s in demo.schools.values() if s.district_id is not None}
    for district_id in sorted(districts):
        code = next(f"D{i}" for i, d in enumerate(sorted(districts), start=1) if d == district_id)
        units.append(
            ({s.id for s in demo.schools.values() if s.district_id == district_id}, CROSS_STAGE[code][index])
        )
    eligible = demo.eligible(start)  # rotations starting on `start` do not change who is eligible that day
    for schools, share in units:
        pool = sorted(
            (
                t
                for s in schools
                for t in eligible.get(s, [])
                if demo.schools[s].quality_tier is not QualityTier.quality
            ),
            key=lambda t: t.id,
        )
        moving = {r.teacher_id for r in demo.rotations if r.start_on == start}
        pool = [t for t in pool if t.id not in moving]
        started = [
            r
            for r in demo.rotations
            if r.start_on == start and r.from_school_id in schools and r.to_school_id in schools
        ]
        missing = round(share * sum(len(eligible.get(s, [])) for s in schools)) - len(started)
        rng.shuffle(pool)
        for t in pool[: max(0, missing)]:
            here = demo.schools[t.school_id]
            others = [demo.schools[s] for s in schools if s != here.id]
            if others:
                target = _nearest(here, others)[0]
                demo.rotate(t, target.id, start, term_end(start, 2), purpose="学区、集团内交流 (示例)")


def _plan(demo: _Demo) -> None:
    """Receiving demand of every weaker school for school year 2027, and a draft plan made by the planner."""
    from edugroup.rotation.models import RotationDemand
    from edugroup.rotation.service import create_plan

    for school in sorted(demo.schools.values(), key=lambda s: s.code):
        if school.quality_tier is not QualityTier.weaker:
            continue
        for subject in PRIMARY_DEMAND if school.stage is Stage.primary else SECONDARY_DEMAND:
            demo.session.add(
                RotationDemand(
                    region_id=demo.region.id,
                    school_id=school.id,
                    year=PLAN_YEAR,
                    subject=subject,
                    min_count=0,
                    max_count=3,
                )
            )
    demo.session.flush()
    bureau = Scope(
        user_id=None,
        username=str(demo.session.info.get("actor", "demo-loader")),
        role=Role.bureau_admin,
        region_id=demo.region.id,
    )
    create_plan(demo.session, bureau, PLAN_YEAR, pack_id=demo.region.policy_pack, time_limit=20.0)


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
