"""Value-added (增值, HK-19, HK-24, QP-10): random-intercept REML with empirical-Bayes school effects.

The model is ``score ~ prior (+ covariates) + (1 | school)``:

    y_ij = x_ij'β + u_j + e_ij,   u_j ~ N(0, τ²),   e_ij ~ N(0, σ²),

fitted by REML as lme4's ``lmer(score ~ prior + (1 | school))`` is. The likelihood never builds an n × n
matrix. With θ = τ²/σ², school j's covariance is σ²(I + θ11'), whose inverse is (I − c_j 11')/σ² with
c_j = θ/(1 + n_jθ). Summed over schools, every quantity REML needs reduces to the per-school sums n_j, X_j'1,
1'y_j and the pooled within-school cross-products of [X, y]:

    A(θ) = Σ_j X_j'X_j − c_j (X_j'1)(1'X_j) = W_xx + Σ_j w_j x̄_j x̄_j',   w_j = n_j/(1 + n_jθ)
    b(θ) = W_xy + Σ_j w_j x̄_j ȳ_j,   β̂(θ) = A⁻¹b
    Q(θ) = (y − Xβ̂)'(I − c 11')(y − Xβ̂) = within residual + Σ_j w_j (ȳ_j − x̄_j'β̂)²
    −2 log L_R(θ) = (N − p)(1 + log(2π Q/(N − p))) + Σ_j log(1 + n_jθ) + log|A(θ)|

with σ² = Q/(N − p) profiled out; the one remaining parameter θ ≥ 0 is found by a grid plus a bounded
scalar search, and θ = 0 (no between-school variance) is checked on its own. The cost is linear in the
number of students.

School effects are the empirical-Bayes predictions (BLUPs) u_j = λ_j(ȳ_j − x̄_j'β̂), λ_j = τ²/(τ² + σ²/n_j),
so small schools are shrunk towards 0. Their ``se`` is the conditional standard deviation of u_j given the
data at the REML estimates, √(τ²(1 − λ_j)) — lme4's ``condVar``, statsmodels' ``random_effects_cov``; it
does not include the uncertainty of β̂, τ² or σ². The 95% interval is effect ± 1.96 se. A group's effect is
the student-weighted mean of its schools' effects; as the schools' conditional errors are independent, its
se is √(Σ_j (n_j/n_g)² se_j²).
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import linalg, optimize

from edugroup.core.errors import InvalidInput

INTERCEPT = "(Intercept)"
Z_95 = 1.959963984540054
_LOG_2PI = math.log(2.0 * math.pi)
# θ = τ²/σ² is searched on this grid first, then refined between the neighbours of the best point.
_THETA_GRID = np.logspace(-8.0, 8.0, 65)
_MAX_NAMES_IN_MESSAGE = 20

FloatArray = NDArray[np.float64]


# ---------------------------------------------------------------------------------------------------------
# Numerical core: per-school sums and the profiled REML criterion. Plain arrays, no polars.
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolSums:
    """The sufficient statistics of the random-intercept model, linear in the number of students.

    Columns are centred on their grand means (y on ``y_centre``, the non-intercept columns of X on
    ``x_centre``) so that the sums stay well conditioned; the fit maps the estimates back.
    """

    n: FloatArray  # (J,) students per school
    x_mean: FloatArray  # (J, p) school means of the centred design, first column the intercept (1)
    y_mean: FloatArray  # (J,) school means of the centred score
    within_xx: FloatArray  # (p, p) pooled within-school cross-products of X (intercept row/column 0)
    within_xy: FloatArray  # (p,)
    within_yy: float
    x_centre: FloatArray  # (p - 1,)
    y_centre: float

    @property
    def n_obs(self) -> int:
        return int(self.n.sum())

    @property
    def n_fixed(self) -> int:
        return int(self.x_mean.shape[1])


def school_sums(x: FloatArray, y: FloatArray, school: NDArray[np.intp], n_schools: int) -> SchoolSums:
    """Per-school sums of a design ``x`` (N × k, without intercept), scores ``y`` and school codes 0..J-1."""
    x = np.asarray(x, dtype=np.float64).reshape(len(y), -1)
    y = np.asarray(y, dtype=np.float64)
    n = np.bincount(school, minlength=n_schools).astype(np.float64)
    if np.any(n == 0):
        raise ValueError("every school code 0..J-1 needs at least one row")
    x_centre = x.mean(axis=0) if x.shape[1] else np.zeros(0)
    y_centre = float(y.mean())
    z = np.column_stack([x - x_centre, y - y_centre])
    z_mean = np.empty((n_schools, z.shape[1]))
    for k in range(z.shape[1]):
        z_mean[:, k] = np.bincount(school, weights=z[:, k], minlength=n_schools) / n
    z -= z_mean[school]
    within = z.T @ z
    k = x.shape[1]
    within_xx = np.zeros((k + 1, k + 1))
    within_xx[1:, 1:] = within[:k, :k]
    within_xy = np.concatenate([[0.0], within[:k, k]])
    return SchoolSums(
        n=n,
        x_mean=np.column_stack([np.ones(n_schools), z_mean[:, :k]]),
        y_mean=z_mean[:, k],
        within_xx=within_xx,
        within_xy=within_xy,
        within_yy=float(within[k, k]),
        x_centre=x_centre,
        y_centre=y_centre,
    )


@dataclass(frozen=True)
class _Profile:
    """β̂, the residual quadratic form and the Cholesky factor of A at one θ (centred coordinates)."""

    beta: FloatArray
    q: float
    a_chol: FloatArray
    criterion: float


def _profile(sums: SchoolSums, theta: float) -> _Profile | None:
    w = sums.n / (1.0 + sums.n * theta)
    weighted = sums.x_mean * w[:, None]
    a = sums.within_xx + weighted.T @ sums.x_mean
    b = sums.within_xy + weighted.T @ sums.y_mean
    try:
        a_chol = linalg.cholesky(a, lower=True)
    except linalg.LinAlgError:
        return None
    beta = linalg.cho_solve((a_chol, True), b)
    between = sums.y_mean - sums.x_mean @ beta
    within = sums.within_yy - 2.0 * float(beta @ sums.within_xy) + float(beta @ sums.within_xx @ beta)
    q = max(within, 0.0) + float(np.sum(w * between**2))
    dof = sums.n_obs - sums.n_fixed
    if q <= 0.0:
        return None
    criterion = (
        dof * (1.0 + _LOG_2PI + math.log(q / dof))
        + float(np.sum(np.log1p(sums.n * theta)))
        + 2.0 * float(np.sum(np.log(np.diag(a_chol))))
    )
    return _Profile(beta=beta, q=q, a_chol=a_chol, criterion=criterion)


def reml_criterion(sums: SchoolSums, theta: float) -> float:
    """−2 × the REML log-likelihood at θ = τ²/σ², σ² profiled out (lme4's REML criterion)."""
    profile = _profile(sums, theta)
    return math.inf if profile is None else profile.criterion


@dataclass(frozen=True)
class RemlFit:
    """REML estimates in the original coordinates; ``cov_fixed`` is σ²A(θ̂)⁻¹, conditional on θ̂."""

    theta: float
    fixed: FloatArray
    cov_fixed: FloatArray
    residual_variance: float
    school_variance: float
    criterion: float
    effects: FloatArray
    effect_se: FloatArray


def _check_full_rank(sums: SchoolSums, names: Sequence[str] | None) -> None:
    """Refuse a design whose columns are collinear (with each other or with the intercept)."""
    xtx = sums.within_xx + (sums.x_mean * sums.n[:, None]).T @ sums.x_mean
    scale = np.sqrt(np.diag(xtx))
    eigen = np.linalg.eigvalsh(xtx / np.outer(scale, scale)) if np.all(scale > 0.0) else np.zeros(1)
    if eigen.min() <= 1e-10 * eigen.max():
        which = f" ({', '.join(names)})" if names else ""
        raise InvalidInput(
            f"无法拟合模型: 固定效应{which}的设计矩阵不满秩 (协变量之间或与截距共线, 或某协变量取值全相同)"
        )


def _minimise_theta(sums: SchoolSums) -> float:
    values = np.array([reml_criterion(sums, float(t)) for t in _THETA_GRID])
    best = int(np.argmin(values))
    if best == 0:
        upper = float(_THETA_GRID[1])
        found = optimize.minimize_scalar(
            lambda t: reml_criterion(sums, float(t)),
            bounds=(0.0, upper),
            method="bounded",
            options={"xatol": upper * 1e-10, "maxiter": 500},
        )
    else:
        lower = math.log(float(_THETA_GRID[best - 1]))
        upper = math.log(float(_THETA_GRID[min(best + 1, len(_THETA_GRID) - 1)]))
        found = optimize.minimize_scalar(
            lambda s: reml_criterion(sums, math.exp(float(s))),
            bounds=(lower, upper),
            method="bounded",
            options={"xatol": 1e-10, "maxiter": 500},
        )
    theta = float(found.x) if best == 0 else math.exp(float(found.x))
    # The boundary τ² = 0 is a legitimate REML estimate: keep it whenever it is at least as good.
    if reml_criterion(sums, 0.0) <= reml_criterion(sums, theta):
        return 0.0
    return theta


def fit_reml(sums: SchoolSums, *, names: Sequence[str] | None = None) -> RemlFit:
    """Fit the random-intercept model by REML from its per-school sums; ``names`` label errors only."""
    dof = sums.n_obs - sums.n_fixed
    if dof <= 0:
        raise InvalidInput(f"无法拟合模型: {sums.n_obs} 个学生不足以估计 {sums.n_fixed} 个固定效应")
    _check_full_rank(sums, names)
    theta = _minimise_theta(sums)
    profile = _profile(sums, theta)
    if profile is None:
        raise InvalidInput("无法拟合模型: 在最优的学校间方差处残差为 0 或矩阵奇异")
    sigma2 = profile.q / dof
    tau2 = theta * sigma2
    a_inv = linalg.cho_solve((profile.a_chol, True), np.eye(sums.n_fixed))

    shrink = sums.n * theta / (1.0 + sums.n * theta)
    effects = shrink * (sums.y_mean - sums.x_mean @ profile.beta)
    effect_se = np.sqrt(sigma2 * theta / (1.0 + sums.n * theta))

    # Back from centred coordinates: y = (b0 + ȳ − x̄'β) + x'β.
    to_original = np.eye(sums.n_fixed)
    to_original[0, 1:] = -sums.x_centre
    fixed = to_original @ profile.beta
    fixed[0] += sums.y_centre
    cov_fixed = sigma2 * to_original @ a_inv @ to_original.T
    return RemlFit(
        theta=theta,
        fixed=fixed,
        cov_fixed=cov_fixed,
        residual_variance=sigma2,
        school_variance=tau2,
        criterion=profile.criterion,
        effects=effects,
        effect_se=effect_se,
    )


# ---------------------------------------------------------------------------------------------------------
# Data frames in, result out.
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """A school's or a group's value-added: effect, conditional se, students and 95% interval."""

    effect: float
    se: float
    n: int
    n_schools: int = 1

    @property
    def lower(self) -> float:
        return self.effect - Z_95 * self.se

    @property
    def upper(self) -> float:
        return self.effect + Z_95 * self.se

    def to_dict(self, *, with_schools: bool = False) -> dict[str, float | int]:
        body: dict[str, float | int] = {
            "effect": self.effect,
            "se": self.se,
            "n": self.n,
            "lower": self.lower,
            "upper": self.upper,
        }
        if with_schools:
            body["n_schools"] = self.n_schools
        return body


@dataclass(frozen=True)
class DataWarning:
    """Something the user should know about the input: rows dropped, schools left out of the model."""

    code: str
    message: str
    schools: list[str] = field(default_factory=list)
    rows: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "schools": self.schools, "rows": self.rows}


@dataclass(frozen=True)
class ValueAddedResult:
    """A fitted value-added model; ``to_dict`` gives the JSON written by ``edugroup value-added``."""

    n: int
    n_schools: int
    fixed: dict[str, float]
    fixed_se: dict[str, float]
    school_variance: float
    residual_variance: float
    reml_criterion: float
    effects: dict[str, Effect]
    groups: dict[str, Effect] | None
    rows_dropped: dict[str, int]
    warnings: list[DataWarning]

    @property
    def icc(self) -> float:
        """Share of the residual variance that lies between schools, τ²/(τ² + σ²)."""
        return self.school_variance / (self.school_variance + self.residual_variance)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape: n, n_schools, fixed, school_variance, residual_variance, effects, and extras."""
        body: dict[str, object] = {
            "n": self.n,
            "n_schools": self.n_schools,
            "fixed": self.fixed,
            "fixed_se": self.fixed_se,
            "school_variance": self.school_variance,
            "residual_variance": self.residual_variance,
            "icc": self.icc,
            "reml_criterion": self.reml_criterion,
            "effects": {school: e.to_dict() for school, e in self.effects.items()},
        }
        if self.groups is not None:
            body["groups"] = {group: e.to_dict(with_schools=True) for group, e in self.groups.items()}
        body["method"] = (
            "REML random-intercept model; effects are empirical-Bayes (shrunken) predictions "
            "u_j = λ_j(ȳ_j − x̄_j'β), λ_j = τ²/(τ² + σ²/n_j); se is the conditional standard deviation "
            "√(τ²(1 − λ_j)) at the estimates; lower/upper = effect ∓ 1.96 se; a group's effect is the "
            "student-weighted mean of its schools' effects"
        )
        body["rows_dropped"] = self.rows_dropped
        body["warnings"] = [w.to_dict() for w in self.warnings]
        return body


def _name_list(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_MAX_NAMES_IN_MESSAGE])
    if len(names) > _MAX_NAMES_IN_MESSAGE:
        shown += f" 等 {len(names)} 所"
    return shown


def _school_key(column: pl.Series) -> pl.Series:
    """School ids in their sort order: integers (also 101.0 from a spreadsheet) as Int64, else text."""
    if column.dtype.is_integer():
        return column.cast(pl.Int64)
    if column.dtype.is_float():
        column = column.fill_nan(None)
        values = column.drop_nulls()
        if bool((values == values.round(0)).all()):
            return column.cast(pl.Int64)
    return column.cast(pl.String)


def _check_columns(df: pl.DataFrame, columns: Sequence[str], file: str | None) -> None:
    where = f"{file}: " if file else ""
    for column in columns:
        if column not in df.columns:
            raise InvalidInput(
                f"{where}缺少列 '{column}' (现有列: {', '.join(df.columns)})", field=column, file=file
            )


def _check_roles(score: str, prior: str | None, school: str, covariates: Sequence[str]) -> None:
    roles = [score, school, *([prior] if prior else []), *covariates]
    seen: set[str] = set()
    for column in roles:
        if column in seen:
            raise InvalidInput(
                f"列 '{column}' 在模型中出现了两次 (成绩、前测、学校、协变量须各不相同)", field=column
            )
        seen.add(column)


def _is_categorical(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.String | pl.Categorical | pl.Enum | pl.Boolean)


def _typed_columns(
    df: pl.DataFrame, *, score: str, prior: str | None, school: str, covariates: list[str]
) -> pl.DataFrame:
    """The model's columns: scores and numeric covariates as Float64 (NaN → missing), others as text."""
    _check_roles(score, prior, school, covariates)
    numeric = [score, *([prior] if prior else [])]
    _check_columns(df, [*numeric, school, *covariates], None)
    for column in numeric:
        if not df.schema[column].is_numeric():
            raise InvalidInput(f"列 '{column}' 须为数值 (现为 {df.schema[column]})", field=column)
    for column in covariates:
        dtype = df.schema[column]
        if not (dtype.is_numeric() or _is_categorical(dtype)):
            raise InvalidInput(f"协变量 '{column}' 须为数值或类别 (现为 {dtype})", field=column)
    numeric += [c for c in covariates if df.schema[c].is_numeric()]
    data = df.select(
        *[pl.col(c).cast(pl.Float64).fill_nan(None) for c in numeric],
        *[pl.col(c).cast(pl.String) for c in covariates if c not in numeric],
        _school_key(df[school]).alias(school),
    )
    for column in numeric:
        infinite = data[column].is_infinite().arg_true()
        if infinite.len():
            row = int(infinite[0]) + 1
            raise InvalidInput(f"列 '{column}' 第 {row} 个值不是有限数", field=column, row=row)
    if prior is not None and data[prior].null_count() == data.height:
        raise InvalidInput(
            f"列 '{prior}' 没有任何前测成绩, 无法计算增值。请补充前测成绩; "
            "若不指定前测 (去掉 --prior) 则比较的是原始成绩, 不是增值。",
            field=prior,
        )
    return data


def _drop_incomplete(
    data: pl.DataFrame, *, score: str, prior: str | None, school: str, covariates: list[str]
) -> tuple[pl.DataFrame, dict[str, int], list[DataWarning]]:
    """Rows with every model column present; the count of missing values per column; what was lost."""
    warnings: list[DataWarning] = []
    rows_dropped: dict[str, int] = {}
    roles = {
        score: ("score", "成绩"),
        school: ("school", "学校"),
        **({prior: ("prior", "前测成绩")} if prior else {}),
    }
    roles |= {c: ("covariate", f"协变量 '{c}'") for c in covariates}
    with_school = data.filter(pl.col(school).is_not_null())
    for column, (role, what) in roles.items():
        missing = int(data[column].null_count())
        if not missing:
            continue
        rows_dropped[column] = missing
        affected = [] if column == school else _schools(with_school.filter(pl.col(column).is_null()), school)
        in_schools = f", 涉及学校: {_name_list(affected)}" if affected else ""
        warnings.append(
            DataWarning(
                code=f"rows_without_{role}",
                message=f"{missing} 行缺少{what} (列 '{column}'), 已剔除{in_schools}",
                schools=affected,
                rows=missing,
            )
        )
    kept = data.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in roles))
    rows_dropped["total"] = data.height - kept.height

    kept_schools = set(_schools(kept, school))
    lost = [s for s in _schools(with_school, school) if s not in kept_schools]
    if prior is not None:
        with_prior = set(_schools(with_school.filter(pl.col(prior).is_not_null()), school))
        no_prior = [s for s in lost if s not in with_prior]
        if no_prior:
            warnings.append(
                DataWarning(
                    code="schools_without_prior",
                    message=(
                        f"学校 {_name_list(no_prior)} 没有任何学生有前测成绩 (列 '{prior}'), 未纳入模型, 没有增值估计。"
                        "请补充这些学校的前测成绩后重新计算; 若不指定前测 (去掉 --prior) 则比较的是原始成绩, 不是增值。"
                    ),
                    schools=no_prior,
                )
            )
        lost = [s for s in lost if s in with_prior]
    if lost:
        warnings.append(
            DataWarning(
                code="schools_without_rows",
                message=f"学校 {_name_list(lost)} 没有完整可用的行 (成绩或协变量缺失), 未纳入模型, 没有增值估计。",
                schools=lost,
            )
        )
    if kept.height == 0:
        raise InvalidInput(
            "没有可用的行: 每一行都缺少模型中的至少一列 (成绩、前测、学校或协变量)", field=score
        )
    return kept, rows_dropped, warnings


def _schools(data: pl.DataFrame, school: str) -> list[str]:
    """The distinct schools of ``data`` in sort order (numeric ids numerically), as text."""
    return data[school].unique().sort().cast(pl.String).to_list()


def _design(kept: pl.DataFrame, *, prior: str | None, covariates: list[str]) -> tuple[list[str], FloatArray]:
    """The fixed-effect names (intercept first) and the design without its intercept column."""
    names = [INTERCEPT, *([prior] if prior else [])]
    columns: list[FloatArray] = [kept[prior].to_numpy().astype(np.float64)] if prior else []
    for column in covariates:
        if kept.schema[column].is_numeric():
            names.append(column)
            columns.append(kept[column].to_numpy().astype(np.float64))
            continue
        levels = kept[column].unique().sort().to_list()
        if len(levels) < 2:
            raise InvalidInput(f"类别协变量 '{column}' 只有一个取值 {levels}, 无法估计其效应", field=column)
        level_code = kept[column].rank("dense").cast(pl.Int64).to_numpy() - 1
        for k, level in enumerate(levels[1:], start=1):
            names.append(f"{column}{level}")
            columns.append((level_code == k).astype(np.float64))
    return names, (np.column_stack(columns) if columns else np.zeros((kept.height, 0)))


def fit_value_added(
    df: pl.DataFrame,
    *,
    score: str,
    prior: str | None,
    school: str,
    covariates: Sequence[str] = (),
    group_of: Mapping[str, str] | None = None,
) -> ValueAddedResult:
    """Fit ``score ~ prior + covariates + (1 | school)`` by REML; school (and group) value-added.

    Rows missing the score, the prior, the school or a covariate are dropped; ``rows_dropped`` counts the
    missing values per column (a row may miss several) and the rows dropped in total. Schools left with no
    usable row are named in ``warnings`` and get no effect. A numeric covariate enters as is; a text or
    boolean one is treatment-coded against its first level in sorted (code-point) order, its effects named
    column + level (``sexM``). ``group_of`` maps school id (as text) to group.
    """
    covariates = list(covariates)
    data = _typed_columns(df, score=score, prior=prior, school=school, covariates=covariates)
    kept, rows_dropped, warnings = _drop_incomplete(
        data, score=score, prior=prior, school=school, covariates=covariates
    )

    codes = kept[school].rank("dense").cast(pl.Int64).to_numpy() - 1
    labels = _schools(kept, school)
    if len(labels) < 2:
        raise InvalidInput(f"至少需要两所学校才能估计学校间方差 (现有 {len(labels)} 所)", field=school)
    if len(labels) == kept.height:
        raise InvalidInput("每所学校只有一名学生: 无法区分学校间方差与学生间方差", field=school)
    names, x = _design(kept, prior=prior, covariates=covariates)
    y = kept[score].to_numpy().astype(np.float64)

    fit = fit_reml(school_sums(x, y, codes, len(labels)), names=names)
    n_per_school = np.bincount(codes, minlength=len(labels))
    effects = {
        label: Effect(effect=float(fit.effects[j]), se=float(fit.effect_se[j]), n=int(n_per_school[j]))
        for j, label in enumerate(labels)
    }
    if fit.school_variance == 0.0:
        warnings.append(
            DataWarning(
                code="zero_school_variance",
                message="学校间方差的 REML 估计为 0: 数据中看不出学校之间的差异, 所有学校效应都为 0。",
            )
        )
    groups = None
    if group_of is not None:
        groups, ungrouped = _group_effects(effects, group_of)
        if ungrouped:
            warnings.append(
                DataWarning(
                    code="schools_without_group",
                    message=f"学校 {_name_list(ungrouped)} 不在学校→集团对应表中, 未计入任何集团。",
                    schools=ungrouped,
                )
            )
    se = np.sqrt(np.diag(fit.cov_fixed))
    return ValueAddedResult(
        n=kept.height,
        n_schools=len(labels),
        fixed={name: float(v) for name, v in zip(names, fit.fixed, strict=True)},
        fixed_se={name: float(v) for name, v in zip(names, se, strict=True)},
        school_variance=fit.school_variance,
        residual_variance=fit.residual_variance,
        reml_criterion=fit.criterion,
        effects=effects,
        groups=groups,
        rows_dropped=rows_dropped,
        warnings=warnings,
    )


def _group_effects(
    effects: Mapping[str, Effect], group_of: Mapping[str, str]
) -> tuple[dict[str, Effect], list[str]]:
    """Student-weighted mean of the member schools' effects; se from their independent conditional errors."""
    members: dict[str, list[Effect]] = {}
    ungrouped: list[str] = []
    for school, effect in effects.items():
        group = group_of.get(school)
        if group is None:
            ungrouped.append(school)
        else:
            members.setdefault(str(group), []).append(effect)
    groups: dict[str, Effect] = {}
    for group in sorted(members):
        schools = members[group]
        n = sum(e.n for e in schools)
        groups[group] = Effect(
            effect=sum(e.n * e.effect for e in schools) / n,
            se=math.sqrt(sum((e.n / n) ** 2 * e.se**2 for e in schools)),
            n=n,
            n_schools=len(schools),
        )
    return groups, ungrouped


# ---------------------------------------------------------------------------------------------------------
# Files.
# ---------------------------------------------------------------------------------------------------------


def read_table(path: Path) -> pl.DataFrame:
    """Read a .csv (UTF-8 or GB18030, every column as text), .xlsx or .parquet file."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm", ".parquet"):
        raise InvalidInput(f"{file}: 不支持的文件类型 '{suffix}', 请另存为 .csv 或 .xlsx", file=file)
    if not path.is_file():
        raise InvalidInput(f"{file}: 文件不存在", file=file)
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix in (".xlsx", ".xlsm"):
            table = pl.read_excel(path, engine="openpyxl")
            assert isinstance(table, pl.DataFrame)
            return table
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raw = raw.decode("gb18030").encode("utf-8")
        return pl.read_csv(io.BytesIO(raw), infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, ValueError, zipfile.BadZipFile) as error:
        raise InvalidInput(f"{file}: 无法读取文件 ({error})", file=file) from error


def _as_numbers(df: pl.DataFrame, column: str, file: str) -> pl.Series:
    """A text column as Float64; a non-empty value that is not a number is refused with its row."""
    values = df[column]
    if values.dtype.is_numeric():
        return values.cast(pl.Float64)
    text = values.cast(pl.String).str.strip_chars()
    text = pl.select(pl.when(text == "").then(None).otherwise(text)).to_series()
    numbers = text.cast(pl.Float64, strict=False)
    bad = ((numbers.is_null() & text.is_not_null()) | numbers.is_infinite()).arg_true()
    if bad.len():
        i = int(bad[0])
        raise InvalidInput(
            f"{file}: 第{i + 2}行 列 '{column}' 的值 '{text[i]}' 不是数字 (共 {bad.len()} 处); 缺失请留空",
            field=column,
            file=file,
            row=i + 2,
        )
    return numbers.alias(column)


def _numeric_or_text(df: pl.DataFrame, column: str) -> pl.Series:
    """A covariate as numbers when every value reads as a number, else as text (a categorical covariate)."""
    values = df[column]
    if values.dtype.is_numeric() or values.dtype == pl.Boolean:
        return values
    text = values.cast(pl.String).str.strip_chars()
    text = pl.select(pl.when(text == "").then(None).otherwise(text)).to_series()
    numbers = text.cast(pl.Float64, strict=False)
    if numbers.null_count() == text.null_count():
        return numbers.alias(column)
    return text.alias(column)


def read_group_of(path: Path, *, school: str, group: str) -> dict[str, str]:
    """A school → group mapping from a two-column table (.csv, .xlsx or .parquet)."""
    table = read_table(path)
    _check_columns(table, [school, group], str(path))
    pairs = table.select(
        _school_key(table[school]).cast(pl.String).alias(school), pl.col(group).cast(pl.String)
    ).drop_nulls()
    return dict(zip(pairs[school].to_list(), pairs[group].to_list(), strict=True))


def value_added_file(
    path: Path,
    *,
    score: str,
    prior: str | None,
    school: str,
    covariates: Sequence[str] = (),
    output: Path,
    group_of: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Read a results file, fit value-added, write the JSON to ``output`` and return it."""
    file = str(path)
    table = read_table(path)
    numeric = [score, *([prior] if prior else [])]
    _check_columns(table, [*numeric, school, *covariates], file)
    table = table.with_columns(
        *[_as_numbers(table, c, file) for c in numeric],
        *[_numeric_or_text(table, c) for c in covariates],
    )
    if table.schema[school] == pl.String:
        table = table.with_columns(pl.col(school).str.strip_chars().replace("", None))
    try:
        result = fit_value_added(
            table, score=score, prior=prior, school=school, covariates=covariates, group_of=group_of
        )
    except InvalidInput as error:
        raise InvalidInput(f"{file}: {error.message}", field=error.field, file=file, row=error.row) from error
    body = result.to_dict()
    output.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return body
