import re

import pytest
from tests.conftest import PASSWORD


def login(client, username):
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_region_overview_shows_districts_groups_by_mode_and_counts(world, client):
    login(client, "bureau")
    page = client.get("/").text
    assert "测试区 · 区域概览" in page
    assert re.search(r'id="count-schools">5<', page)
    assert "测试第一教育集团" in page
    assert "测试共建体" in page
    assert "紧密型(融合型)" in page
    assert "测试第一学区" in page


def test_group_page_shows_mode_leader_members_and_history(world, client):
    login(client, "group")
    page = client.get(f"/groups/{world.groups['tight']}?on=2025-01-01").text
    assert 'id="group-mode">紧密型(融合型)<' in page
    assert re.search(r"测试甲小学</a>\s*<span class=\"tag leader\"", page)
    assert "测试乙小学" in page
    assert "成员关系历史" in page
    assert "2024-09-01" in page


def test_school_page_shows_its_groups_over_time(world, client):
    login(client, "school")
    page = client.get(f"/schools/{world.schools['B']}").text
    assert 'id="school-name">测试乙小学<' in page
    assert "测试第一教育集团" in page


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("school", "/schools/{A}"),
        ("group", "/groups/{pair}"),
        ("group", "/schools/{C}"),
        ("other-bureau", "/groups/{tight}"),
        ("teacher", "/schools/{A}"),
    ],
)
def test_pages_out_of_scope_answer_404(world, client, user, path):
    login(client, user)
    url = path.format(
        A=world.schools["A"], C=world.schools["C"], pair=world.groups["pair"], tight=world.groups["tight"]
    )
    response = client.get(url)
    assert response.status_code == 404
    assert "不存在或无权查看" in response.text


def test_audit_and_import_pages_are_for_the_bureau_only(world, client):
    login(client, "group")
    assert client.get("/audit").status_code == 403
    login(client, "bureau")
    assert "审计日志" in client.get("/audit").text


def test_english_can_be_switched_on(world, client):
    login(client, "bureau")
    client.get("/lang/en")
    page = client.get("/").text
    assert "Region overview" in page
    assert "Groups by mode" in page
    client.get("/lang/zh")
    assert "区域概览" in client.get("/").text


def test_the_web_import_lists_every_bad_row(world, client):
    login(client, "bureau")
    page = client.get("/data").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = "学校代码,学校名称,学段\nN1,,小学\nN2,x,幼儿园\n".encode()
    response = client.post(
        "/data/import",
        data={"kind": "schools", "csrf_token": token},
        files={"file": ("s.csv", data, "text/csv")},
    )
    assert response.status_code == 422
    assert "未写入任何数据" in response.text
    assert re.search(r"<td>2</td><td>学校名称</td>", response.text)
    assert re.search(r"<td>3</td><td>学段</td>", response.text)


def test_openapi_docs_are_served_without_a_cdn(client):
    page = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert "/api/v1/groups/{group_id}/members" in client.get("/openapi.json").json()["paths"]


def test_api_validation_errors_name_the_field(world, client):
    from tests.conftest import auth

    response = client.post(
        "/api/v1/schools", json={"code": "N", "name": "x", "stage": "college"}, headers=auth(world, "bureau")
    )
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "stage"
    assert body["message"].startswith("stage:")
