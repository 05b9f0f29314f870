"""Academic-result indicators of one exam per school, group, stage and region (HK-17, HK-18, HK-20).

Pure analytics: Polars frames in, a Polars frame out, computed column-wise. The one pass over the result rows
aggregates each school × subject into counts, a score sum and the sum of squared deviations from the school
mean; every higher level is rolled up from those few thousand rows (Chan's pairwise formula for the squared
deviations), so the cost is one `group_by` over the rows plus work proportional to the number of schools.

Definitions (see "Definitions used by the RULEs" in POLICY-CLAUSES.md):

- One result row is one enrolled student in one subject (one row per student and subject is assumed, not
  checked). `sat` false means absent; an absent row has neither score nor level. `enrolled` counts rows,
  `sat` the rows with `sat` true, `absent` the rest. Rows breaking these rules are refused (`InvalidInput`).
- Passed: level 合格 or above (合格, 良好, 优秀); excellent: level 优秀. A row without a level but with a
  score takes its level from the exam's cut scores (`derive_levels`; a score exactly at a cut reaches it).
- `pass_rate_enrolled` = passed / enrolled (应考尽考: an absent student counts as not passed, HK-20);
  `pass_rate_tested` = passed / sat. The excellent rates likewise.
- `mean`: mean score of the rows with a score. `std`: the sample standard deviation of those scores
  (ddof = 1, divisor n − 1), pooled over all students of the entity, not a mean of school deviations.
- Nothing is divided by zero: a rate whose denominator is 0 is null, `mean` is null without scores, `std`
  is null with fewer than two scores. An entity without any result row has no row at all.
- Rows of the output, per subject: `school` (entity_id the school id, stage the school's stage from the
  schools frame), `group` (the group id, per stage and for all stages with stage null), `stage` (the
  region's schools of one stage, entity_id the region id: the same figures as the `region` row of that
  stage, addressable as a stage) and `region` (per stage and for all stages). A school in several groups (a
  district and an education group, say) counts in each of them; it counts once in its region and stage.
- Inter-school difference rate, method `cv` (`difference_rates`): over the schools of one stage in a group or
  region, with Pᵢ school i's enrolled students in the subject and Xᵢ its result (mean score by default, or
  pass rate): mean = Σ Pᵢ Xᵢ / P, S = √(Σ (Pᵢ/P)(Xᵢ − mean)²), CV = S / mean. Schools whose Xᵢ is null
  (no scores) are left out. CV is null with fewer than two schools (no difference to measure) or when the
  weighted mean is not positive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal

import polars as pl

from edugroup.core.errors import InvalidInput

EXCELLENT: Final = "优秀"
GOOD: Final = "良好"
PASS: Final = "合格"
FAIL: Final = "不合格"
LEVELS: Final = (EXCELLENT, GOOD, PASS, FAIL)
PASSING_LEVELS: Final = (EXCELLENT, GOOD, PASS)
STAGES: Final = ("primary", "junior", "nine_year", "senior", "twelve_year")

EntityLevel = Literal["school", "group", "stage", "region"]
SchoolResult = Literal["mean", "pass_rate"]
Counted = Literal["enrolled", "tested"]
RegionId = int | str

RESULT_COLUMNS: Final = pl.Schema(
    {"school_id": pl.Int64, "subject": pl.String, "score": pl.Float64, "level": pl.String, "sat": pl.Boolean}
)

INDICATOR_SCHEMA: Final = pl.Schema(
    {
        "level": pl.String,
        "entity_id": pl.String,
        "stage": pl.String,
        "subject": pl.String,
        "enrolled": pl.Int64,
        "sat": pl.Int64,
        "absent": pl.Int64,
        "passed": pl.Int64,
        "excellent": pl.Int64,
        "mean": pl.Float64,
        "std": pl.Float64,
        "pass_rate_enrolled": pl.Float64,
        "pass_rate_tested": pl.Float64,
        "excellent_rate_enrolled": pl.Float64,
        "excellent_rate_tested": pl.Float64,
    }
)

DIFFERENCE_SCHEMA: Final = pl.Schema(
    {
        "level": pl.String,
        "entity_id": pl.String,
        "stage": pl.String,
        "subject": pl.String,
        "n_schools": pl.Int64,
        "cv": pl.Float64,
    }
)

_COUNTS: Final = ("enrolled", "sat", "passed", "excellent", "n", "total")
_STAGE_ORDER: Final = pl.col("stage").cast(pl.Enum(STAGES))


def derive_levels(results: pl.DataFrame, cuts: Mapping[str, float]) -> pl.DataFrame:
    """Fill a null `level` from `score` by the exam's cut scores for 优秀, 良好 and 合格.

    A score exactly at a cut reaches that level; below the 合格 cut it is 不合格. Rows that carry a level
    keep it, and rows without a score keep a null level.
    """
    excellent, good, passing = _checked_cuts(cuts)
    score = pl.col("score")
    derived = (
        pl.when(score >= excellent)
        .then(pl.lit(EXCELLENT))
        .when(score >= good)
        .then(pl.lit(GOOD))
        .when(score >= passing)
        .then(pl.lit(PASS))
        .when(score.is_not_null())
        .then(pl.lit(FAIL))
    )
    return results.with_columns(level=pl.coalesce(pl.col("level"), derived))


def compute_indicators(
    results: pl.DataFrame,
    schools: pl.DataFrame,
    memberships: pl.DataFrame,
    *,
    region_id: RegionId,
    cuts: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Counts, mean, std, pass and excellent rates per school, group, stage and region, per subject.

    `results` holds one exam's rows (school_id, subject, score, level, sat; other columns are ignored),
    `schools` maps school_id to stage, `memberships` maps school_id to group_id on the exam date, and
    `cuts` gives the cut scores used for rows that have a score but no level. Group and region rows come
    per stage and for all stages (stage null); `stage` rows are the region's schools of one stage under
    the region's id. Columns and dtypes: `INDICATOR_SCHEMA`; rows sorted by level, entity, stage, subject.
    """
    base = _school_base(results, schools, cuts).lazy()
    groups = _group_links(memberships, base)
    region = base.with_columns(region_id=pl.lit(str(region_id)))
    parts = [
        _finish(base, "school", "school_id"),
        _finish(_per_stage_and_whole(groups, "group_id"), "group", "group_id"),
        _finish(_roll_up(region, ["region_id", "stage", "subject"]), "stage", "region_id"),
        _finish(_per_stage_and_whole(region, "region_id"), "region", "region_id"),
    ]
    return pl.concat(pl.collect_all(parts), how="vertical")


def difference_rates(
    data: pl.DataFrame,
    schools: pl.DataFrame | None = None,
    memberships: pl.DataFrame | None = None,
    *,
    region_id: RegionId | None = None,
    cuts: Mapping[str, float] | None = None,
    by: Sequence[Literal["group", "region"]] = ("group", "region"),
    result: SchoolResult = "mean",
    counted: Counted = "enrolled",
) -> pl.DataFrame:
    """Inter-school difference rate (校际差异率, method `cv`) per group or region, stage and subject (HK-18).

    `data` is either the frame `compute_indicators` returned (its school rows are used, its region row
    names the region) or result rows, which then need `schools` and `region_id` as `compute_indicators`
    does. Groups need `memberships`. The school result Xᵢ is the mean score (`result="mean"`) or the pass
    rate (`result="pass_rate"`, counting `enrolled` or `tested` students); the weight Pᵢ is the school's
    enrolled students. Columns and dtypes: `DIFFERENCE_SCHEMA`.
    """
    kinds: Sequence[str] = (by,) if isinstance(by, str) else by
    if result not in ("mean", "pass_rate"):
        raise InvalidInput(f"unknown school result {result!r}; use 'mean' or 'pass_rate'", field="result")
    if counted not in ("enrolled", "tested"):
        raise InvalidInput(f"unknown count {counted!r}; use 'enrolled' or 'tested'", field="counted")
    value = "mean" if result == "mean" else f"pass_rate_{counted}"
    if "entity_id" in data.columns:
        school_rows = data.lazy().filter(pl.col("level") == "school")
        region_ids = data.filter(pl.col("level") == "region")["entity_id"].unique()
        if region_ids.len() > 1:
            raise InvalidInput(
                "the indicators hold several regions; pass one region's indicators", field="data"
            )
        if region_id is None and region_ids.len() == 1:
            region_id = region_ids.item()
    else:
        if schools is None:
            raise InvalidInput("result rows need the schools frame for each school's stage", field="schools")
        school_rows = _finish(_school_base(data, schools, cuts).lazy(), "school", "school_id")
    per_school = (
        school_rows.select(school_key="entity_id", stage="stage", subject="subject", p="enrolled", x=value)
        .filter(pl.col("x").is_not_null() & (pl.col("p") > 0))
        .collect()
    )

    parts: list[pl.LazyFrame] = []
    for kind in kinds:
        if kind == "group":
            if memberships is None:
                raise InvalidInput("group difference rates need the memberships frame", field="memberships")
            links = _unique_links(memberships).select(
                school_key=pl.col("school_id").cast(pl.String), entity_id="group_id"
            )
            parts.append(_cv(per_school.lazy().join(links.lazy(), on="school_key", how="inner"), "group"))
        elif kind == "region":
            if region_id is None and per_school.height:
                raise InvalidInput("region difference rates need region_id", field="region_id")
            parts.append(_cv(per_school.lazy().with_columns(entity_id=pl.lit(str(region_id))), "region"))
        else:
            raise InvalidInput(
                f"unknown level {kind!r} for difference rates; use 'group' or 'region'", field="by"
            )
    if not parts:
        return DIFFERENCE_SCHEMA.to_frame()
    return pl.concat(pl.collect_all(parts), how="vertical")


def _checked_cuts(cuts: Mapping[str, float]) -> tuple[float, float, float]:
    missing = [name for name in PASSING_LEVELS if name not in cuts]
    if missing:
        raise InvalidInput(f"cut scores missing for {', '.join(missing)}", field="cuts")
    excellent, good, passing = (float(cuts[name]) for name in PASSING_LEVELS)
    if not excellent >= good >= passing:
        raise InvalidInput("cut scores must satisfy 优秀 ≥ 良好 ≥ 合格", field="cuts")
    return excellent, good, passing


def _school_base(
    results: pl.DataFrame, schools: pl.DataFrame, cuts: Mapping[str, float] | None
) -> pl.DataFrame:
    """One row per school × subject with its stage: counts, score sum and squared deviations.

    The only pass over the result rows groups them by school, subject, sat and level; the level rules and
    the checks of the rows then run on those few cells instead of on every row.
    """
    _check_columns(results)
    all_null = pl.Schema(
        {name: dtype for name, dtype in RESULT_COLUMNS.items() if results.schema[name] == pl.Null}
    )
    results = results.cast(all_null) if all_null else results
    score = pl.col("score")
    derived_counts: dict[str, pl.Expr] = {}
    if cuts is not None:
        cut_excellent, _, cut_pass = _checked_cuts(cuts)
        derived_counts = {
            "at_pass": (score >= cut_pass).sum().cast(pl.Int64),
            "at_excellent": (score >= cut_excellent).sum().cast(pl.Int64),
        }
    cells = (
        results.lazy()
        .group_by("school_id", "subject", "sat", "level")
        .agg(
            rows=pl.len().cast(pl.Int64),
            n=score.count().cast(pl.Int64),
            total=score.sum(),
            m2=(score.var(ddof=0) * score.count()).fill_null(0.0),
            nan=score.is_nan().sum().cast(pl.Int64),
            **derived_counts,
        )
        .collect()
    )
    _check_cells(cells, derive=cuts is not None)

    sat, level, rows = pl.col("sat"), pl.col("level"), pl.col("rows")
    derived = level.is_null()
    passed: pl.Expr
    excellent: pl.Expr
    if cuts is None:
        passed = pl.when(level.is_in(PASSING_LEVELS)).then(rows)
        excellent = pl.when(level == EXCELLENT).then(rows)
    else:
        passed = pl.when(derived).then(pl.col("at_pass")).when(level.is_in(PASSING_LEVELS)).then(rows)
        excellent = pl.when(derived).then(pl.col("at_excellent")).when(level == EXCELLENT).then(rows)
    school_subject = _roll_up(
        cells.lazy().with_columns(
            enrolled=rows,
            sat=pl.when(sat).then(rows).otherwise(0),
            passed=pl.when(sat).then(passed).fill_null(0),
            excellent=pl.when(sat).then(excellent).fill_null(0),
        ),
        ["school_id", "subject"],
    ).collect()

    stages = schools.select(pl.col("school_id").cast(pl.Int64), pl.col("stage").cast(pl.String)).unique()
    unknown = stages.filter(~pl.col("stage").is_in(STAGES) | pl.col("stage").is_null())
    if unknown.height:
        raise InvalidInput(
            f"school {unknown['school_id'][0]} has an unknown stage {unknown['stage'][0]!r}", field="stage"
        )
    if stages["school_id"].is_duplicated().any():
        raise InvalidInput("a school has more than one stage in the schools frame", field="stage")
    base = school_subject.with_columns(pl.col("school_id").cast(pl.Int64)).join(
        stages, on="school_id", how="left"
    )
    missing = base.filter(pl.col("stage").is_null())["school_id"].unique().sort()
    if missing.len():
        shown = ", ".join(str(school) for school in missing.head(10))
        raise InvalidInput(
            f"{missing.len()} schools with results are not in the schools frame: {shown}", field="school_id"
        )
    return base


def _check_columns(results: pl.DataFrame) -> None:
    for name, dtype in RESULT_COLUMNS.items():
        if name not in results.columns:
            raise InvalidInput(f"result rows lack the column {name!r}", field=name)
        actual = results.schema[name]
        if actual != dtype and not (dtype == pl.Int64 and actual.is_integer()) and actual != pl.Null:
            raise InvalidInput(f"column {name!r} is {actual}, expected {dtype}", field=name)


def _check_cells(cells: pl.DataFrame, *, derive: bool) -> None:
    """Refuse result rows that break the row rules, counting the offending rows in the message."""
    sat, level, rows, n = pl.col("sat"), pl.col("level"), pl.col("rows"), pl.col("n")
    checks: list[tuple[str, str, pl.Expr]] = [
        ("school_id", "rows without school_id", pl.col("school_id").is_null().cast(pl.Int64) * rows),
        ("subject", "rows without subject", pl.col("subject").is_null().cast(pl.Int64) * rows),
        ("sat", "rows with sat null", sat.is_null().cast(pl.Int64) * rows),
        (
            "level",
            f"rows with a level outside {'/'.join(LEVELS)}",
            pl.when(level.is_not_null() & ~level.is_in(LEVELS)).then(rows),
        ),
        ("score", "rows with a NaN score", pl.col("nan")),
        (
            "sat",
            "absent rows (sat false) with a score or level",
            pl.when(sat.not_()).then(pl.when(level.is_null()).then(n).otherwise(rows)),
        ),
        (
            "score",
            "rows marked sat with neither score nor level",
            pl.when(sat & level.is_null()).then(rows - n),
        ),
    ]
    if not derive:
        checks.append(
            (
                "level",
                "rows with a score but no level, and no cut scores given",
                pl.when(sat & level.is_null()).then(n),
            )
        )
    counts = cells.select(expr.sum().alias(str(i)) for i, (_, _, expr) in enumerate(checks))
    for (field, message, _), count in zip(checks, counts.row(0), strict=True):
        if count:
            raise InvalidInput(f"{count} {message}", field=field)


def _unique_links(memberships: pl.DataFrame) -> pl.DataFrame:
    return memberships.select(pl.col("school_id").cast(pl.Int64), "group_id").unique()


def _group_links(memberships: pl.DataFrame, base: pl.LazyFrame) -> pl.LazyFrame:
    """The school rows repeated once per group the school belongs to."""
    return base.join(_unique_links(memberships).lazy(), on="school_id", how="inner")


def _per_stage_and_whole(frame: pl.LazyFrame, entity: str) -> pl.LazyFrame:
    """Roll up per entity, stage and subject, and per entity and subject with a null stage."""
    per_stage = _roll_up(frame, [entity, "stage", "subject"])
    whole = _roll_up(frame, [entity, "subject"]).with_columns(stage=pl.lit(None, dtype=pl.String))
    return pl.concat([per_stage, whole], how="diagonal")


def _roll_up(frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Add counts and sums over `keys`; pool squared deviations by Chan's formula Σ M2ᵢ + Σ nᵢ (x̄ᵢ − x̄)²."""
    n, total = pl.col("n"), pl.col("total")
    pooled_mean = total.sum() / n.sum()
    between = pl.when(n > 0).then((total - n * pooled_mean) ** 2 / n).sum()
    return frame.group_by(keys).agg(
        *(pl.col(name).sum() for name in _COUNTS),
        m2=pl.when(n.sum() > 0).then(pl.col("m2").sum() + between).otherwise(0.0),
    )


def _finish(frame: pl.LazyFrame, level: EntityLevel, entity: str) -> pl.LazyFrame:
    """Turn counts and sums into the indicator columns of one level; zero denominators give null."""
    n, enrolled, sat = pl.col("n"), pl.col("enrolled"), pl.col("sat")
    passed, excellent = pl.col("passed"), pl.col("excellent")
    return (
        frame.sort(entity, _STAGE_ORDER, "subject", nulls_last=True)
        .select(
            level=pl.lit(level),
            entity_id=pl.col(entity).cast(pl.String),
            stage=pl.col("stage").cast(pl.String),
            subject="subject",
            enrolled=enrolled,
            sat=sat,
            absent=enrolled - sat,
            passed=passed,
            excellent=excellent,
            mean=pl.when(n > 0).then(pl.col("total") / n),
            std=pl.when(n > 1).then((pl.col("m2") / (n - 1)).sqrt()),
            pass_rate_enrolled=pl.when(enrolled > 0).then(passed / enrolled),
            pass_rate_tested=pl.when(sat > 0).then(passed / sat),
            excellent_rate_enrolled=pl.when(enrolled > 0).then(excellent / enrolled),
            excellent_rate_tested=pl.when(sat > 0).then(excellent / sat),
        )
        .cast(INDICATOR_SCHEMA)
    )


def _cv(frame: pl.LazyFrame, level: Literal["group", "region"]) -> pl.LazyFrame:
    """Student-weighted coefficient of variation of the school results x with weights p, per entity, stage, subject."""
    p, x = pl.col("p"), pl.col("x")
    weighted_mean = (p * x).sum() / p.sum()
    spread = ((p / p.sum()) * (x - weighted_mean) ** 2).sum().sqrt()
    n_schools = pl.len()
    return (
        frame.group_by("entity_id", "stage", "subject")
        .agg(
            n_schools=n_schools.cast(pl.Int64),
            cv=pl.when((n_schools >= 2) & (weighted_mean > 0)).then(spread / weighted_mean),
        )
        .sort("entity_id", _STAGE_ORDER, "subject")
        .select(pl.lit(level).alias("level"), *DIFFERENCE_SCHEMA.names()[1:])
        .cast(DIFFERENCE_SCHEMA)
    )
