"""Monitoring pages: exams and the import with its progress page, the group and region reports with inline SVG
charts, in scope for every role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tests.conftest import PASSWORD
from tests.monitoring.test_results_import import GOOD, import_rows, make_exam, results_file

from edugroup.core.settings import Settings
from edugroup.monitoring import charts, jobs
from edugroup.monitoring.routes import job_transactions


@pytest.fixture(autouse=True)
def jobs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    settings = Settings(var_dir=tmp_path)
    monkeypatch.setattr(jobs, "get_settings", lambda: settings)
    return tmp_path


def login(client, username: str) -> str:
    """Logs in through the form; returns the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get("/login")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def seed(world):
    """Two exams of grade 5 (2024, 2025): A and B form the tight group, E is in none."""
    exams = []
    for year, shift in ((2024, 0), (2025, 5)):
        exam = make_exam(world, grade=5, subjects=["语文", "数学"], school_year=year)
        rows = [
            (f"{year}{s}{i}", s, 5, subject, min(100, base + shift + 5 * i), None, None)
            for s, base in (("A", 70), ("B", 55), ("E", 60))
            for i in range(4)
            for subject in ("语文", "数学")
        ]
        import_rows(world, exam, rows)
        exams.append(exam)
    return exams


def test_the_bureau_creates_an_exam_through_the_form(world, client):
    csrf = login(client, "bureau")
    data = {
        "csrf_token": csrf,
        "name": "2025年市学业质量监测",
        "school_year": "2025",
        "held_on": "2026-05-20",
        "grade": "9",
        "subjects": "语文、数学, 英语",
        "score_min": "0",
        "score_max": "100",
        "cut_excellent": "85",
        "cut_good": "75",
        "cut_pass": "60",
        "counts_for_monitoring": "on",
    }
    response = client.post("/monitoring/exams", data=data, follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "2025年市学业质量监测" in page
    assert "语文、数学、英语" in page
    refused = client.post("/monitoring/exams", data={**data, "cut_good": "95"})
    assert refused.status_code == 422
    assert "分数线应满足" in refused.text


def test_an_upload_runs_as_a_job_with_a_progress_page(world, client, db):
    @contextmanager
    def on_test_session() -> Iterator[object]:
        yield db

    client.app.dependency_overrides[job_transactions] = lambda: on_test_session
    exam = make_exam(world)
    csrf = login(client, "bureau")
    page = client.get(f"/monitoring/exams/{exam.id}").text
    assert 'id="import-form"' in page
    files = {"file": ("成绩.csv", results_file(GOOD), "text/csv")}
    response = client.post(
        f"/monitoring/exams/{exam.id}/import", data={"csrf_token": csrf}, files=files, follow_redirects=False
    )
    assert response.status_code == 303
    job_page = client.get(response.headers["location"]).text
    assert 'id="job-progress" max="1" value="1.0"' in job_page
    assert 'data-status="done"' in job_page
    assert "导入 6 条" in job_page
    assert 'http-equiv="refresh"' not in job_page
    bad = {"file": ("成绩.csv", results_file([("s1", "ZZ", 9, "语文", 50, None, None)]), "text/csv")}
    response = client.post(f"/monitoring/exams/{exam.id}/import", data={"csrf_token": csrf}, files=bad)
    assert 'data-status="failed"' in response.text
    assert "学校代码「ZZ」不存在" in response.text
    login(client, "school")
    assert client.get(response.url.path).status_code == 404


def test_a_running_job_page_refreshes_itself(world, client):
    exam = make_exam(world)
    login(client, "bureau")
    from io import BytesIO

    from edugroup.core.models import User

    user = world.session.get(User, world.users["bureau"])
    assert user is not None
    job = jobs.start(world.session, world.scope("bureau"), exam.id, BytesIO(b"x"), "a.csv")
    page = client.get(f"/monitoring/jobs/{job['id']}").text
    assert 'http-equiv="refresh"' in page
    assert 'data-status="queued"' in page


def test_the_group_page_shows_school_results_difference_rate_charts_and_trend(world, client):
    _, latest = seed(world)
    login(client, "bureau")
    page = client.get(f"/monitoring/groups/{world.groups['tight']}").text
    assert latest.name in page
    assert "测试甲小学" in page
    assert "测试乙小学" in page
    assert "测试戊小学" not in page  # E is not a member
    assert page.count("<svg") == 2
    assert 'id="school-means"' in page
    assert 'id="pass-trend"' in page
    assert 'id="value-added"' in page
    assert "2024学年" in page
    assert "2025学年" in page
    cv = re.search(r'<td class="cv">([0-9.]+)', page)
    assert cv is not None
    assert 0 < float(cv.group(1)) < 1
    assert (
        f"/api/v1/monitoring/groups/{world.groups['tight']}/export?exam_id={latest.id}&amp;format=xlsx"
        in page
    )
    assert "<script" not in page


def test_the_region_page_lists_groups_and_districts_for_the_bureau(world, client):
    seed(world)
    login(client, "bureau")
    page = client.get(f"/monitoring/regions/{world.region_id}").text
    assert 'id="groups"' in page
    assert "测试第一教育集团" in page
    assert 'id="districts"' in page
    assert "测试第一学区" in page
    assert "测试戊小学" in page
    login(client, "group")
    assert client.get(f"/monitoring/regions/{world.region_id}").status_code == 403
    login(client, "other-bureau")
    assert client.get(f"/monitoring/regions/{world.region_id}").status_code == 404


def test_each_role_sees_only_its_schools_on_the_pages(world, client):
    exams = seed(world)
    login(client, "school")  # school B of the tight group
    page = client.get(f"/monitoring/groups/{world.groups['tight']}").text
    assert "测试乙小学" in page
    assert "测试甲小学" not in page
    assert client.get(f"/monitoring/groups/{world.groups['pair']}").status_code == 404
    login(client, "group")
    assert "测试甲小学" in client.get(f"/monitoring/groups/{world.groups['tight']}").text
    assert client.get(f"/monitoring/groups/{world.groups['alliance']}").status_code == 404
    assert 'href="/monitoring/regions' not in client.get("/monitoring").text
    login(client, "other-bureau")
    assert client.get(f"/monitoring/exams/{exams[0].id}").status_code == 404
    assert client.get(f"/monitoring/groups/{world.groups['tight']}").status_code == 404
    login(client, "teacher")
    assert client.get("/monitoring").status_code == 403


def test_a_group_without_results_says_so(world, client):
    login(client, "bureau")
    page = client.get(f"/monitoring/groups/{world.groups['pair']}").text
    assert 'id="no-results"' in page


def test_charts_escape_their_labels_and_scale_the_bars():
    svg = str(
        charts.bar_chart(
            ["语文", "<数学>"],
            [charts.Series("甲校 & 乙校", [50.0, None]), charts.Series("丙校", [100.0, 25.0])],
            title="平均分",
            low=0,
            high=100,
            reference=[75.0, None],
            reference_name="区域",
        )
    )
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "&lt;数学&gt;" in svg
    assert "甲校 &amp; 乙校" in svg
    assert svg.count("<rect") == 3 + 2  # three bars and two legend swatches
    heights = [float(h) for h in re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"', svg)]
    assert heights[1] == pytest.approx(2 * heights[0])
    line = str(
        charts.line_chart(["2024学年", "2025学年"], [charts.Series("数学", [0.8, None])], title="趋势")
    )
    assert line.count("<circle") == 1
    assert "<polyline" not in line
