"""Results import on a synthetic city: 5,000,000 rows from one file into SQLite and into PostgreSQL.

    /tmp/v/bin/python bench/bench_results_import.py [--students 1000000] [--repeats 3] [--format csv]
        [--postgres postgresql://postgres@127.0.0.1:5432/test] [--no-sqlite]

The city (seeded): 1,500 junior and nine-year schools, 1,000,000 grade-9 students, 5 subjects → 5,000,000
result rows with a prior score, sex and a socio-economic index; about 2% absent (缺考 = 是, no score), about 5%
of present rows with a level given in the file, the rest derived from the cut scores.

Timed, per backend: `monitoring.io.import_results` from the file on disk to the committed transaction —
reading the file into Polars, every column-wise check (schools, duplicates, ranges, levels, absences …), the
levels from the cut scores, the bulk write (COPY on PostgreSQL, multi-row INSERT on SQLite), the exam's
counters and the audit entry, and the commit. Each timed run starts from an exam without results (the previous
run's rows are deleted and committed outside the timing); one more run replaces the 5,000,000 rows already
there (delete and insert in one transaction) and is reported beside the median. The SQLite database is a file
in a temporary folder, with the app's settings (WAL, synchronous=NORMAL); PostgreSQL gets a schema of its own,
dropped at the end. Prints both medians.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from edugroup.core.db import make_engine
from edugroup.core.migrate import upgrade
from edugroup.core.settings import normalise_database_url
from edugroup.monitoring.io import import_results
from edugroup.monitoring.models import Exam, ExamResult, ExamStage
from edugroup.org.models import City, Region, School, Stage

SUBJECTS = ["语文", "数学", "英语", "物理", "化学"]


def build_file(folder: Path, *, n_students: int, n_schools: int, fmt: str, seed: int = 20250520) -> Path:
    """The city's results file (one row per student and subject) in the import layout."""
    rng = np.random.default_rng(seed)
    school = np.sort(rng.integers(0, n_schools, n_students))
    ability = rng.normal(0.0, 1.0, n_students)
    school_shift = rng.normal(0.0, 6.0, n_schools)[school]
    n = n_students * len(SUBJECTS)
    student = np.repeat(np.arange(n_students), len(SUBJECTS))
    score = np.clip(
        np.round(74.0 + school_shift[student] + 11.0 * ability[student] + rng.normal(0, 6, n), 1), 0, 100
    )
    absent = rng.random(n) < 0.02
    given = ~absent & (rng.random(n) < 0.05)
    level = np.where(
        score >= 85, "优秀", np.where(score >= 75, "良好", np.where(score >= 60, "合格", "不合格"))
    )
    frame = pl.DataFrame(
        {
            "学籍号": pl.Series(student + 31_000_000).cast(pl.String),
            "学校代码": pl.Series(school[student]).cast(pl.String).str.zfill(4),
            "年级": np.full(n, 9, dtype=np.int64),
            "学科": np.tile(np.array(SUBJECTS), n_students),
            "成绩": np.where(absent, np.nan, score),
            "等级": pl.Series(level).zip_with(pl.Series(given), pl.Series([None] * n, dtype=pl.String)),
            "前测成绩": np.clip(np.round(72.0 + 10.0 * ability[student] + rng.normal(0, 5, n), 1), 0, 100),
            "缺考": np.where(absent, "是", "否"),
            "性别": np.where(rng.random(n_students) < 0.51, "男", "女")[student],
            "家庭社会经济地位": np.round(rng.normal(0, 1, n_students), 3)[student],
        }
    ).with_columns(pl.col("成绩").fill_nan(None))
    path = folder / f"results.{fmt}"
    if fmt == "parquet":
        frame.write_parquet(path)
    else:
        frame.write_csv(path)
    return path


def prepare(engine: Engine, n_schools: int) -> int:
    """Migrate, then one region, its schools and an exam; returns the exam id."""
    with engine.begin() as connection:
        upgrade(connection)
    with Session(engine) as session, session.begin():
        city = City(code="bench", name="基准市")
        session.add(city)
        session.flush()
        region = Region(city_id=city.id, code="bench", name="基准区")
        session.add(region)
        session.flush()
        session.execute(
            insert(School),
            [
                {
                    "region_id": region.id,
                    "code": f"{i:04d}",
                    "name": f"基准学校{i}",
                    "stage": Stage.junior if i % 4 else Stage.nine_year,
                    "quality_tier": "ordinary",
                    "student_count": 0,
                    "teacher_count": 0,
                }
                for i in range(n_schools)
            ],
        )
        exam = Exam(
            region_id=region.id,
            name="基准学业质量监测",
            school_year=2025,
            held_on=date(2026, 5, 20),
            grade=9,
            stage=ExamStage.junior,
            subjects=SUBJECTS,
            score_min=0.0,
            score_max=100.0,
            cut_excellent=85.0,
            cut_good=75.0,
            cut_pass=60.0,
            results_count=0,
        )
        session.add(exam)
        session.flush()
        return exam.id


def clear(engine: Engine, exam_id: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(ExamResult).where(ExamResult.exam_id == exam_id))
        session.execute(update(Exam).where(Exam.id == exam_id).values(results_count=0))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE exam_results"))
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def timed_import(engine: Engine, exam_id: int, path: Path) -> float:
    """One import from the file to the commit; returns seconds."""
    started = time.perf_counter()
    with Session(engine) as session:
        session.info["actor"] = "bench"
        exam = session.get(Exam, exam_id)
        assert exam is not None
        report = import_results(session, exam, path, path.name)
        session.commit()
    seconds = time.perf_counter() - started
    with Session(engine) as session:
        stored = session.scalar(
            select(func.count()).select_from(ExamResult).where(ExamResult.exam_id == exam_id)
        )
    assert stored == report.rows, (stored, report.rows)
    return seconds


@contextmanager
def sqlite_engine(folder: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    schema = f"eg_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(normalise_database_url(url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(normalise_database_url(url), connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(name: str, engine: Engine, path: Path, n_schools: int, repeats: int) -> float:
    exam_id = prepare(engine, n_schools)
    times = []
    for _ in range(repeats):
        clear(engine, exam_id)
        times.append(timed_import(engine, exam_id, path))
        print(f"  {name}: import {times[-1]:.2f} s", flush=True)
    replace = timed_import(engine, exam_id, path)
    median = statistics.median(times)
    print(f"  {name}: re-import replacing the rows {replace:.2f} s", flush=True)
    return median


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=1_500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        path = build_file(folder, n_students=args.students, n_schools=args.schools, fmt=args.format)
        rows = args.students * len(SUBJECTS)
        size = path.stat().st_size / 1e6
        print(f"{rows:,} rows, {path.name} {size:.0f} MB (built in {time.perf_counter() - started:.1f} s)")
        medians: dict[str, float] = {}
        if not args.no_sqlite:
            with sqlite_engine(folder) as engine:
                medians["SQLite"] = run("SQLite", engine, path, args.schools, args.repeats)
        if not args.no_postgres:
            with postgres_engine(args.postgres) as engine:
                medians["PostgreSQL"] = run("PostgreSQL", engine, path, args.schools, args.repeats)
        for name, median in medians.items():
            print(
                f"{name}: median of {args.repeats} imports of {rows:,} rows: {median:.2f} s ({rows / median:,.0f} rows/s)"
            )


if __name__ == "__main__":
    main()
