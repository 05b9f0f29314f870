"""Why a rotation instance has no plan: which quota fails, at which schools.

Two sources. Counting checks catch a quota that fails by simple arithmetic: a school whose teachers'
subjects no receiving school asks for, a backbone share with too few backbone teachers, more movers
required than all demand caps can take, ... When the counts pass but the quotas still cannot all hold, an
elastic model lets each quota fall short and minimises the total shortfall; the quotas it leaves short,
and by how much, are one least way to relax the pack so that a plan exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from edugroup.algorithms.rotation.instance import FloatArray, Id
from edugroup.algorithms.rotation.model import Rows
from edugroup.algorithms.rotation.network import Network, out_quota

_SHORT = 1e-6


@dataclass(frozen=True)
class Shortfall:
    """A quota that cannot be met, at one school or, for a count over many, at several."""

    quota: str
    """min_out_share, min_backbone_share, demand.min or min_team_size."""
    schools: tuple[int, ...]
    subject: int | None
    required: float
    achievable: float
    """What can be reached; nan when the quota is a share, not a head count."""
    message: str


def check_counts(network: Network) -> list[Shortfall]:
    """Quotas that fail by counting teachers and places, each school alone or all together."""
    instance = network.instance
    rules = instance.rules
    names = instance.school_ids
    subjects = instance.subjects
    shortfalls: list[Shortfall] = []

    class_has_arc = np.bincount(network.arc_class, minlength=network.class_count) > 0
    schools = len(names)
    movable = np.bincount(network.class_school, weights=network.class_size * class_has_arc, minlength=schools)
    movable_backbone = np.bincount(
        network.class_school, weights=network.class_backbone * class_has_arc, minlength=schools
    )
    share = rules.min_backbone_share or 0.0
    for s in np.flatnonzero(network.out_required > 0):
        need = int(network.out_required[s])
        if movable[s] < need:
            stranded = sorted(
                {
                    subjects[int(network.class_subject[c])]
                    for c in np.flatnonzero(network.class_school == s)
                    if not class_has_arc[c]
                }
            )
            without = f"; 没有接收学校需要的学科: {'、'.join(stranded)}" if stranded else ""
            shortfalls.append(
                Shortfall(
                    quota="min_out_share",
                    schools=(int(s),),
                    subject=None,
                    required=need,
                    achievable=float(movable[s]),
                    message=(
                        f"派出学校 {names[s]} 须至少派出 {need} 人 ({network.eligible[s]} 名可交流教师 × "
                        f"{rules.min_out_share:g}, 向上取整), 但只有 {int(movable[s])} 人的学科有接收学校需要"
                        f"{without}"
                    ),
                )
            )
        backbone_need = out_quota(share, need)
        if backbone_need > movable_backbone[s]:
            shortfalls.append(
                Shortfall(
                    quota="min_backbone_share",
                    schools=(int(s),),
                    subject=None,
                    required=backbone_need,
                    achievable=float(movable_backbone[s]),
                    message=(
                        f"派出学校 {names[s]} 至少派出 {need} 人, 骨干教师须不低于 {share:.0%}, 即至少 "
                        f"{backbone_need} 人, 但能交流的骨干教师只有 {int(movable_backbone[s])} 人"
                    ),
                )
            )

    supply = np.bincount(
        network.arc_demand, weights=network.class_size[network.arc_class], minlength=len(instance.demand_min)
    )
    places = np.minimum(supply, instance.demand_max)
    required_out = int(network.out_required.sum())
    if required_out > places.sum():
        senders = tuple(int(s) for s in np.flatnonzero(network.out_required > 0))
        shortfalls.append(
            Shortfall(
                quota="min_out_share",
                schools=senders,
                subject=None,
                required=required_out,
                achievable=float(places.sum()),
                message=(
                    f"{len(senders)} 所派出学校合计须派出至少 {required_out} 人, 但各接收学校按需求上限和"
                    f"可用教师合计最多只能接收 {int(places.sum())} 人"
                ),
            )
        )

    for d in np.flatnonzero(instance.demand_min > supply):
        school = int(instance.receiving[instance.demand_receiving[d]])
        subject = int(instance.demand_subject[d])
        shortfalls.append(
            Shortfall(
                quota="demand.min",
                schools=(school,),
                subject=subject,
                required=float(instance.demand_min[d]),
                achievable=float(supply[d]),
                message=(
                    f"接收学校 {names[school]} 的{subjects[subject]}需求至少 {instance.demand_min[d]} 人, "
                    f"但能去该校的{subjects[subject]}教师只有 {int(supply[d])} 人"
                ),
            )
        )
    teachers_of = np.bincount(instance.teacher_subject, minlength=len(subjects))
    for subject, teachers in enumerate(teachers_of):
        rows = np.flatnonzero((instance.demand_subject == subject) & (instance.demand_min > 0))
        wanted = int(instance.demand_min[rows].sum())
        if wanted > teachers and len(rows) > 1:
            askers = tuple(dict.fromkeys(int(instance.receiving[instance.demand_receiving[d]]) for d in rows))
            shortfalls.append(
                Shortfall(
                    quota="demand.min",
                    schools=askers,
                    subject=subject,
                    required=wanted,
                    achievable=float(teachers),
                    message=(
                        f"{len(askers)} 所接收学校的{subjects[subject]}需求下限合计 {wanted} 人, "
                        f"但{subjects[subject]}教师一共只有 {int(teachers)} 人"
                    ),
                )
            )

    team = rules.min_team_size or 0
    if team >= 2:
        receiving = instance.receiving_count
        capacity = np.bincount(instance.demand_receiving, weights=places, minlength=receiving)
        must = np.bincount(instance.demand_receiving, weights=instance.demand_min, minlength=receiving) > 0
        for r in np.flatnonzero(must & (capacity < team)):
            school = int(instance.receiving[r])
            shortfalls.append(
                Shortfall(
                    quota="min_team_size",
                    schools=(school,),
                    subject=None,
                    required=float(team),
                    achievable=float(capacity[r]),
                    message=(
                        f"接收学校 {names[school]} 有最低需求, 必须接收教师, 且每校至少 {team} 人, "
                        f"但按其需求上限和可用教师最多只能接收 {int(capacity[r])} 人"
                    ),
                )
            )
    return shortfalls


def read_elastic(network: Network, rows: Rows, slack: FloatArray) -> list[Shortfall]:
    """Quotas left short by the least-shortfall plan, with what that plan reaches."""
    instance = network.instance
    rules = instance.rules
    names = instance.school_ids
    subjects = instance.subjects
    shortfalls: list[Shortfall] = []
    there = "缺口最小的整体方案中"

    for s in np.flatnonzero(rows.out_row >= 0):
        short = float(slack[rows.out_row[s]])
        if short > _SHORT:
            need = int(network.out_required[s])
            best = _floor(need - short)
            shortfalls.append(
                Shortfall(
                    quota="min_out_share",
                    schools=(int(s),),
                    subject=None,
                    required=need,
                    achievable=best,
                    message=f"派出学校 {names[s]} 须至少派出 {need} 人, {there}只能派出 {best:g} 人",
                )
            )
    for s in np.flatnonzero(rows.share_row >= 0):
        short = float(slack[rows.share_row[s]])
        if short > _SHORT:
            share = rules.min_backbone_share or 0.0
            shortfalls.append(
                Shortfall(
                    quota="min_backbone_share",
                    schools=(int(s),),
                    subject=None,
                    required=share,
                    achievable=math.nan,
                    message=(
                        f"派出学校 {names[s]} 的交流人员中骨干教师须不低于 {share:.0%}, "
                        f"{there}还差 {short:.2f} 名骨干教师"
                    ),
                )
            )
    for d, row in enumerate(rows.demand_row):
        short = float(slack[row])
        if short > _SHORT:
            school = int(instance.receiving[instance.demand_receiving[d]])
            subject = int(instance.demand_subject[d])
            need = int(instance.demand_min[d])
            best = _floor(need - short)
            shortfalls.append(
                Shortfall(
                    quota="demand.min",
                    schools=(school,),
                    subject=subject,
                    required=need,
                    achievable=best,
                    message=(
                        f"接收学校 {names[school]} 的{subjects[subject]}需求至少 {need} 人, "
                        f"{there}只能满足 {best:g} 人"
                    ),
                )
            )
    for r in np.flatnonzero(rows.team_low_row >= 0):
        short = float(slack[rows.team_low_row[r]])
        if short > _SHORT:
            school = int(instance.receiving[r])
            team = rules.min_team_size or 0
            shortfalls.append(
                Shortfall(
                    quota="min_team_size",
                    schools=(school,),
                    subject=None,
                    required=team,
                    achievable=_floor(team - short),
                    message=(
                        f"接收学校 {names[school]} 一旦接收教师至少要 {team} 人, "
                        f"{there}还差 {math.ceil(short - _SHORT)} 人"
                    ),
                )
            )
    return shortfalls


def group(shortfalls: list[Shortfall], school_ids: list[Id], subjects: list[str]) -> list[dict[str, object]]:
    """The `infeasible` list of the output: per quota, the schools named and each shortfall's detail."""
    schools: dict[str, list[Id]] = {}
    details: dict[str, list[dict[str, object]]] = {}
    for item in shortfalls:
        named = schools.setdefault(item.quota, [])
        ids = [school_ids[s] for s in item.schools]
        named.extend(i for i in ids if i not in named)
        detail: dict[str, object] = {"schools": ids}
        if item.subject is not None:
            detail["subject"] = subjects[item.subject]
        detail["required"] = _json_number(item.required)
        detail["achievable"] = None if math.isnan(item.achievable) else _json_number(item.achievable)
        detail["message"] = item.message
        details.setdefault(item.quota, []).append(detail)
    return [{"quota": quota, "schools": named, "details": details[quota]} for quota, named in schools.items()]


def _floor(value: float) -> float:
    return float(math.floor(value + _SHORT))


def _json_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
