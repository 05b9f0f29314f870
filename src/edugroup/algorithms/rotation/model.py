"""The rotation MIP over class flows, solved with HiGHS; arcs pruned only where provably safe.

Variables: an integer flow f[a] per arc a = (class c, receiving school r): how many teachers of c move
to r; a continuous z[c], the backbone teachers among the movers of c; a binary y[r], "r receives anyone",
only when min_team_size >= 2. Rows:

* link[c]: 0 <= sum_r f[c, r] - z[c] <= (non-backbone teachers of c), with 0 <= z[c] <= (backbone of c)
  -- each teacher moves at most once, and the movers split into backbone and others;
* out[s]: sum of flows from sending school s >= ceil(min_out_share × eligible teachers of s);
* share[s]: sum_c z[c] - min_backbone_share × (flows from s) >= 0;
* floor[s]: sum_c z[c] >= ceil(min_backbone_share × out quota of s), a cut implied by out and share for
  whole teachers that makes the LP relaxation nearly integral;
* demand[d]: min <= intake of demand row d <= max;
* team_low[r], team_high[r]: min_team_size × y[r] <= intake of r <= capacity of r × y[r].

z may stay continuous: each z[c] ranges over an interval with integer ends, so a fractional z can be
raised to its upper end and the share and floor rows still hold.

Pruning is exact. Column generation solves the LP relaxation over every arc while only a few are in the
model (penalised slack columns keep the partial LP feasible); its duals give each arc a reduced cost d[a]
and a Lagrangian bound L valid for the whole problem, so any plan that uses arc a costs at least
L + max(d[a], 0). The MIP first gets the arcs with d[a] ~ 0. If its plan, of cost v, is not proven within
the gap, every arc with L + d[a] < v(1 - gap) joins and the MIP runs again from that plan; arcs still left
out cannot beat v by more than the gap. The bound reported is min(subset MIP's bound, L + least d[a] left
out), the best of the rounds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Literal

import highspy
import numpy as np
import numpy.typing as npt

from edugroup.algorithms.rotation.instance import FloatArray, IntArray
from edugroup.algorithms.rotation.network import Network, out_quota

Int32Array = npt.NDArray[np.int32]
Status = Literal["optimal", "feasible", "infeasible", "unknown"]

_REDUCED_COST_TOLERANCE = 1e-6
_SHORTFALL_TOLERANCE = 1e-6
_LP_GROWTH_PER_ROUND = 50_000


@dataclass(frozen=True)
class SolveOptions:
    """How hard to work: time budget, relative gap, HiGHS threads, and the exact pruning knobs."""

    time_limit: float = 60.0
    mip_gap: float = 0.001
    threads: int | None = None
    prune: bool = True
    """Price arcs in by column generation; False hands HiGHS every arc at once."""
    neighbours: int = 8
    """Arcs per class (and per demand row) in the first LP: the nearest ones."""


@dataclass(frozen=True)
class Rows:
    """Row bounds and, for every kind of column, the rows it enters (-1: none) with coefficients."""

    lower: FloatArray
    upper: FloatArray
    arc_rows: IntArray
    arc_values: FloatArray
    backbone_rows: IntArray
    backbone_values: FloatArray
    team_receiving: IntArray
    """Receiving number of each y column."""
    team_rows: IntArray
    team_values: FloatArray
    team_lower: FloatArray
    """Lower bound of each y: 1 where the school has a positive min, so it must receive."""
    out_row: IntArray
    """Row per school, -1 where the school has no out quota."""
    share_row: IntArray
    """Backbone-share row per school, -1 where none."""
    floor_row: IntArray
    """Backbone-floor row per school, -1 where none: backbone movers >= ceil(share × out quota).

    Implied by the out and share rows for whole numbers of teachers, not for the LP relaxation, where it
    closes most of the gap: movers rarely exceed the quota, and 0.3 × 9 movers asks for 3, not 2.7.
    """
    demand_row: IntArray
    team_low_row: IntArray
    """team_low row per receiving school, -1 where none."""

    @property
    def count(self) -> int:
        """Number of rows."""
        return len(self.lower)

    def soft_rows(self) -> IntArray:
        """Rows a plan may have to fall short of: every lower bound that forces someone to move."""
        candidates = np.concatenate([self.out_row, self.share_row, self.floor_row, self.team_low_row])
        positive_min = self.demand_row[self.lower[self.demand_row] > 0]
        return np.sort(np.concatenate([candidates[candidates >= 0], positive_min]))


@dataclass
class Outcome:
    """What the solve found; `flows` is per arc of the network, or None without a plan."""

    status: Status
    flows: IntArray | None = None
    objective: float | None = None
    bound: float | None = None
    slack: FloatArray | None = None
    """Shortfall per soft row (elastic solve only)."""
    log: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """Relative gap (objective - bound) / objective, 0 when both are 0."""
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound) / max(abs(self.objective), 1e-9)


def build_rows(network: Network) -> Rows:
    """Lays out every row of the model and the coefficients of arcs, z and y in them."""
    instance = network.instance
    rules = instance.rules
    classes = network.class_count
    schools = len(instance.school_ids)
    receiving = instance.receiving_count
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []
    next_row = 0

    def block(low: FloatArray, high: FloatArray) -> IntArray:
        nonlocal next_row
        lower.append(np.asarray(low, dtype=np.float64))
        upper.append(np.asarray(high, dtype=np.float64))
        rows = np.arange(next_row, next_row + len(low), dtype=np.int64)
        next_row += len(low)
        return rows

    link_row = block(np.zeros(classes), network.class_other.astype(np.float64))

    school_has_arc = np.zeros(schools, dtype=np.bool_)
    school_has_arc[network.class_school[network.arc_class]] = True
    out_schools = np.flatnonzero(network.out_required > 0)
    out_row = np.full(schools, -1, dtype=np.int64)
    out_row[out_schools] = block(
        network.out_required[out_schools].astype(np.float64), np.full(len(out_schools), np.inf)
    )

    share = rules.min_backbone_share or 0.0
    share_row = np.full(schools, -1, dtype=np.int64)
    if share > 0:
        share_schools = np.flatnonzero(instance.school_sending & school_has_arc)
        share_row[share_schools] = block(np.zeros(len(share_schools)), np.full(len(share_schools), np.inf))
    floor_row = np.full(schools, -1, dtype=np.int64)
    if share > 0:
        floor_schools = np.flatnonzero(instance.school_sending & (network.out_required > 0))
        floors = [out_quota(share, int(q)) for q in network.out_required[floor_schools]]
        floor_row[floor_schools] = block(
            np.array(floors, dtype=np.float64), np.full(len(floor_schools), np.inf)
        )

    demand_row = block(instance.demand_min.astype(np.float64), instance.demand_max)

    intake_upper = np.bincount(
        network.arc_demand, weights=network.arc_upper, minlength=len(instance.demand_min)
    )
    capacity = np.bincount(
        instance.demand_receiving, weights=np.minimum(intake_upper, instance.demand_max), minlength=receiving
    )
    team = rules.min_team_size or 0
    team_low_row = np.full(receiving, -1, dtype=np.int64)
    team_high_row = np.full(receiving, -1, dtype=np.int64)
    team_receiving = np.zeros(0, dtype=np.int64)
    if team >= 2:
        team_receiving = np.unique(network.arc_receiving)
        n = len(team_receiving)
        team_low_row[team_receiving] = block(np.zeros(n), np.full(n, np.inf))
        team_high_row[team_receiving] = block(np.full(n, -np.inf), np.zeros(n))
    must_receive = (
        np.bincount(instance.demand_receiving, weights=instance.demand_min, minlength=receiving) > 0
    )

    arc_school = network.class_school[network.arc_class]
    arc_rows = np.stack(
        [
            link_row[network.arc_class],
            out_row[arc_school],
            share_row[arc_school],
            demand_row[network.arc_demand],
            team_low_row[network.arc_receiving],
            team_high_row[network.arc_receiving],
        ]
    )
    arc_values = np.ones(arc_rows.shape, dtype=np.float64)
    arc_values[2, :] = -share
    backbone_rows = np.stack([link_row, share_row[network.class_school], floor_row[network.class_school]])
    backbone_values = np.stack([-np.ones(classes), np.ones(classes), np.ones(classes)])
    team_rows = np.stack([team_low_row[team_receiving], team_high_row[team_receiving]])
    team_values = np.stack([np.full(len(team_receiving), -float(team)), -capacity[team_receiving]])

    return Rows(
        lower=np.concatenate(lower) if lower else np.zeros(0),
        upper=np.concatenate(upper) if upper else np.zeros(0),
        arc_rows=arc_rows,
        arc_values=arc_values,
        backbone_rows=backbone_rows,
        backbone_values=backbone_values,
        team_receiving=team_receiving,
        team_rows=team_rows,
        team_values=team_values,
        team_lower=must_receive[team_receiving].astype(np.float64),
        out_row=out_row,
        share_row=share_row,
        floor_row=floor_row,
        demand_row=demand_row,
        team_low_row=team_low_row,
    )


@dataclass(frozen=True)
class _Block:
    """Columns of one kind: rows entered (-1: none), coefficients, cost, bounds, integrality."""

    rows: IntArray
    values: FloatArray
    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: bool

    @property
    def size(self) -> int:
        return len(self.cost)

    def reduced_costs(self, duals: FloatArray) -> FloatArray:
        """c - A^T pi for each column; `duals` ends with an extra 0 that row -1 picks."""
        return np.asarray(self.cost - (self.values * duals[self.rows]).sum(axis=0), dtype=np.float64)


class _Model:
    """The blocks of one HiGHS model, in column order."""

    def __init__(self, rows: Rows, blocks: list[_Block]) -> None:
        self.rows = rows
        self.blocks = blocks

    def offsets(self) -> list[int]:
        """First column of each block."""
        return [int(x) for x in np.cumsum([0] + [b.size for b in self.blocks])]

    def highs(self, options: SolveOptions, deadline: float, *, relax: bool) -> highspy.Highs:
        """A silent HiGHS instance holding this model."""
        start, index, value = _csc([(b.rows, b.values) for b in self.blocks])
        cost = np.concatenate([b.cost for b in self.blocks])
        lower = np.concatenate([b.lower for b in self.blocks])
        upper = np.concatenate([b.upper for b in self.blocks])
        integrality = np.concatenate(
            [np.full(b.size, 0 if relax or not b.integer else 1, dtype=np.int32) for b in self.blocks]
        )
        h = _new_highs(options, deadline)
        status = h.passModel(
            len(cost),
            self.rows.count,
            len(index),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            cost,
            lower,
            upper,
            self.rows.lower,
            self.rows.upper,
            start,
            index,
            value,
            integrality,
        )
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS refused the rotation model")
        return h


def _csc(blocks: list[tuple[IntArray, FloatArray]]) -> tuple[Int32Array, Int32Array, FloatArray]:
    """Column-wise sparse arrays of blocks given as (k, n) row and value arrays, -1 rows left out."""
    counts: list[IntArray] = []
    indices: list[IntArray] = []
    values: list[FloatArray] = []
    for rows, vals in blocks:
        valid = rows >= 0
        counts.append(valid.sum(axis=0).astype(np.int64))
        indices.append(rows.T[valid.T])
        values.append(vals.T[valid.T])
    count = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(count)]).astype(np.int32)
    return start, np.concatenate(indices).astype(np.int32), np.concatenate(values).astype(np.float64)


def _new_highs(options: SolveOptions, deadline: float) -> highspy.Highs:
    h = highspy.Highs()
    h.silent()
    h.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
    h.setOptionValue("mip_rel_gap", options.mip_gap)
    h.setOptionValue("random_seed", 0)
    if options.threads is not None:
        h.setOptionValue("threads", options.threads)
    return h


def _arc_block(network: Network, rows: Rows, arcs: IntArray, *, cost: FloatArray | None = None) -> _Block:
    return _Block(
        rows=rows.arc_rows[:, arcs],
        values=rows.arc_values[:, arcs],
        cost=network.arc_cost[arcs] if cost is None else cost,
        lower=np.zeros(len(arcs)),
        upper=network.arc_upper[arcs],
        integer=True,
    )


def _backbone_block(network: Network, rows: Rows) -> _Block:
    return _Block(
        rows=rows.backbone_rows,
        values=rows.backbone_values,
        cost=np.zeros(network.class_count),
        lower=np.zeros(network.class_count),
        upper=network.class_backbone.astype(np.float64),
        integer=False,
    )


def _team_block(rows: Rows, *, may_stay_empty: bool = False) -> _Block:
    n = len(rows.team_receiving)
    return _Block(
        rows=rows.team_rows,
        values=rows.team_values,
        cost=np.zeros(n),
        lower=np.zeros(n) if may_stay_empty else rows.team_lower,
        upper=np.ones(n),
        integer=True,
    )


def _slack_block(rows: Rows, soft: IntArray, cost: float) -> _Block:
    n = len(soft)
    return _Block(
        rows=soft[None, :],
        values=np.ones((1, n)),
        cost=np.full(n, cost),
        lower=np.zeros(n),
        upper=np.full(n, np.inf),
        integer=False,
    )


def _has_solution(h: highspy.Highs) -> bool:
    return int(h.getInfo().primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)


def _flows(values: FloatArray, arcs: IntArray, network: Network) -> IntArray:
    flows = np.zeros(network.arc_count, dtype=np.int64)
    flows[arcs] = np.rint(values).astype(np.int64)
    return flows


@dataclass(frozen=True)
class _Pricing:
    """What the LP relaxation proves about every arc of the network."""

    reduced: FloatArray
    """Reduced cost of each arc under the final duals."""
    bound: float
    """Lagrangian lower bound on any plan, valid whatever arcs it uses."""
    shortfall: FloatArray
    """Value of the slack column of each soft row (`Rows.soft_rows` order) in the final LP."""


def _price(
    network: Network,
    rows: Rows,
    options: SolveOptions,
    deadline: float,
    log: list[str],
    *,
    elastic: bool = False,
) -> _Pricing | None:
    """Column generation on the LP relaxation; None if it ran out of time.

    Soft rows get slack columns. For the plan they cost a penalty that keeps the partial LP feasible and
    are not part of the problem bounded. For the elastic problem (least total shortfall, commute ignored)
    they cost 1 each and are part of it.
    """
    started = time.monotonic()
    arc_count = network.arc_count
    order = np.lexsort((network.arc_cost, network.arc_class))
    rank_in_class = np.empty(arc_count, dtype=np.int64)
    rank_in_class[order] = np.arange(arc_count) - np.searchsorted(
        network.arc_class[order], network.arc_class[order]
    )
    demand_order = np.lexsort((network.arc_cost, network.arc_demand))
    sorted_demand = network.arc_demand[demand_order]
    rank_in_demand = np.empty(arc_count, dtype=np.int64)
    rank_in_demand[demand_order] = np.arange(arc_count) - np.searchsorted(sorted_demand, sorted_demand)
    in_model = (rank_in_class < options.neighbours) | (rank_in_demand < options.neighbours)

    arc_cost = np.zeros(arc_count) if elastic else network.arc_cost
    soft = rows.soft_rows()
    slack_cost = 1.0 if elastic else 1000.0 * (1.0 + float(network.arc_cost.max(initial=0.0)))
    slack = _slack_block(rows, soft, slack_cost)
    fixed = [_backbone_block(network, rows), _team_block(rows, may_stay_empty=elastic)]
    arcs = np.flatnonzero(in_model)
    model = _Model(rows, [_arc_block(network, rows, arcs, cost=arc_cost[arcs]), *fixed, slack])
    h = model.highs(options, deadline, relax=True)
    full_arcs = _arc_block(network, rows, np.arange(arc_count), cost=arc_cost)
    rounds = 0
    while True:
        h.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            log.append(f"LP stopped: {h.modelStatusToString(h.getModelStatus())}")
            return None
        rounds += 1
        duals = np.append(np.asarray(h.getSolution().row_dual, dtype=np.float64), 0.0)
        reduced = full_arcs.reduced_costs(duals)
        entering = np.flatnonzero(~in_model & (reduced < -_REDUCED_COST_TOLERANCE))
        if len(entering) == 0:
            break
        if len(entering) > _LP_GROWTH_PER_ROUND:
            entering = entering[np.argsort(reduced[entering], kind="stable")[:_LP_GROWTH_PER_ROUND]]
            entering.sort()
        in_model[entering] = True
        start, index, value = _csc([(rows.arc_rows[:, entering], rows.arc_values[:, entering])])
        h.addCols(
            len(entering),
            arc_cost[entering],
            np.zeros(len(entering)),
            network.arc_upper[entering],
            len(index),
            start,
            index,
            value,
        )

    offsets = model.offsets()
    shortfall = np.asarray(h.getSolution().col_value, dtype=np.float64)[offsets[3] : offsets[4]]
    if elastic:
        # Any duals give a valid bound; capping the soft rows' at the slack cost keeps it finite.
        duals[soft] = np.minimum(duals[soft], slack_cost)
    bound, reduced = _lagrangian_bound(rows, duals, full_arcs, [*fixed, slack] if elastic else fixed)
    log.append(
        f"{'elastic ' if elastic else ''}LP: {rounds} rounds, {int(in_model.sum())}/{arc_count} arcs, "
        f"{time.monotonic() - started:.2f} s, objective {h.getInfo().objective_function_value:.6f}, "
        f"bound {bound:.6f}, shortfall {float(shortfall.sum()):.6f}"
    )
    return _Pricing(reduced=reduced, bound=bound, shortfall=shortfall)


def _lagrangian_bound(
    rows: Rows, duals: FloatArray, arcs: _Block, others: list[_Block]
) -> tuple[float, FloatArray]:
    """min over the column bounds of c x - pi (A x - b): a lower bound on every plan, for any duals pi.

    The duals are first clipped to the sign their row's finite bounds allow, so the bound holds exactly
    whatever the LP's tolerances. Returns the bound and the arcs' reduced costs under the clipped duals.
    """
    pi = duals[:-1].copy()
    pi[(pi > 0) & ~np.isfinite(rows.lower)] = 0.0
    pi[(pi < 0) & ~np.isfinite(rows.upper)] = 0.0
    clipped = np.append(pi, 0.0)
    total = float(np.sum(pi[pi > 0] * rows.lower[pi > 0])) + float(np.sum(pi[pi < 0] * rows.upper[pi < 0]))
    arc_reduced = arcs.reduced_costs(clipped)
    for block, d in [(arcs, arc_reduced), *((b, b.reduced_costs(clipped)) for b in others)]:
        total += float(np.sum(d[d > 0] * block.lower[d > 0])) + float(np.sum(d[d < 0] * block.upper[d < 0]))
    return total, arc_reduced


def _solve_mip(
    network: Network,
    rows: Rows,
    arcs: IntArray,
    options: SolveOptions,
    deadline: float,
    start: IntArray | None,
) -> tuple[highspy.HighsModelStatus, IntArray | None, float | None, float | None]:
    """The MIP restricted to `arcs`: status, flows, objective and dual bound."""
    model = _Model(rows, [_arc_block(network, rows, arcs), _backbone_block(network, rows), _team_block(rows)])
    h = model.highs(options, deadline, relax=False)
    if start is not None:
        h.setSolution(_completed_start(network, rows, arcs, start, model))
    h.run()
    status = h.getModelStatus()
    if not _has_solution(h):
        return status, None, None, None
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    info = h.getInfo()
    return (
        status,
        _flows(values[: len(arcs)], arcs, network),
        info.objective_function_value,
        info.mip_dual_bound,
    )


def _completed_start(
    network: Network, rows: Rows, arcs: IntArray, flows: IntArray, model: _Model
) -> highspy.HighsSolution:
    """A full starting point for HiGHS from known flows: z and y set to fit them."""
    offsets = model.offsets()
    values = np.zeros(offsets[-1])
    values[: len(arcs)] = flows[arcs]
    moved = np.bincount(network.arc_class, weights=flows, minlength=network.class_count)
    values[offsets[1] : offsets[2]] = np.minimum(network.class_backbone, moved)
    intake = np.bincount(network.arc_receiving, weights=flows, minlength=network.instance.receiving_count)
    values[offsets[2] : offsets[3]] = intake[rows.team_receiving] > 0
    solution = highspy.HighsSolution()
    solution.col_value = values
    return solution


def solve(network: Network, rows: Rows, options: SolveOptions, deadline: float) -> Outcome:
    """Finds the plan of least total commute (within the gap), or proves there is none, by `deadline`."""
    started = time.monotonic()
    log: list[str] = []
    all_arcs = np.arange(network.arc_count)
    if network.arc_count == 0:
        # Nobody can move; with the counting checks passed, no quota asks anyone to.
        return Outcome(status="optimal", flows=np.zeros(0, dtype=np.int64), objective=0.0, bound=0.0, log=log)
    pricing = _price(network, rows, options, deadline, log) if options.prune else None
    if pricing is None:
        if options.prune and time.monotonic() >= deadline:
            return Outcome(status="unknown", log=log)
        return _solve_whole(network, rows, options, deadline, all_arcs, log)
    if pricing.shortfall.max(initial=0.0) > _SHORTFALL_TOLERANCE:
        # The LP would rather pay the penalty: check whether even the LP relaxation has no plan.
        elastic = _price(network, elastic_rows(rows), options, deadline, log, elastic=True)
        if elastic is not None and elastic.bound > _SHORTFALL_TOLERANCE:
            slack = np.zeros(rows.count)
            slack[rows.soft_rows()] = elastic.shortfall
            return Outcome(status="infeasible", slack=slack, log=log)

    # First the arcs the LP likes (reduced cost ~0), widened only while they admit no plan at all.
    reduced = pricing.reduced
    scale = float(np.mean(network.arc_cost))
    selected = np.zeros(network.arc_count, dtype=np.bool_)
    status = highspy.HighsModelStatus.kNotset
    flows: IntArray | None = None
    objective: float | None = None
    bound: float | None = None
    for margin in (_REDUCED_COST_TOLERANCE, 0.05 * scale, 0.25 * scale, scale, np.inf):
        wider = reduced <= margin
        if wider.sum() == selected.sum():
            continue
        selected = wider
        status, flows, objective, bound = _solve_mip(
            network, rows, np.flatnonzero(selected), options, deadline, None
        )
        log.append(
            f"MIP on {int(selected.sum())} arcs (reduced cost <= {margin:.3g}): {status.name}, "
            f"objective {objective}, bound {bound}, {time.monotonic() - started:.2f} s"
        )
        if status != highspy.HighsModelStatus.kInfeasible:
            break
    if flows is None or objective is None or bound is None:
        # Infeasible with every arc in (the last margin) is infeasible; otherwise out of time.
        return Outcome(
            status="infeasible" if status == highspy.HighsModelStatus.kInfeasible else "unknown", log=log
        )

    proven = -np.inf
    while True:
        # A plan using a left-out arc a costs at least pricing.bound + max(d[a], 0); one using only
        # selected arcs costs at least the subset MIP's bound. Bounds of earlier rounds stay valid.
        left_out = ~selected
        least_left_out = pricing.bound + float(np.maximum(reduced[left_out], 0.0).min(initial=np.inf))
        proven = max(proven, min(bound, least_left_out))
        outcome = Outcome(
            status="feasible", flows=flows, objective=objective, bound=min(proven, objective), log=log
        )
        if status != highspy.HighsModelStatus.kOptimal:
            return outcome
        threshold = objective * (1.0 - options.mip_gap) + 1e-6 * (1.0 + abs(objective))
        could_improve = left_out & (pricing.bound + np.maximum(reduced, 0.0) < threshold)
        if (outcome.gap or 0.0) <= options.mip_gap + 1e-9 or not could_improve.any():
            outcome.status = "optimal"
            return outcome
        selected |= could_improve
        status, better, better_objective, better_bound = _solve_mip(
            network, rows, np.flatnonzero(selected), options, deadline, flows
        )
        log.append(
            f"MIP on {int(selected.sum())} arcs: {status.name}, objective {better_objective}, "
            f"bound {better_bound}, {time.monotonic() - started:.2f} s"
        )
        if better is None or better_objective is None or better_bound is None:
            return outcome
        flows, objective, bound = better, better_objective, better_bound


def _solve_whole(
    network: Network, rows: Rows, options: SolveOptions, deadline: float, arcs: IntArray, log: list[str]
) -> Outcome:
    status, flows, objective, bound = _solve_mip(network, rows, arcs, options, deadline, None)
    log.append(f"MIP on all {len(arcs)} arcs: {status.name}, objective {objective}, bound {bound}")
    if status == highspy.HighsModelStatus.kInfeasible:
        return Outcome(status="infeasible", log=log)
    if flows is None:
        return Outcome(status="unknown", log=log)
    outcome = Outcome(status="feasible", flows=flows, objective=objective, bound=bound, log=log)
    if status == highspy.HighsModelStatus.kOptimal:
        outcome.status = "optimal"
    return outcome


def elastic_rows(rows: Rows) -> Rows:
    """The rows of the elastic problem: the backbone floors dropped, for a school allowed to send fewer
    teachers needs fewer backbone teachers."""
    lower = rows.lower.copy()
    lower[rows.floor_row[rows.floor_row >= 0]] = 0.0
    return replace(rows, lower=lower)


def solve_elastic(network: Network, rows: Rows, options: SolveOptions, deadline: float) -> Outcome:
    """Least total shortfall over the soft rows, commute ignored: which quotas cannot all hold."""
    soft = rows.soft_rows()
    model = _Model(
        elastic_rows(rows),
        [
            _arc_block(network, rows, np.arange(network.arc_count), cost=np.zeros(network.arc_count)),
            _backbone_block(network, rows),
            _team_block(rows, may_stay_empty=True),
            _slack_block(rows, soft, 1.0),
        ],
    )
    h = model.highs(options, deadline, relax=False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    if not _has_solution(h):
        return Outcome(status="unknown")
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    offsets = model.offsets()
    slack = np.zeros(rows.count)
    slack[soft] = values[offsets[3] : offsets[4]]
    return Outcome(status="infeasible", slack=slack)
