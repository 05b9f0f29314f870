"""The shape of a policy pack (`packs/*.yaml`): one seed document's clauses, as data.

A pack file:

    pack: hongkou-2025                # pack id; a region's copy keeps it (new edition) or takes a new one
    title: ...                        # document title
    issuer: 上海市虹口区教育局
    source: 000_db29301f71055b5d.txt  # seed document
    edition: 2025-03-10               # in force from this day (the engine picks the edition by period start)
    effective_to: 2027-08-31          # optional, last day in force
    based_on: {pack: ..., edition: ...}  # optional, the pack a region's copy was made from
    region: {level: region, name: 虹口区, city: 上海市}
    programmes: [...]                 # optional, programmes the scopes name (QP: 强校工程)
    clauses:
      - id: HK-16                     # clause id from POLICY-CLAUSES.md
        kind: rule                    # rule | flow | record | weight
        title: 集团联合教研次数
        source: {quote: 每学期集团内各种形式联合教研不少于5次}   # verbatim from the seed document
        metric: activities.count      # rule: one check written inline ...
        params: {kinds: [joint_research]}
        scope: {entity: group}
        period: semester
        comparator: ">="
        threshold: 5
      - id: OH-10
        kind: rule
        ...
        checks:                       # ... or several checks, ids "<clause>.<suffix>"
          - {id: OH-10.a, metric: ..., scope: ..., period: ..., comparator: ..., threshold: ...}
      - id: HK-02
        kind: flow                    # flow and record name the feature implementing them
        feature: {id: two_way_selection, domain: matching, description: 集团定期双向选择}

An inline rule is read as a rule with one check whose id is the clause id, so the engine always iterates
`clause.checks`. Every model forbids unknown fields. Validation against the metric catalogue happens here;
errors carry the offending field so `packs.load_pack` can name file, clause and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from edugroup.policy.metrics import MetricDef, ParamValue, definition
from edugroup.policy.vocabulary import ENTITY_TYPES, Breakdown, EntityType

# --- scope vocabulary -------------------------------------------------------------------------------------

GroupMode = Literal["tight", "co-build", "alliance", "collaborative", "programme"]
"""Group modes as `org` records them: 紧密型/融合型, 共建型 (教共体: one quality + one potential school),
联盟型 (several co-build pairs), 协作体, programme (e.g. 强校工程)."""

UnitKind = Literal["district", "group"]
SchoolRole = Literal["leader", "member"]
"""牵头校/组长校 or 成员校, in some district or group."""

SchoolTier = Literal["quality", "weaker"]
"""优质校 or 相对薄弱校/潜质校, as the region classifies its schools."""

Stage = Literal["primary", "junior", "senior"]
StageMix = Literal["same_stage", "cross_stage"]
"""同学段 (every member school teaches the same stage) or 跨学段 district/group."""

FILTER_ENTITIES: dict[str, frozenset[EntityType]] = {
    "group_mode": frozenset({"group", "school", "teacher", "studio"}),
    "member_of": frozenset({"school", "teacher"}),
    "school_role": frozenset({"school", "appointment", "principal_assessment"}),
    "school_tier": frozenset({"school", "teacher"}),
    "stage": frozenset({"district", "group", "school", "teacher"}),
    "stage_mix": frozenset({"district", "group"}),
    "programme": frozenset({"group", "school", "teacher"}),
    "demonstrative_candidate": frozenset({"district", "group"}),
}
"""Which entity types each scope filter may narrow.

- `group_mode`: a group of one of these modes; a school/teacher/studio belonging to such a group.
- `member_of`: a school/teacher belonging to at least one district or group of these kinds.
- `school_role`: the school is a leader (牵头校) or member school of a district/group; for appointments and
  principal assessments, the role of the school concerned.
- `school_tier`: the school (the teacher's school) is classified quality or weaker.
- `stage`: a school teaching one of these stages; a district/group with at least one such school.
- `stage_mix`: same-stage or cross-stage districts/groups.
- `programme`: the group is this programme (declared in the pack's `programmes`); a school/teacher is in it.
- `demonstrative_candidate`: the district/group is applying for 上海市示范性 recognition.
"""

Comparator = Literal[">=", ">", "<=", "<", "==", "in_range"]
"""`in_range` takes a [low, high] threshold, both ends included."""

ClauseKind = Literal["rule", "flow", "record", "weight"]
PeriodUnit = Literal["semester", "school_year", "round"]
RefEntity = Literal["self", "region", "city"]
"""Whose value a metric threshold reads: the evaluated entity itself, its region (区), or the whole city."""

RefPeriod = Literal["same", "previous"]
AssessmentKind = Literal["principal_evaluation", "school_assessment", "group_assessment"]
"""校长年度考评, 区域对学校的考核, 集团 (教共体) 学年度考核."""

Domain = Literal[
    "core",
    "org",
    "teachers",
    "courses",
    "facilities",
    "activities",
    "monitoring",
    "policy",
    "assessment",
    "matching",
    "rotation",
    "reports",
    "web",
]

CLAUSE_KINDS: tuple[ClauseKind, ...] = get_args(ClauseKind)
THRESHOLD_TAGS = ("number", "range", "metric")

_CLAUSE_ID = r"^[A-Z][A-Z0-9]*-[0-9]{2,}$"
_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_SNAKE = r"^[a-z][a-z0-9_]*$"


def problem(message: str, *, field: str | None = None, clause: str | None = None) -> PydanticCustomError:
    """A validation error whose message is shown as is, naming the field (and clause) it concerns."""
    ctx: dict[str, str] = {"message": message}
    if field is not None:
        ctx["field"] = field
    if clause is not None:
        ctx["clause"] = clause
    return PydanticCustomError("pack_problem", "{message}", ctx)


def _parse_date(value: object) -> object:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise problem(f"日期无效: {value!r} (应为 YYYY-MM-DD)")


PackDate = Annotated[date, BeforeValidator(_parse_date)]


def _as_tuple(value: object) -> object:
    return (value,) if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- pieces -----------------------------------------------------------------------------------------------


class ClauseSource(_Strict):
    """Where a clause comes from: a sentence quoted verbatim from the pack's seed document."""

    quote: str = Field(min_length=2)
    section: str | None = None


class Feature(_Strict):
    """The product feature that implements a RECORD or FLOW clause (or backs a rule at data entry)."""

    id: str = Field(pattern=_SNAKE)
    description: str = Field(min_length=1)
    domain: Domain | None = None


class PeriodSpec(_Strict):
    """The period a rule is evaluated over: a semester, a school year, or a round of `length` school years.

    A round's `first_year` anchors the rounds (rounds run first_year, first_year + length, ...); when omitted
    the evaluation supplies the anchor (the region's or the entity's own start).
    """

    unit: PeriodUnit
    length: int = Field(default=1, ge=1, le=12)
    first_year: int | None = Field(default=None, ge=1990, le=2100)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"unit": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _round_fields(self) -> PeriodSpec:
        if self.unit == "round" and "length" not in self.model_fields_set:
            raise problem("轮次周期须写明年数 length", field="length")
        if self.unit != "round" and ("length" in self.model_fields_set or self.first_year is not None):
            raise problem("只有 round 周期可以写 length / first_year", field="unit")
        return self

    @property
    def label(self) -> str:
        """Chinese wording: 每学期, 每学年, 每3年一轮."""
        if self.unit == "semester":
            return "每学期"
        if self.unit == "school_year":
            return "每学年"
        return f"每{self.length}年一轮"


class Scope(_Strict):
    """Which entities a check is evaluated for: one or more entity types, narrowed by filters (AND)."""

    entity: tuple[EntityType, ...] = Field(min_length=1)
    group_mode: tuple[GroupMode, ...] | None = Field(default=None, min_length=1)
    member_of: tuple[UnitKind, ...] | None = Field(default=None, min_length=1)
    school_role: SchoolRole | None = None
    school_tier: SchoolTier | None = None
    stage: tuple[Stage, ...] | None = Field(default=None, min_length=1)
    stage_mix: StageMix | None = None
    programme: str | None = None
    demonstrative_candidate: bool | None = None

    @field_validator("entity", mode="before")
    @classmethod
    def _known_entities(cls, value: Any) -> Any:
        value = _as_tuple(value)
        if isinstance(value, list | tuple):
            for item in value:
                if item not in ENTITY_TYPES:
                    raise problem(f"未知的范围实体 {item!r} (可用: {', '.join(ENTITY_TYPES)})")
            if len(set(value)) != len(value):
                raise problem("范围实体重复")
        return value

    @field_validator("group_mode", "member_of", "stage", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _as_tuple(value)

    @model_validator(mode="after")
    def _filters_fit_entities(self) -> Scope:
        for name in self.filters():
            allowed = FILTER_ENTITIES[name]
            wrong = [e for e in self.entity if e not in allowed]
            if wrong:
                raise problem(
                    f"范围筛选 {name} 不适用于实体 {', '.join(wrong)} (只适用于 {', '.join(sorted(allowed))})",
                    field=name,
                )
        return self

    def filters(self) -> dict[str, object]:
        """The filters set on this scope, by name."""
        return {name: value for name in FILTER_ENTITIES if (value := getattr(self, name)) is not None}


ParamsField = dict[str, StrictBool | StrictInt | StrictFloat | StrictStr | list[StrictStr]]


class MetricRef(_Strict):
    """A threshold read from another metric: `factor` × metric(entity, period).

    `params` omitted means: the check's own params when `metric` is the check's metric, otherwise none.
    `period: previous` reads the period before the evaluated one (HK-13: more than last year).
    """

    metric: str
    entity: RefEntity
    params: ParamsField | None = None
    factor: StrictFloat = 1.0
    period: RefPeriod = "same"


def _threshold_tag(value: Any) -> str | None:
    if isinstance(value, dict | MetricRef):
        return "metric"
    if isinstance(value, list | tuple):
        return "range"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return None


Threshold = Annotated[
    Annotated[StrictFloat, Tag("number")]
    | Annotated[tuple[StrictFloat, StrictFloat], Tag("range")]
    | Annotated[MetricRef, Tag("metric")],
    Discriminator(
        _threshold_tag,
        custom_error_type="threshold_shape",
        custom_error_message="阈值应为数字、[下限, 上限] 或 {metric: …, entity: …}",
    ),
]


class RuleCheck(_Strict):
    """One measurable part of a RULE: metric(entity, period) comparator threshold, for every entity in scope."""

    id: str
    title: str | None = None
    metric: str
    params: ParamsField = Field(default_factory=dict)
    scope: Scope
    period: PeriodSpec
    by: tuple[Breakdown, ...] = ()
    comparator: Comparator
    threshold: Threshold
    note: str | None = None

    @field_validator("metric")
    @classmethod
    def _declared_metric(cls, value: str) -> str:
        if definition(value) is None:
            raise problem(f"未知指标 {value!r} (不在指标目录中)")
        return value

    @model_validator(mode="after")
    def _fits_catalogue(self) -> RuleCheck:
        metric = self.definition
        for name, message in metric.param_problems(self.params)[:1]:
            raise problem(message, field=f"params.{name}")
        wrong = [e for e in self.scope.entity if e not in metric.entities]
        if wrong:
            raise problem(
                f"指标 {metric.id} 不适用于实体 {', '.join(wrong)} (适用于 {', '.join(sorted(metric.entities))})",
                field="scope.entity",
            )
        unsupported = [b for b in self.by if b not in metric.breakdowns]
        if unsupported:
            raise problem(f"指标 {metric.id} 不能按 {', '.join(unsupported)} 分开计算", field="by")
        self._check_threshold(metric)
        return self

    def _check_threshold(self, metric: MetricDef) -> None:
        threshold = self.threshold
        if self.comparator == "in_range":
            if not isinstance(threshold, tuple):
                raise problem("比较方式 in_range 需要两个数字 [下限, 上限] 作阈值", field="threshold")
            if threshold[0] > threshold[1]:
                raise problem(f"区间下限 {threshold[0]} 大于上限 {threshold[1]}", field="threshold")
            return
        if isinstance(threshold, tuple):
            raise problem(
                f"比较方式 {self.comparator} 需要一个数字或指标作阈值, 区间只用于 in_range", field="threshold"
            )
        if isinstance(threshold, MetricRef):
            ref = definition(threshold.metric)
            if ref is None:
                raise problem(f"未知指标 {threshold.metric!r} (不在指标目录中)", field="threshold.metric")
            for name, message in ref.param_problems(self.threshold_params)[:1]:
                raise problem(message, field=f"threshold.params.{name}")
            ref_entities = self.scope.entity if threshold.entity == "self" else (threshold.entity,)
            wrong = [e for e in ref_entities if e not in ref.entities]
            if wrong:
                raise problem(f"指标 {ref.id} 不适用于实体 {', '.join(wrong)}", field="threshold.entity")
            if threshold.entity == "self" and threshold.metric == self.metric and threshold.period == "same":
                raise problem("阈值不能是本指标本期的值本身", field="threshold")

    @property
    def clause_id(self) -> str:
        """The id of the clause this check belongs to (`OH-10` for `OH-10.a`)."""
        return self.id.split(".", 1)[0]

    @property
    def definition(self) -> MetricDef:
        """The catalogue declaration of this check's metric."""
        metric = definition(self.metric)
        assert metric is not None  # validated
        return metric

    @property
    def threshold_params(self) -> dict[str, ParamValue]:
        """The params a metric threshold is computed with (see MetricRef)."""
        threshold = self.threshold
        if not isinstance(threshold, MetricRef):
            return {}
        if threshold.params is not None:
            return dict(threshold.params)
        return dict(self.params) if threshold.metric == self.metric else {}


class WeightCheck(_Strict):
    """One weight, cap or method of an assessment score (WEIGHT clauses).

    Either a number (`component` `comparator` `threshold`: the weight of group building in a principal's
    evaluation >= 0.5) or a method (`method`, optional prize `tiers`), or both.
    """

    id: str
    title: str | None = None
    assessment: AssessmentKind
    scope: Scope | None = None
    component: str | None = Field(default=None, pattern=_SNAKE)
    comparator: Comparator | None = None
    threshold: StrictFloat | None = None
    method: str | None = Field(default=None, pattern=_SNAKE)
    tiers: tuple[str, ...] | None = Field(default=None, min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _value_or_method(self) -> WeightCheck:
        numeric = (self.component, self.comparator, self.threshold)
        if any(v is not None for v in numeric):
            for name, value in zip(("component", "comparator", "threshold"), numeric, strict=True):
                if value is None:
                    label = {"component": "考核项", "comparator": "比较方式", "threshold": "阈值"}[name]
                    raise problem(f"权重缺少{label}", field=name)
            if self.comparator == "in_range":
                raise problem("权重的比较方式不能是 in_range", field="comparator")
        elif self.method is None:
            raise problem("权重缺少阈值 (或考核方式 method)", field="threshold")
        return self

    @property
    def clause_id(self) -> str:
        """The id of the clause this check belongs to (`OH-14` for `OH-14.a`)."""
        return self.id.split(".", 1)[0]


# --- clauses ----------------------------------------------------------------------------------------------


class _ClauseBase(_Strict):
    id: str = Field(pattern=_CLAUSE_ID)
    title: str = Field(min_length=1)
    source: ClauseSource
    note: str | None = None


def _inline_check(data: Any, check_fields: set[str]) -> Any:
    """Turn a clause written with one inline check into the `checks` form."""
    if not isinstance(data, dict):
        return data
    inline = {k: v for k, v in data.items() if k in check_fields}
    if "checks" in data:
        if inline:
            raise problem(
                f"条款要么写 checks, 要么直接写 {', '.join(sorted(inline))} 等字段, 不能同时写",
                field="checks",
            )
        return data
    rest = {k: v for k, v in data.items() if k not in check_fields}
    return {**rest, "checks": [{"id": data.get("id"), **inline}]}


def _validate_check_ids(clause_id: str, check_ids: list[str]) -> None:
    for check_id in check_ids:
        if len(check_ids) == 1 and check_id == clause_id:
            continue
        if not re.fullmatch(re.escape(clause_id) + r"\.[a-z0-9]+", check_id):
            raise problem(f"检查项编号 {check_id!r} 应为 {clause_id}.a、{clause_id}.b …", field="checks")
    if len(set(check_ids)) != len(check_ids):
        raise problem("检查项编号重复", field="checks")


class RuleClause(_ClauseBase):
    """A measurable requirement, as one or more checks."""

    kind: Literal["rule"]
    checks: list[RuleCheck] = Field(min_length=1)
    feature: Feature | None = None

    @model_validator(mode="before")
    @classmethod
    def _inline(cls, data: Any) -> Any:
        return _inline_check(data, set(RuleCheck.model_fields) - {"id", "title", "note"})

    @model_validator(mode="after")
    def _check_ids(self) -> RuleClause:
        _validate_check_ids(self.id, [c.id for c in self.checks])
        return self


class WeightClause(_ClauseBase):
    """A weight or cap used in an assessment score, as one or more weight checks."""

    kind: Literal["weight"]
    checks: list[WeightCheck] = Field(min_length=1)
    feature: Feature | None = None

    @model_validator(mode="before")
    @classmethod
    def _inline(cls, data: Any) -> Any:
        return _inline_check(data, set(WeightCheck.model_fields) - {"id", "title", "note"})

    @model_validator(mode="after")
    def _check_ids(self) -> WeightClause:
        _validate_check_ids(self.id, [c.id for c in self.checks])
        return self


class FlowClause(_ClauseBase):
    """A procedure the product runs; `feature` names it."""

    kind: Literal["flow"]
    feature: Feature


class RecordClause(_ClauseBase):
    """Data the product holds, edits, imports and exports; `feature` names it."""

    kind: Literal["record"]
    feature: Feature


Clause = Annotated[RuleClause | WeightClause | FlowClause | RecordClause, Field(discriminator="kind")]


# --- pack -------------------------------------------------------------------------------------------------


class RegionInfo(_Strict):
    """The area a pack's issuer governs: a 区 (level region) or a city."""

    level: Literal["region", "city"]
    name: str = Field(min_length=1)
    city: str | None = None


class Programme(_Strict):
    """A programme a pack's scopes name (a group of mode programme in `org`), e.g. 强校工程."""

    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    first_year: int = Field(ge=1990, le=2100)
    length: int = Field(ge=1, le=12)
    schools: tuple[str, ...] = ()


class BasedOn(_Strict):
    """The pack (and edition) a region's copy was made from."""

    pack: str = Field(pattern=_SLUG)
    edition: PackDate


class Pack(_Strict):
    """One edition of a policy pack."""

    pack: str = Field(pattern=_SLUG)
    title: str = Field(min_length=1)
    issuer: str = Field(min_length=1)
    source: str = Field(min_length=1)
    edition: PackDate
    effective_to: PackDate | None = None
    based_on: BasedOn | None = None
    region: RegionInfo
    programmes: tuple[Programme, ...] = ()
    clauses: list[Clause] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Pack:
        seen: set[str] = set()
        for clause in self.clauses:
            if clause.id in seen:
                raise problem(f"条款编号 {clause.id} 重复", field="id", clause=clause.id)
            seen.add(clause.id)
        if self.effective_to is not None and self.effective_to < self.edition:
            raise problem(f"失效日期 {self.effective_to} 早于生效日期 {self.edition}", field="effective_to")
        programme_ids = {p.id for p in self.programmes}
        if len(programme_ids) != len(self.programmes):
            raise problem("项目编号重复", field="programmes")
        for check in self.rule_checks():
            name = check.scope.programme
            if name is not None and name not in programme_ids:
                raise problem(
                    f"范围中的项目 {name!r} 未在 programmes 中声明", field="scope.programme", clause=check.id
                )
        for clause in self.clauses:
            if isinstance(clause, WeightClause):
                for weight in clause.checks:
                    name = weight.scope.programme if weight.scope else None
                    if name is not None and name not in programme_ids:
                        raise problem(
                            f"范围中的项目 {name!r} 未在 programmes 中声明",
                            field="scope.programme",
                            clause=weight.id,
                        )
        return self

    @property
    def id(self) -> str:
        """The pack id (`pack:` in the file)."""
        return self.pack

    @property
    def clause_ids(self) -> list[str]:
        """Clause ids in file order."""
        return [c.id for c in self.clauses]

    def clause(self, clause_id: str) -> RuleClause | WeightClause | FlowClause | RecordClause:
        """The clause with this id; KeyError when the pack has none."""
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)

    def rules(self) -> list[RuleClause]:
        """The RULE clauses, in file order."""
        return [c for c in self.clauses if isinstance(c, RuleClause)]

    def rule_checks(self) -> Iterator[RuleCheck]:
        """Every check of every RULE clause, in file order: what the engine evaluates."""
        for clause in self.rules():
            yield from clause.checks

    def metric_ids(self) -> set[str]:
        """Every metric the pack's rules name, thresholds included."""
        ids: set[str] = set()
        for check in self.rule_checks():
            ids.add(check.metric)
            if isinstance(check.threshold, MetricRef):
                ids.add(check.threshold.metric)
        return ids

    def in_force_on(self, day: date) -> bool:
        """Whether this edition is in force on `day`."""
        return self.edition <= day and (self.effective_to is None or day <= self.effective_to)
