"""Monitoring indicators on a synthetic city, beside a plain NumPy `bincount` floor, in the same run.

    /tmp/v/bin/python bench/bench_indicators.py [--students 1000000] [--schools 1500] [--repeats 7]

The city (seeded): 1,500 schools, 1,000,000 students, 5 subjects → 5,000,000 result rows with a prior score,
about 2% absent, about 5% of present rows without a level (derived from the cut scores). Every school is in
one district (100) and about 70% of schools also in an education group (~210), so most of those count in two.

Timed ("ours"): `compute_indicators` (every indicator for every school, group, stage and region, per stage
and for all stages) plus `difference_rates` on mean scores and on pass rates for every group and the region.
The floor: the same counts, sums and sums of squares per school × subject by `np.bincount` over the row
columns, then rolled up to groups, stages and the region, rates, std and CV. The floor gets the two string
columns (subject, level) as integer codes prepared outside its timing (NumPy has no fast string hashing);
that encoding is timed apart. The floor checks nothing; ours also validates every row.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from edugroup.monitoring.indicators import (
    EXCELLENT,
    FAIL,
    GOOD,
    LEVELS,
    PASS,
    STAGES,
    compute_indicators,
    difference_rates,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

SUBJECTS = ("语文", "数学", "英语", "物理", "化学")
CUTS = {EXCELLENT: 85.0, GOOD: 75.0, PASS: 60.0}
STAGE_SHARES = (0.45, 0.25, 0.12, 0.12, 0.06)
STAGE_GRADE = {"primary": 5, "junior": 9, "nine_year": 9, "senior": 12, "twelve_year": 12}
REGION_ID = 310109


@dataclass(frozen=True)
class City:
    results: pl.DataFrame
    schools: pl.DataFrame
    memberships: pl.DataFrame


def build_city(
    *, n_schools: int = 1_500, n_students: int = 1_000_000, absent_share: float = 0.02, seed: int = 20250310
) -> City:
    """A seeded synthetic city: schools with stages, districts and groups, and one exam's result rows."""
    rng = np.random.default_rng(seed)
    school_ids = np.arange(1001, 1001 + n_schools, dtype=np.int64)
    stage_idx = rng.choice(len(STAGES), size=n_schools, p=STAGE_SHARES)
    stages = np.array(STAGES)[stage_idx]
    schools = pl.DataFrame(
        {
            "school_id": school_ids,
            "stage": stages,
            "quality_tier": rng.integers(1, 4, size=n_schools),
        }
    )

    # Districts (ids 1..100) cover every school; groups (ids 101..) take about 70% of schools, 4 to 6 each.
    n_districts = 100
    district_of = rng.permutation(np.arange(n_schools) % n_districts) + 1
    in_group = rng.permutation(n_schools)[: int(0.7 * n_schools)]
    sizes = rng.integers(4, 7, size=len(in_group))
    group_of = np.repeat(np.arange(len(in_group)), sizes)[: len(in_group)] + 101
    memberships = pl.DataFrame(
        {
            "school_id": np.concatenate([school_ids, school_ids[in_group]]),
            "group_id": np.concatenate([district_of, group_of]).astype(np.int64),
        }
    )

    # Students: school sizes vary fivefold; a school effect and a student ability drive every score.
    weights = rng.lognormal(0.0, 0.5, size=n_schools)
    student_school = rng.choice(n_schools, size=n_students, p=weights / weights.sum())
    student_school.sort()
    school_effect = rng.normal(0.0, 6.0, size=n_schools)
    ability = rng.normal(0.0, 11.0, size=n_students) + school_effect[student_school]
    prior = np.clip(np.round(70.0 + ability + rng.normal(0.0, 5.0, size=n_students)), 0.0, 100.0)

    n_subjects = len(SUBJECTS)
    rows = n_students * n_subjects
    row_student = np.repeat(np.arange(n_students), n_subjects)
    row_subject = np.tile(np.arange(n_subjects), n_students)
    subject_shift = np.array([2.0, -3.0, 1.0, -1.0, 0.5])[row_subject]
    score = (
        np.round(
            np.clip(70.0 + ability[row_student] + subject_shift + rng.normal(0.0, 6.0, size=rows), 0.0, 100.0)
            * 2
        )
        / 2
    )
    sat = rng.random(rows) >= absent_share
    level_code = np.searchsorted(np.array([CUTS[PASS], CUTS[GOOD], CUTS[EXCELLENT]]), score, side="right")
    level_names = np.array([FAIL, PASS, GOOD, EXCELLENT])
    without_level = rng.random(rows) < 0.05

    school_of_row = student_school[row_student]
    results = pl.DataFrame(
        {
            "student_id": pl.Series(row_student, dtype=pl.Int64),
            "school_id": school_ids[school_of_row],
            "subject": pl.Series(np.array(SUBJECTS)[row_subject], dtype=pl.String),
            "score": np.where(sat, score, np.nan),
            "level": pl.Series(level_names[level_code], dtype=pl.String),
            "sat": sat,
            "grade": pl.Series(np.array([STAGE_GRADE[s] for s in STAGES])[stage_idx][school_of_row]),
            "prior_score": prior[row_student],
        }
    ).with_columns(
        student_id=pl.format("S{}", pl.col("student_id").cast(pl.String).str.zfill(7)),
        score=pl.col("score").fill_nan(None),
        level=pl.when(pl.col("sat") & ~pl.lit(without_level)).then(pl.col("level")),
        grade=pl.col("grade").cast(pl.Int64),
    )
    return City(results=results, schools=schools, memberships=memberships)


def run_ours(city: City) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every indicator, then the difference rates of mean scores and of pass rates (enrolled)."""
    indicators = compute_indicators(
        city.results, city.schools, city.memberships, region_id=REGION_ID, cuts=CUTS
    )
    rates = pl.concat(
        [
            difference_rates(indicators, memberships=city.memberships, result="mean"),
            difference_rates(indicators, memberships=city.memberships, result="pass_rate"),
        ]
    )
    return indicators, rates


@dataclass(frozen=True)
class Columns:
    """The row columns as NumPy arrays, string columns as integer codes (level: 0 优秀 … 3 不合格, 4 null)."""

    school_id: Ints
    subject: Ints
    level: Ints
    score: Floats
    sat: npt.NDArray[np.bool_]
    n_subjects: int


def encode(city: City) -> Columns:
    """Hand the row columns to NumPy; the string columns become integer codes (polars does the hashing)."""
    r = city.results
    subjects = r["subject"].unique().sort()
    return Columns(
        school_id=r["school_id"].to_numpy(),
        subject=r["subject"].cast(pl.Enum(subjects)).to_physical().cast(pl.Int64).to_numpy(),
        level=r["level"].cast(pl.Enum(LEVELS)).to_physical().cast(pl.Int64).fill_null(4).to_numpy(),
        score=r["score"].fill_null(np.nan).to_numpy(),
        sat=r["sat"].to_numpy(),
        n_subjects=subjects.len(),
    )


def run_floor(cols: Columns, city: City) -> dict[str, Floats]:
    """Plain NumPy: three bincounts per school × subject, then matrix roll-ups to groups, stages, region.

    The four counts of a row (sat, passed, excellent, has a score) are packed into 4 bits of the bin key, so
    one unweighted bincount gives them all; two weighted bincounts give the score sums and sums of squares.
    """
    ids = city.schools["school_id"].to_numpy()
    lut = np.full(ids.max() + 1, -1, dtype=np.int64)
    lut[ids] = np.arange(len(ids))
    n_schools, n_subjects = len(ids), cols.n_subjects
    size = n_schools * n_subjects
    key = lut[cols.school_id] * n_subjects + cols.subject

    has_score = ~np.isnan(cols.score)
    score = np.where(has_score, cols.score, 0.0)
    no_level = cols.level == 4
    passed = cols.sat & np.where(no_level, cols.score >= CUTS[PASS], cols.level <= 2)
    excellent = cols.sat & np.where(no_level, cols.score >= CUTS[EXCELLENT], cols.level == 0)
    flags = cols.sat.view(np.uint8) | passed.view(np.uint8) << 1
    flags |= excellent.view(np.uint8) << 2
    flags |= has_score.view(np.uint8) << 3
    packed = np.bincount(key * 16 + flags, minlength=size * 16).reshape(size, 16).astype(np.float64)
    bits = (np.arange(16)[:, None] >> np.arange(4)[None, :]) & 1
    sat, n_passed, n_excellent, n = (packed @ bits).T
    per_school = np.stack(
        [
            packed.sum(axis=1),
            sat,
            n_passed,
            n_excellent,
            n,
            np.bincount(key, weights=score, minlength=size),
            np.bincount(key, weights=score * score, minlength=size),
        ]
    ).reshape(7, n_schools, n_subjects)

    # Roll-ups as (entity row, school) pairs: groups per stage, groups whole, region per stage, region whole.
    stage_of = city.schools["stage"].cast(pl.Enum(STAGES)).to_physical().cast(pl.Int64).to_numpy()
    links = city.memberships.unique()
    member = lut[links["school_id"].to_numpy()]
    group_ids, group_idx = np.unique(links["group_id"].to_numpy(), return_inverse=True)
    n_groups, n_stages = len(group_ids), len(STAGES)
    everyone = np.arange(n_schools)
    region_stage = n_groups * (n_stages + 1)
    stage_rows = np.concatenate([group_idx * n_stages + stage_of[member], region_stage + stage_of])
    stage_schools = np.concatenate([member, everyone])
    rows = np.concatenate(
        [stage_rows, n_groups * n_stages + group_idx, np.full(n_schools, region_stage + n_stages)]
    )
    schools = np.concatenate([stage_schools, member, everyone])

    flat = per_school.transpose(1, 0, 2).reshape(n_schools, 7 * n_subjects)
    sums = np.zeros((region_stage + n_stages + 1, 7 * n_subjects))
    np.add.at(sums, rows, flat[schools])
    rolled = sums.reshape(-1, 7, n_subjects).transpose(1, 0, 2)
    enrolled, sat, n_passed, n_excellent, n, total, squares = np.concatenate([per_school, rolled], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        out = {
            "enrolled": enrolled,
            "mean": mean,
            "std": np.sqrt((squares - n * mean * mean) / (n - 1)),
            "pass_rate_enrolled": n_passed / enrolled,
            "pass_rate_tested": n_passed / sat,
            "excellent_rate_enrolled": n_excellent / enrolled,
            "excellent_rate_tested": n_excellent / sat,
        }
        # CV of school results over the schools of one stage, per group and for the region: Σp, Σpx, Σpx².
        for name in ("mean", "pass_rate_enrolled"):
            x = out[name][:n_schools]
            p = np.where(np.isnan(x), 0.0, enrolled[:n_schools])
            x = np.nan_to_num(x)
            moments = np.zeros((region_stage + n_stages, 3, n_subjects))
            np.add.at(moments, stage_rows, np.stack([p, p * x, p * x * x], axis=1)[stage_schools])
            sp, spx, spx2 = moments.transpose(1, 0, 2)
            weighted = spx / sp
            cv = np.sqrt(np.maximum(spx2 / sp - weighted * weighted, 0.0)) / weighted
            out[f"cv_{name}"] = np.concatenate([cv[: n_groups * n_stages], cv[region_stage:]])
    return out


def check_floor(indicators: pl.DataFrame, rates: pl.DataFrame, floor: dict[str, Floats]) -> float:
    """Largest gap between ours and the floor: every school row, the region's whole rows, the region's CVs."""
    schools = indicators.filter(pl.col("level") == "school").sort(
        pl.col("entity_id").cast(pl.Int64), "subject"
    )
    region = indicators.filter(pl.col("level") == "region", pl.col("stage").is_null()).sort("subject")
    n_schools = schools["entity_id"].n_unique()
    gaps = []
    for name in ("mean", "std", "pass_rate_enrolled", "pass_rate_tested", "excellent_rate_tested"):
        gaps.append(np.nanmax(np.abs(schools[name].to_numpy() - floor[name][:n_schools].ravel())))
        gaps.append(np.max(np.abs(region[name].to_numpy() - floor[name][-1])))
    region_cv = rates.filter(pl.col("level") == "region").head(len(STAGES) * floor["mean"].shape[1])
    ours_cv = region_cv.sort(pl.col("stage").cast(pl.Enum(STAGES)), "subject")["cv"].to_numpy()
    gaps.append(np.nanmax(np.abs(ours_cv - floor["cv_mean"][-len(STAGES) :].ravel())))
    return float(max(gaps))


def interleaved(repeats: int, work: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    """Time each piece of work `repeats` times, taking turns, so load from elsewhere falls on all alike."""
    times: dict[str, list[float]] = {label: [] for label in work}
    for _ in range(repeats):
        for label, job in work.items():
            start = time.perf_counter()
            job()
            times[label].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=1_500)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20250310)
    args = parser.parse_args()

    start = time.perf_counter()
    city = build_city(n_schools=args.schools, n_students=args.students, seed=args.seed)
    r = city.results
    print(
        f"city: {r.height:,} rows ({r['student_id'].n_unique():,} students × {r['subject'].n_unique()} subjects), "
        f"{city.schools.height:,} schools, {city.memberships['group_id'].n_unique()} groups, "
        f"{city.memberships.height:,} memberships, {(~r['sat']).mean():.1%} absent, "
        f"{(r['level'].is_null() & r['sat']).mean():.1%} levels derived; built in {time.perf_counter() - start:.1f} s"
    )
    print(f"polars {pl.__version__} on {pl.thread_pool_size()} threads, numpy {np.__version__}")

    indicators, rates = run_ours(city)
    cols = encode(city)
    gap = check_floor(indicators, rates, run_floor(cols, city))
    print(f"ours: {indicators.height:,} indicator rows, {rates.height:,} difference-rate rows")
    work: dict[str, Callable[[], object]] = {
        "indicators": lambda: compute_indicators(
            city.results, city.schools, city.memberships, region_id=REGION_ID, cuts=CUTS
        ),
        "ours": lambda: run_ours(city),
        "floor": lambda: run_floor(cols, city),
        "encode": lambda: encode(city),
    }
    labels = {
        "indicators": "ours: compute_indicators",
        "ours": "ours: indicators + difference rates (mean, pass)",
        "floor": "floor: NumPy bincount + roll-ups",
        "encode": "floor prep: string columns to codes (polars)",
    }
    times = interleaved(args.repeats, work)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    for name, ts in times.items():
        print(f"{labels[name]:50s} median {median[name]:.3f} s  ({', '.join(f'{t:.3f}' for t in ts)})")
    ours, floor = median["ours"], median["floor"]
    print(
        f"ratio ours / floor: {ours / floor:.1f}x  (compute_indicators alone: {median['indicators'] / floor:.1f}x)"
    )
    print(f"ratio ours / (floor + its string encoding): {ours / (floor + median['encode']):.1f}x")
    print(f"largest gap ours vs floor (school rows, region rows, region CVs): {gap:.1e}")


if __name__ == "__main__":
    main()
