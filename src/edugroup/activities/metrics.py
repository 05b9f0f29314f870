"""Metrics over activity records: `activities.count` (HK-16, OH-03..06, OH-10.b, QP-07.b, QP-08, QP-11, SH-18)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from edugroup.activities.service import ActivityRow, activities_in, activity_participants
from edugroup.core.periods import Period
from edugroup.policy.contract import EntityRef, EvalContext, Measurement, register_metric


def _window(ctx: EvalContext) -> tuple[date, date, list[str] | None]:
    start, end = ctx.window
    kinds = sorted(ctx.params_of("activities.count", "kinds"))
    return start, end, kinds or None


def _rows(ctx: EvalContext) -> list[ActivityRow]:
    """The region's activities in the evaluation window, of every kind any check counts: one read per evaluation."""
    start, end, kinds = _window(ctx)
    rows: list[ActivityRow] = ctx.cached(
        "activities",
        lambda: activities_in(
            ctx.session, region_id=ctx.region_id, start=start, end=end, kinds=kinds, with_participants=False
        ),
    )
    return rows


def _participants(ctx: EvalContext) -> dict[int, frozenset[int]]:
    """Participating schools by activity, read once and only when a school-level rule needs them."""
    start, end, kinds = _window(ctx)
    found: dict[int, frozenset[int]] = ctx.cached(
        "activity_participants",
        lambda: activity_participants(
            ctx.session, region_id=ctx.region_id, start=start, end=end, kinds=kinds
        ),
    )
    return found


@register_metric("activities.count")
def count_activities(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Activities of the listed kinds in the period, per entity.

    A group counts what it organised; a school what it organised, hosted or took part in; a district what
    its schools organised; a studio its own activities; the region everything. `level` keeps showcases of that reach, `with_report`
    keeps observations that have their report.
    """
    kinds = set(params["kinds"])
    level = params.get("level")
    with_report = bool(params.get("with_report"))
    selected = [
        a
        for a in _rows(ctx)
        if a.kind.value in kinds
        and period.start <= a.occurred_on <= period.end
        and (level is None or (a.level is not None and a.level.value == level))
        and (not with_report or a.has_report)
    ]
    found: dict[tuple[str, int], list[int]] = defaultdict(list)
    district_of = {s.id: s.district_id for s in ctx.schools.values()}
    participants = _participants(ctx) if any(e.type == "school" for e in entities) else {}
    for a in selected:
        if a.group_id is not None:
            found[("group", a.group_id)].append(a.id)
        schools = set(participants.get(a.id, ())) | ({a.school_id} if a.school_id is not None else set())
        for school_id in schools:
            found[("school", school_id)].append(a.id)
        district = district_of.get(a.school_id) if a.school_id is not None else None
        if district is not None:
            found[("district", district)].append(a.id)
        if a.studio_id is not None:
            found[("studio", a.studio_id)].append(a.id)
        found[("region", ctx.region_id)].append(a.id)
    result = []
    for entity in entities:
        if entity.type == "city":
            continue  # one region's records cannot give a city-wide count
        ids = found.get((entity.type, entity.id), [])
        result.append(Measurement(entity.id, float(len(ids)), tuple(f"activities:{i}" for i in ids)))
    return result
