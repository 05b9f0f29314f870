"""Metrics over rotations (HK-05..09, SH-05..08): `rotation.*`, and the `team_inflow` and `promotion` entity
kinds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from edugroup.core.periods import Period
from edugroup.org.models import QualityTier
from edugroup.policy.contract import (
    EntityQuery,
    EntityRef,
    EvalContext,
    Measurement,
    region_records,
    register_entities,
    register_metric,
)
from edugroup.rotation.models import EligibilityRule, Promotion, Rotation, RotationTeam
from edugroup.rotation.rules import Term, eligibility_problems, experience_before, years_between
from edugroup.teachers.metrics import unit_schools
from edugroup.teachers.models import Teacher

# --- entity kinds: team inflows, promotions -------------------------------------------------------


@register_entities("team_inflow")
def team_inflows_in_scope(ctx: EvalContext, query: EntityQuery) -> list[EntityRef]:
    """Team inflows (组团流入) that started in the period, into the asked group's schools if one is."""
    members = query.group_members(ctx)
    return [
        EntityRef("team_inflow", team.id, team.name)
        for team in region_records(ctx, RotationTeam)
        if query.period.start <= team.start_on <= query.period.end
        and (members is None or team.to_school_id in members)
        and query.user.can_see_school(team.to_school_id, team.region_id)
    ]


@register_entities("promotion")
def promotions_in_scope(ctx: EvalContext, query: EntityQuery) -> list[EntityRef]:
    """Promotions (提任) decided in the period, at the asked group's schools if one is."""
    members = query.group_members(ctx)
    names = {t.id: t.name for t in region_records(ctx, Teacher)}
    user = query.user
    return [
        EntityRef("promotion", p.id, f"{names.get(p.teacher_id, p.teacher_id)} · {p.post} ({p.decided_on})")
        for p in region_records(ctx, Promotion)
        if query.period.start <= p.decided_on <= query.period.end
        and (members is None or p.school_id in members)
        and (user.can_see_school(p.school_id, p.region_id) or user.teacher_id == p.teacher_id)
    ]


# --- metrics ---------------------------------------------------------------------------------------------


def _teachers(ctx: EvalContext) -> list[Teacher]:
    teachers: list[Teacher] = region_records(ctx, Teacher)
    return teachers


# --- rotations (HK-05..09, SH-05..08) ------------------------------------------------------------


def _rotations(ctx: EvalContext) -> list[Rotation]:
    rotations: list[Rotation] = region_records(ctx, Rotation)
    return rotations


def _eligible_by_school(ctx: EvalContext, day: date) -> dict[int, int] | None:
    """Eligible teachers per school at the start of `day`; None when the region has no rule in force then."""

    def load() -> dict[int, int] | None:
        rules: list[EligibilityRule] = region_records(ctx, EligibilityRule)
        in_force = [r for r in rules if r.effective_from <= day]
        if not in_force:
            return None
        rule = max(in_force, key=lambda r: r.effective_from)
        terms: dict[int, list[Term]] = defaultdict(list)
        for r in _rotations(ctx):
            terms[r.teacher_id].append(Term(r.start_on, r.end_on))
        counts: dict[int, int] = defaultdict(int)
        for t in _teachers(ctx):
            if not eligibility_problems(t, rule, day, terms.get(t.id, [])):
                counts[t.school_id] += 1
        return dict(counts)

    found: dict[int, int] | None = ctx.cached(("eligible_by_school", day), load)
    return found


def _movers(
    ctx: EvalContext, entity: EntityRef, period: Period, towards: str
) -> tuple[set[int], list[Rotation]] | None:
    """The schools an entity stands for and the rotations it sent in the period.

    A school sends the rotations that leave it; a group or district those between two of its schools.
    `towards=weaker` keeps those whose receiving school is 相对薄弱校.
    """
    schools = unit_schools(ctx, entity, period)
    if schools is None:
        return None
    started = [r for r in _rotations(ctx) if period.start <= r.start_on <= period.end]
    if entity.type == "school":
        chosen = [r for r in started if r.from_school_id == entity.id]
    else:
        chosen = [r for r in started if r.from_school_id in schools and r.to_school_id in schools]
    if towards == "weaker":
        chosen = [
            r
            for r in chosen
            if r.to_school_id in ctx.schools
            and ctx.schools[r.to_school_id].quality_tier is QualityTier.weaker
        ]
    return schools, chosen


def _evidence(rotations: Sequence[Rotation]) -> tuple[str, ...]:
    return tuple(f"rotations:{r.id}" for r in rotations)


@register_metric("rotation.out_share")
def rotation_out_share(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Movers who started in the period per teacher eligible at its start (HK-06, SH-06, SH-07).

    No data without an eligibility rule in force or without eligible teachers.
    """
    eligible = _eligible_by_school(ctx, period.start)
    result = []
    for entity in entities:
        found = _movers(ctx, entity, period, str(params.get("towards", "any")))
        if found is None:
            continue
        schools, movers = found
        pool = sum(eligible.get(s, 0) for s in schools) if eligible is not None else 0
        value = len(movers) / pool if pool else None
        result.append(Measurement(entity.id, value, _evidence(movers)))
    return result


@register_metric("rotation.backbone_share")
def rotation_backbone_share(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Backbone (五层级梯队) teachers among the period's movers (HK-07, SH-08); no data without movers."""
    backbone = {t.id for t in _teachers(ctx) if t.backbone_tier is not None}
    result = []
    for entity in entities:
        found = _movers(ctx, entity, period, str(params.get("towards", "any")))
        if found is None:
            continue
        movers = found[1]
        value = sum(r.teacher_id in backbone for r in movers) / len(movers) if movers else None
        result.append(Measurement(entity.id, value, _evidence(movers)))
    return result


@register_metric("rotation.min_duration_years")
def rotation_min_duration(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """The shortest agreed term, in years, among the period's movers (HK-08); no data without movers."""
    result = []
    for entity in entities:
        found = _movers(ctx, entity, period, str(params.get("towards", "any")))
        if found is None:
            continue
        movers = found[1]
        terms = [years_between(r.start_on, r.planned_end_on) for r in movers]
        result.append(Measurement(entity.id, min(terms) if terms else None, _evidence(movers)))
    return result


@register_metric("rotation.team_size")
def rotation_team_size(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Teachers in one team inflow (组团流入, HK-09)."""
    members: dict[int, list[Rotation]] = defaultdict(list)
    for r in _rotations(ctx):
        if r.team_id is not None:
            members[r.team_id].append(r)
    return [
        Measurement(e.id, float(len(members[e.id])), _evidence(members[e.id]))
        for e in entities
        if e.type == "team_inflow"
    ]


@register_metric("rotation.experience_years")
def rotation_experience_years(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Years of rotation inside a district or group before a promotion's decision day (HK-05, SH-05)."""
    promotions = {p.id: p for p in region_records(ctx, Promotion)}
    by_teacher: dict[int, list[Rotation]] = defaultdict(list)
    for r in _rotations(ctx):
        by_teacher[r.teacher_id].append(r)
    district_of = {s.id: s.district_id for s in ctx.schools.values()}
    result = []
    for entity in entities:
        promotion = promotions.get(entity.id)
        if entity.type != "promotion" or promotion is None:
            continue
        years, used = experience_before(
            by_teacher.get(promotion.teacher_id, []), promotion.decided_on, ctx.memberships, district_of
        )
        result.append(Measurement(entity.id, years, tuple(f"rotations:{i}" for i in used)))
    return result
