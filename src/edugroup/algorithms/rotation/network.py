"""Teachers aggregated into interchangeable classes, and the arcs a class may move along.

Two teachers are interchangeable when they share school, subject and commute row: same cost to every
receiving school, same quotas. Without explicit `distance` rows the commute row depends on the school
only, so a class is one (school, subject); a teacher with an explicit row joins only the teachers whose
relevant row is identical, down to a class of one. The backbone flag is kept as a count per class
(`class_backbone`), which is exact because the backbone rule only counts backbone movers per school.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from edugroup.algorithms.rotation.errors import InvalidInstance
from edugroup.algorithms.rotation.instance import FloatArray, Instance, IntArray, great_circle_km


@dataclass(frozen=True)
class Network:
    """Classes of interchangeable teachers and their arcs to receiving schools with matching demand."""

    instance: Instance
    class_school: IntArray
    class_subject: IntArray
    class_backbone: IntArray
    """Backbone teachers in the class."""
    class_other: IntArray
    """Non-backbone teachers in the class."""
    class_members: list[IntArray]
    """Teacher indices of each class, in input order."""
    arc_class: IntArray
    arc_receiving: IntArray
    arc_demand: IntArray
    arc_cost: FloatArray
    """Commute in km of one teacher along the arc."""
    arc_upper: FloatArray
    """Most teachers the arc can carry: the class size, capped by the demand's max."""
    out_required: IntArray
    """Movers each school must send: ceil(min_out_share × its eligible teachers); 0 without the rule."""
    eligible: IntArray
    """Eligible teachers per school."""

    @property
    def class_count(self) -> int:
        """Number of teacher classes."""
        return len(self.class_school)

    @property
    def arc_count(self) -> int:
        """Number of (class, receiving school) arcs."""
        return len(self.arc_class)

    @property
    def class_size(self) -> IntArray:
        """Teachers per class."""
        return self.class_backbone + self.class_other


def demand_table(instance: Instance) -> IntArray:
    """Demand row index per (receiving number, subject), -1 where the school has no demand for it."""
    table = np.full((instance.receiving_count, len(instance.subjects)), -1, dtype=np.int64)
    table[instance.demand_receiving, instance.demand_subject] = np.arange(len(instance.demand_min))
    return table


def out_quota(share: float, eligible: int) -> int:
    """ceil(share × eligible), immune to float noise such as 0.1 × 30 = 3.0000000000000004."""
    return math.ceil(round(share * eligible, 9))


def build_network(instance: Instance) -> Network:
    """Groups teachers into classes and lists every arc a class may use."""
    table = demand_table(instance)

    keys: dict[tuple[int, int, tuple[tuple[int, float], ...]], int] = {}
    members: list[list[int]] = []
    overrides: list[tuple[tuple[int, float], ...]] = []
    for teacher in range(instance.teacher_count):
        school = int(instance.teacher_school[teacher])
        subject = int(instance.teacher_subject[teacher])
        row = instance.distance.get(teacher, {})
        relevant = tuple(sorted((r, km) for r, km in row.items() if table[r, subject] >= 0))
        key = (school, subject, relevant)
        if key not in keys:
            keys[key] = len(members)
            members.append([])
            overrides.append(relevant)
        members[keys[key]].append(teacher)

    class_school = np.array([key[0] for key in keys], dtype=np.int64)
    class_subject = np.array([key[1] for key in keys], dtype=np.int64)
    class_members = [np.array(m, dtype=np.int64) for m in members]
    class_backbone = np.array(
        [int(instance.teacher_backbone[m].sum()) for m in class_members], dtype=np.int64
    )
    class_other = np.array([len(m) for m in class_members], dtype=np.int64) - class_backbone

    receiving = instance.receiving
    cost = great_circle_km(
        instance.school_lat[class_school][:, None],
        instance.school_lon[class_school][:, None],
        instance.school_lat[receiving][None, :],
        instance.school_lon[receiving][None, :],
    ).reshape(len(class_school), len(receiving))
    for c, relevant in enumerate(overrides):
        for r, km in relevant:
            cost[c, r] = km

    usable_demand = np.append(instance.demand_max > 0, False)
    class_demand = table[:, class_subject].T
    allowed = usable_demand[class_demand]
    own = instance.receiving_position[class_school]
    has_own = own >= 0
    allowed[np.flatnonzero(has_own), own[has_own]] = False
    arc_class, arc_receiving = np.nonzero(allowed)
    arc_class = arc_class.astype(np.int64)
    arc_receiving = arc_receiving.astype(np.int64)
    arc_demand = class_demand[arc_class, arc_receiving]
    arc_cost = cost[arc_class, arc_receiving]
    _require_coordinates(instance, class_school, arc_class, arc_receiving, arc_cost)

    class_size = class_backbone + class_other
    arc_upper = np.minimum(class_size[arc_class].astype(np.float64), instance.demand_max[arc_demand])

    eligible = np.bincount(instance.teacher_school, minlength=len(instance.school_ids)).astype(np.int64)
    share = instance.rules.min_out_share
    out_required = np.zeros(len(instance.school_ids), dtype=np.int64)
    if share is not None:
        for s in np.flatnonzero(instance.school_sending):
            out_required[s] = out_quota(share, int(eligible[s]))

    return Network(
        instance=instance,
        class_school=class_school,
        class_subject=class_subject,
        class_backbone=class_backbone,
        class_other=class_other,
        class_members=class_members,
        arc_class=arc_class,
        arc_receiving=arc_receiving,
        arc_demand=arc_demand,
        arc_cost=np.asarray(arc_cost, dtype=np.float64),
        arc_upper=arc_upper,
        out_required=out_required,
        eligible=eligible,
    )


def _require_coordinates(
    instance: Instance,
    class_school: IntArray,
    arc_class: IntArray,
    arc_receiving: IntArray,
    arc_cost: FloatArray,
) -> None:
    """Raises InvalidInstance naming a school whose missing lat/lon leaves a needed commute unknown."""
    missing = np.flatnonzero(np.isnan(arc_cost))
    if len(missing) == 0:
        return
    arc = int(missing[0])
    for school in (int(class_school[arc_class[arc]]), int(instance.receiving[arc_receiving[arc]])):
        for axis, values in (("lat", instance.school_lat), ("lon", instance.school_lon)):
            if math.isnan(values[school]):
                field = f"schools[{school}].{axis}"
                raise InvalidInstance(
                    f"{field}: 缺少坐标; 没有 distance 时通勤距离按学校坐标的大圆距离计算", field=field
                )
