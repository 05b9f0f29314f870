"""Metrics over teachers' communities: `studios.school_coverage` (OH-10.a)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edugroup.core.periods import Period
from edugroup.policy.engine import EntityRef, EvalContext, Measurement
from edugroup.policy.metrics import register_metric


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
        for studio in ctx.studios():
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
