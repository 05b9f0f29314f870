"""The `teachers.mentor_count` metric (OH-09): distinct mentors in mentoring pairs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from edugroup.core.periods import Period
from edugroup.mentoring import service
from edugroup.mentoring.service import PairRow
from edugroup.policy.contract import EntityRef, EvalContext, Measurement, region_records, register_metric
from edugroup.teachers.models import Teacher


def _school_of(ctx: EvalContext) -> dict[int, int]:
    """Each teacher's school, from the region's teachers read once per evaluation."""
    found: dict[int, int] = ctx.cached(
        ("development", "teacher_school"), lambda: {t.id: t.school_id for t in region_records(ctx, Teacher)}
    )
    return found


def _descendants(ctx: EvalContext) -> dict[int, set[int]]:
    """Each group with the groups under it (an alliance holds its co-build pairs)."""

    def load() -> dict[int, set[int]]:
        children: dict[int, set[int]] = defaultdict(set)
        for group in ctx.groups.values():
            if group.parent_id is not None:
                children[group.parent_id].add(group.id)
        result: dict[int, set[int]] = {}
        for group_id in ctx.groups:
            seen, frontier = {group_id}, {group_id}
            while frontier:
                frontier = {c for g in frontier for c in children.get(g, ())} - seen
                seen |= frontier
            result[group_id] = seen
        return result

    found: dict[int, set[int]] = ctx.cached(("development", "descendants"), load)
    return found


@register_metric("teachers.mentor_count")
def count_mentors(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Distinct mentors in mentoring pairs active during the period (OH-09).

    A pair counts for the group that arranged it and the groups above that group; a pair recorded without
    a group counts for every group the mentor's school belonged to during the period. A school counts its
    teachers' mentoring, a district its schools'. `backbone_only` keeps backbone teachers (骨干教师)."""
    start, end = ctx.window
    pairs: list[PairRow] = ctx.cached(
        ("mentoring_pairs", start, end),
        lambda: service.pairs_in(ctx.session, region_id=ctx.region_id, start=start, end=end),
    )
    active = [p for p in pairs if p.active_during(period.start, period.end)]
    if params.get("backbone_only"):
        backbone = {t.id for t in region_records(ctx, Teacher) if service.is_backbone(t)}
        active = [p for p in active if p.mentor_id in backbone]
    school_of = _school_of(ctx)
    district_of = {s.id: s.district_id for s in ctx.schools.values()}
    members = ctx.group_schools(period)
    descendants = _descendants(ctx)
    mentors: dict[tuple[str, int], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for pair in active:
        school = school_of.get(pair.mentor_id)
        keys: set[tuple[str, int]] = set()
        if pair.group_id is not None:
            keys |= {("group", g) for g, below in descendants.items() if pair.group_id in below}
        elif school is not None:
            keys |= {("group", g) for g, schools in members.items() if school in schools}
        if school is not None:
            keys.add(("school", school))
            if district_of.get(school) is not None:
                keys.add(("district", district_of[school]))  # type: ignore[arg-type]
        for key in keys:
            mentors[key][pair.mentor_id].append(pair.id)
    result = []
    for entity in entities:
        found = mentors.get((entity.type, entity.id), {})
        evidence = tuple(f"mentoring_pairs:{i}" for ids in found.values() for i in ids)
        result.append(Measurement(entity.id, float(len(found)), evidence))
    return result
