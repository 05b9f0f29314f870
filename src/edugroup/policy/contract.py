"""The policy contract: the one part of `policy` that domains import.

A domain gives the compliance engine two things, both registered when its `metrics` module is imported
(the composition root, `edugroup.web.composition`, imports every domain's):

- metric implementations, `@register_metric("activities.count")`, with the signature

      fn(ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict) -> list[Measurement]

  computing the metric for all the entities at once and reading its tables through `ctx` (which caches every
  load for the whole evaluation);
- the entity kinds it owns, `@register_entities("promotion")`: which records of that kind a rule is evaluated
  for in a period, as the user may see them.

And it asks the contract for the limits a pack sets — "the limit of clause X in force for this region on
this date" (`limit`, `limits_in_force`) — rather than reading packs itself: no domain names a pack or keeps
fallback numbers of its own. A region without an adopted pack has no limits in force.

The registry the engine scopes every rule over (regions, districts, groups, schools, memberships) is `org`'s,
the layer under policy; the evaluation context carries it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.errors import NotFound
from edugroup.core.periods import Period
from edugroup.core.records import not_found_as
from edugroup.core.scope import Scope
from edugroup.org.models import District, Group, Membership, Region, School, Stage
from edugroup.policy.editions import library
from edugroup.policy.metrics import REGISTRY, definition, register_metric
from edugroup.policy.schemas import MetricRef, Pack, RuleCheck
from edugroup.policy.vocabulary import (
    ACTIVITY_KIND_LABELS,
    ENTITY_LABELS,
    SHOWCASE_LEVEL_LABELS,
    VERDICT_LABELS,
    ActivityKind,
    ShowcaseLevel,
)

__all__ = [
    "ACTIVITY_KIND_LABELS",
    "ENTITY_LABELS",
    "SHOWCASE_LEVEL_LABELS",
    "TEACHES",
    "VERDICT_LABELS",
    "ActivityKind",
    "EditionRef",
    "EntityProvider",
    "EntityQuery",
    "EntityRef",
    "EvalContext",
    "Limit",
    "Measurement",
    "MetricImpl",
    "RuleCheck",
    "ShowcaseLevel",
    "edition_in_force",
    "entity_provider",
    "group_modes",
    "limit",
    "limits_in_force",
    "measure",
    "packs_with_metric",
    "programme_span",
    "region_records",
    "register_entities",
    "register_metric",
    "school_in_scope",
]

# Stages a school of each recorded stage teaches (a nine-year school is both primary and junior).
TEACHES: Mapping[Stage, frozenset[str]] = {
    Stage.primary: frozenset({"primary"}),
    Stage.junior: frozenset({"junior"}),
    Stage.nine_year: frozenset({"primary", "junior"}),
    Stage.senior: frozenset({"senior"}),
    Stage.twelve_year: frozenset({"primary", "junior", "senior"}),
}


@dataclass(frozen=True)
class EntityRef:
    """One entity a rule is evaluated for: its kind (`group`, `promotion`…), id and name as shown."""

    type: str
    id: int
    name: str


@dataclass(frozen=True)
class Measurement:
    """A metric's value for one entity (and one breakdown key, e.g. a subject), with the records behind it."""

    entity_id: int
    value: float | None
    evidence: tuple[str, ...] = ()
    breakdown: tuple[str, ...] = ()


class EvalContext:
    """What one evaluation reads: the region's registry, loaded once, and a cache for every other table."""

    def __init__(self, session: Session, region_id: int, *, window: tuple[date, date]) -> None:
        self.session = session
        self.region_id = region_id
        self.window = window
        self._cache: dict[Any, Any] = {}
        self.checks: list[RuleCheck] = []
        region = session.get(Region, region_id)
        if region is None:
            raise NotFound(f"区 {region_id} 不存在")
        self.region = region
        self.schools = {s.id: s for s in session.scalars(select(School).where(School.region_id == region_id))}
        self.groups = {g.id: g for g in session.scalars(select(Group).where(Group.region_id == region_id))}
        self.districts = {
            d.id: d for d in session.scalars(select(District).where(District.region_id == region_id))
        }
        in_region = select(Group.id).where(Group.region_id == region_id)
        self.memberships = list(session.scalars(select(Membership).where(Membership.group_id.in_(in_region))))

    def cached(self, key: Any, load: Callable[[], Any]) -> Any:
        """Load something once per evaluation (a table over the evaluation window, typically)."""
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def memberships_during(self, start: date, end: date) -> list[Membership]:
        """Memberships active at any time between two days."""
        return [
            m for m in self.memberships if m.start_date <= end and (m.end_date is None or m.end_date >= start)
        ]

    def school_memberships(self, period: Period) -> dict[int, list[Membership]]:
        """Memberships of each school active at any time during the period (built once per period)."""

        def load() -> dict[int, list[Membership]]:
            result: dict[int, list[Membership]] = defaultdict(list)
            for m in self.memberships_during(period.start, period.end):
                result[m.school_id].append(m)
            return result

        found: dict[int, list[Membership]] = self.cached(("school_memberships", period), load)
        return found

    def group_schools(self, period: Period) -> dict[int, set[int]]:
        """Schools of each group at any time during the period."""

        def load() -> dict[int, set[int]]:
            result: dict[int, set[int]] = defaultdict(set)
            for m in self.memberships_during(period.start, period.end):
                result[m.group_id].add(m.school_id)
            return result

        found: dict[int, set[int]] = self.cached(("group_schools", period), load)
        return found

    def district_schools(self) -> dict[int, set[int]]:
        """Schools of each district."""
        result: dict[int, set[int]] = defaultdict(set)
        for school in self.schools.values():
            if school.district_id is not None:
                result[school.district_id].add(school.id)
        return result

    def params_of(self, metric_id: str, name: str) -> set[Any]:
        """Every value the evaluated checks pass for one parameter of a metric (e.g. all activity kinds)."""
        values: set[Any] = set()
        for check in self.checks:
            sources = [check.params] if check.metric == metric_id else []
            if isinstance(check.threshold, MetricRef) and check.threshold.metric == metric_id:
                sources.append(check.threshold_params)
            for params in sources:
                value = params.get(name)
                values.update(value if isinstance(value, list | tuple) else [value])
        return values


MetricImpl = Callable[[EvalContext, Sequence[EntityRef], Period, dict[str, Any]], list[Measurement]]


def region_records(ctx: EvalContext, model: Any) -> list[Any]:
    """Every row of a per-region table (teachers, rotations, team inflows…), read once per evaluation."""

    def load() -> list[Any]:
        stmt = select(model).where(model.region_id == ctx.region_id).order_by(model.id)
        return list(ctx.session.scalars(stmt))

    found: list[Any] = ctx.cached(("records", model.__tablename__), load)
    return found


# --- scope filters a domain's entity kinds apply -------------------------------------------------------------


def group_modes(check: RuleCheck) -> set[str] | None:
    """The group modes a rule's scope names, as `org` records them, or None when it names none."""
    if not check.scope.group_mode:
        return None
    return {mode.replace("-", "_") for mode in check.scope.group_mode}


def school_in_scope(ctx: EvalContext, school: School, check: RuleCheck, period: Period) -> bool:
    """Whether a school passes a rule's school filters (tier, stage, group mode, membership, role,
    programme) during the period."""
    scope = check.scope
    active = ctx.school_memberships(period).get(school.id, [])
    groups = [ctx.groups[m.group_id] for m in active]
    if scope.school_tier and school.quality_tier.value != scope.school_tier:
        return False
    if scope.stage and not TEACHES[school.stage] & set(scope.stage):
        return False
    modes = group_modes(check)
    if modes is not None and not any(g.mode.value in modes for g in groups):
        return False
    if scope.member_of:
        in_district = "district" in scope.member_of and school.district_id is not None
        in_group = "group" in scope.member_of and bool(groups)
        if not (in_district or in_group):
            return False
    if scope.school_role:
        leads = any(m.is_leader for m in active)
        if leads != (scope.school_role == "leader"):
            return False
    return not (scope.programme and not any(g.programme_key == scope.programme for g in groups))


# --- entity kinds owned by domains --------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityQuery:
    """What an entity provider is asked: the rule, the period, one group only (or None), and the user."""

    check: RuleCheck
    period: Period
    only_group: int | None
    user: Scope

    def group_members(self, ctx: EvalContext) -> set[int] | None:
        """The schools of the one group asked for during the period, or None when every group is."""
        if self.only_group is None:
            return None
        return ctx.group_schools(self.period).get(self.only_group, set())


EntityProvider = Callable[[EvalContext, EntityQuery], list[EntityRef]]
P = TypeVar("P", bound=EntityProvider)


@dataclass
class EntityRegistry:
    """The providers of entity kinds that domains own (teacher, team_inflow, promotion, studio…)."""

    providers: dict[str, EntityProvider] = field(default_factory=dict)

    def register(self, kind: str) -> Callable[[P], P]:
        """Decorator registering the provider of an entity kind; refuses doubles and unknown kinds."""
        if kind not in ENTITY_LABELS:
            raise KeyError(f"entity kind {kind!r} is not in the vocabulary")

        def decorate(fn: P) -> P:
            if kind in self.providers:
                raise ValueError(f"entity kind {kind!r} already has a provider")
            self.providers[kind] = fn
            return fn

        return decorate

    def provider(self, kind: str) -> EntityProvider | None:
        """The provider of `kind`, or None when no domain records that kind yet."""
        return self.providers.get(kind)


ENTITIES = EntityRegistry()
"""The process-wide registry that `register_entities` fills."""


def register_entities(kind: str) -> Callable[[P], P]:
    """Register the decorated function as the provider of entity kind `kind`."""
    return ENTITIES.register(kind)


def entity_provider(kind: str) -> EntityProvider | None:
    """The registered provider of an entity kind, or None."""
    return ENTITIES.provider(kind)


# --- limits in force ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """A rule's limit in the pack edition in force: `value comparator threshold`, where the threshold is a
    number, a range, or `factor` × another metric (`threshold_metric`) of the same entity."""

    pack_id: str
    pack_title: str
    edition: date
    clause_id: str
    metric: str
    params: Mapping[str, Any]
    entities: tuple[str, ...]
    comparator: str
    threshold: float | tuple[float, float] | None
    threshold_metric: str | None = None
    factor: float | None = None
    threshold_params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Where the limit is read, as a person cites it: `hongkou-2025 (2025-03-10) HK-06`."""
        return f"{self.pack_id} ({self.edition}) {self.clause_id}"

    def largest_count(self) -> int | None:
        """The largest whole count a `count comparator threshold` ceiling allows, or None for a floor."""
        if not isinstance(self.threshold, float):
            return None
        if self.comparator in ("<=", "=="):
            return math.floor(self.threshold + 1e-9)
        if self.comparator == "<":
            return math.ceil(self.threshold - 1e-9) - 1
        return None


def _limits(pack: Pack) -> Iterator[Limit]:
    for check in pack.rule_checks():
        spec = check.threshold
        threshold: float | tuple[float, float] | None = None
        if isinstance(spec, tuple):
            threshold = (float(spec[0]), float(spec[1]))
        elif not isinstance(spec, MetricRef):
            threshold = float(spec)
        is_ref = isinstance(spec, MetricRef)
        yield Limit(
            pack_id=pack.id,
            pack_title=pack.title,
            edition=pack.edition,
            clause_id=check.id,
            metric=check.metric,
            params=dict(check.params),
            entities=tuple(check.scope.entity),
            comparator=check.comparator,
            threshold=threshold,
            threshold_metric=spec.metric if isinstance(spec, MetricRef) and spec.entity == "self" else None,
            factor=spec.factor if isinstance(spec, MetricRef) else None,
            threshold_params=dict(check.threshold_params) if is_ref else {},
        )


def _pack_in_force(session: Session, region_id: int, on: date, pack_id: str | None) -> Pack | None:
    """The edition in force on `on` of the pack given, or of the region's adopted pack: None when the region
    adopted none or its pack has no edition in force then; a pack asked for by name must have one."""
    adopted = pack_id is None
    if pack_id is None:
        region = session.get(Region, region_id)
        pack_id = region.policy_pack if region is not None else None
        if pack_id is None:
            return None
    if adopted:
        try:
            return library(session, region_id).edition_for(pack_id, on)
        except NotFound:
            return None
    with not_found_as("pack"):
        return library(session, region_id).edition_for(pack_id, on)


@dataclass(frozen=True)
class EditionRef:
    """A pack edition as a domain cites it."""

    pack_id: str
    title: str
    edition: date


def edition_in_force(
    session: Session, region_id: int, on: date, *, pack_id: str | None = None
) -> EditionRef | None:
    """The region's pack (or `pack_id`) edition in force on `on`; None when the region adopted no pack."""
    pack = _pack_in_force(session, region_id, on, pack_id)
    return None if pack is None else EditionRef(pack.id, pack.title, pack.edition)


def limits_in_force(
    session: Session, region_id: int, on: date, *, metric: str, pack_id: str | None = None
) -> list[Limit]:
    """Every limit on `metric` in the region's pack (or `pack_id`) edition in force on `on`."""
    pack = _pack_in_force(session, region_id, on, pack_id)
    return [] if pack is None else [lim for lim in _limits(pack) if lim.metric == metric]


def limit(
    session: Session, region_id: int, clause_id: str, on: date, *, pack_id: str | None = None
) -> Limit | None:
    """The limit of clause `clause_id` (or check `HK-06.a`) in force for the region on `on`, or None."""
    pack = _pack_in_force(session, region_id, on, pack_id)
    if pack is None:
        return None
    return next((lim for lim in _limits(pack) if lim.clause_id == clause_id), None)


def packs_with_metric(session: Session, region_id: int | None, metric: str) -> list[tuple[str, str]]:
    """(id, title) of every pack the region may use that has a rule on `metric`, sorted."""
    return sorted(
        {
            (p.id, p.title)
            for p in library(session, region_id)
            if any(c.metric == metric for c in p.rule_checks())
        }
    )


def programme_span(session: Session, region_id: int, programme_id: str) -> tuple[int, int] | None:
    """(first school year, length in years) of a pack's programme (强校工程…), or None if no pack has it."""
    for pack in library(session, region_id):
        for programme in pack.programmes:
            if programme.id == programme_id:
                return programme.first_year, programme.length
    return None


def measure(
    ctx: EvalContext, metric_id: str, refs: Sequence[EntityRef], period: Period, params: Mapping[str, Any]
) -> list[Measurement] | None:
    """A registered metric's values outside an evaluation (a limit read at entry), or None when the metric
    is not implemented."""
    impl = cast(MetricImpl | None, REGISTRY.implementation(metric_id, refs[0].type if refs else None))
    if impl is None:
        return None
    metric = definition(metric_id)
    resolved = metric.resolved_params(dict(params)) if metric else dict(params)
    return impl(ctx, refs, period, resolved)
