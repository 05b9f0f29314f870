"""Metrics over admissions: `admissions.quota_fill_rate` (HK-21), `admissions.quality_senior_entry_rate` (HK-22).

Both sum the records of an entity's junior schools over the school years of the period (see
`edugroup.admissions.service` for the definitions): a group's schools are those that were members at any
time during the period, a district's those it holds, the region's all of its schools; the city's entry rate
pools every region of the city. Nothing recorded (nothing planned, no graduates) is "no data".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edugroup.admissions.service import AllocationRow, OutcomeRow, Totals, allocations_in, outcomes_in, totals
from edugroup.core.periods import Period, school_year_of
from edugroup.policy.contract import EntityRef, EvalContext, Measurement, register_metric


def _years(period: Period) -> tuple[int, int]:
    """The school years a period covers."""
    return school_year_of(period.start).year, school_year_of(period.end).year


def _window_years(ctx: EvalContext) -> tuple[int, int]:
    start, end = ctx.window
    return school_year_of(start).year, school_year_of(end).year


def _allocations(ctx: EvalContext) -> list[AllocationRow]:
    """The region's allocations of the evaluation window: one read per evaluation."""
    first, last = _window_years(ctx)
    rows: list[AllocationRow] = ctx.cached(
        ("admissions.allocations", first, last),
        lambda: allocations_in(ctx.session, region_id=ctx.region_id, first_year=first, last_year=last),
    )
    return rows


def _outcomes(ctx: EvalContext, *, city: bool = False) -> list[OutcomeRow]:
    """The region's (or the whole city's) entry outcomes of the evaluation window: one read each."""
    first, last = _window_years(ctx)
    if city:
        city_id = ctx.region.city_id
        found: list[OutcomeRow] = ctx.cached(
            ("admissions.outcomes.city", first, last),
            lambda: outcomes_in(ctx.session, city_id=city_id, first_year=first, last_year=last),
        )
        return found
    rows: list[OutcomeRow] = ctx.cached(
        ("admissions.outcomes", first, last),
        lambda: outcomes_in(ctx.session, region_id=ctx.region_id, first_year=first, last_year=last),
    )
    return rows


def _schools(ctx: EvalContext, entity: EntityRef, period: Period) -> set[int] | None:
    """The junior schools an entity sums over; None: every school of the rows given."""
    if entity.type == "group":
        return ctx.group_schools(period).get(entity.id, set())
    if entity.type == "district":
        return ctx.district_schools().get(entity.id, set())
    if entity.type == "school":
        return {entity.id}
    return None


def _measure(
    ctx: EvalContext,
    entities: Sequence[EntityRef],
    period: Period,
    rate: str,
) -> list[Measurement]:
    first, last = _years(period)
    allocations = [a for a in _allocations(ctx) if first <= a.school_year <= last] if rate == "fill" else []
    result = []
    for entity in entities:
        if entity.type == "city" and rate == "fill":
            continue  # quota plans are recorded per region; no city-wide plan to compare with
        if entity.type not in ("group", "district", "school", "region", "city"):
            continue
        source = _outcomes(ctx, city=entity.type == "city") if rate == "entry" else []
        outcomes = [o for o in source if first <= o.school_year <= last]
        found: Totals = totals(allocations, outcomes, _schools(ctx, entity, period))
        if rate == "fill":
            value, evidence = found.fill_rate, [f"quota_allocations:{i}" for i in found.allocation_ids]
        else:
            value, evidence = found.entry_rate, [f"entry_outcomes:{i}" for i in found.outcome_ids]
        result.append(Measurement(entity.id, value, tuple(evidence)))
    return result


@register_metric("admissions.quota_fill_rate")
def quota_fill_rate(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Σ filled / Σ planned places of the entity's junior schools (HK-21); no data when nothing was planned."""
    return _measure(ctx, entities, period, "fill")


@register_metric("admissions.quality_senior_entry_rate")
def quality_senior_entry_rate(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Σ quality senior-high entries / Σ graduates of the entity's junior schools (HK-22); for the city,
    every region of the city."""
    return _measure(ctx, entities, period, "entry")
