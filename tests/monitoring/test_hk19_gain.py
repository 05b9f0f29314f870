"""HK-19 "相对薄弱学校进步明显": value-added significantly positive, or a significant gain on last year."""

from __future__ import annotations

from tests.monitoring.test_value_added_service import hk19, primary_exam


def test_a_weaker_school_that_gained_on_last_year_progresses_even_below_zero(world):
    primary_exam(world, {"A": 0.0, "B": -8.0, "E": 0.0}, school_year=2024, name="2024年监测")
    primary_exam(world, {"A": 0.0, "B": -1.0, "E": 0.0}, school_year=2025, name="2025年监测")
    value, threshold, verdict, evidence, _ = hk19(world)[world.schools["B"]]
    assert verdict == "met"
    assert value > 0
    assert len(evidence) == 2  # this year's and last year's exam


def test_without_last_years_exam_only_this_years_value_added_counts(world):
    primary_exam(world, {"A": 0.0, "B": -1.0, "E": 0.0}, school_year=2025, name="2025年监测")
    value, _, verdict, evidence, _ = hk19(world)[world.schools["B"]]
    assert verdict == "not_met"
    assert value < 0
    assert len(evidence) == 1


def test_a_school_that_fell_back_does_not_progress(world):
    primary_exam(world, {"A": 0.0, "B": 2.0, "E": 0.0}, school_year=2024, name="2024年监测")
    primary_exam(world, {"A": 0.0, "B": -1.0, "E": 0.0}, school_year=2025, name="2025年监测")
    assert hk19(world)[world.schools["B"]][2] == "not_met"
