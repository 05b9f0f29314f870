"""Metrics over survey responses: `surveys.satisfaction` (HK-23), one measurement per respondent kind.

The satisfied share is defined in `edugroup.surveys.service`: respondents whose overall answer is satisfied /
all respondents of the kind, pooled over the questionnaires about the entity conducted in the period. A kind
the rule asks for without any respondent is measured as "no data" (never skipped, never met).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from edugroup.core.periods import Period
from edugroup.policy.contract import EntityRef, EvalContext, Measurement, register_metric
from edugroup.surveys.models import RespondentKind
from edugroup.surveys.service import SurveyCount, Tally, counts_in

ENTITY_TYPES = ("region", "district", "group", "school")


def _counts(ctx: EvalContext) -> list[SurveyCount]:
    """Every questionnaire's counts in the evaluation window: one read per evaluation."""
    start, end = ctx.window
    rows: list[SurveyCount] = ctx.cached(
        ("surveys", start, end),
        lambda: counts_in(ctx.session, region_id=ctx.region_id, start=start, end=end),
    )
    return rows


@register_metric("surveys.satisfaction")
def satisfaction(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Satisfied share per entity and respondent kind (breakdown: the kind, e.g. ("parent",)).

    A group or district pools the questionnaires about it; a school the respondents who named it; the region
    every questionnaire of the region. Evidence: the questionnaires used.
    """
    kinds = [RespondentKind(k) for k in params["respondents"]]
    tallies: dict[tuple[str, int, RespondentKind], Tally] = defaultdict(Tally)
    used: dict[tuple[str, int, RespondentKind], set[int]] = defaultdict(set)
    for row in _counts(ctx):
        if not period.start <= row.conducted_on <= period.end:
            continue
        keys = [("region", ctx.region_id)]
        if row.group_id is not None:
            keys.append(("group", row.group_id))
        if row.district_id is not None:
            keys.append(("district", row.district_id))
        if row.school_id is not None:
            keys.append(("school", row.school_id))
        for entity_type, entity_id in keys:
            key = (entity_type, entity_id, row.respondent_kind)
            tallies[key].respondents += row.respondents
            tallies[key].satisfied += row.satisfied
            used[key].add(row.questionnaire_id)
    result = []
    for entity in entities:
        if entity.type not in ENTITY_TYPES:
            continue  # one region's surveys cannot give a city-wide share
        for kind in kinds:
            key = (entity.type, entity.id, kind)
            tally = tallies.get(key)
            evidence = tuple(f"questionnaires:{q}" for q in sorted(used.get(key, ())))
            value = tally.share if tally is not None else None
            result.append(Measurement(entity.id, value, evidence, breakdown=(kind.value,)))
    return result
