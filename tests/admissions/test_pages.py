import re

from tests.admissions.factories import allocation, outcome
from tests.surveys.factories import xlsx
from tests.web.test_pages import login

from edugroup.admissions.service import latest_year


def test_the_page_shows_rates_against_100_percent_and_the_city_average(world, client):
    allocation(world, "C", 10, 10)
    allocation(world, "D", 10, 9)
    outcome(world, "C", 100, 60)
    outcome(world, "D", 100, 40)
    login(client, "bureau")
    page = client.get("/admissions?year=2025").text
    assert "测试共建体" in page
    assert "95.0%" in page  # the pair's fill rate
    assert 'class="v not_met">95.0%' in page
    assert "50.0%" in page  # entry rate = city average
    assert page.count("<svg") == 2
    assert "全市平均 50.0%" in page
    assert 'id="import-quotas"' in page
    assert 'href="/admissions"' in client.get("/").text


def test_the_page_imports_a_file_and_lists_every_bad_row(world, client):
    login(client, "bureau")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admissions").text).group(1)
    header = ["学年", "学校代码", "毕业生数", "进入优质高中人数", "备注"]
    good = xlsx([header, [2025, "C", 100, 50, ""]])
    form = {"csrf_token": csrf, "kind": "entry-outcomes", "year": "2025"}
    page = client.post("/admissions/import", data=form, files={"file": ("o.xlsx", good)})
    assert page.status_code == 200
    assert "新增 1 条" in page.text
    bad = xlsx([header, [2025, "A", 100, 50, ""], [2025, "Z", 1, 1, ""]])
    page = client.post("/admissions/import", data=form, files={"file": ("o.xlsx", bad)})
    assert page.status_code == 422
    assert "没有初中毕业生" in page.text
    assert "学校代码「Z」不存在" in page.text


def test_other_roles_see_their_own_schools_and_cannot_import(world, client):
    allocation(world, "C", 10, 10)
    login(client, "school")
    page = client.get("/admissions?year=2025")
    assert page.status_code == 200
    assert "测试丙初中" not in page.text
    assert 'id="import-quotas"' not in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": csrf, "kind": "entry-outcomes"}
    refused = client.post("/admissions/import", data=form, files={"file": ("o.xlsx", b"")})
    assert refused.status_code == 403


def test_the_latest_year_is_the_last_whose_exams_are_over():
    from datetime import date

    assert latest_year(date(2026, 11, 24)) == 2025
    assert latest_year(date(2026, 7, 10)) == 2025
    assert latest_year(date(2026, 6, 1)) == 2024
