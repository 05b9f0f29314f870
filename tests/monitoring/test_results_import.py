"""Importing an exam's results: column-wise validation naming every bad row, bulk writes, atomic replacement.

Also holds the small factories the other monitoring tests use (`make_exam`, `results_file`, `import_rows`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

import polars as pl
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from edugroup.core.auth import bind_actor
from edugroup.core.errors import Forbidden, ImportFailed
from edugroup.core.models import AuditEntry, Role
from edugroup.core.scope import Scope
from edugroup.monitoring import service
from edugroup.monitoring.models import Exam, ExamResult
from edugroup.monitoring.schemas import ExamCreate

HEADER = ["学籍号", "学校代码", "年级", "学科", "成绩", "等级", "缺考"]
Row = tuple[str, str, int, str, float | None, str | None, str | None]


def make_exam(world, *, grade: int = 9, subjects: Sequence[str] = ("语文", "数学"), **fields) -> Exam:
    """An exam of the world's region (school year 2025 by default), made by the bureau administrator."""
    year = fields.pop("school_year", 2025)
    data = {
        "name": fields.pop("name", f"{year}年市学业质量监测 {grade}年级"),
        "school_year": year,
        "held_on": fields.pop("held_on", date(year + 1, 5, 20)),
        "grade": grade,
        "subjects": list(subjects),
        "cut_excellent": 85,
        "cut_good": 75,
        "cut_pass": 60,
        **fields,
    }
    return service.create_exam(world.session, world.scope("bureau"), ExamCreate(**data))


def results_file(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, fmt: str = "csv") -> bytes:
    """The rows as a .csv, .xlsx or .parquet file with Chinese headers (None = empty cell)."""
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    columns = {name: [str(r[i]) if r[i] is not None else None for r in rows] for i, name in enumerate(header)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(header, pl.String))
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        return buffer.getvalue()
    return frame.write_csv().encode("utf-8")


def import_rows(world, exam: Exam, rows: Sequence[Sequence[object]], *, fmt: str = "csv"):
    """Imports the rows as the bureau administrator."""
    return service.import_results(
        world.session, world.scope("bureau"), exam.id, results_file(rows, fmt=fmt), f"results.{fmt}"
    )


def stored(world, exam: Exam) -> pl.DataFrame:
    return service.results_frame(
        world.session, [exam.id], ("row", "student_number", "school_id", "subject", "score", "level", "sat")
    )


GOOD: list[Row] = [
    ("s1", "C", 9, "语文", 88, None, None),
    ("s1", "C", 9, "数学", 59.5, None, None),
    ("s2", "C", 9, "语文", None, None, "是"),
    ("s2", "C", 9, "数学", 75, None, "否"),
    ("s3", "D", 9, "语文", 60, None, None),
    ("s3", "D", 9, "数学", None, "合格", None),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_a_valid_file_is_stored_row_by_row_with_levels_from_the_cut_scores(world, fmt):
    exam = make_exam(world)
    report = import_rows(world, exam, GOOD, fmt=fmt)
    assert (report.rows, report.students, report.schools, report.absent, report.replaced) == (6, 3, 2, 1, 0)
    assert report.derived_levels == 4
    rows = stored(world, exam)
    assert rows["row"].to_list() == [2, 3, 4, 5, 6, 7]
    assert rows["level"].to_list() == ["优秀", "不合格", None, "良好", "合格", "合格"]
    assert rows["sat"].to_list() == [True, True, False, True, True, True]
    assert rows["school_id"].to_list() == [world.schools["C"]] * 4 + [world.schools["D"]] * 2
    world.session.refresh(exam)
    assert exam.results_count == 6
    assert exam.results_file == f"results.{fmt}"


def test_every_bad_row_is_listed_with_its_column_and_nothing_is_written(world):
    exam = make_exam(world)
    rows = [
        ("s1", "C", 9, "语文", 88, None, None),
        ("s1", "C", 9, "语文", 77, None, None),  # 3: duplicate student and subject
        ("s2", "ZZ", 9, "数学", 70, None, None),  # 4: unknown school
        ("s3", "C", 9, "数学", 101, None, None),  # 5: out of range
        ("s4", "C", 8, "物理", "七十", None, None),  # 6: grade, subject, not a number
        ("s5", "C", 9, "数学", 70, "很好", "是"),  # 7: level, absent with a score
        (None, "C", 9, "数学", None, None, "否"),  # 8: no student, neither score nor level
        ("s6", "A", 9, "数学", 70, None, None),  # 9: a primary school has no grade 9
        ("s1", "D", 9, "数学", 70, None, None),  # 10: s1 was at school C on row 2
    ]
    with pytest.raises(ImportFailed) as caught:
        import_rows(world, exam, rows)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (3, "学科"),
        (4, "学校代码"),
        (5, "成绩"),
        (6, "年级"),
        (6, "学科"),
        (6, "成绩"),
        (7, "等级"),
        (7, "缺考"),
        (8, "学籍号"),
        (8, "成绩"),
        (9, "学校代码"),
        (10, "学校代码"),
    }
    messages = {(e.row, e.column): e.message for e in caught.value.errors}
    assert "与第2行重复" in messages[(3, "学科")]
    assert "「ZZ」不存在" in messages[(4, "学校代码")]
    assert "超出本次考试的成绩范围 0–100" in messages[(5, "成绩")]
    assert "没有 9 年级" in messages[(9, "学校代码")]
    assert caught.value.file == "results.csv"
    assert [e.row for e in caught.value.errors] == sorted(e.row for e in caught.value.errors)
    assert stored(world, exam).height == 0


def test_a_missing_required_column_refuses_the_file(world):
    exam = make_exam(world)
    data = results_file([("s1", "C", 9, 88)], header=["学籍号", "学校代码", "年级", "成绩"])
    with pytest.raises(ImportFailed) as caught:
        service.import_results(world.session, world.scope("bureau"), exam.id, data, "r.csv")
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [(1, "学科", "缺少必填列")]


def test_english_headers_and_a_gb18030_file_are_read(world):
    exam = make_exam(world, subjects=["数学"])
    text = "student_number,school_code,grade,subject,score\ns1,C,9,数学,70\n"
    report = service.import_results(
        world.session, world.scope("bureau"), exam.id, text.encode("gb18030"), "r.csv"
    )
    assert report.rows == 1


def test_an_unsupported_file_type_is_refused(world):
    exam = make_exam(world)
    with pytest.raises(ImportFailed, match="不支持的文件类型"):
        service.import_results(world.session, world.scope("bureau"), exam.id, b"x", "r.txt")


def test_reimporting_replaces_the_results_and_a_refused_file_keeps_them(world):
    exam = make_exam(world)
    import_rows(world, exam, GOOD)
    report = import_rows(world, exam, GOOD[:2])
    assert (report.rows, report.replaced) == (2, 6)
    assert stored(world, exam)["student_number"].to_list() == ["s1", "s1"]
    with pytest.raises(ImportFailed):
        import_rows(world, exam, [("s9", "ZZ", 9, "数学", 50, None, None)])
    assert stored(world, exam)["student_number"].to_list() == ["s1", "s1"]


def test_each_import_writes_one_audit_entry(world):
    exam = make_exam(world)
    bind_actor(world.session, world.scope("bureau"))
    before = world.session.scalar(select(func.count()).select_from(AuditEntry))
    import_rows(world, exam, GOOD)
    entries = world.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
    count = world.session.scalar(select(func.count()).select_from(AuditEntry))
    assert count == before + 1
    entry = entries[0]
    assert (entry.action, entry.entity_type, entry.entity_id, entry.actor) == (
        "import",
        "exam_results",
        str(exam.id),
        "bureau",
    )
    assert entry.after is not None
    assert entry.after["rows"] == 6
    assert len(entry.after["sha256"]) == 64


def test_only_bureau_administrators_import(world):
    exam = make_exam(world)
    for role in ("group", "school"):
        with pytest.raises(Forbidden):
            service.import_results(world.session, world.scope(role), exam.id, results_file(GOOD), "r.csv")
    assert world.session.scalar(select(func.count()).select_from(ExamResult)) == 0


def test_results_read_back_column_wise_with_covariates(world):
    exam = make_exam(world, subjects=["数学"])
    header = [*HEADER, "前测成绩", "性别", "家庭社会经济地位"]
    data = results_file(
        [
            ("s1", "C", 9, "数学", 70, None, None, 65.5, "女", -0.25),
            ("s2", "D", 9, "数学", 80, None, None, None, "男", None),
        ],
        header=header,
    )
    service.import_results(world.session, world.scope("bureau"), exam.id, data, "r.csv")
    frame = service.results_frame(
        world.session, [exam.id], ("student_number", "prior", "sex", "ses", "grade")
    )
    assert frame.to_dicts() == [
        {"student_number": "s1", "prior": 65.5, "sex": "F", "ses": -0.25, "grade": 9},
        {"student_number": "s2", "prior": None, "sex": "M", "ses": None, "grade": 9},
    ]


def hidden_objects(world, role: str) -> dict[str, object]:
    """For the scoping walk: an exam the role must not reach, and a job id that is not the role's."""
    if role == "other-bureau":
        exam = make_exam(world, name="外区不可见的考试")
    else:
        other = Scope(user_id=None, username="other", role=Role.bureau_admin, region_id=world.other_region_id)
        data = {
            "name": "另一区的考试",
            "school_year": 2025,
            "held_on": date(2026, 5, 20),
            "grade": 5,
            "subjects": ["数学"],
            "cut_excellent": 85,
            "cut_good": 75,
            "cut_pass": 60,
        }
        exam = service.create_exam(world.session, other, ExamCreate(**data))
    return {"exam_id": exam.id, "job_id": "0" * 32}


def test_the_command_line_imports_with_a_progress_bar_and_lists_bad_rows(world, monkeypatch, tmp_path):
    from contextlib import contextmanager

    from typer.testing import CliRunner

    from edugroup import cli
    from edugroup.core import db as core_db

    @contextmanager
    def same_session(actor="system"):
        yield world.session

    monkeypatch.setattr(core_db, "transaction", same_session)
    exam = make_exam(world)
    good, bad = tmp_path / "成绩.csv", tmp_path / "bad.parquet"
    good.write_bytes(results_file(GOOD))
    bad.write_bytes(results_file([("s1", "ZZ", 9, "语文", 50, None, None)], fmt="parquet"))

    def run(path, who="bureau"):
        return CliRunner().invoke(
            cli.app, ["import", "results", str(path), "--exam", str(exam.id), "--token", world.tokens[who]]
        )

    result = run(good)
    assert result.exit_code == 0, result.output
    assert "导入成绩" in result.output
    assert "导入 6 条" in result.output
    refused = run(bad)
    assert refused.exit_code == 1
    assert "第2行 [学校代码]: 学校代码「ZZ」不存在" in refused.output
    assert run(good, "school").exit_code == 1
    assert stored(world, exam).height == 6
