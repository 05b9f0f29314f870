"""A bad rotation instance is refused with InvalidInstance naming the field, never a KeyError."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edugroup.algorithms.rotation.errors import InvalidInstance
from edugroup.algorithms.rotation.planner import plan_rotation


def valid() -> dict[str, Any]:
    return {
        "teachers": [
            {"id": "a", "school": "S1", "subject": "数学", "backbone": True},
            {"id": "b", "school": "S1", "subject": "数学", "backbone": False},
            {"id": "c", "school": "S2", "subject": "语文", "backbone": False},
            {"id": "d", "school": "S2", "subject": "语文", "backbone": True},
        ],
        "schools": [
            {"id": "S1", "role": "sending", "lat": 30.0, "lon": 120.0},
            {"id": "S2", "role": "sending", "lat": 30.1, "lon": 120.1},
            {"id": "R1", "role": "receiving", "lat": 30.2, "lon": 120.0},
        ],
        "demand": [
            {"school": "R1", "subject": "数学", "min": 1, "max": 2},
            {"school": "R1", "subject": "语文", "min": 0},
        ],
        "rules": {"min_out_share": 0.5, "min_backbone_share": 0.3, "min_team_size": 2},
        "distance": {"a": {"R1": 4.0}},
    }


def change(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Sets (or, for value DELETE, removes) the item at a dotted path such as teachers.3.subject."""

    def apply(instance: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = instance
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        key_or_index: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key_or_index]
        else:
            node[key_or_index] = value

    return apply


DELETE = object()

BAD = [
    (change("teachers", DELETE), "teachers"),
    (change("teachers", {"a": 1}), "teachers"),
    (change("schools", DELETE), "schools"),
    (change("demand", None), "demand"),
    (change("teachers.0", "a"), "teachers[0]"),
    (change("teachers.1.id", DELETE), "teachers[1].id"),
    (change("teachers.1.id", "a"), "teachers[1].id"),
    (change("teachers.1.id", 2.5), "teachers[1].id"),
    (change("teachers.0.school", "S9"), "teachers[0].school"),
    (change("teachers.0.school", True), "teachers[0].school"),
    (change("teachers.3.subject", DELETE), "teachers[3].subject"),
    (change("teachers.3.subject", 5), "teachers[3].subject"),
    (change("teachers.3.subject", " "), "teachers[3].subject"),
    (change("teachers.2.backbone", "yes"), "teachers[2].backbone"),
    (change("teachers.2.backbone", DELETE), "teachers[2].backbone"),
    (change("schools.0.role", "sender"), "schools[0].role"),
    (change("schools.1.id", "S1"), "schools[1].id"),
    (change("schools.2.lat", 200), "schools[2].lat"),
    (change("schools.2.lon", "120"), "schools[2].lon"),
    (change("schools.2.lon", float("nan")), "schools[2].lon"),
    (change("demand.0.school", "S1"), "demand[0].school"),
    (change("demand.0.school", "R9"), "demand[0].school"),
    (change("demand.0.subject", DELETE), "demand[0].subject"),
    (change("demand.0.min", DELETE), "demand[0].min"),
    (change("demand.0.min", -1), "demand[0].min"),
    (change("demand.0.min", 1.5), "demand[0].min"),
    (change("demand.0.min", True), "demand[0].min"),
    (change("demand.0.min", float("inf")), "demand[0].min"),
    (change("demand.0.min", 10**40), "demand[0].min"),
    (change("demand.0.max", 0), "demand[0].max"),
    (change("demand.1.subject", "数学"), "demand[1]"),
    (change("rules", [0.2]), "rules"),
    (change("rules.min_out_share", 1.5), "rules.min_out_share"),
    (change("rules.min_backbone_share", "0.3"), "rules.min_backbone_share"),
    (change("rules.min_team_size", 2.5), "rules.min_team_size"),
    (change("rules.min_out_ratio", 0.2), "rules.min_out_ratio"),
    (change("distance", [1]), "distance"),
    (change("distance.zz", {"R1": 1.0}), "distance.zz"),
    (change("distance.a", 3.0), "distance.a"),
    (change("distance.a.S1", 3.0), "distance.a.S1"),
    (change("distance.a.R9", 3.0), "distance.a.R9"),
    (change("distance.a.R1", -1.0), "distance.a.R1"),
    (change("distance.a.R1", None), "distance.a.R1"),
]


@pytest.mark.parametrize(("mutate", "field"), BAD, ids=[field for _, field in BAD])
def test_a_bad_field_is_named(mutate: Callable[[dict[str, Any]], None], field: str) -> None:
    instance = valid()
    mutate(instance)
    with pytest.raises(InvalidInstance) as caught:
        plan_rotation(instance)
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")
    assert caught.value.status_code == 422


def test_an_instance_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidInstance) as caught:
        plan_rotation([])  # type: ignore[arg-type]
    assert caught.value.field == "instance"


def test_optional_parts_may_be_left_out() -> None:
    instance = valid()
    del instance["rules"], instance["distance"], instance["demand"][0]["max"]
    assert plan_rotation(instance)["status"] == "optimal"


def test_rules_may_be_null_one_by_one() -> None:
    instance = valid()
    instance["rules"] = {"min_out_share": None, "min_backbone_share": 0.3, "min_team_size": None}
    assert plan_rotation(instance)["status"] == "optimal"


def test_integer_ids_are_kept_as_given() -> None:
    instance = valid()
    for i, t in enumerate(instance["teachers"]):
        t["id"] = 100 + i
    instance["distance"] = {"100": {"R1": 4.0}}
    plan = plan_rotation(instance)
    assert {a["teacher"] for a in plan["assignments"]} <= {100, 101, 102, 103}


def test_the_solver_knobs_are_checked() -> None:
    with pytest.raises(InvalidInstance) as caught:
        plan_rotation(valid(), time_limit=0)
    assert caught.value.field == "time_limit"
    with pytest.raises(InvalidInstance) as caught:
        plan_rotation(valid(), mip_gap=-0.1)
    assert caught.value.field == "mip_gap"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in items:
        found += paths(child, (*prefix, key))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_malformed_instances_raise_invalid_input_and_nothing_else(data: st.DataObject) -> None:
    instance = copy.deepcopy(valid())
    for _ in range(data.draw(st.integers(1, 3))):
        *parents, last = data.draw(st.sampled_from(paths(instance)))
        node: Any = instance
        for key in parents:
            node = node[key]
        if isinstance(node, dict) and data.draw(st.booleans()):
            del node[last]
        else:
            node[last] = data.draw(json_values)
    outcome: dict[str, Any] | InvalidInstance
    try:
        outcome = plan_rotation(instance, time_limit=5)
    except InvalidInstance as error:
        outcome = error
    if isinstance(outcome, InvalidInstance):
        assert outcome.field
    else:
        assert outcome["status"] in {"optimal", "feasible", "infeasible"}
