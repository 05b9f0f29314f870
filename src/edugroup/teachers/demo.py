"""Demo teacher facts for 示例区 (deterministic): backbone tiers, honours and titles; and the helpers other
domains' demo records use to find a group's schools and their teachers. The region's rotations are
`rotation.demo`'s, drawn from the same random stream right after these facts."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from edugroup.core import audit
from edugroup.org.models import Group, Membership, QualityTier, Region, School
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
