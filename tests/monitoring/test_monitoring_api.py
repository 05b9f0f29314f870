"""The monitoring API: exams, synchronous and background imports, indicators and exports, each in scope."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest
from tests.conftest import auth
from tests.monitoring.test_results_import import GOOD, import_rows, make_exam, results_file

from edugroup.core.settings import Settings
from edugroup.monitoring import jobs
from edugroup.monitoring.routes import job_transactions

EXAM = {
    "name": "2025年市学业质量监测",
    "school_year": 2025,
    "held_on": "2026-05-20",
    "grade": 9,
    "subjects": ["语文", "数学"],
    "cut_excellent": 85,
    "cut_good": 75,
    "cut_pass": 60,
}


@pytest.fixture(autouse=True)
def jobs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Job files of the test go to its own folder."""
    settings = Settings(var_dir=tmp_path)
    monkeypatch.setattr(jobs, "get_settings", lambda: settings)
    return tmp_path


@pytest.fixture
def background_on_test_session(client, db):
    """Background imports run on the test's session (its transaction is rolled back at the end)."""

    @contextmanager
    def on_test_session() -> Iterator[object]:
        yield db
        db.flush()

    client.app.dependency_overrides[job_transactions] = lambda: on_test_session
    return client


def upload(rows, fmt="csv"):
    media = {"csv": "text/csv", "xlsx": "application/octet-stream", "parquet": "application/octet-stream"}[
        fmt
    ]
    return {"file": (f"results.{fmt}", results_file(rows, fmt=fmt), media)}


def test_the_bureau_creates_an_exam_with_the_stage_of_its_grade(world, client):
    response = client.post("/api/v1/monitoring/exams", json=EXAM, headers=auth(world, "bureau"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["stage"], body["counts_for_monitoring"], body["results_count"]) == ("junior", True, 0)
    listed = client.get("/api/v1/monitoring/exams", headers=auth(world, "school")).json()
    assert [e["id"] for e in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cut_good": 90}, "分数线应满足"),
        ({"score_max": 80}, "成绩范围"),
        ({"held_on": "2025-05-20"}, "不在 2025学年"),
        ({"subjects": ["语文", "语文"]}, "学科重复"),
    ],
)
def test_an_inconsistent_exam_is_refused(world, client, change, field):
    response = client.post("/api/v1/monitoring/exams", json={**EXAM, **change}, headers=auth(world, "bureau"))
    assert response.status_code == 422
    assert field in response.json()["message"]


def test_a_second_exam_of_the_same_name_in_a_year_is_a_conflict(world, client):
    client.post("/api/v1/monitoring/exams", json=EXAM, headers=auth(world, "bureau"))
    response = client.post("/api/v1/monitoring/exams", json=EXAM, headers=auth(world, "bureau"))
    assert response.status_code == 409


def test_the_cut_scores_are_fixed_once_results_exist(world, client):
    exam = make_exam(world)
    headers = auth(world, "bureau")
    assert (
        client.patch(
            f"/api/v1/monitoring/exams/{exam.id}", json={"cut_pass": 55}, headers=headers
        ).status_code
        == 200
    )
    import_rows(world, exam, GOOD)
    refused = client.patch(f"/api/v1/monitoring/exams/{exam.id}", json={"cut_pass": 50}, headers=headers)
    assert refused.status_code == 409
    renamed = client.patch(f"/api/v1/monitoring/exams/{exam.id}", json={"name": "新名称"}, headers=headers)
    assert renamed.json()["name"] == "新名称"


def test_deleting_an_exam_deletes_its_results(world, client):
    exam = make_exam(world)
    import_rows(world, exam, GOOD)
    assert (
        client.delete(f"/api/v1/monitoring/exams/{exam.id}", headers=auth(world, "bureau")).status_code == 204
    )
    assert client.get(f"/api/v1/monitoring/exams/{exam.id}", headers=auth(world, "bureau")).status_code == 404
    from edugroup.monitoring import service

    assert service.results_frame(world.session, [exam.id]).height == 0


def test_the_api_import_answers_every_bad_row_or_the_summary(world, client):
    exam = make_exam(world)
    headers = auth(world, "bureau")
    bad = client.post(
        f"/api/v1/monitoring/exams/{exam.id}/results",
        files=upload([("s1", "ZZ", 9, "语文", 50, None, None), ("s2", "C", 9, "语文", 500, None, None)]),
        headers=headers,
    )
    assert bad.status_code == 422
    assert [(e["row"], e["column"]) for e in bad.json()["errors"]] == [(2, "学校代码"), (3, "成绩")]
    good = client.post(
        f"/api/v1/monitoring/exams/{exam.id}/results", files=upload(GOOD, "xlsx"), headers=headers
    )
    assert good.status_code == 200, good.text
    assert (good.json()["rows"], good.json()["replaced"]) == (6, 0)


def test_a_background_import_reports_its_progress_and_result(world, background_on_test_session):
    client = background_on_test_session
    exam = make_exam(world)
    headers = auth(world, "bureau")
    started = client.post(
        f"/api/v1/monitoring/exams/{exam.id}/results/jobs", files=upload(GOOD), headers=headers
    )
    assert started.status_code == 202, started.text
    job = client.get(f"/api/v1/monitoring/jobs/{started.json()['id']}", headers=headers).json()
    assert (job["status"], job["progress"], job["result"]["rows"]) == ("done", 1.0, 6)
    assert not list(jobs.jobs_dir().glob("*.upload*"))  # the upload is removed when the job ends
    failed = client.post(
        f"/api/v1/monitoring/exams/{exam.id}/results/jobs",
        files=upload([("s1", "C", 9, "历史", 50, None, None)]),
        headers=headers,
    )
    job = client.get(f"/api/v1/monitoring/jobs/{failed.json()['id']}", headers=headers).json()
    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(2, "学科")]
    for role in ("group", "school", "other-bureau"):
        assert (
            client.get(
                f"/api/v1/monitoring/jobs/{failed.json()['id']}", headers=auth(world, role)
            ).status_code
            == 404
        )
    assert client.get("/api/v1/monitoring/jobs/../../etc/passwd", headers=headers).status_code == 404


def test_writes_are_for_bureau_administrators(world, client):
    exam = make_exam(world)
    for role in ("group", "school"):
        headers = auth(world, role)
        assert client.post("/api/v1/monitoring/exams", json=EXAM, headers=headers).status_code == 403
        assert (
            client.post(
                f"/api/v1/monitoring/exams/{exam.id}/results", files=upload(GOOD), headers=headers
            ).status_code
            == 403
        )
        assert client.delete(f"/api/v1/monitoring/exams/{exam.id}", headers=headers).status_code == 403
    assert client.get("/api/v1/monitoring/exams", headers=auth(world, "teacher")).status_code == 403


def _seed(world):
    """Grade 5 results of every primary school: A and B (the tight group) and E (no group)."""
    exam = make_exam(world, grade=5, subjects=["数学"])
    rows = [(f"{s}{i}", s, 5, "数学", 50 + 10 * i, None, None) for s in "ABE" for i in range(4)]
    import_rows(world, exam, rows)
    return exam


def test_indicators_follow_the_callers_scope(world, client):
    exam = _seed(world)
    s = world.schools

    def seen(role):
        rows = client.get(f"/api/v1/monitoring/exams/{exam.id}/indicators", headers=auth(world, role)).json()
        return {(r["level"], r["entity_id"]) for r in rows}

    bureau = seen("bureau")
    assert {
        ("school", s["A"]),
        ("school", s["E"]),
        ("group", world.groups["tight"]),
        ("region", world.region_id),
    } <= bureau
    assert any(level == "district" for level, _ in bureau)
    assert seen("group") == {
        ("school", s["A"]),
        ("school", s["B"]),
        ("group", world.groups["tight"]),
        ("region", world.region_id),
    }
    assert seen("school") == {
        ("school", s["B"]),
        ("group", world.groups["tight"]),
        ("region", world.region_id),
    }
    assert (
        client.get(
            f"/api/v1/monitoring/exams/{exam.id}/indicators", headers=auth(world, "other-bureau")
        ).status_code
        == 404
    )
    region = client.get(
        f"/api/v1/monitoring/exams/{exam.id}/indicators?level=region", headers=auth(world, "bureau")
    ).json()
    assert [(r["enrolled"], r["passed"], r["mean"]) for r in region] == [(12, 9, 65.0)]
    rates = client.get(
        f"/api/v1/monitoring/exams/{exam.id}/difference-rates", headers=auth(world, "group")
    ).json()
    assert {(r["level"], r["n_schools"]) for r in rates} == {("group", 2), ("region", 3)}


def test_the_results_export_holds_only_the_callers_schools_and_imports_back(world, client):
    exam = _seed(world)
    whole = client.get(
        f"/api/v1/monitoring/exams/{exam.id}/results?format=parquet", headers=auth(world, "bureau")
    )
    assert pl.read_parquet(io.BytesIO(whole.content))["学校代码"].unique().sort().to_list() == ["A", "B", "E"]
    mine = client.get(f"/api/v1/monitoring/exams/{exam.id}/results?format=csv", headers=auth(world, "school"))
    frame = pl.read_csv(io.BytesIO(mine.content), infer_schema=False)
    assert frame["学校代码"].unique().to_list() == ["B"]
    exported = client.get(
        f"/api/v1/monitoring/exams/{exam.id}/results?format=csv", headers=auth(world, "bureau")
    )
    again = client.post(
        f"/api/v1/monitoring/exams/{exam.id}/results",
        files={"file": ("export.csv", exported.content, "text/csv")},
        headers=auth(world, "bureau"),
    )
    assert (again.json()["rows"], again.json()["replaced"]) == (12, 12)


def test_the_group_export_is_a_workbook_in_scope(world, client):
    exam = _seed(world)
    from openpyxl import load_workbook

    response = client.get(
        f"/api/v1/monitoring/groups/{world.groups['tight']}/export?exam_id={exam.id}",
        headers=auth(world, "school"),
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["学校成绩", "校际差异率", "历年趋势", "增值评价"]
    names = {row[1] for row in book["学校成绩"].iter_rows(min_row=2, values_only=True)}
    assert names == {"测试乙小学", "测试第一教育集团", "测试区"}
    assert (
        client.get(
            f"/api/v1/monitoring/groups/{world.groups['pair']}/export", headers=auth(world, "school")
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/monitoring/regions/{world.region_id}/export", headers=auth(world, "group")
        ).status_code
        == 403
    )


def test_a_job_whose_process_died_reads_as_failed_and_old_jobs_are_forgotten(world, jobs_folder):
    exam = make_exam(world)
    job = jobs.start(world.session, world.scope("bureau"), exam.id, io.BytesIO(b"x"), "a.csv")
    path = jobs.jobs_dir() / f"{job['id']}.json"
    long_ago = time.time() - jobs.STALE_AFTER - 5
    os.utime(path, (long_ago, long_ago))
    assert jobs.get(world.scope("bureau"), job["id"])["status"] == "failed"
    jobs.prune(now=time.time() + jobs.KEPT_FOR + 10)
    assert list(jobs.jobs_dir().iterdir()) == []
