"""Value-added of schools, groups and co-build pairs from the stored results (HK-19, HK-24, OH-14, QP-10).

For one exam and one subject the model is ``score ~ prior (+ covariates) + (1 | school)`` over every school of
the region that sat it (`value_added.fit_value_added`, REML, empirical-Bayes school effects with their
conditional se). Rows without a score (absent) or without a prior score are left out of the model. The
region is always fitted whole — a group's page shows its schools' effects from the region's model, never a
model of the group alone — and the user's scope only decides which rows are shown.

method=residual_mean (offered beside REML, never instead of it): the mean residual of a school from the
ordinary least-squares fit of score on prior (+ covariates), se = residual sd / √n_j, no shrinkage.

A group's (or district's) value-added is the student-weighted mean of its schools' effects on the exam day,
se = √(Σ (n_j/n_g)² se_j²) as in `value_added`; an interval is effect ± z·se with z for the confidence asked
(1.96 for 95%). "Significant" means the interval excludes 0.

Year-on-year (HK-19's "或同比进步"): the same school's effect in the exam of the same grade one school year
earlier is shown beside it (`previous`, `change`). The hongkou-2025 pack encodes HK-19 as the lower 95% bound
of this year's effect > 0 only, so the engine evaluates exactly that; the year-on-year change is shown on the
pages and in the exports for the reader, not turned into a verdict.

OH-14 (prizes of co-build pairs): each co-build group's value-added over every counting exam of the school
year (all subjects, student-weighted), ranked, and cut into 一/二/三等奖. The pack names the three tiers but
gives no shares; the product uses equal thirds (the first tiers take the remainder) unless the caller passes
shares.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import polars as pl
from scipy import stats
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from edugroup.core.errors import EduGroupError, InvalidInput
from edugroup.core.periods import SchoolYear
from edugroup.core.scope import Scope
from edugroup.monitoring import service
from edugroup.monitoring.models import Exam
from edugroup.monitoring.value_added import fit_value_added
from edugroup.org.models import Group, GroupMode, Membership, QualityTier, School

METHODS: Final = ("reml", "residual_mean")
COVARIATES: Final = ("sex", "ses")
METHOD_LABELS: Final = {"reml": "随机截距模型 (REML, 经验贝叶斯估计)", "residual_mean": "残差均值 (OLS)"}
TIERS: Final = ("first_prize", "second_prize", "third_prize")
TIER_LABELS: Final = {"first_prize": "一等奖", "second_prize": "二等奖", "third_prize": "三等奖"}
EFFECT_SCHEMA: Final = pl.Schema(
    {"subject": pl.String, "school_id": pl.Int64, "effect": pl.Float64, "se": pl.Float64, "n": pl.Int64}
)


def z_of(confidence: float) -> float:
    """The normal quantile of a two-sided interval (1.96 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise InvalidInput("置信水平须在 0 与 1 之间", field="confidence")
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def check_options(method: str, covariates: Sequence[str]) -> None:
    """Refuses an unknown method or covariate (422)."""
    if method not in METHODS:
        raise InvalidInput(f"未知的增值方法「{method}」(可选: reml, residual_mean)", field="method")
    unknown = [c for c in covariates if c not in COVARIATES]
    if unknown:
        raise InvalidInput(f"未知的协变量: {', '.join(unknown)} (可选: sex, ses)", field="covariates")


# --- pure: results → school effects ----------------------------------------------------------------------


def _residual_mean(part: pl.DataFrame, covariates: Sequence[str]) -> list[tuple[int, float, float, int]]:
    columns = [part["prior"].to_numpy().astype(np.float64)]
    for name in covariates:
        column = part[name]
        if column.dtype == pl.String:
            for level in sorted(column.unique().to_list())[1:]:
                columns.append((column == level).to_numpy().astype(np.float64))
        else:
            columns.append(column.to_numpy().astype(np.float64))
    x = np.column_stack([np.ones(part.height), *columns])
    y = part["score"].to_numpy().astype(np.float64)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ beta
    sd = float(np.sqrt(residual @ residual / max(part.height - x.shape[1], 1)))
    frame = (
        pl.DataFrame({"school_id": part["school_id"], "r": residual})
        .group_by("school_id")
        .agg(effect=pl.col("r").mean(), n=pl.len())
    )
    return [(s, float(e), sd / math.sqrt(n), int(n)) for s, e, n in frame.sort("school_id").iter_rows()]


def school_effects(
    results: pl.DataFrame, *, method: str = "reml", covariates: Sequence[str] = ()
) -> pl.DataFrame:
    """School effects per subject from result rows (school_id, subject, score, prior, covariates).

    A subject with fewer than two schools (or one student per school) has no effects: the model cannot
    separate schools from students there.
    """
    check_options(method, covariates)
    rows: list[tuple[str, int, float, float, int]] = []
    needed = ["school_id", "score", "prior", *covariates]
    for (subject,), part in results.drop_nulls(needed).group_by("subject", maintain_order=True):
        if part["school_id"].n_unique() < 2:
            continue
        if method == "residual_mean":
            rows += [(str(subject), s, e, se, n) for s, e, se, n in _residual_mean(part, covariates)]
            continue
        try:
            fit = fit_value_added(
                part.with_columns(school=pl.col("school_id").cast(pl.String)),
                score="score",
                prior="prior",
                school="school",
                covariates=list(covariates),
            )
        except EduGroupError:
            continue
        rows += [(str(subject), int(k), e.effect, e.se, e.n) for k, e in fit.effects.items()]
    return pl.DataFrame(rows, schema=EFFECT_SCHEMA, orient="row").sort("subject", "school_id")


def combine(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Student-weighted mean of school effects per key, se = √(Σ (n_j/n_g)² se_j²) (independent errors)."""
    return (
        frame.group_by(keys)
        .agg(
            effect=(pl.col("effect") * pl.col("n")).sum() / pl.col("n").sum(),
            se=((pl.col("n") ** 2 * pl.col("se") ** 2).sum()).sqrt() / pl.col("n").sum(),
            n=pl.col("n").sum(),
            n_schools=pl.col("school_id").n_unique(),
        )
        .sort(keys)
    )


def with_interval(frame: pl.DataFrame, z: float) -> pl.DataFrame:
    """Adds lower, upper and significance ("positive" / "negative" / "none") at the interval's z."""
    lower, upper = pl.col("effect") - z * pl.col("se"), pl.col("effect") + z * pl.col("se")
    return frame.with_columns(lower=lower, upper=upper).with_columns(
        significance=pl.when(pl.col("lower") > 0)
        .then(pl.lit("positive"))
        .when(pl.col("upper") < 0)
        .then(pl.lit("negative"))
        .otherwise(pl.lit("none"))
    )


def prize_tiers(count: int, shares: Sequence[float] | None = None) -> list[str]:
    """Tier of each rank (best first): equal thirds by default, the first tiers taking the remainder."""
    if shares is None:
        base, extra = divmod(count, len(TIERS))
        sizes = [base + (1 if k < extra else 0) for k in range(len(TIERS))]
    else:
        if len(shares) != len(TIERS) or any(s < 0 for s in shares) or abs(sum(shares) - 1.0) > 1e-6:
            raise InvalidInput("一、二、三等奖的比例须为三个非负数, 合计为 1", field="shares")
        sizes = [math.floor(count * s + 1e-9) for s in shares]
        for k in range(count - sum(sizes)):
            sizes[k % len(TIERS)] += 1
    return [tier for tier, size in zip(TIERS, sizes, strict=True) for _ in range(size)]


# --- reading: one exam's effects, cached ------------------------------------------------------------------

_CACHE: OrderedDict[tuple[Any, ...], pl.DataFrame] = OrderedDict()
_LOCK = threading.Lock()
_KEPT = 32


def exam_effects(
    session: Session, exam: Exam, *, method: str = "reml", covariates: Sequence[str] = ()
) -> pl.DataFrame:
    """School effects of every school of the region in the exam, per subject (kept per process, by import)."""
    check_options(method, covariates)
    key = (
        id(session.get_bind().engine),
        exam.id,
        exam.imported_at,
        exam.results_count,
        method,
        tuple(covariates),
    )
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    columns = ("school_id", "subject", "score", "prior", *covariates)
    found = school_effects(
        service.results_frame(session, [exam.id], columns), method=method, covariates=covariates
    )
    with _LOCK:
        _CACHE[key] = found
        while len(_CACHE) > _KEPT:
            _CACHE.popitem(last=False)
    return found


def previous_exam(session: Session, exam: Exam) -> Exam | None:
    """The same grade's exam one school year earlier, counted the same way (for the year-on-year change)."""
    stmt = (
        select(Exam)
        .where(
            Exam.region_id == exam.region_id,
            Exam.grade == exam.grade,
            Exam.school_year == exam.school_year - 1,
            Exam.counts_for_monitoring == exam.counts_for_monitoring,
            Exam.results_count > 0,
        )
        .order_by(Exam.held_on.desc(), Exam.id.desc())
    )
    return session.scalars(stmt).first()


# --- scoped: a unit's value-added -------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueAdded:
    """One exam's value-added as a unit's page shows it: its schools' effects and the units' effects."""

    exam: Exam
    method: str
    confidence: float
    covariates: tuple[str, ...]
    previous: Exam | None
    schools: pl.DataFrame  # level, entity_id, entity_name, subject, weaker, effect, se, n, lower, upper, …
    units: pl.DataFrame  # level, entity_id, entity_name, subject, effect, se, n, n_schools, lower, upper, …


def value_added(
    session: Session,
    scope: Scope,
    exam: Exam,
    *,
    level: str | None = None,
    entity_id: int | None = None,
    method: str = "reml",
    confidence: float = 0.95,
    covariates: Sequence[str] = (),
) -> ValueAdded:
    """The exam's school and group/district effects in the user's scope (a unit's schools only, if given)."""
    service.require_reader(scope)
    z = z_of(confidence)
    effects = exam_effects(session, exam, method=method, covariates=covariates)
    previous = previous_exam(session, exam)
    earlier = (
        exam_effects(session, previous, method=method, covariates=covariates).select(
            "subject", "school_id", previous=pl.col("effect")
        )
        if previous is not None
        else pl.DataFrame(schema={"subject": pl.String, "school_id": pl.Int64, "previous": pl.Float64})
    )
    labels = service.names(session, exam.region_id)
    weaker = set(
        session.scalars(
            select(School.id).where(
                School.region_id == exam.region_id, School.quality_tier == QualityTier.weaker
            )
        )
    )
    links = service.links_on(session, exam.region_id, exam.held_on)
    schools = with_interval(effects, z).join(earlier, on=["subject", "school_id"], how="left")
    schools = schools.with_columns(
        level=pl.lit("school"),
        entity_id=pl.col("school_id"),
        weaker=pl.col("school_id").is_in(list(weaker)),
        change=pl.col("effect") - pl.col("previous"),
    )
    units = with_interval(
        combine(effects.join(links.rename({"group_id": "unit"}), on="school_id"), ["unit", "subject"]), z
    )
    units = units.with_columns(
        level=pl.when(pl.col("unit").str.starts_with("d:"))
        .then(pl.lit("district"))
        .otherwise(pl.lit("group")),
        entity_id=pl.col("unit").str.split(":").list.get(1).cast(pl.Int64),
    ).drop("unit")
    if level in ("group", "district") and entity_id is not None:
        key = f"{'g' if level == 'group' else 'd'}:{entity_id}"
        members = links.filter(pl.col("group_id") == key)["school_id"].to_list()
        schools = schools.filter(pl.col("school_id").is_in(members))
        units = units.filter((pl.col("level") == level) & (pl.col("entity_id") == entity_id))
    schools = service._named(service.scope_filter(schools, scope), labels).sort(
        "subject", "effect", descending=[False, True]
    )
    units = service._named(service.scope_filter(units, scope), labels).sort("level", "entity_name", "subject")
    return ValueAdded(exam, method, confidence, tuple(covariates), previous, schools, units)


def exam_value_added(
    session: Session,
    scope: Scope,
    exam_id: int,
    *,
    method: str = "reml",
    confidence: float = 0.95,
    covariates: Sequence[str] = (),
) -> ValueAdded:
    """Gets an exam's value-added in the user's scope (404 for an exam of another region)."""
    exam = service.get_exam(session, scope, exam_id)
    return value_added(session, scope, exam, method=method, confidence=confidence, covariates=covariates)


# --- OH-14: prizes of the co-build pairs ------------------------------------------------------------------


@dataclass(frozen=True)
class PrizeRow:
    rank: int
    group_id: int
    name: str
    tier: str
    effect: float
    se: float
    lower: float
    upper: float
    n: int
    n_schools: int
    exams: tuple[int, ...]

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "group_id": self.group_id,
            "name": self.name,
            "tier": self.tier,
            "tier_label": self.tier_label,
            "effect": self.effect,
            "se": self.se,
            "lower": self.lower,
            "upper": self.upper,
            "n": self.n,
            "n_schools": self.n_schools,
            "evidence": [f"exams:{e}" for e in self.exams],
        }


def counting_exams_of_year(session: Session, region_id: int, school_year: int) -> list[Exam]:
    """The region's 学业质量监测 exams held in the school year, with results."""
    year = SchoolYear(school_year)
    stmt = (
        select(Exam)
        .where(
            Exam.region_id == region_id,
            Exam.counts_for_monitoring.is_(True),
            Exam.results_count > 0,
            Exam.held_on >= year.start,
            Exam.held_on <= year.end,
        )
        .order_by(Exam.held_on, Exam.id)
    )
    return list(session.scalars(stmt))


def _pairs_on(session: Session, region_id: int, day: date) -> dict[int, tuple[str, set[int]]]:
    rows = session.execute(
        select(Group.id, Group.name, Membership.school_id)
        .join(Membership, Membership.group_id == Group.id)
        .where(
            Group.region_id == region_id,
            Group.mode == GroupMode.co_build,
            Membership.start_date <= day,
            or_(Membership.end_date.is_(None), Membership.end_date >= day),
        )
    ).all()
    pairs: dict[int, tuple[str, set[int]]] = {}
    for group_id, name, school_id in rows:
        pairs.setdefault(group_id, (name, set()))[1].add(school_id)
    return pairs


def prize_ranking(
    session: Session,
    scope: Scope,
    school_year: int,
    *,
    shares: Sequence[float] | None = None,
    method: str = "reml",
    confidence: float = 0.95,
) -> list[PrizeRow]:
    """Co-build pairs ranked by value-added in the school year, cut into 一/二/三等奖 (OH-14.b).

    Every pair of the region is ranked; a user other than a bureau administrator gets the rows of its own
    groups only (with their rank among all).
    """
    service.require_reader(scope)
    assert scope.region_id is not None
    z = z_of(confidence)
    exams = counting_exams_of_year(session, scope.region_id, school_year)
    parts: list[pl.DataFrame] = []
    for exam in exams:
        effects = exam_effects(session, exam, method=method)
        for group_id, (_, members) in _pairs_on(session, scope.region_id, exam.held_on).items():
            parts.append(
                effects.filter(pl.col("school_id").is_in(list(members))).with_columns(
                    group_id=pl.lit(group_id, pl.Int64), exam_id=pl.lit(exam.id, pl.Int64)
                )
            )
    if not parts:
        return []
    pooled = pl.concat(parts)
    by_pair = combine(pooled, ["group_id"]).join(
        pooled.group_by("group_id").agg(exams=pl.col("exam_id").unique().sort()), on="group_id"
    )
    ranked = by_pair.sort("effect", "group_id", descending=[True, False]).to_dicts()
    tiers = prize_tiers(len(ranked), shares)
    names = dict(
        session.execute(select(Group.id, Group.name).where(Group.region_id == scope.region_id)).all()
    )
    result = [
        PrizeRow(
            rank=k + 1,
            group_id=r["group_id"],
            name=names.get(r["group_id"], ""),
            tier=tiers[k],
            effect=r["effect"],
            se=r["se"],
            lower=r["effect"] - z * r["se"],
            upper=r["effect"] + z * r["se"],
            n=r["n"],
            n_schools=r["n_schools"],
            exams=tuple(r["exams"]),
        )
        for k, r in enumerate(ranked)
    ]
    return [r for r in result if scope.can_see_group(r.group_id, scope.region_id)]


def check_group(session: Session, scope: Scope, group_id: int) -> Group:
    """A group the user may see; 404 otherwise."""
    group = session.get(Group, group_id)
    scope.visible_group(group, group_id, "集团")
    assert group is not None
    return group
