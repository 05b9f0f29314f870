"""Demo rotations for 示例区 (deterministic, drawn from the random stream the teacher facts of `teachers.demo`
began): the region's eligibility rule; rotations that started in school years 2023 (a few), 2024 and 2025;
two promotions. The receiving demand for school year 2027 and its draft plan are `rotation.plans.demo`'s.

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

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.algorithms.rotation.instance import great_circle_km
from edugroup.org.demo import DemoWorld
from edugroup.org.models import Group, Membership, QualityTier, Region, School, Stage
from edugroup.rotation.models import EligibilityRule, Promotion, Rotation, RotationMode, RotationTeam
from edugroup.rotation.plans.demo import load_demo_plan
from edugroup.rotation.rules import Term, eligibility_problems, term_end
from edugroup.teachers.demo import load_demo_teachers
from edugroup.teachers.models import Teacher

YEARS = (2024, 2025)
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


def load_demo_rotations(
    session: Session, region: Region, groups: dict[str, Group], schools: list[School], rng: random.Random
) -> None:
    """The eligibility rule, rotations and promotions for the synthetic region, after the teacher facts
    (`teachers.demo.load_demo_teachers`) drawn from the same `rng`."""
    demo = _Demo(session, region, groups, schools)
    stmt = select(Teacher).where(Teacher.region_id == region.id).order_by(Teacher.id)
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


def load_demo(session: Session, world: DemoWorld) -> None:
    """Teacher facts, then rotations (one random stream of their own), then the draft rotation plan."""
    teacher_rng = random.Random(20251124)
    load_demo_teachers(session, world.region, world.all_schools, teacher_rng)
    load_demo_rotations(session, world.region, world.groups, world.all_schools, teacher_rng)
    load_demo_plan(session, world.region, world.all_schools)
