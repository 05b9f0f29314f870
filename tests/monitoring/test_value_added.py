"""Value-added (HK-19): REML random-intercept fit checked against statsmodels and a dense computation."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMResults
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from edugroup.core.errors import InvalidInput
from edugroup.monitoring.value_added import (
    INTERCEPT,
    ValueAddedResult,
    fit_reml,
    fit_value_added,
    read_group_of,
    reml_criterion,
    school_sums,
    value_added_file,
)

FIXED_TOL = 1e-4
VARIANCE_RTOL = 1e-3
EFFECT_TOL = 1e-3


def simulate(
    sizes: list[int] | np.ndarray,
    *,
    seed: int,
    school_sd: float = 4.0,
    covariates: bool = False,
) -> pl.DataFrame:
    """Students in schools of the given sizes: score = 20 + 0.8 prior (+ covariates) + u_school + noise."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes)
    n = int(sizes.sum())
    school = np.repeat([f"S{j:03d}" for j in range(len(sizes))], sizes)
    u = np.repeat(rng.normal(0.0, school_sd, len(sizes)), sizes)
    prior = rng.normal(500.0, 80.0, n) + u * 3.0  # better schools also take stronger pupils
    score = 20.0 + 0.8 * prior + u + rng.normal(0.0, 10.0, n)
    columns: dict[str, object] = {"school": school, "prior": prior}
    if covariates:
        sex = rng.choice(["F", "M"], n)
        hukou = rng.choice(["本地", "外地", "随迁"], n, p=[0.5, 0.3, 0.2])
        hours = rng.normal(10.0, 2.0, n)
        score += 2.0 * (sex == "M") - 3.0 * (hukou == "随迁") + 0.5 * hours
        columns |= {"sex": sex, "hukou": hukou, "hours": hours}
    return pl.DataFrame({"score": score, **columns})


def statsmodels_fit(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> MixedLMResults:
    """The reference: the best statsmodels MixedLM REML fit among two optimisers.

    With a raw prior score (~500) statsmodels' BFGS sometimes stops short — its default stopping rule leaves
    the variances ~1e-4 off, the size of the tolerances checked here — and then retries with other
    optimisers, warning each time. Those ConvergenceWarnings concern the reference, not the product, so they
    are silenced here; of a tight BFGS and Powell, the fit with the higher REML log-likelihood is kept.
    """
    model = MixedLM(y, x, groups=groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits = [model.fit(reml=True, method="bfgs", gtol=1e-10), model.fit(reml=True, method="powell")]
    return max(fits, key=lambda fit: float(fit.llf))


def assert_matches_statsmodels(
    result: ValueAddedResult, y: np.ndarray, x: np.ndarray, groups: np.ndarray
) -> None:
    reference = statsmodels_fit(y, x, groups)
    assert result.reml_criterion <= -2.0 * reference.llf + 1e-6  # our optimum is at least as good
    assert list(result.fixed.values()) == pytest.approx(list(reference.fe_params), abs=FIXED_TOL)
    assert result.school_variance == pytest.approx(
        float(np.asarray(reference.cov_re)[0, 0]), rel=VARIANCE_RTOL
    )
    assert result.residual_variance == pytest.approx(float(reference.scale), rel=VARIANCE_RTOL)
    assert set(result.effects) == {str(g) for g in reference.random_effects}
    for school, blup in reference.random_effects.items():
        assert result.effects[str(school)].effect == pytest.approx(float(blup.iloc[0]), abs=EFFECT_TOL)


def test_estimates_match_statsmodels_with_a_prior_score() -> None:
    df = simulate([30] * 25, seed=1)
    result = fit_value_added(df, score="score", prior="prior", school="school")
    x = np.column_stack([np.ones(df.height), df["prior"].to_numpy()])
    assert_matches_statsmodels(result, df["score"].to_numpy(), x, df["school"].to_numpy())
    assert list(result.fixed) == [INTERCEPT, "prior"]
    assert result.n == 750
    assert result.n_schools == 25


def test_estimates_match_statsmodels_without_a_prior_score() -> None:
    df = simulate([12, 40, 25, 8, 60, 33, 19, 5, 27, 44], seed=2)
    result = fit_value_added(df, score="score", prior=None, school="school")
    assert_matches_statsmodels(
        result, df["score"].to_numpy(), np.ones((df.height, 1)), df["school"].to_numpy()
    )
    assert list(result.fixed) == [INTERCEPT]


def test_estimates_match_statsmodels_with_a_categorical_and_a_numeric_covariate() -> None:
    df = simulate([20, 35, 50, 15, 28, 41, 22, 37, 30, 26, 18, 45], seed=3, covariates=True)
    result = fit_value_added(
        df, score="score", prior="prior", school="school", covariates=["sex", "hukou", "hours"]
    )
    # Levels sort by code point: 外 (U+5916) < 本 (U+672C) < 随 (U+968F), so 外地 is the reference.
    assert list(result.fixed) == [INTERCEPT, "prior", "sexM", "hukou本地", "hukou随迁", "hours"]
    x = np.column_stack(
        [
            np.ones(df.height),
            df["prior"].to_numpy(),
            (df["sex"] == "M").to_numpy(),
            (df["hukou"] == "本地").to_numpy(),
            (df["hukou"] == "随迁").to_numpy(),
            df["hours"].to_numpy(),
        ]
    ).astype(float)
    assert_matches_statsmodels(result, df["score"].to_numpy(), x, df["school"].to_numpy())


def test_estimates_match_statsmodels_for_unbalanced_schools_including_a_school_of_one_student() -> None:
    sizes = [1, 2, 3, 150, 7, 90, 1, 15, 4, 60, 33, 2, 120, 9, 25]
    df = simulate(sizes, seed=4)
    result = fit_value_added(df, score="score", prior="prior", school="school")
    x = np.column_stack([np.ones(df.height), df["prior"].to_numpy()])
    assert_matches_statsmodels(result, df["score"].to_numpy(), x, df["school"].to_numpy())
    one = result.effects["S000"]
    big = result.effects["S003"]
    assert one.n == 1
    assert one.se > big.se  # the lone student's school is shrunk hard and stays uncertain


def test_school_effect_se_is_the_conditional_sd_that_statsmodels_reports() -> None:
    df = simulate([1, 5, 12, 40, 80, 3, 25], seed=5)
    result = fit_value_added(df, score="score", prior="prior", school="school")
    x = np.column_stack([np.ones(df.height), df["prior"].to_numpy()])
    reference = statsmodels_fit(df["score"].to_numpy(), x, df["school"].to_numpy())
    for school, cov in reference.random_effects_cov.items():
        effect = result.effects[str(school)]
        assert effect.se == pytest.approx(math.sqrt(float(cov.iloc[0, 0])), abs=EFFECT_TOL)
        assert effect.lower == pytest.approx(effect.effect - 1.959964 * effect.se)
        assert effect.upper == pytest.approx(effect.effect + 1.959964 * effect.se)


def test_reml_criterion_is_minus_twice_the_statsmodels_reml_log_likelihood() -> None:
    df = simulate([10, 20, 30, 40, 50], seed=6)
    result = fit_value_added(df, score="score", prior="prior", school="school")
    x = np.column_stack([np.ones(df.height), df["prior"].to_numpy()])
    reference = statsmodels_fit(df["score"].to_numpy(), x, df["school"].to_numpy())
    assert result.reml_criterion == pytest.approx(-2.0 * reference.llf, abs=1e-6)


def test_integer_school_ids_are_kept_in_numeric_order_and_match_statsmodels() -> None:
    df = simulate([14, 9, 22, 31, 17, 8, 26, 11, 19, 13, 24], seed=7).with_columns(
        pl.col("school").str.slice(1).cast(pl.Int64)
    )
    result = fit_value_added(df, score="score", prior="prior", school="school")
    assert list(result.effects) == [str(j) for j in range(11)]
    x = np.column_stack([np.ones(df.height), df["prior"].to_numpy()])
    assert_matches_statsmodels(result, df["score"].to_numpy(), x, df["school"].to_numpy())


# --- the per-school sums against the n × n matrices ---------------------------------------------------


def dense_reml_criterion(x: np.ndarray, y: np.ndarray, codes: np.ndarray, theta: float) -> float:
    """−2 REML log-likelihood with V = σ²(I + θZZ') built in full, σ² profiled out."""
    z = np.eye(codes.max() + 1)[codes]
    v = np.eye(len(y)) + theta * z @ z.T
    v_inv = np.linalg.inv(v)
    a = x.T @ v_inv @ x
    beta = np.linalg.solve(a, x.T @ v_inv @ y)
    r = y - x @ beta
    dof = len(y) - x.shape[1]
    q = r @ v_inv @ r
    return float(
        dof * (1.0 + math.log(2.0 * math.pi * q / dof)) + np.linalg.slogdet(v)[1] + np.linalg.slogdet(a)[1]
    )


def tiny_data(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(5), [1, 3, 4, 2, 6])
    prior = rng.normal(50.0, 10.0, len(codes))
    covariate = rng.normal(0.0, 1.0, len(codes))
    y = 5.0 + 0.9 * prior + covariate + rng.normal(0.0, 3.0, 5)[codes] + rng.normal(0.0, 2.0, len(codes))
    return np.column_stack([prior, covariate]), y, codes


@pytest.mark.parametrize("theta", [0.0, 1e-4, 0.05, 0.7, 3.0, 250.0])
def test_per_school_sums_give_the_dense_reml_criterion(theta: float) -> None:
    x, y, codes = tiny_data(seed=8)
    sums = school_sums(x, y, codes, 5)
    dense = dense_reml_criterion(np.column_stack([np.ones(len(y)), x]), y, codes, theta)
    assert reml_criterion(sums, theta) == pytest.approx(dense, rel=1e-12, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=6),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    theta=st.floats(min_value=0.0, max_value=50.0),
)
def test_per_school_sums_give_the_dense_reml_criterion_for_any_small_data_set(
    sizes: list[int], seed: int, theta: float
) -> None:
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(len(sizes)), sizes)
    x = rng.normal(0.0, 1.0, (len(codes), 1)) * 10.0
    y = 3.0 + x[:, 0] + rng.normal(0.0, 1.0, len(sizes))[codes] + rng.normal(0.0, 1.0, len(codes))
    if len(codes) <= 2:
        return  # no residual degrees of freedom
    dense = dense_reml_criterion(np.column_stack([np.ones(len(y)), x]), y, codes, theta)
    assert reml_criterion(school_sums(x, y, codes, len(sizes)), theta) == pytest.approx(dense, rel=1e-9)


def test_fit_equals_dense_gls_and_blups_on_a_tiny_data_set() -> None:
    x, y, codes = tiny_data(seed=9)
    fit = fit_reml(school_sums(x, y, codes, 5))
    design = np.column_stack([np.ones(len(y)), x])
    z = np.eye(5)[codes]
    v = fit.residual_variance * np.eye(len(y)) + fit.school_variance * z @ z.T
    v_inv = np.linalg.inv(v)
    cov_beta = np.linalg.inv(design.T @ v_inv @ design)
    beta = cov_beta @ design.T @ v_inv @ y
    blup = fit.school_variance * z.T @ v_inv @ (y - design @ beta)
    posterior = fit.school_variance - fit.school_variance**2 * np.diag(z.T @ v_inv @ z)
    assert fit.fixed == pytest.approx(beta, rel=1e-9)
    assert fit.cov_fixed == pytest.approx(cov_beta, rel=1e-8)
    assert fit.effects == pytest.approx(blup, rel=1e-8, abs=1e-12)
    assert fit.effect_se == pytest.approx(np.sqrt(posterior), rel=1e-7)
    # θ̂ is the optimum of the dense criterion too.
    theta = fit.theta
    best = dense_reml_criterion(design, y, codes, theta)
    for step in (0.99, 1.01):
        assert dense_reml_criterion(design, y, codes, theta * step) > best


def test_no_school_variance_is_found_on_the_boundary_and_effects_are_zero() -> None:
    rng = np.random.default_rng(10)
    codes = np.repeat(np.arange(20), 10)
    noise = rng.normal(0.0, 5.0, len(codes))
    noise -= np.bincount(codes, weights=noise)[codes] / 10.0  # every school's mean is exactly the same
    df = pl.DataFrame({"score": 60.0 + noise, "school": [f"S{c:02d}" for c in codes]})
    result = fit_value_added(df, score="score", prior=None, school="school")
    assert result.school_variance == 0.0
    assert all(e.effect == 0.0 and e.se == 0.0 for e in result.effects.values())
    assert [w.code for w in result.warnings] == ["zero_school_variance"]
    sums = school_sums(np.zeros((len(codes), 0)), 60.0 + noise, codes, 20)
    assert reml_criterion(sums, 0.0) < reml_criterion(sums, 1e-6)


# --- missing data and messages -----------------------------------------------------------------------------


def test_schools_without_prior_scores_are_named_with_what_to_do() -> None:
    df = simulate([20] * 8, seed=11).with_columns(
        pl.when(pl.col("school").is_in(["S002", "S005"])).then(None).otherwise(pl.col("prior")).alias("prior")
    )
    result = fit_value_added(df, score="score", prior="prior", school="school")
    assert result.n_schools == 6
    assert "S002" not in result.effects
    assert "S005" not in result.effects
    assert result.rows_dropped == {"prior": 40, "total": 40}
    (no_prior,) = [w for w in result.warnings if w.code == "schools_without_prior"]
    assert no_prior.schools == ["S002", "S005"]
    assert "S002, S005" in no_prior.message
    assert "前测成绩" in no_prior.message
    assert "--prior" in no_prior.message
    as_json = result.to_dict()["warnings"]
    assert isinstance(as_json, list)
    assert as_json[-1]["code"] == "schools_without_prior"


def test_rows_with_a_missing_prior_score_or_school_are_dropped_and_reported() -> None:
    df = simulate([15] * 6, seed=12)
    df = df.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("prior")).alias("prior"),
        pl.when(pl.int_range(pl.len()) == 50).then(None).otherwise(pl.col("school")).alias("school"),
        pl.when(pl.int_range(pl.len()).is_in([20, 21]))
        .then(float("nan"))
        .otherwise(pl.col("score"))
        .alias("score"),
    )
    result = fit_value_added(df, score="score", prior="prior", school="school")
    assert result.n == 86
    assert result.rows_dropped == {"score": 2, "school": 1, "prior": 1, "total": 4}
    assert {w.code: w.schools for w in result.warnings} == {
        "rows_without_score": ["S001"],
        "rows_without_school": [],
        "rows_without_prior": ["S000"],
    }
    complete = df.drop_nulls().filter(pl.col("score").is_not_nan())
    same = fit_value_added(complete, score="score", prior="prior", school="school")
    assert (result.fixed, result.effects) == (same.fixed, same.effects)


def test_a_school_that_loses_all_its_rows_to_missing_scores_is_named() -> None:
    df = simulate([10] * 5, seed=13).with_columns(
        pl.when(pl.col("school") == "S004").then(None).otherwise(pl.col("score")).alias("score")
    )
    result = fit_value_added(df, score="score", prior="prior", school="school")
    assert [(w.code, w.schools) for w in result.warnings][-1] == ("schools_without_rows", ["S004"])


def test_a_file_where_no_row_has_a_prior_score_is_refused() -> None:
    df = simulate([10] * 5, seed=14).with_columns(pl.lit(None, dtype=pl.Float64).alias("prior"))
    with pytest.raises(InvalidInput, match="前测成绩") as caught:
        fit_value_added(df, score="score", prior="prior", school="school")
    assert caught.value.field == "prior"


def test_a_categorical_covariate_with_one_level_is_refused() -> None:
    df = simulate([10] * 5, seed=15).with_columns(pl.lit("F").alias("sex"))
    with pytest.raises(InvalidInput, match="sex"):
        fit_value_added(df, score="score", prior="prior", school="school", covariates=["sex"])


def test_collinear_covariates_are_refused() -> None:
    df = simulate([10] * 5, seed=16).with_columns((pl.col("prior") * 2.0).alias("prior2"))
    with pytest.raises(InvalidInput, match="共线"):
        fit_value_added(df, score="score", prior="prior", school="school", covariates=["prior2"])


# --- groups ---------------------------------------------------------------------------------------------------


def test_a_group_effect_is_the_student_weighted_mean_of_its_schools() -> None:
    df = simulate([5, 30, 12, 40, 8, 22], seed=17)
    group_of = {"S000": "甲", "S001": "甲", "S002": "乙", "S003": "乙", "S004": "乙"}
    result = fit_value_added(df, score="score", prior="prior", school="school", group_of=group_of)
    assert result.groups is not None
    a, b = result.effects["S000"], result.effects["S001"]
    group = result.groups["甲"]
    assert group.n == 35
    assert group.n_schools == 2
    assert group.effect == pytest.approx((5 * a.effect + 30 * b.effect) / 35)
    assert group.se == pytest.approx(math.hypot(5 / 35 * a.se, 30 / 35 * b.se))
    assert [w.schools for w in result.warnings if w.code == "schools_without_group"] == [["S005"]]


# --- files ----------------------------------------------------------------------------------------------------


def test_the_file_command_writes_the_documented_json(tmp_path: Path) -> None:
    df = simulate([12, 20, 7, 30], seed=18, covariates=True).with_columns(
        pl.col("school").replace({"S000": "第一中学"})
    )
    source = tmp_path / "results.csv"
    df.write_csv(source)
    output = tmp_path / "va.json"
    body = value_added_file(
        source, score="score", prior="prior", school="school", covariates=["sex", "hours"], output=output
    )
    text = output.read_text(encoding="utf-8")
    assert "第一中学" in text  # ensure_ascii=False
    written = json.loads(text)
    assert written == json.loads(json.dumps(body))
    assert {"n", "n_schools", "fixed", "school_variance", "residual_variance", "effects"} <= set(written)
    assert list(written["fixed"]) == [INTERCEPT, "prior", "sexM", "hours"]
    assert set(written["effects"]["第一中学"]) >= {"effect", "se", "n", "lower", "upper"}
    direct = fit_value_added(df, score="score", prior="prior", school="school", covariates=["sex", "hours"])
    assert written["fixed"] == pytest.approx(direct.fixed, rel=1e-9)


def test_a_missing_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    source = tmp_path / "results.csv"
    simulate([5, 5], seed=19).write_csv(source)
    with pytest.raises(InvalidInput) as caught:
        value_added_file(source, score="score", prior="pretest", school="school", output=tmp_path / "va.json")
    assert caught.value.file == str(source)
    assert caught.value.field == "pretest"
    assert "pretest" in caught.value.message
    assert str(source) in caught.value.message


def test_a_score_that_is_not_a_number_names_its_row(tmp_path: Path) -> None:
    source = tmp_path / "results.csv"
    source.write_text("school,score,prior\nA,81,70\nA,,72\nB,缺考,60\nB,77,66\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="缺考") as caught:
        value_added_file(source, score="score", prior="prior", school="school", output=tmp_path / "va.json")
    assert caught.value.row == 4
    assert caught.value.field == "score"


def test_gb18030_csv_and_xlsx_files_read_like_utf8_csv(tmp_path: Path) -> None:
    df = simulate([8, 11, 6, 14], seed=20).with_columns(pl.col("school").replace({"S001": "实验小学"}))
    utf8 = tmp_path / "utf8.csv"
    df.write_csv(utf8)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gb18030"))
    xlsx = tmp_path / "results.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(df.columns)
    for row in df.iter_rows():
        sheet.append(list(row))
    book.save(xlsx)
    bodies = [
        value_added_file(
            path, score="score", prior="prior", school="school", output=tmp_path / f"{path.stem}.json"
        )
        for path in (utf8, gbk, xlsx)
    ]
    assert bodies[0]["fixed"] == pytest.approx(bodies[1]["fixed"], rel=1e-12)
    assert bodies[0]["fixed"] == pytest.approx(bodies[2]["fixed"], rel=1e-7)
    effects = bodies[2]["effects"]
    assert isinstance(effects, dict)
    assert "实验小学" in effects


def test_a_school_to_group_table_reads_into_a_mapping(tmp_path: Path) -> None:
    source = tmp_path / "groups.csv"
    source.write_text("学校,集团\n101,甲集团\n102,乙集团\n", encoding="utf-8")
    assert read_group_of(source, school="学校", group="集团") == {"101": "甲集团", "102": "乙集团"}
