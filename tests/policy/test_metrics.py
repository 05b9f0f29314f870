"""The metric catalogue and the registry of implementations."""

from __future__ import annotations

import re

import pytest

from edugroup.policy import metrics
from edugroup.policy.metrics import (
    CATALOGUE,
    MetricRegistry,
    definition,
    implementation,
    metric_ids,
    register_metric,
)
from edugroup.policy.packs import builtin_packs
from edugroup.policy.vocabulary import ACTIVITY_KIND_LABELS, ACTIVITY_KINDS, ENTITY_LABELS, ENTITY_TYPES

DOMAINS = (
    "activities",
    "admissions",
    "assessments",
    "certificates",
    "courses",
    "governance",
    "groups",
    "monitoring",
    "rotation",
    "studios",
    "surveys",
    "teachers",
)


def test_metric_ids_are_namespaced_by_domain() -> None:
    for metric_id in metric_ids():
        domain, _, name = metric_id.partition(".")
        assert domain in DOMAINS, metric_id
        assert re.fullmatch(r"[a-z][a-z_]*", name), metric_id


@pytest.mark.parametrize("metric_id", sorted(CATALOGUE))
def test_every_metric_has_a_chinese_label_a_unit_and_the_entities_it_applies_to(metric_id: str) -> None:
    metric = CATALOGUE[metric_id]
    assert metric.id == metric_id
    assert re.search(r"[\u4e00-\u9fff]", metric.label)
    assert metric.unit in ("count", "share", "ratio", "years", "score", "flag")
    assert metric.unit_label
    assert metric.entities
    assert metric.entities <= set(ENTITY_TYPES)
    assert metric.description


@pytest.mark.parametrize("metric_id", sorted(CATALOGUE))
def test_every_param_default_is_itself_a_valid_value(metric_id: str) -> None:
    for name, spec in CATALOGUE[metric_id].params.items():
        if spec.default is not None:
            assert spec.problem(spec.default) is None, name


def test_every_metric_the_packs_use_is_declared() -> None:
    used = set().union(*(pack.metric_ids() for pack in builtin_packs()))
    assert used <= set(CATALOGUE)


def test_every_entity_type_and_activity_kind_has_a_chinese_label() -> None:
    assert set(ENTITY_LABELS) == set(ENTITY_TYPES)
    assert set(ACTIVITY_KIND_LABELS) == set(ACTIVITY_KINDS)
    assert len(ACTIVITY_KINDS) == 15


def test_omitted_params_take_their_defaults() -> None:
    metric = definition("monitoring.difference_rate")
    assert metric is not None
    assert metric.resolved_params({}) == {"method": "cv", "result": "mean", "counted": "enrolled"}
    assert metric.resolved_params({"result": "pass_rate", "counted": "tested"}) == {
        "method": "cv",
        "result": "pass_rate",
        "counted": "tested",
    }


def test_a_showcase_level_needs_showcases_to_count() -> None:
    metric = definition("activities.count")
    assert metric is not None
    assert metric.param_problems({"kinds": ["showcase"], "level": "city"}) == []
    assert [name for name, _ in metric.param_problems({"kinds": ["public_lesson"], "level": "city"})] == [
        "level"
    ]


def test_a_deadline_must_be_a_real_day_of_the_year() -> None:
    metric = definition("assessments.closed_by_deadline")
    assert metric is not None
    assert metric.param_problems({"deadline": "07-31"}) == []
    assert metric.param_problems({"deadline": "02-30"}) != []
    assert metric.param_problems({"deadline": "July"}) != []


def test_a_declared_metric_without_implementation_is_not_implemented() -> None:
    registry = MetricRegistry()
    assert registry.implementation("activities.count") is None
    assert not registry.is_implemented("activities.count")
    assert registry.not_implemented() == metric_ids()


def test_a_registered_implementation_is_found_by_its_metric_id() -> None:
    registry = MetricRegistry()

    @registry.register("activities.count")
    def count_activities(*args: object) -> int:
        return 5

    assert registry.implementation("activities.count") is count_activities
    assert registry.is_implemented("activities.count")
    assert "activities.count" not in registry.not_implemented()
    assert registry.not_implemented(["activities.count", "courses.shared_count"]) == ["courses.shared_count"]


def test_registering_an_undeclared_metric_is_refused() -> None:
    with pytest.raises(KeyError, match="not declared"):
        MetricRegistry().register("activities.tally")


def test_registering_a_metric_twice_is_refused() -> None:
    registry = MetricRegistry()
    registry.register("courses.shared_count")(lambda: 1)
    with pytest.raises(ValueError, match="already has an implementation"):
        registry.register("courses.shared_count")(lambda: 2)


def test_register_metric_fills_the_default_registry_and_returns_the_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics, "REGISTRY", MetricRegistry())

    def pass_rate() -> float:
        return 0.99

    assert register_metric("monitoring.pass_rate")(pass_rate) is pass_rate
    assert implementation("monitoring.pass_rate") is pass_rate
    assert implementation("monitoring.difference_rate") is None
