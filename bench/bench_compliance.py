"""The compliance engine on a synthetic city: the hongkou-2025 pack, one school year, every entity at once.

    /tmp/v/bin/python bench/bench_compliance.py [--repeats 5] [--activities 200000] [--postgres URL] [--profile]

Measures `edugroup.policy.service.run_compliance(session, bureau scope, "hongkou-2025", year=2025)`: wall time
per evaluation (median and min of the repeats, each in a fresh ORM session), the rows and verdict counts it
returns, and the SQL statements it issues, by the table each one reads (a `before_cursor_execute` listener on
the engine) — which shows whether a table is read once per evaluation or once per entity.

Beside it, in the same run and on the same database, a naive reference for HK-16 (joint research per group
per semester): one `COUNT(*)` query per group per semester, the "once per entity" approach (and a variant
selecting the ids, the evidence the engine returns), checked against the engine's HK-16 values and timed
against the engine evaluating HK-16 alone and the whole pack. `--profile` adds cProfile listings of both.

The city (seeded, deterministic): 1,500 schools in 10 districts; 150 groups of mixed modes — tight groups,
co-build pairs (half of them under an alliance, whose own memberships are the pairs' schools),
collaboratives and programmes — every school in at least one group and several in two or three of
different modes, with a few schools moving between tight groups at the semester change; 200,000 activities
over school year 2025 (both semesters, school days weighted by month), joint research the dominant kind,
lessons, meetings, showcases with a level, observations with or without their report, each with 1–3
participating schools. Built in a temporary SQLite file by the Alembic migrations and SQLAlchemy Core bulk
inserts; with `--postgres` also in a fresh PostgreSQL schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, event, func, insert, select, text
from sqlalchemy.orm import Session

from edugroup.activities.models import (
    ACTIVITY_KIND_LABELS,
    Activity,
    ActivityKind,
    ActivitySchool,
    ShowcaseLevel,
)
from edugroup.core.db import Base, make_engine
from edugroup.core.migrate import upgrade
from edugroup.core.models import Role
from edugroup.core.periods import SchoolYear
from edugroup.core.scope import Scope
from edugroup.core.settings import normalise_database_url
from edugroup.org.models import (
    City,
    District,
    Group,
    GroupMode,
    Membership,
    QualityTier,
    Region,
    School,
    Stage,
)
from edugroup.policy.engine import Evaluation, evaluate
from edugroup.policy.service import pack_for, run_compliance
from edugroup.web.composition import register_domains

PACK = "hongkou-2025"
YEAR = 2025
REGION_ID = 1
STAMP = datetime(2025, 8, 1, 9, 0, 0)  # created_at / updated_at of every row (deterministic)

STAGES = (Stage.primary, Stage.junior, Stage.nine_year, Stage.senior, Stage.twelve_year)
STAGE_SHARES = (0.48, 0.25, 0.12, 0.10, 0.05)
TIERS = (QualityTier.quality, QualityTier.ordinary, QualityTier.weaker)
TIER_SHARES = (0.25, 0.50, 0.25)

# Kinds and their shares of the activity records (joint research dominant).
KIND_SHARES: tuple[tuple[ActivityKind, float], ...] = (
    (ActivityKind.joint_research, 0.38),
    (ActivityKind.working_meeting, 0.10),
    (ActivityKind.public_lesson, 0.08),
    (ActivityKind.research_lesson, 0.08),
    (ActivityKind.classroom_observation, 0.08),
    (ActivityKind.showcase, 0.06),
    (ActivityKind.demonstration_lesson, 0.05),
    (ActivityKind.collective_research, 0.04),
    (ActivityKind.joint_lesson_prep, 0.04),
    (ActivityKind.teaching_contest, 0.02),
    (ActivityKind.student_exchange, 0.02),
    (ActivityKind.teacher_event, 0.02),
    (ActivityKind.studio_activity, 0.01),
    (ActivityKind.programme_meeting, 0.01),
    (ActivityKind.cooperative_research, 0.01),
)
LEVELS = (ShowcaseLevel.school, ShowcaseLevel.district, ShowcaseLevel.city)
LEVEL_SHARES = (0.6, 0.3, 0.1)
# Activity per month of the school year (Sep .. Aug): winter break in late Jan / Feb, little in summer.
MONTH_WEIGHTS = {
    9: 1.0,
    10: 0.8,
    11: 1.1,
    12: 1.1,
    1: 0.5,
    2: 0.3,
    3: 1.1,
    4: 1.0,
    5: 1.0,
    6: 0.9,
    7: 0.1,
    8: 0.05,
}


# --- the synthetic city --------------------------------------------------------------------------------------


@dataclass
class CityRows:
    """Every row to insert, table by table, plus what the report quotes about the city."""

    tables: dict[str, list[dict[str, Any]]]
    group_modes: Counter[str]
    schools_in_two_or_more: int
    moved_schools: int
    hk16_sparse_groups: int


def _stamp(row: dict[str, Any]) -> dict[str, Any]:
    row["created_at"] = STAMP
    row["updated_at"] = STAMP
    return row


def _split(total: int, weights: np.ndarray) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), every part at least 2."""
    raw = weights / weights.sum() * total
    sizes = np.maximum(np.floor(raw).astype(np.int64), 2)
    order = np.argsort(-(raw - np.floor(raw)))
    i = 0
    while sizes.sum() < total:
        sizes[order[i % len(order)]] += 1
        i += 1
    while sizes.sum() > total:
        j = int(np.argmax(sizes))
        sizes[j] -= 1
    return [int(s) for s in sizes]


def build_city(*, seed: int, n_schools: int, n_groups: int, n_districts: int, n_activities: int) -> CityRows:
    """A seeded synthetic region (see the module docstring); ids are assigned here, from 1."""
    rng = np.random.default_rng(seed)
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    tables["cities"].append({"id": 1, "code": "bench-city", "name": "基准市"})
    tables["regions"].append(
        {"id": REGION_ID, "city_id": 1, "code": "bench-region", "name": "基准区", "policy_pack": PACK}
    )
    for d in range(1, n_districts + 1):
        tables["districts"].append(
            _stamp(
                {
                    "id": d,
                    "region_id": REGION_ID,
                    "code": f"D{d:02d}",
                    "name": f"基准第{d}学区",
                    "demonstrative_candidate": d <= 2,
                }
            )
        )

    # Schools: stage, tier, district (about n_schools / n_districts each).
    stage_idx = rng.choice(len(STAGES), size=n_schools, p=STAGE_SHARES)
    tier_idx = rng.choice(len(TIERS), size=n_schools, p=TIER_SHARES)
    district_of = rng.permutation(np.arange(n_schools) % n_districts) + 1
    school_ids = list(range(1, n_schools + 1))
    for i, sid in enumerate(school_ids):
        tables["schools"].append(
            _stamp(
                {
                    "id": sid,
                    "region_id": REGION_ID,
                    "district_id": int(district_of[i]),
                    "code": f"S{sid:04d}",
                    "name": f"基准第{sid}学校",
                    "stage": STAGES[stage_idx[i]],
                    "quality_tier": TIERS[tier_idx[i]],
                    "lat": float(31.2 + rng.normal(0, 0.05)),
                    "lon": float(121.5 + rng.normal(0, 0.05)),
                    "student_count": int(rng.integers(300, 3000)),
                    "teacher_count": int(rng.integers(25, 250)),
                    "address": None,
                }
            )
        )
    schools_by_district: dict[int, list[int]] = defaultdict(list)
    for i, sid in enumerate(school_ids):
        schools_by_district[int(district_of[i])].append(sid)

    # Groups: 36% tight, 40% co-build pairs, 6.7% alliances (parents of 3 pairs each), 10.7% collaborative,
    # 6.7% programmes.
    n_alliance = max(1, round(n_groups * 0.0667))
    n_programme = max(1, round(n_groups * 0.0667))
    n_pairs = round(n_groups * 0.40)
    n_collab = max(1, round(n_groups * 0.107))
    n_tight = n_groups - n_alliance - n_programme - n_pairs - n_collab
    modes = (
        [GroupMode.tight] * n_tight
        + [GroupMode.alliance] * n_alliance  # before the pairs: a parent row is inserted first
        + [GroupMode.co_build] * n_pairs
        + [GroupMode.collaborative] * n_collab
        + [GroupMode.programme] * n_programme
    )
    group_ids = list(range(1, n_groups + 1))
    mode_of = dict(zip(group_ids, modes, strict=True))
    by_mode: dict[GroupMode, list[int]] = defaultdict(list)
    for gid, mode in mode_of.items():
        by_mode[mode].append(gid)
    alliances = by_mode[GroupMode.alliance]
    pairs = by_mode[GroupMode.co_build]
    parent_of = {pair: alliances[k // 3] for k, pair in enumerate(pairs[: 3 * len(alliances)])}
    new_groups = set(rng.choice(group_ids, size=max(1, n_groups // 10), replace=False).tolist())
    for gid in group_ids:
        mode = mode_of[gid]
        founded = (
            date(2025, 9, 1) if gid in new_groups and mode is not GroupMode.alliance else date(2021, 9, 1)
        )
        tables["groups"].append(
            _stamp(
                {
                    "id": gid,
                    "region_id": REGION_ID,
                    "parent_id": parent_of.get(gid),
                    "code": f"G{gid:03d}",
                    "name": f"基准{mode.value}第{gid}集团",
                    "mode": mode,
                    "founded_on": founded,
                    "dissolved_on": None,
                    "description": None,
                    "programme_key": "bench-programme" if mode is GroupMode.programme else None,
                    "demonstrative_candidate": gid % 25 == 0,
                }
            )
        )
    founded_on = {row["id"]: row["founded_on"] for row in tables["groups"]}

    # Every school in exactly one tight, co-build or collaborative group first.
    order = [int(s) for s in rng.permutation(school_ids)]
    members: dict[int, list[int]] = defaultdict(list)
    pos = 0
    for gid in pairs:
        members[gid] = order[pos : pos + 2]
        pos += 2
    rest = order[pos:]
    fillers = by_mode[GroupMode.tight] + by_mode[GroupMode.collaborative]
    weights = np.array(
        [rng.uniform(6, 20) if mode_of[g] is GroupMode.tight else rng.uniform(20, 45) for g in fillers]
    )
    start = 0
    for gid, size in zip(fillers, _split(len(rest), weights), strict=True):
        members[gid] = rest[start : start + size]
        start += size
    memberships: list[tuple[int, int, date, date | None, bool]] = []
    for gid in pairs + fillers:
        for k, sid in enumerate(members[gid]):
            memberships.append((gid, sid, founded_on[gid], None, k == 0))
    # Alliances: the schools of their pairs.
    for pair, alliance in parent_of.items():
        members[alliance] += members[pair]
    for gid in alliances:
        for k, sid in enumerate(members[gid]):
            memberships.append((gid, sid, founded_on[gid], None, k == 0))
    # Programmes: 8–16 schools each, from anywhere (a programme is a mode of its own).
    taken: set[int] = set()
    for gid in by_mode[GroupMode.programme]:
        pool = [s for s in order if s not in taken]
        chosen = [int(s) for s in rng.choice(pool, size=int(rng.integers(8, 17)), replace=False)]
        taken.update(chosen)
        members[gid] = chosen
        for k, sid in enumerate(chosen):
            memberships.append((gid, sid, founded_on[gid], None, k == 0))
    # Some tight-group schools also join a collaborative (a different mode).
    in_tight = [s for g in by_mode[GroupMode.tight] for s in members[g][1:]]
    collab = by_mode[GroupMode.collaborative]
    for sid in rng.choice(in_tight, size=min(len(in_tight), n_schools // 15), replace=False):
        gid = collab[int(rng.integers(len(collab)))]
        members[gid].append(int(sid))
        memberships.append((gid, int(sid), date(2024, 9, 1), None, False))
    # A few schools move from one tight group to another at the semester change (history kept).
    tight = by_mode[GroupMode.tight]
    moved = 0
    for idx in rng.choice(len(memberships), size=len(memberships), replace=False):
        if moved >= n_schools // 60:
            break
        gid, sid, begun, ended, leader = memberships[idx]
        if mode_of[gid] is not GroupMode.tight or leader or ended is not None:
            continue
        target = tight[int(rng.integers(len(tight)))]
        if target == gid:
            continue
        memberships[idx] = (gid, sid, begun, date(2026, 1, 31), leader)
        memberships.append((target, sid, date(2026, 2, 1), None, False))
        members[target].append(sid)
        moved += 1
    for k, (gid, sid, begun, ended, leader) in enumerate(memberships, start=1):
        tables["memberships"].append(
            _stamp(
                {
                    "id": k,
                    "group_id": gid,
                    "school_id": sid,
                    "start_date": begun,
                    "end_date": ended,
                    "is_leader": leader,
                    "note": None,
                }
            )
        )
    per_school = Counter(sid for _, sid, _, ended, _ in memberships if ended is None)
    group_lists = {g: sorted(set(v)) for g, v in members.items()}

    # Activities: groups organise in proportion to a skewed weight; a few groups barely (HK-16 not met).
    days = [SchoolYear(YEAR).start + timedelta(days=k) for k in range(365)]
    day_w = np.array([MONTH_WEIGHTS[d.month] * (0.05 if d.weekday() >= 5 else 1.0) for d in days])
    day_idx = rng.choice(len(days), size=n_activities, p=day_w / day_w.sum())
    kinds = [k for k, _ in KIND_SHARES]
    kind_p = np.array([p for _, p in KIND_SHARES])
    kind_idx = rng.choice(len(kinds), size=n_activities, p=kind_p / kind_p.sum())
    organiser = rng.choice(3, size=n_activities, p=(0.65, 0.15, 0.20))  # group+school, group, school
    group_w = rng.lognormal(0.0, 0.8, size=n_groups)
    sparse = rng.choice(n_groups, size=max(1, n_groups // 10), replace=False)
    dense_total = group_w.sum() - group_w[sparse].sum()
    group_w[sparse] = dense_total * rng.uniform(0.5e-4, 2.5e-4, size=len(sparse))
    group_idx = rng.choice(n_groups, size=n_activities, p=group_w / group_w.sum())
    n_participants = rng.choice((1, 2, 3), size=n_activities, p=(0.35, 0.40, 0.25))
    host_idx = rng.integers(0, n_schools, size=n_activities)
    level_idx = rng.choice(len(LEVELS), size=n_activities, p=LEVEL_SHARES)
    report = rng.random(n_activities)
    for a in range(n_activities):
        aid = a + 1
        kind = kinds[kind_idx[a]]
        day = days[day_idx[a]]
        organiser_group: int | None = group_ids[group_idx[a]] if organiser[a] != 2 else None
        if organiser_group is not None:
            pool = group_lists[organiser_group]
            host: int | None = pool[int(host_idx[a]) % len(pool)] if organiser[a] == 0 else None
        else:
            host = school_ids[int(host_idx[a])]
            pool = schools_by_district[int(district_of[host - 1])]
        others = [s for s in pool if s != host] or pool
        k = min(int(n_participants[a]), len(others))
        picks = rng.choice(len(others), size=k, replace=False) if k > 1 else [int(host_idx[a]) % len(others)]
        observation = kind is ActivityKind.classroom_observation
        tables["activities"].append(
            _stamp(
                {
                    "id": aid,
                    "region_id": REGION_ID,
                    "kind": kind,
                    "occurred_on": day,
                    "title": f"{ACTIVITY_KIND_LABELS[kind]} {aid}",
                    "description": None,
                    "group_id": organiser_group,
                    "school_id": host,
                    "level": LEVELS[level_idx[a]] if kind is ActivityKind.showcase else None,
                    "observer_teacher_id": None,
                    "observer_name": f"外部观察员{aid % 97}" if observation else None,
                    "report_text": None,
                    "has_report": bool(report[a] < (0.7 if observation else 0.4)),
                }
            )
        )
        for p in picks:
            tables["activity_schools"].append({"activity_id": aid, "school_id": others[int(p)]})
    return CityRows(
        tables=dict(tables),
        group_modes=Counter(m.value for m in modes),
        schools_in_two_or_more=sum(1 for n in per_school.values() if n >= 2),
        moved_schools=moved,
        hk16_sparse_groups=len(sparse),
    )


INSERT_ORDER = (
    (City, "cities"),
    (Region, "regions"),
    (District, "districts"),
    (School, "schools"),
    (Group, "groups"),
    (Membership, "memberships"),
    (Activity, "activities"),
    (ActivitySchool, "activity_schools"),
)


def load_city(engine: Engine, city: CityRows, *, chunk: int = 50_000) -> None:
    """Core bulk inserts (executemany), parents before children, in one transaction."""
    with engine.begin() as connection:
        for model, name in INSERT_ORDER:
            assert model.__tablename__ == name
            table = Base.metadata.tables[name]
            rows = city.tables.get(name, [])
            for k in range(0, len(rows), chunk):
                connection.execute(insert(table), rows[k : k + chunk])
        connection.exec_driver_sql("ANALYZE")  # fresh planner statistics, SQLite and PostgreSQL alike


# --- databases -----------------------------------------------------------------------------------------------


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        try:
            with engine.begin() as connection:
                upgrade(connection)
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    """A fresh schema on the server, migrated; dropped afterwards (as tests/conftest.py does)."""
    schema = f"eg_bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(normalise_database_url(url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(normalise_database_url(url), connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.begin() as connection:
            upgrade(connection)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- statement counting --------------------------------------------------------------------------------------

_TABLES = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)


def statement_key(statement: str) -> str:
    """The table a statement reads (first FROM), with any other table it joins or sub-selects in brackets."""
    names = [str(n) for n in dict.fromkeys(_TABLES.findall(statement))]
    if not names:
        return str(statement.split(None, 1)[0]).upper() if statement.strip() else "(empty)"
    return names[0] + (f" (+{', '.join(names[1:])})" if names[1:] else "")


@dataclass
class StatementCounter:
    """Counts the statements an engine sends while `counting()` is active, by `statement_key`."""

    engine: Engine
    counts: Counter[str] = field(default_factory=Counter)
    active: bool = False

    def __post_init__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.active:
            self.counts[statement_key(statement)] += 1

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        self.counts = Counter()
        self.active = True
        try:
            yield self.counts
        finally:
            self.active = False

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


# --- what is timed -------------------------------------------------------------------------------------------


def bureau() -> Scope:
    return Scope(user_id=None, username="bench", role=Role.bureau_admin, region_id=REGION_ID)


def evaluate_pack(engine: Engine) -> Evaluation:
    with Session(engine) as session:
        return run_compliance(session, bureau(), PACK, year=YEAR)


def evaluate_hk16(engine: Engine) -> Evaluation:
    """The engine on a copy of the pack holding HK-16 only."""
    with Session(engine) as session:
        pack = pack_for(session, bureau(), PACK, YEAR)
        only = pack.model_copy(update={"clauses": [c for c in pack.clauses if c.id == "HK-16"]})
        return evaluate(session, bureau(), only, year=YEAR)


def naive_hk16(engine: Engine) -> dict[tuple[int, str], float]:
    """HK-16 once per entity: the region's groups, then one COUNT per group per semester."""
    counts: dict[tuple[int, str], float] = {}
    with Session(engine) as session:
        group_ids = session.scalars(
            select(Group.id).where(Group.region_id == REGION_ID).order_by(Group.code)
        ).all()
        for semester in SchoolYear(YEAR).semesters():
            for gid in group_ids:
                n = session.scalar(
                    select(func.count())
                    .select_from(Activity)
                    .where(
                        Activity.region_id == REGION_ID,
                        Activity.group_id == gid,
                        Activity.kind == ActivityKind.joint_research,
                        Activity.occurred_on >= semester.start,
                        Activity.occurred_on <= semester.end,
                    )
                )
                counts[(gid, semester.id)] = float(n or 0)
    return counts


def naive_hk16_ids(engine: Engine) -> dict[tuple[int, str], float]:
    """The same with the evidence the engine returns: one SELECT of the activity ids per group per semester."""
    counts: dict[tuple[int, str], float] = {}
    with Session(engine) as session:
        group_ids = session.scalars(
            select(Group.id).where(Group.region_id == REGION_ID).order_by(Group.code)
        ).all()
        for semester in SchoolYear(YEAR).semesters():
            for gid in group_ids:
                ids = session.scalars(
                    select(Activity.id).where(
                        Activity.region_id == REGION_ID,
                        Activity.group_id == gid,
                        Activity.kind == ActivityKind.joint_research,
                        Activity.occurred_on >= semester.start,
                        Activity.occurred_on <= semester.end,
                    )
                ).all()
                evidence = tuple(f"activities:{i}" for i in ids)
                counts[(gid, semester.id)] = float(len(evidence))
    return counts


def hk16_values(evaluation: Evaluation) -> dict[tuple[int, str], float]:
    return {
        (row.entity_id, row.period): float(row.value or 0)
        for row in evaluation.rows
        if row.clause == "HK-16" and row.entity_id is not None
    }


@dataclass
class Timed:
    times: list[float]
    statements: list[Counter[str]]
    last: Any

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def time_runs(counter: StatementCounter, fn: Callable[[Engine], Any], repeats: int) -> Timed:
    times: list[float] = []
    statements: list[Counter[str]] = []
    last: Any = None
    for _ in range(repeats):
        with counter.counting() as counts:
            t0 = time.perf_counter()
            last = fn(counter.engine)
            times.append(time.perf_counter() - t0)
        statements.append(Counter(counts))
    return Timed(times, statements, last)


# --- report --------------------------------------------------------------------------------------------------


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f} s"


def print_statements(title: str, runs: Sequence[Counter[str]]) -> None:
    same = all(r == runs[0] for r in runs)
    print(f"  {title}: {sum(runs[0].values())} statements per evaluation", end="")
    print(" (the same in every repeat)" if same else " (VARIES between repeats)")
    for key, n in sorted(runs[0].items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {n:6d}  {key}")


def print_clauses(evaluation: Evaluation) -> None:
    per: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in evaluation.rows:
        per[(row.clause, row.entity_type)][row.verdict] += 1
    print(
        f"  {'check':<9} {'entity':<16} {'rows':>5} {'met':>5} {'not_met':>8} {'no_data':>8} {'not_impl':>9}"
    )
    for (clause, entity), c in per.items():
        print(
            f"  {clause:<9} {entity:<16} {sum(c.values()):>5} {c['met']:>5} {c['not_met']:>8}"
            f" {c['no_data']:>8} {c['not_implemented']:>9}"
        )


def profile_once(engine: Engine, fn: Callable[[Engine], Any], label: str, top: int) -> None:
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    fn(engine)
    profiler.disable()
    print(f"cProfile of one {label} ({_fmt(time.perf_counter() - t0)} under the profiler):")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        text_ = out.getvalue()
        print(text_[text_.index("   ncalls") :] if "   ncalls" in text_ else text_)


def run(engine: Engine, args: argparse.Namespace, backend: str) -> None:
    t0 = time.perf_counter()
    city = build_city(
        seed=args.seed,
        n_schools=args.schools,
        n_groups=args.groups,
        n_districts=args.districts,
        n_activities=args.activities,
    )
    t_generate = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_city(engine, city)
    t_insert = time.perf_counter() - t0
    sizes = {name: len(rows) for name, rows in city.tables.items()}
    print(f"backend: {backend}")
    print(
        f"city (seed {args.seed}): {sizes['schools']:,} schools, {sizes['districts']} districts,"
        f" {sizes['groups']} groups ({', '.join(f'{m} {n}' for m, n in city.group_modes.items())}),"
        f" {sizes['memberships']:,} memberships; {city.schools_in_two_or_more} schools in two or more groups,"
        f" {city.moved_schools} move between tight groups on 2026-02-01"
    )
    print(
        f"      {sizes['activities']:,} activities over school year {YEAR},"
        f" {sizes['activity_schools']:,} activity_schools rows;"
        f" {city.hk16_sparse_groups} groups organise almost nothing"
    )
    print(f"build: generate {_fmt(t_generate)}, Core bulk insert + ANALYZE {_fmt(t_insert)}")
    del city

    counter = StatementCounter(engine)
    evaluate_pack(engine)  # warm-up: imports, pack parsing, the database's page cache
    full = time_runs(counter, evaluate_pack, args.repeats)
    hk16 = time_runs(counter, evaluate_hk16, args.repeats)
    naive = time_runs(counter, naive_hk16, args.repeats)
    naive_ids = time_runs(counter, naive_hk16_ids, args.repeats)
    counter.close()

    evaluation: Evaluation = full.last
    print()
    print(f"run_compliance(bureau, {PACK!r}, year={YEAR}), {args.repeats} repeats, fresh session each:")
    print(
        f"  median {_fmt(full.median)}, min {_fmt(min(full.times))}  (all: {', '.join(_fmt(t) for t in full.times)})"
    )
    print(f"  rows {len(evaluation.rows):,}; verdicts {evaluation.summary()}")
    print_clauses(evaluation)
    print_statements("SQL", full.statements)

    engine_values = hk16_values(hk16.last)
    naive_values: dict[tuple[int, str], float] = naive.last
    verdicts = Counter(r.verdict for r in hk16.last.rows)
    print()
    print("HK-16 (joint research >= 5 per group per semester):")
    print(
        f"  engine, HK-16 only:        median {_fmt(hk16.median)}, min {_fmt(min(hk16.times))};"
        f" {len(engine_values)} group-semesters, {dict(verdicts)}"
    )
    print_statements("SQL", hk16.statements)
    print(
        f"  naive, one COUNT per group per semester: median {_fmt(naive.median)}, min {_fmt(min(naive.times))}"
    )
    print_statements("SQL", naive.statements)
    print(
        f"  naive with evidence, one SELECT id per group per semester: median {_fmt(naive_ids.median)},"
        f" min {_fmt(min(naive_ids.times))}; {sum(naive_ids.statements[0].values())} statements"
    )
    same = engine_values == naive_values == naive_ids.last
    print(f"  naive counts equal the engine's HK-16 values: {'yes' if same else 'NO'}")
    print(
        f"  time ratio engine / naive (medians): HK-16 only {hk16.median / naive.median:.1f}× the COUNTs,"
        f" {hk16.median / naive_ids.median:.1f}× the SELECTs with evidence;"
        f" whole pack {full.median / naive.median:.1f}× the HK-16 COUNTs"
    )
    if args.profile:
        print()
        profile_once(engine, evaluate_pack, f"run_compliance({PACK!r})", args.profile_top)
        profile_once(engine, evaluate_hk16, "engine evaluation of HK-16 only", args.profile_top)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schools", type=int, default=1_500)
    parser.add_argument("--groups", type=int, default=150)
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20250901)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL, in a fresh schema")
    parser.add_argument("--profile", action="store_true", help="cProfile one evaluation after the timings")
    parser.add_argument("--profile-top", type=int, default=25)
    args = parser.parse_args()
    register_domains()

    with sqlite_engine() as engine:
        run(engine, args, "SQLite (temporary file)")
    if args.postgres:
        print()
        with postgres_engine(args.postgres) as engine:
            run(engine, args, "PostgreSQL (fresh schema, dropped afterwards)")


if __name__ == "__main__":
    main()
