"""The compliance engine: every rule of a pack, for every entity in scope and period, with its evidence.

A metric implementation is registered under its id (see `metrics.register_metric`) with the signature

    fn(ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict) -> list[Measurement]

It computes the metric for all the entities at once, reading its tables through `ctx` (which caches every
table load for the whole evaluation), so an evaluation reads each table once, not once per entity. An entity
without a measurement has no data; a declared metric without an implementation is reported "not implemented"
for every entity in scope — never met, never hidden.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from edugroup.core.errors import InvalidInput, NotFound
from edugroup.core.periods import Period, Round, SchoolYear, Semester, round_of, school_year_of
from edugroup.core.scope import Scope
from edugroup.org.models import District, Group, Membership, Region, School, Stage
from edugroup.policy.metrics import REGISTRY, MetricRegistry, definition
from edugroup.policy.schemas import MetricRef, Pack, RuleCheck
from edugroup.studios.models import Studio, StudioMember
from edugroup.teachers.models import Promotion, RotationTeam, Teacher

Verdict = Literal["met", "not_met", "no_data", "not_implemented"]
VERDICT_LABELS: dict[str, str] = {
    "met": "达标",
    "not_met": "未达标",
    "no_data": "无数据",
    "not_implemented": "尚未实现",
}
ENTITY_LABELS: dict[str, str] = {
    "city": "市",
    "region": "区",
    "district": "学区",
    "group": "集团",
    "school": "学校",
    "teacher": "教师",
    "studio": "工作室",
    "team_inflow": "组团流入",
    "promotion": "提任",
    "appointment": "校长任命",
    "principal_assessment": "校长考核",
}
# Stages a school of each recorded stage teaches (a nine-year school is both primary and junior).
TEACHES: dict[Stage, frozenset[str]] = {
    Stage.primary: frozenset({"primary"}),
    Stage.junior: frozenset({"junior"}),
    Stage.nine_year: frozenset({"primary", "junior"}),
    Stage.senior: frozenset({"senior"}),
    Stage.twelve_year: frozenset({"primary", "junior", "senior"}),
}


@dataclass(frozen=True)
class EntityRef:
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


MetricImpl = Callable[["EvalContext", Sequence[EntityRef], Period, dict[str, Any]], list[Measurement]]


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

    def group_schools(self, period: Period) -> dict[int, set[int]]:
        """Schools of each group at any time during the period."""

        def load() -> dict[int, set[int]]:
            result: dict[int, set[int]] = defaultdict(set)
            for m in self.memberships_during(period.start, period.end):
                result[m.group_id].add(m.school_id)
            return result

        found: dict[int, set[int]] = self.cached(("group_schools", period), load)
        return found

    def studios(self) -> list[Studio]:
        """The region's studios, with their members loaded."""

        def load() -> list[Studio]:
            stmt = (
                select(Studio)
                .where(Studio.region_id == self.region_id)
                .options(selectinload(Studio.members).selectinload(StudioMember.teacher))
                .order_by(Studio.id)
            )
            return list(self.session.scalars(stmt))

        found: list[Studio] = self.cached("studios", load)
        return found

    def district_schools(self) -> dict[int, set[int]]:
        result: dict[int, set[int]] = defaultdict(set)
        for school in self.schools.values():
            if school.district_id is not None:
                result[school.district_id].add(school.id)
        return result


# --- entities in scope ------------------------------------------------------------------------------------


def _mode(value: str) -> str:
    return value.replace("-", "_")


def _group_passes(ctx: EvalContext, group: Group, check: RuleCheck, period: Period, pack: Pack) -> bool:
    scope = check.scope
    members = ctx.group_schools(period).get(group.id, set())
    if not members:
        return False
    if scope.group_mode and group.mode.value not in {_mode(m) for m in scope.group_mode}:
        return False
    if scope.stage and not any(TEACHES[ctx.schools[s].stage] & set(scope.stage) for s in members):
        return False
    if scope.stage_mix:
        stages = {ctx.schools[s].stage for s in members}
        if (len(stages) == 1) != (scope.stage_mix == "same_stage"):
            return False
    if scope.programme and group.programme_key != scope.programme:
        return False
    return not (
        scope.demonstrative_candidate is not None
        and group.demonstrative_candidate != scope.demonstrative_candidate
    )


def _school_passes(ctx: EvalContext, school: School, check: RuleCheck, period: Period) -> bool:
    scope = check.scope
    active = ctx.school_memberships(period).get(school.id, [])
    groups = [ctx.groups[m.group_id] for m in active]
    if scope.school_tier and school.quality_tier.value != scope.school_tier:
        return False
    if scope.stage and not TEACHES[school.stage] & set(scope.stage):
        return False
    if scope.group_mode and not any(g.mode.value in {_mode(m) for m in scope.group_mode} for g in groups):
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


def entities_in_scope(
    ctx: EvalContext, check: RuleCheck, period: Period, pack: Pack, *, only_group: int | None, user: Scope
) -> dict[str, list[EntityRef]] | None:
    """Entities each check is evaluated for, by type; None when an entity type has no records yet."""
    found: dict[str, list[EntityRef]] = {}
    for entity_type in check.scope.entity:
        refs: list[EntityRef]
        if entity_type == "group":
            refs = [
                EntityRef("group", g.id, g.name)
                for g in sorted(ctx.groups.values(), key=lambda g: g.code)
                if _group_passes(ctx, g, check, period, pack)
                and (only_group is None or g.id == only_group)
                and user.can_see_group(g.id, g.region_id)
            ]
        elif entity_type == "school":
            members = ctx.group_schools(period).get(only_group, set()) if only_group is not None else None
            refs = [
                EntityRef("school", s.id, s.name)
                for s in sorted(ctx.schools.values(), key=lambda s: s.code)
                if _school_passes(ctx, s, check, period)
                and (members is None or s.id in members)
                and user.can_see_school(s.id, s.region_id)
            ]
        elif entity_type == "district":
            if only_group is not None or not user.is_bureau:
                refs = []
            else:
                with_schools = ctx.district_schools()
                refs = [
                    EntityRef("district", d.id, d.name)
                    for d in sorted(ctx.districts.values(), key=lambda d: d.code)
                    if d.id in with_schools
                    and (
                        check.scope.demonstrative_candidate is None
                        or d.demonstrative_candidate == check.scope.demonstrative_candidate
                    )
                    and _stage_mix_passes(ctx, with_schools[d.id], check.scope.stage_mix)
                ]
        elif entity_type == "studio":
            modes = {_mode(m) for m in check.scope.group_mode} if check.scope.group_mode else None
            refs = []
            for studio in ctx.studios():
                group = ctx.groups.get(studio.group_id) if studio.group_id is not None else None
                if studio.founded_on and studio.founded_on > period.end:
                    continue
                if studio.closed_on and studio.closed_on < period.start:
                    continue
                if modes is not None and (group is None or group.mode.value not in modes):
                    continue
                if only_group is not None and studio.group_id != only_group:
                    continue
                if not (
                    user.is_bureau or (group is not None and user.can_see_group(group.id, group.region_id))
                ):
                    continue
                refs.append(EntityRef("studio", studio.id, studio.name))
        elif entity_type in ("region", "city"):
            refs = [] if only_group is not None or not user.is_bureau else [_area(ctx, entity_type)]
        elif entity_type in ("teacher", "team_inflow", "promotion"):
            members = ctx.group_schools(period).get(only_group, set()) if only_group is not None else None
            refs = _record_entities(ctx, entity_type, check, period, members, user)
        else:
            return None
        found[entity_type] = refs
    return found


def _stage_mix_passes(ctx: EvalContext, schools: set[int], stage_mix: str | None) -> bool:
    """Same-stage units have schools of one recorded stage; cross-stage units more than one."""
    if not stage_mix:
        return True
    return (len({ctx.schools[s].stage for s in schools}) == 1) == (stage_mix == "same_stage")


def region_records(ctx: EvalContext, model: Any) -> list[Any]:
    """Every row of a per-region table (teachers, rotations, team inflows, promotions), read once per evaluation."""

    def load() -> list[Any]:
        stmt = select(model).where(model.region_id == ctx.region_id).order_by(model.id)
        return list(ctx.session.scalars(stmt))

    found: list[Any] = ctx.cached(("records", model.__tablename__), load)
    return found


def _record_entities(
    ctx: EvalContext, kind: str, check: RuleCheck, period: Period, members: set[int] | None, user: Scope
) -> list[EntityRef]:
    """Teachers (of schools passing the scope filters), team inflows (组团流入) and promotions (提任) that
    started or were decided in the period; with `members`, only those at the group's schools."""
    if kind == "teacher":
        passes: dict[int, bool] = {}
        refs = []
        for t in region_records(ctx, Teacher):
            if t.school_id not in passes:
                school = ctx.schools.get(t.school_id)
                passes[t.school_id] = school is not None and _school_passes(ctx, school, check, period)
            if (
                passes[t.school_id]
                and (members is None or t.school_id in members)
                and user.can_see_teacher(t.id, t.school_id, t.region_id)
            ):
                refs.append(EntityRef("teacher", t.id, t.name))
        return refs
    if kind == "team_inflow":
        return [
            EntityRef("team_inflow", team.id, team.name)
            for team in region_records(ctx, RotationTeam)
            if period.start <= team.start_on <= period.end
            and (members is None or team.to_school_id in members)
            and user.can_see_school(team.to_school_id, team.region_id)
        ]
    names = {t.id: t.name for t in region_records(ctx, Teacher)}
    return [
        EntityRef("promotion", p.id, f"{names.get(p.teacher_id, p.teacher_id)} · {p.post} ({p.decided_on})")
        for p in region_records(ctx, Promotion)
        if period.start <= p.decided_on <= period.end
        and (members is None or p.school_id in members)
        and (user.can_see_school(p.school_id, p.region_id) or user.teacher_id == p.teacher_id)
    ]


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
) -> Evaluation:
    """Evaluate every rule of `pack` in the user's region for school year `year` (one semester if given)."""
    import edugroup.metrics  # noqa: F401  (registers the implemented metrics)

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
        rows.extend(_evaluate_check(ctx, user, pack, check, period, only_group, registry))
    return Evaluation(pack, year, semester, rows)


def _evaluate_check(
    ctx: EvalContext,
    user: Scope,
    pack: Pack,
    check: RuleCheck,
    period: Period,
    only_group: int | None,
    registry: MetricRegistry,
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

    entities = entities_in_scope(ctx, check, period, pack, only_group=only_group, user=user)
    impl = cast(MetricImpl | None, registry.implementation(check.metric))
    if entities is None:
        if only_group is None and user.is_bureau:
            yield row(
                "/".join(check.scope.entity), None, "(该类记录尚未实现)", None, static, "not_implemented"
            )
        return
    metric_def = definition(check.metric)
    params = metric_def.resolved_params(check.params) if metric_def else dict(check.params)
    for entity_type, refs in entities.items():
        if not refs:
            continue
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
    impl = cast(MetricImpl | None, registry.implementation(spec.metric))
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
