"""The compliance engine: every rule of a pack, for every entity in scope and period, with its evidence.

A metric implementation is registered under its id (see `contract.register_metric`) with the signature

    fn(ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict) -> list[Measurement]

It computes the metric for all the entities at once, reading its tables through `ctx` (which caches every
table load for the whole evaluation), so an evaluation reads each table once, not once per entity. An entity
without a measurement has no data; a declared metric without an implementation is reported "not implemented"
for every entity in scope — never met, never hidden.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.orm import Session

from edugroup.core.errors import InvalidInput, NotFound
from edugroup.core.periods import Period, Round, SchoolYear, Semester, round_of, school_year_of
from edugroup.core.scope import Scope
from edugroup.org.models import Group
from edugroup.policy.contract import (
    ENTITIES,
    TEACHES,
    EntityQuery,
    EntityRef,
    EntityRegistry,
    EvalContext,
    Measurement,
    MetricImpl,
    group_modes,
    school_in_scope,
)
from edugroup.policy.metrics import REGISTRY, MetricRegistry, definition
from edugroup.policy.schemas import MetricRef, Pack, RuleCheck
from edugroup.policy.vocabulary import VERDICT_LABELS, Verdict


@dataclass
class Row:
    """One verdict: the JSON shape of `edugroup compliance --format json`."""

    clause: str
    entity_type: str
    entity_id: int | None
    entity_name: str
    period: str
    value: float | None
    threshold: float | list[float] | None
    verdict: Verdict
    evidence: list[str] = field(default_factory=list)
    comparator: str = ""
    title: str = ""
    breakdown: str = ""

    def to_json(self) -> dict[str, Any]:
        """Exactly the documented fields."""
        return {
            "clause": self.clause,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "entity_name": self.entity_name + (f" · {self.breakdown}" if self.breakdown else ""),
            "period": self.period,
            "value": self.value,
            "threshold": self.threshold,
            "verdict": self.verdict,
            "evidence": self.evidence,
        }


# --- entities in scope ------------------------------------------------------------------------------------


def _group_passes(ctx: EvalContext, group: Group, check: RuleCheck, period: Period) -> bool:
    scope = check.scope
    members = ctx.group_schools(period).get(group.id, set())
    if not members:
        return False
    modes = group_modes(check)
    if modes is not None and group.mode.value not in modes:
        return False
    if scope.stage and not any(TEACHES[ctx.schools[s].stage] & set(scope.stage) for s in members):
        return False
    if not _stage_mix_passes(ctx, members, scope.stage_mix):
        return False
    if scope.programme and group.programme_key != scope.programme:
        return False
    return not (
        scope.demonstrative_candidate is not None
        and group.demonstrative_candidate != scope.demonstrative_candidate
    )


def _groups(ctx: EvalContext, query: EntityQuery) -> list[EntityRef]:
    return [
        EntityRef("group", g.id, g.name)
        for g in sorted(ctx.groups.values(), key=lambda g: g.code)
        if _group_passes(ctx, g, query.check, query.period)
        and (query.only_group is None or g.id == query.only_group)
        and query.user.can_see_group(g.id, g.region_id)
    ]


def _schools(ctx: EvalContext, query: EntityQuery) -> list[EntityRef]:
    members = query.group_members(ctx)
    return [
        EntityRef("school", s.id, s.name)
        for s in sorted(ctx.schools.values(), key=lambda s: s.code)
        if school_in_scope(ctx, s, query.check, query.period)
        and (members is None or s.id in members)
        and query.user.can_see_school(s.id, s.region_id)
    ]


def _districts(ctx: EvalContext, query: EntityQuery) -> list[EntityRef]:
    if query.only_group is not None or not query.user.is_bureau:
        return []
    with_schools = ctx.district_schools()
    candidate = query.check.scope.demonstrative_candidate
    return [
        EntityRef("district", d.id, d.name)
        for d in sorted(ctx.districts.values(), key=lambda d: d.code)
        if d.id in with_schools
        and (candidate is None or d.demonstrative_candidate == candidate)
        and _stage_mix_passes(ctx, with_schools[d.id], query.check.scope.stage_mix)
    ]


def _areas(ctx: EvalContext, query: EntityQuery, kind: str) -> list[EntityRef]:
    return [] if query.only_group is not None or not query.user.is_bureau else [_area(ctx, kind)]


def entities_in_scope(
    ctx: EvalContext,
    check: RuleCheck,
    period: Period,
    *,
    only_group: int | None,
    user: Scope,
    entities: EntityRegistry = ENTITIES,
) -> dict[str, list[EntityRef]] | None:
    """Entities each check is evaluated for, by type; None when an entity type has no records yet.

    Groups, schools, districts and the region are the registry's (`org`); every other kind is a domain's,
    answered by the provider it registered."""
    query = EntityQuery(check, period, only_group, user)
    found: dict[str, list[EntityRef]] = {}
    for entity_type in check.scope.entity:
        if entity_type == "group":
            found[entity_type] = _groups(ctx, query)
        elif entity_type == "school":
            found[entity_type] = _schools(ctx, query)
        elif entity_type == "district":
            found[entity_type] = _districts(ctx, query)
        elif entity_type in ("region", "city"):
            found[entity_type] = _areas(ctx, query, entity_type)
        elif (provider := entities.provider(entity_type)) is not None:
            found[entity_type] = provider(ctx, query)
        else:
            return None
    return found


def _stage_mix_passes(ctx: EvalContext, schools: set[int], stage_mix: str | None) -> bool:
    """Same-stage units have schools of one recorded stage; cross-stage units more than one."""
    if not stage_mix:
        return True
    return (len({ctx.schools[s].stage for s in schools}) == 1) == (stage_mix == "same_stage")


def _area(ctx: EvalContext, kind: str) -> EntityRef:
    if kind == "region":
        return EntityRef("region", ctx.region.id, ctx.region.name)
    return EntityRef("city", ctx.region.city_id, ctx.region.city.name)


# --- periods ----------------------------------------------------------------------------------------------


def periods_for(check: RuleCheck, pack: Pack, year: int, semester: int | None) -> list[Period]:
    """The periods of `check` that the evaluation of school year `year` (and maybe one semester) covers."""
    unit = check.period.unit
    if unit == "semester":
        return [Semester(year, semester)] if semester else list(SchoolYear(year).semesters())
    if unit == "school_year":
        return [SchoolYear(year)]
    first = check.period.first_year
    if first is None and check.scope.programme:
        first = next((p.first_year for p in pack.programmes if p.id == check.scope.programme), None)
    if first is None:
        first = school_year_of(pack.edition).year
    return [round_of(SchoolYear(year).start, first_year=first, length=check.period.length)]


def previous(period: Period) -> Period:
    if isinstance(period, Round):
        return Round(period.first_year - period.length, period.length)
    return period.previous()


# --- evaluation -------------------------------------------------------------------------------------------


def _compare(value: float, comparator: str, threshold: float | tuple[float, float]) -> bool:
    eps = 1e-9
    if comparator == "in_range":
        low, high = cast(tuple[float, float], threshold)
        return low - eps <= value <= high + eps
    t = float(cast(float, threshold))
    return {
        ">=": value >= t - eps,
        ">": value > t + eps,
        "<=": value <= t + eps,
        "<": value < t - eps,
        "==": abs(value - t) <= eps,
    }[comparator]


def _clean(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 6)


@dataclass
class Evaluation:
    pack: Pack
    year: int
    semester: int | None
    rows: list[Row]

    def summary(self) -> dict[str, int]:
        counts = {v: 0 for v in VERDICT_LABELS}
        for row in self.rows:
            counts[row.verdict] += 1
        return counts


def evaluate(
    session: Session,
    user: Scope,
    pack: Pack,
    *,
    year: int,
    semester: int | None = None,
    only_group: int | None = None,
    registry: MetricRegistry = REGISTRY,
    entities: EntityRegistry = ENTITIES,
) -> Evaluation:
    """Evaluate every rule of `pack` in the user's region for school year `year` (one semester if given).

    Metrics and entity kinds are the ones the domains registered (`edugroup.web.composition.register_domains`
    imports them all); one without a registration is reported "not implemented", never met."""
    if not registry.complete:
        raise RuntimeError(
            "domains are not registered: call edugroup.web.composition.register_domains() first"
        )
    if semester not in (None, 1, 2):
        raise InvalidInput("学期只能是 1 或 2", field="semester")
    if user.region_id is None:
        raise NotFound("没有可评估的区")
    checks = list(pack.rule_checks())
    planned = [(check, period) for check in checks for period in periods_for(check, pack, year, semester)]
    spans: list[Period] = [SchoolYear(year), *(period for _, period in planned)]
    spans += [
        previous(period)
        for check, period in planned
        if isinstance(check.threshold, MetricRef) and check.threshold.period == "previous"
    ]
    window = (min(p.start for p in spans), max(p.end for p in spans))
    ctx = EvalContext(session, user.region_id, window=window)
    ctx.checks = checks
    rows: list[Row] = []
    for check, period in planned:
        rows.extend(_evaluate_check(ctx, user, pack, check, period, only_group, registry, entities))
    return Evaluation(pack, year, semester, rows)


def _evaluate_check(
    ctx: EvalContext,
    user: Scope,
    pack: Pack,
    check: RuleCheck,
    period: Period,
    only_group: int | None,
    registry: MetricRegistry,
    entities: EntityRegistry,
) -> Iterable[Row]:
    title = check.title or pack.clause(check.clause_id).title
    static: float | list[float] | None = None
    if isinstance(check.threshold, tuple):
        static = [float(v) for v in check.threshold]
    elif not isinstance(check.threshold, MetricRef):
        static = float(check.threshold)

    def row(
        kind: str,
        ident: int | None,
        name: str,
        value: float | None,
        threshold: Any,
        verdict: Verdict,
        evidence: Sequence[str] = (),
        breakdown: str = "",
    ) -> Row:
        return Row(
            clause=check.id,
            entity_type=kind,
            entity_id=ident,
            entity_name=name,
            period=period.id,
            value=value,
            threshold=threshold,
            verdict=verdict,
            evidence=list(evidence),
            comparator=check.comparator,
            title=title,
            breakdown=breakdown,
        )

    in_scope = entities_in_scope(ctx, check, period, only_group=only_group, user=user, entities=entities)
    if in_scope is None:
        if only_group is None and user.is_bureau:
            yield row(
                "/".join(check.scope.entity), None, "(该类记录尚未实现)", None, static, "not_implemented"
            )
        return
    metric_def = definition(check.metric)
    params = metric_def.resolved_params(check.params) if metric_def else dict(check.params)
    for entity_type, refs in in_scope.items():
        if not refs:
            continue
        impl = cast(MetricImpl | None, registry.implementation(check.metric, entity_type))
        if impl is None:
            for ref in refs:
                yield row(entity_type, ref.id, ref.name, None, static, "not_implemented")
            continue
        measured: dict[int, list[Measurement]] = defaultdict(list)
        for m in impl(ctx, refs, period, dict(params)):
            measured[m.entity_id].append(m)
        thresholds = _thresholds(ctx, check, refs, period, registry)
        for ref in refs:
            for m in measured.get(ref.id) or [Measurement(ref.id, None)]:
                threshold = thresholds.get((ref.id, m.breakdown), thresholds.get((ref.id, ())))
                value = _clean(m.value)
                verdict: Verdict
                if threshold == NOT_IMPLEMENTED:
                    verdict, shown = "not_implemented", None
                elif value is None or threshold is None:
                    verdict = "no_data"
                    shown = _shown(threshold)
                else:
                    verdict = "met" if _compare(value, check.comparator, threshold) else "not_met"
                    shown = _shown(threshold)
                yield row(
                    entity_type, ref.id, ref.name, value, shown, verdict, m.evidence, " · ".join(m.breakdown)
                )


NOT_IMPLEMENTED = "not_implemented"


def _shown(threshold: Any) -> float | list[float] | None:
    if threshold is None:
        return None
    if isinstance(threshold, tuple | list):
        return [float(v) for v in threshold]
    return _clean(float(threshold))


def _thresholds(
    ctx: EvalContext, check: RuleCheck, refs: Sequence[EntityRef], period: Period, registry: MetricRegistry
) -> dict[tuple[int, tuple[str, ...]], Any]:
    """Threshold per (entity, breakdown): a number, a range, or another metric's value times a factor."""
    spec = check.threshold
    if not isinstance(spec, MetricRef):
        return {(ref.id, ()): spec for ref in refs}
    kind = refs[0].type if spec.entity == "self" and refs else spec.entity
    impl = cast(MetricImpl | None, registry.implementation(spec.metric, kind))
    if impl is None:
        return {(ref.id, ()): NOT_IMPLEMENTED for ref in refs}
    ref_period = previous(period) if spec.period == "previous" else period
    params = dict(check.threshold_params)
    metric_def = definition(spec.metric)
    if metric_def is not None:
        params = metric_def.resolved_params(params)
    result: dict[tuple[int, tuple[str, ...]], Any] = {}
    if spec.entity == "self":
        for m in impl(ctx, refs, ref_period, params):
            result[(m.entity_id, m.breakdown)] = None if m.value is None else m.value * spec.factor
        return result
    area = _area(ctx, spec.entity)
    values = {m.breakdown: m.value for m in impl(ctx, [area], ref_period, params)}
    for ref in refs:
        for breakdown, value in values.items():
            result[(ref.id, breakdown)] = None if value is None else value * spec.factor
    return result
