"""Metrics over teachers: `teachers.count` (QP-02, QP-03), and the `teacher` entity kind. Rotations' metrics
and entity kinds are in `rotation.metrics`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from edugroup.core.periods import Period
from edugroup.policy.contract import (
    EntityQuery,
    EntityRef,
    EvalContext,
    Measurement,
    region_records,
    register_entities,
    register_metric,
    school_in_scope,
)
from edugroup.teachers.models import Honour, Teacher

# --- entity kinds: teachers ----------------------------------------------------------------------------


@register_entities("teacher")
def teachers_in_scope(ctx: EvalContext, query: EntityQuery) -> list[EntityRef]:
    """Teachers of schools passing the rule's school filters (with one group asked, of its schools)."""
    members = query.group_members(ctx)
    passes: dict[int, bool] = {}
    refs = []
    for t in region_records(ctx, Teacher):
        if t.school_id not in passes:
            school = ctx.schools.get(t.school_id)
            passes[t.school_id] = school is not None and school_in_scope(
                ctx, school, query.check, query.period
            )
        if (
            passes[t.school_id]
            and (members is None or t.school_id in members)
            and query.user.can_see_teacher(t.id, t.school_id, t.region_id)
        ):
            refs.append(EntityRef("teacher", t.id, t.name))
    return refs


# --- metrics ---------------------------------------------------------------------------------------------


# --- teachers.count (QP-02, QP-03) ---------------------------------------------------------------


def _teachers(ctx: EvalContext) -> list[Teacher]:
    teachers: list[Teacher] = region_records(ctx, Teacher)
    return teachers


def unit_schools(ctx: EvalContext, entity: EntityRef, period: Period) -> set[int] | None:
    """The schools a school, group, district or region stands for in the period (None: not a unit)."""
    if entity.type == "school":
        return {entity.id}
    if entity.type == "group":
        return ctx.group_schools(period).get(entity.id, set())
    if entity.type == "district":
        return ctx.district_schools().get(entity.id, set())
    if entity.type == "region":
        return set(ctx.schools)
    return None


def counted_teachers(ctx: EvalContext, period: Period, honour: str | None) -> list[Teacher]:
    """Teachers in post during the period (joined their school by its last day), with the honour if given."""
    return [
        t
        for t in _teachers(ctx)
        if (t.joined_school_on is None or t.joined_school_on <= period.end)
        and (honour is None or getattr(t, Honour(honour).value))
    ]


@register_metric("teachers.count")
def count_teachers(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Teachers in post during the period (joined their school by its last day), optionally with an honour.

    A school counts its own teachers, a group or district those of its schools (a studio's count is the
    studios domain's).
    """
    by_school: dict[int, list[int]] = defaultdict(list)
    for t in counted_teachers(ctx, period, params.get("honour")):
        by_school[t.school_id].append(t.id)
    result = []
    for entity in entities:
        schools = unit_schools(ctx, entity, period)
        if schools is None:
            continue  # a city's count needs every region's teachers
        ids = [i for s in sorted(schools) for i in by_school.get(s, [])]
        result.append(Measurement(entity.id, float(len(ids)), tuple(f"teachers:{i}" for i in ids)))
    return result
