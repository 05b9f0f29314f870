"""HK-17, HK-18 and HK-20 through the compliance engine: met, not met and the boundary, from imported results.

The world: primary schools A and B form the tight group, E belongs to no group; junior schools C and D form
the co-build pair (and the alliance). One district holds all five.
"""

from __future__ import annotations

from datetime import date

import pytest
from tests.monitoring.test_results_import import import_rows, make_exam

from edugroup.core.periods import SchoolYear
from edugroup.monitoring import service
from edugroup.monitoring.metrics import difference_rate, pass_rate
from edugroup.monitoring.schemas import ExamUpdate
from edugroup.policy import service as policy
from edugroup.policy.contract import EntityRef, EvalContext


def rows_for(
    school: str, grade: int, subject: str, scores: list[float | None], prefix: str = ""
) -> list[tuple]:
    """One row per score; None is an absent student."""
    return [
        (f"{prefix}{school}{i}", school, grade, subject, score, None, "是" if score is None else None)
        for i, score in enumerate(scores)
    ]


def verdicts(world, clause: str, entity_id: int, year: int = 2025) -> dict[str, tuple]:
    evaluation = policy.run_compliance(world.session, world.scope("bureau"), "hongkou-2025", year=year)
    return {
        r.breakdown: (r.value, r.threshold, r.verdict, r.evidence)
        for r in evaluation.rows
        if r.clause == clause and r.entity_type == "group" and r.entity_id == entity_id
    }


@pytest.mark.parametrize(
    ("group_fails", "other_fails", "expected"),
    [(0, 2, "met"), (2, 0, "not_met"), (1, 1, "met")],  # the last: equal to the region's rate
)
def test_hk17_compares_the_group_pass_rate_with_the_regions_per_subject(
    world, group_fails, other_fails, expected
):
    exam = make_exam(world, grade=5, subjects=["数学"])
    rows = rows_for("A", 5, "数学", [50.0] * group_fails + [80.0] * (10 - group_fails))
    rows += rows_for("B", 5, "数学", [80.0] * 10)
    rows += rows_for("E", 5, "数学", [50.0] * (other_fails * 2) + [80.0] * (20 - other_fails * 2))
    import_rows(world, exam, rows)
    found = verdicts(world, "HK-17", world.groups["tight"])
    value, threshold, verdict, evidence = found[("小学 · 数学")]
    assert value == pytest.approx((20 - group_fails) / 20)
    assert threshold == pytest.approx((40 - group_fails - 2 * other_fails) / 40)
    assert verdict == expected
    assert evidence == [f"exams:{exam.id}"]


def test_hk17_counts_tested_students_so_an_absent_one_does_not_lower_the_rate(world):
    exam = make_exam(world, grade=5, subjects=["数学"])
    rows = rows_for("A", 5, "数学", [80.0] * 9 + [None]) + rows_for("E", 5, "数学", [80.0] * 9 + [50.0])
    import_rows(world, exam, rows)
    value, threshold, verdict, _ = verdicts(world, "HK-17", world.groups["tight"])["小学 · 数学"]
    assert (value, threshold, verdict) == (1.0, pytest.approx(18 / 19), "met")


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(45.0, 55.0, "met"), (40.0, 60.0, "not_met"), (42.5, 57.5, "not_met")],  # CV 0.10, 0.20, exactly 0.15
)
def test_hk18_needs_a_difference_rate_below_015(world, low, high, expected):
    exam = make_exam(world, grade=5, subjects=["语文"])
    import_rows(world, exam, rows_for("A", 5, "语文", [low] * 10) + rows_for("B", 5, "语文", [high] * 10))
    value, threshold, verdict, _ = verdicts(world, "HK-18", world.groups["tight"])["小学 · 语文"]
    assert value == pytest.approx((high - low) / (high + low))
    assert (threshold, verdict) == (0.15, expected)


def test_hk18_weights_schools_by_their_students(world):
    exam = make_exam(world, grade=5, subjects=["语文"])
    import_rows(world, exam, rows_for("A", 5, "语文", [40.0] * 30) + rows_for("B", 5, "语文", [80.0] * 10))
    value = verdicts(world, "HK-18", world.groups["tight"])["小学 · 语文"][0]
    mean = (30 * 40 + 10 * 80) / 40
    spread = ((30 / 40) * (40 - mean) ** 2 + (10 / 40) * (80 - mean) ** 2) ** 0.5
    assert value == pytest.approx(spread / mean, abs=1e-6)


@pytest.mark.parametrize(
    ("failed", "absent", "expected"),
    [(0, 0, "met"), (2, 0, "met"), (3, 0, "not_met"), (0, 3, "not_met"), (1, 1, "met")],
)
def test_hk20_counts_every_enrolled_junior_student_and_absent_ones_as_not_passed(
    world, failed, absent, expected
):
    exam = make_exam(world, grade=9, subjects=["数学"])
    scores: list[float | None] = [40.0] * failed + [None] * absent
    rows = rows_for("C", 9, "数学", scores + [70.0] * (100 - len(scores))) + rows_for(
        "D", 9, "数学", [90.0] * 100
    )
    import_rows(world, exam, rows)
    value, threshold, verdict, _ = verdicts(world, "HK-20", world.groups["pair"])["数学"]
    assert value == pytest.approx((200 - failed - absent) / 200)
    assert (threshold, verdict) == (0.99, expected)


def test_hk20_is_only_evaluated_for_groups_teaching_junior(world):
    exam = make_exam(world, grade=9, subjects=["数学"])
    import_rows(world, exam, rows_for("C", 9, "数学", [70.0] * 5))
    evaluation = policy.run_compliance(world.session, world.scope("bureau"), "hongkou-2025", year=2025)
    groups = {r.entity_id for r in evaluation.rows if r.clause == "HK-20" and r.entity_type == "group"}
    assert world.groups["tight"] not in groups
    assert world.groups["pair"] in groups


def test_only_exams_counting_for_monitoring_in_the_school_year_are_read(world):
    counted = make_exam(world, grade=5, subjects=["数学"])
    import_rows(world, counted, rows_for("A", 5, "数学", [80.0] * 4) + rows_for("E", 5, "数学", [80.0] * 4))
    mock = make_exam(world, grade=5, subjects=["数学"], name="区统一练习", counts_for_monitoring=False)
    import_rows(
        world, mock, rows_for("A", 5, "数学", [10.0] * 4, "m") + rows_for("E", 5, "数学", [90.0] * 4, "m")
    )
    earlier = make_exam(world, grade=5, subjects=["数学"], school_year=2024)
    import_rows(
        world, earlier, rows_for("A", 5, "数学", [10.0] * 4, "e") + rows_for("E", 5, "数学", [90.0] * 4, "e")
    )
    value, threshold, verdict, evidence = verdicts(world, "HK-17", world.groups["tight"])["小学 · 数学"]
    assert (value, threshold, verdict, evidence) == (1.0, 1.0, "met", [f"exams:{counted.id}"])
    ctx = EvalContext(world.session, world.region_id, window=(SchoolYear(2024).start, SchoolYear(2025).end))
    for ref, value in [
        (EntityRef("group", world.groups["tight"], ""), 0.0),
        (EntityRef("region", world.region_id, ""), 0.5),
    ]:
        [measured] = pass_rate(ctx, [ref], SchoolYear(2024), {"counted": "tested"})
        assert (measured.value, measured.evidence) == (value, (f"exams:{earlier.id}",))
    service.update_exam(
        world.session, world.scope("bureau"), counted.id, ExamUpdate(counts_for_monitoring=False)
    )
    assert verdicts(world, "HK-17", world.groups["tight"]) == {"": (None, None, "no_data", [])}


def test_a_group_without_results_has_no_data_never_a_pass(world):
    make_exam(world, grade=9, subjects=["数学"])
    found = verdicts(world, "HK-18", world.groups["tight"])
    assert [v[2] for v in found.values()] == ["no_data"]


def test_the_between_school_share_is_the_icc_of_the_scores(world):
    exam = make_exam(world, grade=5, subjects=["语文"])
    import_rows(
        world,
        exam,
        rows_for("A", 5, "语文", [40.0, 50.0, 60.0, 50.0])
        + rows_for("B", 5, "语文", [60.0, 70.0, 80.0, 70.0]),
    )
    ctx = EvalContext(world.session, world.region_id, window=(SchoolYear(2025).start, SchoolYear(2025).end))
    ref = EntityRef("group", world.groups["tight"], "测试第一教育集团")
    [measured] = difference_rate(ctx, [ref], SchoolYear(2025), {"method": "between_school_share"})
    # Balanced one-way ANOVA: MSB = 4 × 200 = 800, MSW = 200/3, τ² = (MSB − MSW)/4, share = τ²/(τ² + MSW).
    msw = 400 / 6
    tau2 = (800 - msw) / 4
    assert measured.value == pytest.approx(tau2 / (tau2 + msw), rel=1e-4)
    assert measured.breakdown == ("小学", "语文")
    assert date(2026, 5, 20) == exam.held_on
