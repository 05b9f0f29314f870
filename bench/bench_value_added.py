"""Value-added on a synthetic city, side by side with statsmodels MixedLM (REML).

    /tmp/v/bin/python bench/bench_value_added.py [--students 1000000] [--schools 1500] [--repeats 5]
        [--also-rows 200000] [--csv]

Ours is timed ``--repeats`` times (median quoted), statsmodels once, both in this run on the same data;
the script prints both times, their ratio and the largest differences between the two sets of estimates.
``--also-rows`` repeats the comparison on a random subset of that many students; ``--csv`` also times the
file path (write a CSV, then ``value_added_file``: read, fit, write JSON).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from statsmodels.regression.mixed_linear_model import MixedLM

from edugroup.monitoring.value_added import ValueAddedResult, fit_value_added, value_added_file


def synthetic_city(students: int, schools: int, seed: int) -> pl.DataFrame:
    """One subject: school sizes vary ~10× (a few schools of one student), prior scores on a 0-750 scale."""
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0.0, 0.6, schools)
    sizes = np.maximum(1, np.round(weights / weights.sum() * students)).astype(int)
    sizes[:3] = 1
    sizes[-1] += students - sizes.sum()
    school = np.repeat(np.arange(schools), sizes)
    intake = rng.normal(0.0, 30.0, schools)[school]
    effect = rng.normal(0.0, 6.0, schools)[school]
    prior = np.clip(rng.normal(480.0, 70.0, students) + intake, 0.0, 750.0)
    score = 60.0 + 0.85 * prior + effect + rng.normal(0.0, 35.0, students)
    return (
        pl.DataFrame({"school": [f"S{j:04d}" for j in range(schools)]})
        .with_row_index("code")
        .join(pl.DataFrame({"code": school.astype(np.uint32), "prior": prior, "score": score}), on="code")
        .select("school", "prior", "score")
    )


def time_ours(df: pl.DataFrame, repeats: int) -> tuple[list[float], ValueAddedResult]:
    times: list[float] = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fit_value_added(df, score="score", prior="prior", school="school")
        times.append(time.perf_counter() - start)
    assert result is not None
    return times, result


def time_statsmodels(df: pl.DataFrame) -> tuple[float, dict[str, float], dict[str, float]]:
    """statsmodels MixedLM on arrays (no formula parsing), default optimiser, REML; timed once."""
    start = time.perf_counter()
    y = df["score"].to_numpy()
    x = np.column_stack([np.ones(df.height), df["prior"].to_numpy()])
    fit = MixedLM(y, x, groups=df["school"].to_numpy()).fit(reml=True)
    effects = {str(k): float(v.iloc[0]) for k, v in fit.random_effects.items()}
    elapsed = time.perf_counter() - start
    estimates = {
        "(Intercept)": float(fit.fe_params[0]),
        "prior": float(fit.fe_params[1]),
        "school_variance": float(np.asarray(fit.cov_re)[0, 0]),
        "residual_variance": float(fit.scale),
        "reml_criterion": -2.0 * float(fit.llf),
    }
    return elapsed, estimates, effects


def compare(df: pl.DataFrame, repeats: int) -> None:
    print(f"\n== {df.height:,} students, {df['school'].n_unique():,} schools ==")
    times, ours = time_ours(df, repeats)
    median = statistics.median(times)
    print(f"ours        median {median:.3f} s over {repeats} runs ({', '.join(f'{t:.3f}' for t in times)})")
    sm_time, sm, sm_effects = time_statsmodels(df)
    print(f"statsmodels once   {sm_time:.1f} s")
    print(f"ratio              {sm_time / median:.0f}x")
    fixed_diff = max(abs(ours.fixed[k] - sm[k]) for k in ours.fixed)
    tau_rel = abs(ours.school_variance / sm["school_variance"] - 1.0)
    sigma_rel = abs(ours.residual_variance / sm["residual_variance"] - 1.0)
    effect_diff = max(abs(ours.effects[k].effect - sm_effects[k]) for k in ours.effects)
    print(f"max |Δ fixed effect|           {fixed_diff:.2e}")
    print(
        f"rel Δ school variance          {tau_rel:.2e}  (ours {ours.school_variance:.6f}, statsmodels {sm['school_variance']:.6f})"
    )
    print(f"rel Δ residual variance        {sigma_rel:.2e}")
    print(f"max |Δ school effect|          {effect_diff:.2e}")
    print(
        f"REML criterion ours − statsmodels {ours.reml_criterion - sm['reml_criterion']:.2e}"
        " (negative: ours is the better optimum)"
    )


def time_file(df: pl.DataFrame, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "results.csv"
        df.write_csv(source)
        size_mb = source.stat().st_size / 1e6
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            value_added_file(
                source, score="score", prior="prior", school="school", output=Path(folder) / "va.json"
            )
            times.append(time.perf_counter() - start)
    print(f"\nfile path (CSV {size_mb:.0f} MB → JSON) median {statistics.median(times):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=1_500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--also-rows", type=int, default=0)
    parser.add_argument("--csv", action="store_true")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    city = synthetic_city(args.students, args.schools, args.seed)
    compare(city, args.repeats)
    if args.also_rows:
        compare(city.sample(args.also_rows, seed=args.seed), args.repeats)
    if args.csv:
        time_file(city, args.repeats)


if __name__ == "__main__":
    main()
