"""Indicators of one exam per school, group, stage and region, checked against plain Python (HK-17/18/20)."""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from edugroup.core.errors import InvalidInput
from edugroup.monitoring.indicators import (
    DIFFERENCE_SCHEMA,
    EXCELLENT,
    FAIL,
    GOOD,
    INDICATOR_SCHEMA,
    PASS,
    PASSING_LEVELS,
    STAGES,
    compute_indicators,
    derive_levels,
    difference_rates,
)

CUTS = {EXCELLENT: 85.0, GOOD: 75.0, PASS: 60.0}
REGION = 310109
RESULT_SCHEMA = pl.Schema(
    {
        "student_id": pl.String,
        "school_id": pl.Int64,
        "subject": pl.String,
        "score": pl.Float64,
        "level": pl.String,
        "sat": pl.Boolean,
        "grade": pl.Int64,
    }
)
SORT_KEYS = ["level", "entity_id", "stage", "subject"]


@dataclass
class World:
    """Result rows as plain tuples, the stage of each school and the groups of each school."""

    rows: list[tuple[str, int, str, float | None, str | None, bool, int]] = field(default_factory=list)
    stage_of: dict[int, str] = field(default_factory=dict)
    groups_of: dict[int, list[int]] = field(default_factory=dict)

    def add(
        self, school: int, subject: str, score: float | None, level: str | None = None, *, sat: bool = True
    ) -> None:
        self.rows.append((f"S{len(self.rows):05d}", school, subject, score, level, sat, 9))

    @property
    def results(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=RESULT_SCHEMA, orient="row")

    @property
    def schools(self) -> pl.DataFrame:
        return pl.DataFrame(
            {"school_id": list(self.stage_of), "stage": list(self.stage_of.values()), "quality_tier": 1}
        )

    @property
    def memberships(self) -> pl.DataFrame:
        pairs = [(school, group) for school, groups in self.groups_of.items() for group in groups]
        return pl.DataFrame(pairs, schema={"school_id": pl.Int64, "group_id": pl.Int64}, orient="row")


def reference_level(score: float | None, level: str | None) -> str | None:
    """The level a row counts with, derived the plain way from CUTS when missing."""
    if level is not None or score is None:
        return level
    for name in (EXCELLENT, GOOD, PASS):
        if score >= CUTS[name]:
            return name
    return FAIL


def reference_indicators(world: World) -> pl.DataFrame:
    """The indicators computed row by row in plain Python from the definitions."""
    buckets: dict[tuple[str, str, str | None, str], list[tuple[float | None, str | None, bool]]] = (
        defaultdict(list)
    )
    for _, school, subject, score, level, sat, _ in world.rows:
        stage = world.stage_of[school]
        entities: list[tuple[str, str, str | None]] = [
            ("school", str(school), stage),
            ("stage", str(REGION), stage),
            ("region", str(REGION), stage),
            ("region", str(REGION), None),
        ]
        for group in world.groups_of.get(school, []):
            entities += [("group", str(group), stage), ("group", str(group), None)]
        for entity in entities:
            buckets[(*entity, subject)].append((score, reference_level(score, level), sat))

    records = []
    for (kind, entity_id, entity_stage, entity_subject), rows in buckets.items():
        enrolled = len(rows)
        took_part = sum(1 for _, _, took in rows if took)
        passed = sum(1 for _, lv, took in rows if took and lv in PASSING_LEVELS)
        excellent = sum(1 for _, lv, took in rows if took and lv == EXCELLENT)
        scores = [value for value, _, _ in rows if value is not None]
        records.append(
            {
                "level": kind,
                "entity_id": entity_id,
                "stage": entity_stage,
                "subject": entity_subject,
                "enrolled": enrolled,
                "sat": took_part,
                "absent": enrolled - took_part,
                "passed": passed,
                "excellent": excellent,
                "mean": statistics.fmean(scores) if scores else None,
                "std": statistics.stdev(scores) if len(scores) > 1 else None,
                "pass_rate_enrolled": passed / enrolled,
                "pass_rate_tested": passed / took_part if took_part else None,
                "excellent_rate_enrolled": excellent / enrolled,
                "excellent_rate_tested": excellent / took_part if took_part else None,
            }
        )
    return pl.DataFrame(records, schema=INDICATOR_SCHEMA)


def reference_cv(pairs: list[tuple[int, float]]) -> float | None:
    """Student-weighted coefficient of variation of (Pᵢ, Xᵢ) pairs, straight from the definition."""
    total = sum(p for p, _ in pairs)
    mean = sum(p * x for p, x in pairs) / total
    spread = math.sqrt(sum((p / total) * (x - mean) ** 2 for p, x in pairs))
    return spread / mean if len(pairs) >= 2 and mean > 0 else None


def reference_difference_rates(world: World) -> pl.DataFrame:
    """CV of school mean scores per group and region, stage and subject, in plain Python."""
    per_school: dict[tuple[int, str], list[float | None]] = defaultdict(list)
    for _, school, subject, score, _, _, _ in world.rows:
        per_school[(school, subject)].append(score)
    pairs: dict[tuple[str, str, str, str], list[tuple[int, float]]] = defaultdict(list)
    for (school, subject), scores in per_school.items():
        present = [s for s in scores if s is not None]
        if not present:
            continue
        pair = (len(scores), statistics.fmean(present))
        stage = world.stage_of[school]
        pairs[("region", str(REGION), stage, subject)].append(pair)
        for group in world.groups_of.get(school, []):
            pairs[("group", str(group), stage, subject)].append(pair)
    records = [
        {"level": level, "entity_id": entity, "stage": stage, "subject": subject}
        | {"n_schools": len(items), "cv": reference_cv(items)}
        for (level, entity, stage, subject), items in pairs.items()
    ]
    return pl.DataFrame(records, schema=DIFFERENCE_SCHEMA)


def random_world(rng: random.Random, *, schools: int = 7, students: int = 160) -> World:
    """A small world: every school in a district, some also in a second group, some absent, some levels missing."""
    world = World()
    for school in range(1, schools + 1):
        world.stage_of[100 + school] = rng.choice(STAGES[:3])
        world.groups_of[100 + school] = [1 + school % 2] + ([10] if school % 3 == 0 else [])
    for _ in range(students):
        school = 100 + rng.randint(1, schools)
        for subject in ("数学", "语文"):
            if rng.random() < 0.1:
                world.add(school, subject, None, sat=False)
                continue
            score = float(rng.choice([rng.randint(40, 100), 60, 75, 85]))
            level = reference_level(score, None) if rng.random() < 0.7 else None
            world.add(school, subject, score, level)
    return world


def sorted_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(SORT_KEYS, nulls_last=True)


def indicators_of(world: World) -> pl.DataFrame:
    return compute_indicators(world.results, world.schools, world.memberships, region_id=REGION, cuts=CUTS)


def row_of(
    frame: pl.DataFrame, level: str, entity: object, subject: str, stage: str | None
) -> dict[str, object]:
    stage_matches = pl.col("stage").is_null() if stage is None else pl.col("stage") == stage
    return frame.filter(
        (pl.col("level") == level) & (pl.col("entity_id") == str(entity)) & (pl.col("subject") == subject),
        stage_matches,
    ).row(0, named=True)


def test_indicators_match_a_plain_python_computation() -> None:
    world = random_world(random.Random(7))
    world.add(101, "数学", None, sat=False)
    world.add(150, "物理", None, sat=False)
    world.add(150, "物理", 72.0, GOOD)
    world.stage_of[150] = "senior"
    world.groups_of[150] = [2]

    got = indicators_of(world)

    assert_frame_equal(sorted_frame(got), sorted_frame(reference_indicators(world)))
    assert got.schema == INDICATOR_SCHEMA


@settings(max_examples=30, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1), schools=st.integers(1, 6), students=st.integers(1, 40))
def test_indicators_and_difference_rates_match_plain_python_on_generated_worlds(
    seed: int, schools: int, students: int
) -> None:
    world = random_world(random.Random(seed), schools=schools, students=students)

    got = indicators_of(world)
    rates = difference_rates(got, memberships=world.memberships)

    assert_frame_equal(sorted_frame(got), sorted_frame(reference_indicators(world)))
    assert_frame_equal(sorted_frame(rates), sorted_frame(reference_difference_rates(world)))


def test_rows_come_sorted_by_level_entity_stage_and_subject() -> None:
    got = indicators_of(random_world(random.Random(3)))

    levels = got["level"].unique(maintain_order=True).to_list()
    assert levels == ["school", "group", "stage", "region"]
    groups = got.filter(pl.col("level") == "group")
    assert groups["entity_id"].cast(pl.Int64).is_sorted()
    region = got.filter(pl.col("level") == "region")
    assert region["stage"].to_list()[-2:] == [None, None]


def test_an_absent_student_counts_as_not_passed_among_the_enrolled() -> None:
    world = World(stage_of={1: "junior"})
    for score in (90.0, 70.0, 65.0):
        world.add(1, "数学", score)
    world.add(1, "数学", None, sat=False)

    school = row_of(indicators_of(world), "school", 1, "数学", "junior")

    assert (school["enrolled"], school["sat"], school["absent"], school["passed"]) == (4, 3, 1, 3)
    assert school["pass_rate_enrolled"] == 0.75
    assert school["pass_rate_tested"] == 1.0
    assert school["excellent_rate_enrolled"] == 0.25
    assert school["excellent_rate_tested"] == pytest.approx(1 / 3)


def test_a_score_exactly_at_a_cut_reaches_that_level() -> None:
    frame = pl.DataFrame(
        {"score": [59.5, 60.0, 74.99, 75.0, 85.0, 100.0, None], "level": [None] * 7},
        schema={"score": pl.Float64, "level": pl.String},
    )

    got = derive_levels(frame, CUTS)

    assert got["level"].to_list() == [FAIL, PASS, PASS, GOOD, EXCELLENT, EXCELLENT, None]


def test_a_given_level_is_kept_when_levels_are_derived() -> None:
    frame = pl.DataFrame({"score": [50.0, 90.0], "level": [GOOD, None]})

    assert derive_levels(frame, CUTS)["level"].to_list() == [GOOD, EXCELLENT]


def test_indicators_derive_missing_levels_as_derive_levels_does() -> None:
    world = World(stage_of={1: "junior"})
    for score in (59.99, 60.0, 84.99, 85.0):
        world.add(1, "数学", score)

    got = indicators_of(world)
    via_levels = compute_indicators(
        derive_levels(world.results, CUTS), world.schools, world.memberships, region_id=REGION
    )

    assert_frame_equal(got, via_levels)
    school = row_of(got, "school", 1, "数学", "junior")
    assert (school["passed"], school["excellent"]) == (3, 1)


def test_cut_scores_out_of_order_are_refused() -> None:
    with pytest.raises(InvalidInput, match="优秀 ≥ 良好 ≥ 合格"):
        derive_levels(World().results, {EXCELLENT: 70.0, GOOD: 75.0, PASS: 60.0})


def test_std_is_the_sample_standard_deviation_pooled_over_students() -> None:
    world = World(stage_of={1: "junior", 2: "junior"}, groups_of={1: [5], 2: [5]})
    for score in (60.0, 70.0, 80.0):
        world.add(1, "数学", score)
    for score in (90.0, 100.0):
        world.add(2, "数学", score)

    got = indicators_of(world)

    assert row_of(got, "school", 1, "数学", "junior")["std"] == pytest.approx(10.0)
    group = row_of(got, "group", 5, "数学", None)
    assert group["mean"] == pytest.approx(80.0)
    assert group["std"] == pytest.approx(math.sqrt(1000 / 4))


def test_a_school_without_scores_has_null_mean_std_and_tested_rates() -> None:
    world = World(stage_of={1: "junior", 2: "junior"})
    world.add(1, "数学", None, sat=False)
    world.add(1, "数学", None, sat=False)
    world.add(2, "数学", 88.0)

    got = indicators_of(world)

    absent = row_of(got, "school", 1, "数学", "junior")
    assert (absent["enrolled"], absent["sat"], absent["absent"]) == (2, 0, 2)
    assert absent["mean"] is None
    assert absent["std"] is None
    assert absent["pass_rate_tested"] is None
    assert absent["excellent_rate_tested"] is None
    assert absent["pass_rate_enrolled"] == 0.0
    single = row_of(got, "school", 2, "数学", "junior")
    assert single["mean"] == 88.0
    assert single["std"] is None


def test_a_level_without_a_score_counts_for_rates_but_not_for_the_mean() -> None:
    world = World(stage_of={1: "junior"})
    world.add(1, "数学", None, PASS)
    world.add(1, "数学", 50.0)

    school = row_of(indicators_of(world), "school", 1, "数学", "junior")

    assert (school["sat"], school["passed"], school["mean"]) == (2, 1, 50.0)


def test_a_school_in_two_groups_counts_in_each_group_and_once_in_the_region() -> None:
    world = World(
        stage_of={1: "junior", 2: "junior", 3: "primary"},
        groups_of={1: [10, 20], 2: [10], 3: [20]},
    )
    for school, score in ((1, 90.0), (1, 50.0), (2, 70.0), (3, 80.0)):
        world.add(school, "数学", score)

    got = indicators_of(world)

    district = row_of(got, "group", 10, "数学", None)
    group = row_of(got, "group", 20, "数学", None)
    region = row_of(got, "region", REGION, "数学", None)
    assert (district["enrolled"], district["passed"], district["mean"]) == (3, 2, 70.0)
    assert (group["enrolled"], group["passed"], group["mean"]) == (3, 2, pytest.approx(220 / 3))
    assert (region["enrolled"], region["passed"], region["mean"]) == (4, 3, 72.5)
    assert row_of(got, "group", 20, "数学", "junior")["enrolled"] == 2
    assert row_of(got, "group", 20, "数学", "primary")["enrolled"] == 1


def test_group_and_region_rows_come_per_stage_and_for_all_stages() -> None:
    world = World(stage_of={1: "junior", 2: "primary"}, groups_of={1: [7], 2: [7]})
    world.add(1, "数学", 70.0)
    world.add(2, "数学", 80.0)

    got = indicators_of(world)

    def stages(level: str) -> list[str | None]:
        return got.filter(pl.col("level") == level)["stage"].to_list()

    assert stages("group") == ["primary", "junior", None]
    assert stages("region") == ["primary", "junior", None]
    assert stages("stage") == ["primary", "junior"]
    assert stages("school") == ["junior", "primary"]


def test_difference_rate_matches_a_hand_worked_example() -> None:
    # P = (100, 200, 100), X = (70, 80, 90): mean = 32000 / 400 = 80,
    # S² = 0.25·10² + 0.5·0² + 0.25·10² = 50, CV = √50 / 80 = 0.0883883…
    world = World(stage_of={1: "junior", 2: "junior", 3: "junior"}, groups_of={1: [5], 2: [5], 3: [5]})
    for school, students, score in ((1, 100, 70.0), (2, 200, 80.0), (3, 100, 90.0)):
        for _ in range(students):
            world.add(school, "数学", score)

    got = difference_rates(indicators_of(world), memberships=world.memberships)

    expected = pl.DataFrame(
        {
            "level": ["group", "region"],
            "entity_id": ["5", str(REGION)],
            "stage": ["junior", "junior"],
            "subject": ["数学", "数学"],
            "n_schools": [3, 3],
            "cv": [math.sqrt(50) / 80] * 2,
        },
        schema=DIFFERENCE_SCHEMA,
    )
    assert_frame_equal(got, expected)
    assert got["cv"][0] == pytest.approx(0.0883883476)


def test_difference_rate_of_pass_rates_matches_a_hand_worked_example() -> None:
    # P = (10, 30), pass rates X = (0.5, 0.9): mean = (5 + 27) / 40 = 0.8,
    # S² = 0.25·0.3² + 0.75·0.1² = 0.03, CV = √0.03 / 0.8 = 0.2165063…
    world = World(stage_of={1: "senior", 2: "senior"})
    for school, students, passing in ((1, 10, 5), (2, 30, 27)):
        for i in range(students):
            world.add(school, "英语", 70.0 if i < passing else 40.0)

    got = difference_rates(indicators_of(world), by=("region",), result="pass_rate")

    assert got["n_schools"].to_list() == [2]
    assert got["cv"][0] == pytest.approx(math.sqrt(0.03) / 0.8)
    assert got["cv"][0] == pytest.approx(0.2165063509)


def test_the_enrolled_pass_rate_weighs_absent_students_in_the_difference_rate() -> None:
    world = World(stage_of={1: "junior", 2: "junior"})
    world.add(1, "数学", 70.0)
    world.add(1, "数学", None, sat=False)
    world.add(2, "数学", 70.0)
    world.add(2, "数学", 70.0)

    enrolled = difference_rates(indicators_of(world), by="region", result="pass_rate")
    tested = difference_rates(indicators_of(world), by="region", result="pass_rate", counted="tested")

    assert enrolled["cv"][0] == pytest.approx(reference_cv([(2, 0.5), (2, 1.0)]))
    assert tested["cv"][0] == 0.0


def test_difference_rate_is_null_with_fewer_than_two_schools() -> None:
    world = World(stage_of={1: "junior", 2: "primary"}, groups_of={1: [5], 2: [5]})
    world.add(1, "数学", 70.0)
    world.add(2, "数学", 90.0)

    got = difference_rates(indicators_of(world), memberships=world.memberships, by=("group",))

    assert got.select("stage", "n_schools", "cv").rows() == [("primary", 1, None), ("junior", 1, None)]


def test_difference_rates_from_result_rows_equal_those_from_indicators() -> None:
    world = random_world(random.Random(11))

    from_rows = difference_rates(
        world.results, world.schools, world.memberships, region_id=REGION, cuts=CUTS, result="pass_rate"
    )
    from_indicators = difference_rates(
        indicators_of(world), memberships=world.memberships, result="pass_rate"
    )

    assert_frame_equal(from_rows, from_indicators)
    assert from_rows.height > 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("S1", 1, "数学", 70.0, None, False, 9), "absent rows"),
        (("S1", 1, "数学", None, None, True, 9), "neither score nor level"),
        (("S1", 1, "数学", 70.0, "及格", True, 9), "level outside"),
        (("S1", 1, "数学", math.nan, PASS, True, 9), "NaN score"),
        (("S1", 1, "数学", 70.0, None, True, 9), "no cut scores"),
    ],
)
def test_result_rows_breaking_the_row_rules_are_refused(
    row: tuple[str, int, str, float | None, str | None, bool, int], message: str
) -> None:
    world = World(rows=[row], stage_of={1: "junior"})

    with pytest.raises(InvalidInput, match=message):
        compute_indicators(world.results, world.schools, world.memberships, region_id=REGION)


def test_a_school_missing_from_the_schools_frame_is_refused() -> None:
    world = World(stage_of={1: "junior"})
    world.add(2, "数学", 70.0)

    with pytest.raises(InvalidInput, match="not in the schools frame: 2"):
        indicators_of(world)


def test_no_result_rows_give_an_empty_frame_with_the_indicator_columns() -> None:
    world = World(stage_of={1: "junior"}, groups_of={1: [5]})

    got = indicators_of(world)

    assert got.height == 0
    assert got.schema == INDICATOR_SCHEMA
    assert difference_rates(got, memberships=world.memberships).schema == DIFFERENCE_SCHEMA


def test_an_exam_with_scores_only_takes_every_level_from_the_cuts() -> None:
    results = pl.DataFrame(
        {
            "student_id": ["a", "b", "c"],
            "school_id": [1, 1, 1],
            "subject": ["数学"] * 3,
            "score": [59.0, 60.0, None],
            "level": [None, None, None],
            "sat": [True, True, False],
            "grade": [9, 9, 9],
        }
    )
    schools = pl.DataFrame({"school_id": [1], "stage": ["junior"]})

    got = compute_indicators(results, schools, World().memberships, region_id=REGION, cuts=CUTS)

    school = row_of(got, "school", 1, "数学", "junior")
    assert (school["enrolled"], school["sat"], school["passed"]) == (3, 2, 1)
    assert school["pass_rate_enrolled"] == pytest.approx(1 / 3)
