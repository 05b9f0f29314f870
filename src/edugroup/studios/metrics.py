"""Studios as compliance entities (OH-10.b counts their activities), their school coverage (OH-10.a), and
their members as `teachers.count` counts them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from edugroup.core.periods import Period
from edugroup.policy.contract import (
    EntityQuery,
    EntityRef,
    EvalContext,
    Measurement,
    group_modes,
    register_entities,
    register_metric,
)
from edugroup.studios.models import Studio, StudioMember
from edugroup.teachers.metrics import counted_teachers


def _studios(ctx: EvalContext) -> list[Studio]:
    """The region's studios, with their members loaded, once per evaluation."""

    def load() -> list[Studio]:
        stmt = (
            select(Studio)
            .where(Studio.region_id == ctx.region_id)
            .options(selectinload(Studio.members).selectinload(StudioMember.teacher))
            .order_by(Studio.id)
        )
        return list(ctx.session.scalars(stmt))

    found: list[Studio] = ctx.cached("studios", load)
    return found


@register_entities("studio")
def studios_in_scope(ctx: EvalContext, query: EntityQuery) -> list[EntityRef]:
    """Studios open during the period, of groups of the rule's modes, that the user may see."""
    modes = group_modes(query.check)
    period, user = query.period, query.user
    refs = []
    for studio in _studios(ctx):
        group = ctx.groups.get(studio.group_id) if studio.group_id is not None else None
        if studio.founded_on and studio.founded_on > period.end:
            continue
        if studio.closed_on and studio.closed_on < period.start:
            continue
        if modes is not None and (group is None or group.mode.value not in modes):
            continue
        if query.only_group is not None and studio.group_id != query.only_group:
            continue
        if not (user.is_bureau or (group is not None and user.can_see_group(group.id, group.region_id))):
            continue
        refs.append(EntityRef("studio", studio.id, studio.name))
    return refs


@register_metric("studios.school_coverage")
def studio_school_coverage(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Share of a group's member schools with at least one teacher in one of the group's studios (OH-10.a)."""
    members_of = ctx.group_schools(period)
    result = []
    for entity in entities:
        schools = members_of.get(entity.id, set())
        if not schools:
            result.append(Measurement(entity.id, None))
            continue
        covered: set[int] = set()
        evidence: list[str] = []
        for studio in _studios(ctx):
            if studio.group_id != entity.id:
                continue
            for member in studio.members:
                active = (member.joined_on is None or member.joined_on <= period.end) and (
                    member.left_on is None or member.left_on >= period.start
                )
                if active and member.teacher.school_id in schools:
                    covered.add(member.teacher.school_id)
                    evidence.append(f"studios:{studio.id}")
        result.append(Measurement(entity.id, len(covered) / len(schools), tuple(dict.fromkeys(evidence))))
    return result


@register_metric("teachers.count", entity="studio")
def count_studio_members(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """A studio's members during the period who count as teachers in post (with the honour if given)."""
    counted_ids = {t.id for t in counted_teachers(ctx, period, params.get("honour"))}
    studios = {s.id: s for s in _studios(ctx)}
    result = []
    for entity in entities:
        studio = studios.get(entity.id)
        ids = [
            m.teacher_id
            for m in (studio.members if studio else [])
            if m.teacher_id in counted_ids
            and (m.joined_on is None or m.joined_on <= period.end)
            and (m.left_on is None or m.left_on >= period.start)
        ]
        result.append(Measurement(entity.id, float(len(ids)), tuple(f"teachers:{i}" for i in ids)))
    return result
