"""Rotation planner: who moves where so that every quota of the pack holds and total commute is least.

Pure: a JSON-shaped instance in, a JSON-shaped plan out; no database, no settings. The model, its exact
pruning and the aggregation of interchangeable teachers are described in `planner_model` and
`planner_network`.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from edugroup.algorithms.rotation.errors import InvalidInstance
from edugroup.algorithms.rotation.explain import Shortfall, check_counts, group, read_elastic
from edugroup.algorithms.rotation.instance import Instance, IntArray, read_instance
from edugroup.algorithms.rotation.model import SolveOptions, build_rows, solve, solve_elastic
from edugroup.algorithms.rotation.network import Network, build_network, out_quota

__all__ = ["SolveOptions", "plan_rotation", "plan_rotation_file", "plan_with_options"]


def plan_rotation(
    instance: dict[str, Any],
    *,
    time_limit: float = 60.0,
    mip_gap: float = 0.001,
    threads: int | None = None,
) -> dict[str, Any]:
    """Plans the rotation of least total commute (within `mip_gap`) that keeps every quota."""
    return plan_with_options(instance, SolveOptions(time_limit=time_limit, mip_gap=mip_gap, threads=threads))


def plan_rotation_file(instance_path: Path, output_path: Path) -> dict[str, Any]:
    """Reads an instance from a JSON file, plans it, and writes the plan as JSON (UTF-8, indent 2)."""
    file = str(instance_path)
    try:
        raw = json.loads(Path(instance_path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InvalidInstance(
            f"{file}: 不是有效的 JSON ({error.msg}, 第 {error.lineno} 行)", file=file, row=error.lineno
        ) from error
    except UnicodeDecodeError as error:
        raise InvalidInstance(f"{file}: 不是 UTF-8 编码的文本", file=file) from error
    try:
        plan = plan_rotation(raw)
    except InvalidInstance as error:
        raise InvalidInstance(error.message, field=error.field, file=file) from error
    Path(output_path).write_text(json.dumps(plan, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return plan


def plan_with_options(instance: object, options: SolveOptions) -> dict[str, Any]:
    """`plan_rotation` with every solver knob, including the exact-pruning ones."""
    _check_options(options)
    deadline = time.monotonic() + options.time_limit
    checked = read_instance(instance)
    network = build_network(checked)

    shortfalls = check_counts(network)
    if shortfalls:
        return _infeasible(checked, shortfalls, together=False)

    rows = build_rows(network)
    outcome = solve(network, rows, options, deadline)
    if outcome.status == "infeasible":
        slack = outcome.slack
        if slack is None:
            slack = solve_elastic(network, rows, options, max(deadline, time.monotonic() + 1.0)).slack
        found = [] if slack is None else read_elastic(network, rows, slack)
        return _infeasible(checked, found, together=True)
    if outcome.status == "unknown" or outcome.flows is None or outcome.bound is None:
        return {
            "status": "unknown",
            "objective": None,
            "gap": None,
            "assignments": [],
            "explanation": f"在 {options.time_limit:g} 秒内既未找到可行方案, 也未能证明无解; 请放宽时限后重试",
            "infeasible": [],
        }
    return _plan(network, outcome.status == "optimal", outcome.flows, outcome.bound)


def _check_options(options: SolveOptions) -> None:
    if not options.time_limit > 0:
        raise InvalidInstance("time_limit: 必须大于 0 秒", field="time_limit")
    if not 0 <= options.mip_gap < 1:
        raise InvalidInstance("mip_gap: 必须在 [0, 1) 内", field="mip_gap")
    if options.threads is not None and options.threads < 1:
        raise InvalidInstance("threads: 至少为 1", field="threads")
    if options.neighbours < 1:
        raise InvalidInstance("neighbours: 至少为 1", field="neighbours")


def _plan(network: Network, optimal: bool, flows: IntArray, bound: float) -> dict[str, Any]:
    instance = network.instance
    destination = assign_teachers(network, flows)
    movers = np.flatnonzero(destination >= 0)
    objective = float(np.dot(flows, network.arc_cost))
    gap = None
    if math.isfinite(bound):
        gap = max(0.0, objective - bound) / max(abs(objective), 1e-9)
        gap = 0.0 if gap < 1e-12 else gap  # float noise, not a gap
    senders = len({int(instance.teacher_school[t]) for t in movers})
    receivers = len({int(destination[t]) for t in movers})
    kind = "最优方案" if optimal else "可行方案 (时限内未证明最优)"
    return {
        "status": "optimal" if optimal else "feasible",
        "objective": round(objective, 3),
        "gap": gap,
        "assignments": [
            {"teacher": instance.teacher_ids[t], "to": instance.school_ids[int(destination[t])]}
            for t in movers
        ],
        "explanation": (
            f"{kind}: {len(movers)} 名教师从 {senders} 所学校交流到 {receivers} 所接收学校, "
            f"总通勤 {objective:.1f} km, " + ("尚无下界" if gap is None else f"与下界的相对差距 {gap:.3%}")
        ),
        "infeasible": [],
    }


def assign_teachers(network: Network, flows: IntArray) -> IntArray:
    """Turns class flows into one destination school per teacher (-1: stays), deterministically.

    Within a class the first teachers in input order move, to receiving schools in input order; a
    class sends no more backbone teachers than its school's backbone share asks for.
    """
    instance = network.instance
    moved = np.bincount(network.arc_class, weights=flows, minlength=network.class_count).astype(np.int64)
    backbone = np.maximum(moved - network.class_other, 0)
    share = instance.rules.min_backbone_share or 0.0
    if share > 0:
        senders = network.class_school[moved > 0]
        for school in np.unique(senders[instance.school_sending[senders]]):
            classes = np.flatnonzero(network.class_school == school)
            missing = out_quota(share, int(moved[classes].sum())) - int(backbone[classes].sum())
            for member_class in classes:
                room = int(
                    min(network.class_backbone[member_class], moved[member_class]) - backbone[member_class]
                )
                extra = min(max(missing, 0), room)
                backbone[member_class] += extra
                missing -= extra

    destination = np.full(instance.teacher_count, -1, dtype=np.int64)
    arcs_by_class = np.split(np.arange(network.arc_count), np.flatnonzero(np.diff(network.arc_class)) + 1)
    for arcs in arcs_by_class:
        if len(arcs) == 0:
            continue
        c = int(network.arc_class[arcs[0]])
        if moved[c] == 0:
            continue
        members = network.class_members[c]
        is_backbone = instance.teacher_backbone[members]
        chosen = np.sort(
            np.concatenate(
                [members[is_backbone][: backbone[c]], members[~is_backbone][: moved[c] - backbone[c]]]
            )
        )
        targets = np.repeat(instance.receiving[network.arc_receiving[arcs]], flows[arcs])
        destination[chosen] = targets
    return destination


def _infeasible(instance: Instance, shortfalls: list[Shortfall], *, together: bool) -> dict[str, Any]:
    if not shortfalls:
        explanation = "无可行方案: 各项配额无法同时满足, 但未能在时限内定位是哪几项"
    elif together:
        explanation = (
            "无可行方案: 各项配额无法同时满足; 按总缺口最小的方式放宽以下配额即可有解: "
            + "; ".join(s.message for s in shortfalls)
        )
    else:
        explanation = "无可行方案: " + "; ".join(s.message for s in shortfalls)
    return {
        "status": "infeasible",
        "objective": None,
        "gap": None,
        "assignments": [],
        "explanation": explanation,
        "infeasible": group(shortfalls, instance.school_ids, instance.subjects),
    }
