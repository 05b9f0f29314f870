"""The metric catalogue: every metric a policy pack may name, and the registry of their implementations.

A metric is a function of recorded data, computed for one entity over one period, returning a value and the
ids of the records it used. This module only *declares* metrics (id, Chinese label, unit, the entity types it
applies to, the parameters a pack may pass, the breakdowns it supports) and keeps a registry where domain code
registers implementations later:

    @register_metric("activities.count")
    def count_activities(...): ...

The signature of an implementation belongs to the compliance engine, so the registry stores any callable. A
metric that is declared but has no implementation is "not implemented": the engine reports it as such, never
as met and never hidden (`implementation(metric_id)` returns None for it).

Ids are namespaced by the domain that owns the data: `activities.*`, `rotation.*`, `teachers.*`,
`certificates.*`, `studios.*`, `courses.*`, `groups.*`, `monitoring.*`, `admissions.*`, `surveys.*`,
`governance.*`, `assessments.*`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal, TypeVar

from edugroup.policy.vocabulary import ACTIVITY_KINDS, SHOWCASE_LEVELS, Breakdown, EntityType

Unit = Literal["count", "share", "ratio", "years", "score", "flag"]
"""`share` is a fraction in [0, 1]; `flag` is 1 (yes) or 0 (no); `ratio` an unbounded ratio such as a CV."""

ParamType = Literal["str", "str_list", "bool", "number"]
ParamValue = str | bool | int | float | list[str]

# --- declarations -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamSpec:
    """One parameter a pack may pass to a metric."""

    type: ParamType
    label: str
    choices: tuple[str, ...] | None = None
    required: bool = False
    default: ParamValue | None = None
    pattern: str | None = None

    def problem(self, value: object) -> str | None:
        """A Chinese sentence saying what is wrong with `value`, or None when it is acceptable."""
        if self.type == "bool":
            return None if isinstance(value, bool) else "应为 true 或 false"
        if self.type == "number":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return None if ok else "应为数字"
        if self.type == "str":
            if not isinstance(value, str):
                return "应为文字"
            if self.choices is not None and value not in self.choices:
                return f"取值 {value!r} 无效, 可用: {', '.join(self.choices)}"
            if self.pattern is not None and not re.fullmatch(self.pattern, value):
                return f"取值 {value!r} 格式不符"
            return None
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return "应为非空的文字列表"
        if len(set(value)) != len(value):
            return "列表中有重复取值"
        if self.choices is not None:
            unknown = [v for v in value if v not in self.choices]
            if unknown:
                return f"取值 {', '.join(map(repr, unknown))} 无效, 可用: {', '.join(self.choices)}"
        return None


ParamsCheck = Callable[[Mapping[str, object]], tuple[str, str] | None]
"""A cross-parameter constraint: returns (param name, Chinese message) when the params don't fit together."""


@dataclass(frozen=True)
class MetricDef:
    """A metric as the catalogue declares it; the implementation is registered separately."""

    id: str
    label: str
    unit: Unit
    unit_label: str
    entities: frozenset[EntityType]
    description: str
    params: Mapping[str, ParamSpec] = field(default_factory=lambda: MappingProxyType({}))
    breakdowns: frozenset[Breakdown] = frozenset()
    params_check: ParamsCheck | None = None

    def param_problems(self, params: Mapping[str, object]) -> list[tuple[str, str]]:
        """Every (param name, Chinese message) wrong with `params`: unknown, missing or ill-typed."""
        problems: list[tuple[str, str]] = []
        for name in params:
            if name not in self.params:
                allowed = ", ".join(self.params) or "无"
                problems.append((name, f"指标 {self.id} 没有参数 {name!r} (可用参数: {allowed})"))
        for name, spec in self.params.items():
            if name not in params:
                if spec.required:
                    problems.append((name, f"指标 {self.id} 需要参数 {name!r} ({spec.label})"))
                continue
            message = spec.problem(params[name])
            if message is not None:
                problems.append((name, f"参数 {name} ({spec.label}) {message}"))
        if not problems and self.params_check is not None:
            extra = self.params_check(params)
            if extra is not None:
                problems.append(extra)
        return problems

    def resolved_params(self, params: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """`params` with every omitted parameter that has a default filled in."""
        resolved = {name: spec.default for name, spec in self.params.items() if spec.default is not None}
        resolved.update(params)
        return resolved


def _level_only_for_showcases(params: Mapping[str, object]) -> tuple[str, str] | None:
    kinds = params.get("kinds")
    if "level" in params and kinds != ["showcase"]:
        return "level", "参数 level (展示级别) 只能与 kinds: [showcase] 一起使用"
    return None


def _valid_month_day(params: Mapping[str, object]) -> tuple[str, str] | None:
    text = params.get("deadline")
    if isinstance(text, str):
        month, day = (int(part) for part in text.split("-"))
        try:
            date(2000, month, day)  # a leap year, so 02-29 is accepted
        except ValueError:
            return "deadline", f"参数 deadline {text!r} 不是有效的月-日"
    return None


def _entities(*names: EntityType) -> frozenset[EntityType]:
    return frozenset(names)


def _breakdowns(*names: Breakdown) -> frozenset[Breakdown]:
    return frozenset(names)


_GROUP_UNITS = _entities("district", "group")
_AREAS = _entities("region", "city")

_TOWARDS = ParamSpec(
    "str",
    "流向: any 任意成员校, weaker 相对薄弱校",
    choices=("any", "weaker"),
    default="any",
)

_DEFINITIONS: tuple[MetricDef, ...] = (
    MetricDef(
        id="activities.count",
        label="活动次数",
        unit="count",
        unit_label="次",
        entities=_entities("school", "studio") | _GROUP_UNITS | _AREAS,
        description="期内记录的、属于所列类型的活动次数 (每节课、每次会议、每次观察各计一次)。",
        params=MappingProxyType(
            {
                "kinds": ParamSpec("str_list", "活动类型", choices=ACTIVITY_KINDS, required=True),
                "level": ParamSpec("str", "展示级别", choices=SHOWCASE_LEVELS),
                "with_report": ParamSpec("bool", "只计附有分析报告的活动", default=False),
            }
        ),
        params_check=_level_only_for_showcases,
    ),
    MetricDef(
        id="courses.shared_count",
        label="共享课程门数",
        unit="count",
        unit_label="门",
        entities=_entities("school") | _GROUP_UNITS,
        description="期内开设的共享课程门数 (学校: 本校开设的; 学区/集团: 成员校开设的不同课程)。",
        params=MappingProxyType({"new_only": ParamSpec("bool", "只计本期新建的课程", default=False)}),
    ),
    MetricDef(
        id="courses.shared_experience_share",
        label="共享课程学习经历学生占比",
        unit="share",
        unit_label="比例",
        entities=_GROUP_UNITS,
        description="课程开设年级中, 期内至少修读过 1 门共享课程的学生 / 这些年级的全部学生 (HK-14)。",
    ),
    MetricDef(
        id="rotation.out_share",
        label="交流轮岗教师占比",
        unit="share",
        unit_label="比例",
        entities=_entities("school") | _GROUP_UNITS,
        description="期内开始交流轮岗 (流出) 的教师 / 符合交流轮岗条件的教师; towards=weaker 只计流向相对薄弱校的。",
        params=MappingProxyType({"towards": _TOWARDS}),
    ),
    MetricDef(
        id="rotation.backbone_share",
        label="交流轮岗教师中骨干教师占比",
        unit="share",
        unit_label="比例",
        entities=_entities("school") | _GROUP_UNITS,
        description="期内交流轮岗教师中骨干教师 (含“五层级”梯队) 的占比。",
        params=MappingProxyType({"towards": _TOWARDS}),
    ),
    MetricDef(
        id="rotation.min_duration_years",
        label="交流轮岗最短期限",
        unit="years",
        unit_label="年",
        entities=_entities("school") | _GROUP_UNITS,
        description="期内开始的交流轮岗中, 约定期限最短的一次的年数。",
        params=MappingProxyType({"towards": _TOWARDS}),
    ),
    MetricDef(
        id="rotation.team_size",
        label="组团流入教师人数",
        unit="count",
        unit_label="人",
        entities=_entities("team_inflow"),
        description="一次组团流入的教师人数 (HK-09)。",
    ),
    MetricDef(
        id="rotation.experience_years",
        label="学区、集团内交流轮岗经历年数",
        unit="years",
        unit_label="年",
        entities=_entities("promotion"),
        description="被提任者在提任日之前, 在学区、集团内交流轮岗的累计年数。",
    ),
    MetricDef(
        id="teachers.count",
        label="教师人数",
        unit="count",
        unit_label="人",
        entities=_entities("school", "studio") | _GROUP_UNITS | _AREAS,
        description="期内在岗教师人数; 给出 honour 时只计具有该称号或入选该项目的人。",
        params=MappingProxyType(
            {
                "honour": ParamSpec(
                    "str",
                    "称号: municipal_famous_principal 市级名校长, famous_teacher 名师, seed_team 种子团队成员",
                    choices=("municipal_famous_principal", "famous_teacher", "seed_team"),
                )
            }
        ),
    ),
    MetricDef(
        id="teachers.assigned_count",
        label="配备人员人数",
        unit="count",
        unit_label="人",
        entities=_entities("school", "group"),
        description="期内配备给学校或项目的某类人员人数 (指导专家、课堂观察员), 不论其编制所在学校。",
        params=MappingProxyType(
            {
                "role": ParamSpec(
                    "str",
                    "角色: guiding_expert 指导专家, classroom_observer 课堂观察员",
                    choices=("guiding_expert", "classroom_observer"),
                    required=True,
                )
            }
        ),
    ),
    MetricDef(
        id="teachers.mentor_count",
        label="师徒结对师傅人数",
        unit="count",
        unit_label="人",
        entities=_entities("school") | _GROUP_UNITS,
        description="期内处于有效师徒结对关系中的师傅人数。",
        params=MappingProxyType({"backbone_only": ParamSpec("bool", "只计骨干教师", default=False)}),
    ),
    MetricDef(
        id="certificates.count",
        label="证书个数",
        unit="count",
        unit_label="个",
        entities=_entities("teacher", "school", "group"),
        description="期内颁发的某类证书个数 (一节区级示范课对应一个证书)。",
        params=MappingProxyType(
            {
                "kind": ParamSpec(
                    "str",
                    "证书类型: district_demonstration_lesson 区级示范课证书",
                    choices=("district_demonstration_lesson",),
                    required=True,
                )
            }
        ),
    ),
    MetricDef(
        id="studios.school_coverage",
        label="工作室成员覆盖学校比例",
        unit="share",
        unit_label="比例",
        entities=_GROUP_UNITS,
        description="期内至少有 1 名名师工作室成员的成员校 / 全部成员校 (OH-10)。",
    ),
    MetricDef(
        id="groups.recognised_share",
        label="认定学区、集团占比",
        unit="share",
        unit_label="比例",
        entities=_AREAS,
        description="期末具有该认定的学区和集团 / 全部学区和集团。",
        params=MappingProxyType(
            {
                "status": ParamSpec(
                    "str",
                    "认定: district_tight 区级紧密型, city_demonstrative 上海市示范性",
                    choices=("district_tight", "city_demonstrative"),
                    required=True,
                )
            }
        ),
    ),
    MetricDef(
        id="groups.recognised_count",
        label="认定学区、集团个数",
        unit="count",
        unit_label="个",
        entities=_AREAS,
        description="期末具有该认定的学区和集团个数。",
        params=MappingProxyType(
            {
                "status": ParamSpec(
                    "str",
                    "认定: district_tight 区级紧密型, city_demonstrative 上海市示范性",
                    choices=("district_tight", "city_demonstrative"),
                    required=True,
                )
            }
        ),
    ),
    MetricDef(
        id="groups.project_count",
        label="自主项目个数",
        unit="count",
        unit_label="个",
        entities=_entities("group"),
        description="期内申报的自主项目个数 (联盟型集团, OH-08)。",
    ),
    MetricDef(
        id="monitoring.pass_rate",
        label="合格率",
        unit="share",
        unit_label="比例",
        entities=_entities("school") | _GROUP_UNITS | _AREAS,
        description=(
            "学业水平合格及以上的学生 / 计入的学生。counted=enrolled: 在籍学生都计入, 无成绩按不合格 (应考尽考); "
            "counted=tested: 只计有成绩的学生。"
        ),
        params=MappingProxyType(
            {
                "counted": ParamSpec(
                    "str",
                    "计入口径: enrolled 在籍, tested 参测",
                    choices=("enrolled", "tested"),
                    required=True,
                ),
                "stage": ParamSpec("str", "学段", choices=("primary", "junior", "senior")),
            }
        ),
        breakdowns=_breakdowns("subject", "stage"),
    ),
    MetricDef(
        id="monitoring.difference_rate",
        label="校际差异率",
        unit="ratio",
        unit_label="系数",
        entities=_GROUP_UNITS | _entities("region"),
        description=(
            "同学段各校结果的差异: method=cv 按学生数加权的差异系数 (默认), method=between_school_share "
            "随机截距模型的校间方差占比; result 指各校结果取平均分或合格率 (按 counted 口径); 权重为各校在籍学生数。"
        ),
        params=MappingProxyType(
            {
                "method": ParamSpec("str", "方法", choices=("cv", "between_school_share"), default="cv"),
                "result": ParamSpec(
                    "str",
                    "学校结果: mean 平均分, pass_rate 合格率",
                    choices=("mean", "pass_rate"),
                    default="mean",
                ),
                "counted": ParamSpec(
                    "str",
                    "result=pass_rate 时的计入口径: enrolled 在籍, tested 参测",
                    choices=("enrolled", "tested"),
                    default="enrolled",
                ),
            }
        ),
        breakdowns=_breakdowns("subject", "stage"),
    ),
    MetricDef(
        id="monitoring.value_added",
        label="增值",
        unit="score",
        unit_label="分",
        entities=_entities("school"),
        description=(
            "学校效应 (控制前测后): method=reml 随机截距模型 REML 拟合、经验贝叶斯收缩估计 (默认), "
            "method=residual_mean 残差均值; bound=lower 取置信区间下限 (下限 > 0 即显著为正); "
            "or_gain=true 同时看与上一学年同年级监测相比的增幅, 取两者下限的较大者。"
        ),
        params=MappingProxyType(
            {
                "method": ParamSpec("str", "方法", choices=("reml", "residual_mean"), default="reml"),
                "bound": ParamSpec(
                    "str",
                    "取值: estimate 点估计, lower 置信下限",
                    choices=("estimate", "lower"),
                    default="estimate",
                ),
                "confidence": ParamSpec("number", "置信水平", default=0.95),
                "or_gain": ParamSpec(
                    "bool", "或同比进步: 取增值下限与同比增幅下限中较大者 (任一显著为正即达标)", default=False
                ),
            }
        ),
        breakdowns=_breakdowns("subject"),
    ),
    MetricDef(
        id="admissions.quota_fill_rate",
        label="名额分配到校计划完成率",
        unit="share",
        unit_label="比例",
        entities=_entities("school") | _GROUP_UNITS | _entities("region"),
        description="市实验性示范性高中名额分配到校: 实际录取名额 / 计划名额。",
    ),
    MetricDef(
        id="admissions.quality_senior_entry_rate",
        label="优质高中阶段学校入学率",
        unit="share",
        unit_label="比例",
        entities=_entities("school") | _GROUP_UNITS | _AREAS,
        description="初中毕业生中进入优质高中阶段学校的比例。",
    ),
    MetricDef(
        id="surveys.satisfaction",
        label="满意度",
        unit="share",
        unit_label="比例",
        entities=_entities("school") | _GROUP_UNITS | _entities("region"),
        description="问卷中回答满意 (含非常满意) 的人数 / 回答人数。",
        params=MappingProxyType(
            {
                "respondents": ParamSpec(
                    "str_list",
                    "填答群体: parent 家长, teacher 教师, student 学生",
                    choices=("parent", "teacher", "student"),
                    required=True,
                )
            }
        ),
        breakdowns=_breakdowns("respondent_group"),
    ),
    MetricDef(
        id="governance.leader_opinion_before_decision",
        label="决定前已听取牵头校意见",
        unit="flag",
        unit_label="是/否",
        entities=_entities("appointment", "principal_assessment"),
        description="1 当记录有牵头校意见且其日期不晚于决定日期, 否则 0。",
    ),
    MetricDef(
        id="assessments.closed_by_deadline",
        label="学年度考核按期完成",
        unit="flag",
        unit_label="是/否",
        entities=_entities("region"),
        description="1 当本学年的集团化办学考核在学年内的截止日 (月-日) 当天或之前完成, 否则 0。",
        params=MappingProxyType(
            {"deadline": ParamSpec("str", "截止日 (MM-DD)", required=True, pattern=r"\d{2}-\d{2}")}
        ),
        params_check=_valid_month_day,
    ),
)

CATALOGUE: Mapping[str, MetricDef] = MappingProxyType({m.id: m for m in _DEFINITIONS})
"""Every metric a pack may name, by id."""


def definition(metric_id: str) -> MetricDef | None:
    """The declaration of a metric, or None when the catalogue has no such id."""
    return CATALOGUE.get(metric_id)


def metric_ids() -> list[str]:
    """Every declared metric id, sorted."""
    return sorted(CATALOGUE)


# --- implementations --------------------------------------------------------------------------------------

MetricFn = Callable[..., object]
"""An implementation; its exact signature is the compliance engine's to set."""

F = TypeVar("F", bound=MetricFn)


class MetricRegistry:
    """Implementations of declared metrics, registered by id; a domain that owns an entity kind may register
    the implementation of a metric for that kind alone (`teachers.count` of a studio is the studio's)."""

    def __init__(self, catalogue: Mapping[str, MetricDef] = CATALOGUE) -> None:
        self._catalogue = catalogue
        self._implementations: dict[tuple[str, str | None], MetricFn] = {}
        self.complete = False
        """Set once every domain has registered (the composition root does it); an evaluation refuses to
        run before, so a metric is never reported "not implemented" only because its module was not loaded."""

    def register(self, metric_id: str, *, entity: str | None = None) -> Callable[[F], F]:
        """Decorator registering the implementation of `metric_id` (for one entity kind only, if given);
        refuses undeclared ids, kinds the metric does not apply to, and doubles."""
        if metric_id not in self._catalogue:
            raise KeyError(f"metric {metric_id!r} is not declared in the catalogue")
        if entity is not None and entity not in self._catalogue[metric_id].entities:
            raise KeyError(f"metric {metric_id!r} does not apply to {entity!r}")

        def decorate(fn: F) -> F:
            if (metric_id, entity) in self._implementations:
                raise ValueError(f"metric {metric_id!r} already has an implementation")
            self._implementations[(metric_id, entity)] = fn
            return fn

        return decorate

    def implementation(self, metric_id: str, entity: str | None = None) -> MetricFn | None:
        """The implementation for an entity kind (its own, else the metric's), or None when the metric is not
        implemented (or not declared)."""
        found = self._implementations.get((metric_id, entity)) if entity is not None else None
        return found or self._implementations.get((metric_id, None))

    def is_implemented(self, metric_id: str) -> bool:
        """Whether `metric_id` has a registered implementation."""
        return (metric_id, None) in self._implementations

    def not_implemented(self, metric_ids: Sequence[str] | None = None) -> list[str]:
        """Declared metrics (or the given ones) without an implementation, sorted."""
        ids = self._catalogue if metric_ids is None else metric_ids
        return sorted(m for m in ids if (m, None) not in self._implementations)


REGISTRY = MetricRegistry()
"""The process-wide registry that `register_metric` fills."""


def register_metric(metric_id: str, *, entity: str | None = None) -> Callable[[F], F]:
    """Register the decorated callable as the implementation of `metric_id` (for one entity kind only, if
    given) in the default registry."""
    return REGISTRY.register(metric_id, entity=entity)


def implementation(metric_id: str) -> MetricFn | None:
    """The implementation of `metric_id` in the default registry, or None when it is not implemented."""
    return REGISTRY.implementation(metric_id)
