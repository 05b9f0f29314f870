"""The `teachers.assigned_count` metric (QP-05 guiding experts, QP-07.a classroom observers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edugroup.core.periods import Period
from edugroup.experts import service
from edugroup.experts.service import AssignmentRow
from edugroup.policy.contract import EntityRef, EvalContext, Measurement, register_metric


@register_metric("teachers.assigned_count")
def count_assigned(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Distinct people assigned in a role during the period: to a school (QP-05 guiding experts), or to a
    group — to the group itself or to any of its member schools (QP-07.a classroom observers)."""
    start, end = ctx.window
    rows: list[AssignmentRow] = ctx.cached(
        ("expert_assignments", start, end),
        lambda: service.assignments_in(ctx.session, region_id=ctx.region_id, start=start, end=end),
    )
    active = [a for a in rows if a.role == params["role"] and a.active_during(period.start, period.end)]
    members = ctx.group_schools(period)
    result = []
    for entity in entities:
        if entity.type == "school":
            chosen = [a for a in active if a.school_id == entity.id]
        else:
            schools = members.get(entity.id, set())
            chosen = [a for a in active if a.group_id == entity.id or a.school_id in schools]
        people = {a.person for a in chosen}
        result.append(
            Measurement(entity.id, float(len(people)), tuple(f"expert_assignments:{a.id}" for a in chosen))
        )
    return result
