import re

from sqlalchemy import select
from tests.conftest import auth
from tests.surveys.factories import questionnaire, responses, xlsx
from tests.web.test_pages import login

from edugroup.surveys.charts import Bar, bar_chart
from edugroup.surveys.models import Questionnaire


def csrf_of(client, path="/surveys"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_list_shows_each_questionnaire_with_its_satisfaction_per_kind(world, client):
    q = questionnaire(world)
    responses(world, q, "parent", 17, 20)
    login(client, "bureau")
    page = client.get("/surveys").text
    assert "集团满意度调查" in page
    assert 'class="v not_met"' in page  # parents 85% < 90%
    assert "85.0%" in page
    assert 'href="/surveys/new"' in page
    chart = page[page.index('<div id="target-chart">') :]
    assert "测试第一教育集团 · 家长" in chart
    assert "85.0% n=20" in chart
    assert 'href="/surveys"' in client.get("/").text  # the navigation links to the page
    assert "集团满意度调查" not in client.get("/surveys?year=2024").text


def test_the_detail_page_draws_the_shares_as_an_svg_bar_chart(world, client):
    q = questionnaire(world)
    responses(world, q, "parent", 19, 20, school="A")
    responses(world, q, "teacher", 8, 10, school="B")
    login(client, "group")
    page = client.get(f"/surveys/{q.id}").text
    chart = page[page.index('<div id="kind-chart">') :]
    assert "<svg" in chart
    assert "95.0% n=20" in chart
    assert "80.0% n=10" in chart
    assert 'stroke-dasharray="4 3"' in chart  # the 90% line
    assert "测试甲小学" in page
    assert 'id="import-form"' in page


def test_a_questionnaire_is_created_through_the_form_and_responses_imported(world, client):
    login(client, "group")
    csrf = csrf_of(client, "/surveys/new")
    form = {
        "csrf_token": csrf,
        "title": "网页新建的问卷",
        "target": f"g:{world.groups['tight']}",
        "conducted_on": "2026-05-10",
        "kinds": ["parent", "student"],
        "scale_min": "1",
        "scale_max": "5",
        "satisfied_values": "4, 5",
        "scale_labels": "1 非常不满意\n5 非常满意",
        "overall_question": "总体满意度如何",
        "items": "课堂教学\n课后服务\n",
        "description": "",
    }
    response = client.post("/surveys/new", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    q = world.session.scalar(select(Questionnaire).where(Questionnaire.title == "网页新建的问卷"))
    assert response.headers["location"] == f"/surveys/{q.id}"
    assert [i.code for i in q.items] == ["总体满意度", "Q1", "Q2"]
    assert q.respondent_kinds == ["parent", "student"]
    assert q.scale_labels == {"1": "非常不满意", "5": "非常满意"}
    rows = [["填答群体", "答卷编号", "总体满意度"], ["学生", "S1", "非常满意"], ["学生", "S2", 2]]
    page = client.post(
        f"/surveys/{q.id}/import", data={"csrf_token": csrf}, files={"file": ("a.xlsx", xlsx(rows))}
    )
    assert page.status_code == 200
    assert "新增 2 份" in page.text
    bad = client.post(
        f"/surveys/{q.id}/import",
        data={"csrf_token": csrf},
        files={"file": ("a.xlsx", xlsx([rows[0], ["教师", "T1", 5]]))},
    )
    assert bad.status_code == 422
    assert "本问卷不面向教师" in bad.text
    refused = client.post("/surveys/new", data={**form, "target": "", "title": "无对象"})
    assert refused.status_code == 422
    assert "集团或学区" in refused.text


def test_pages_of_hidden_questionnaires_answer_404_and_teachers_see_none(world, client):
    q = questionnaire(world, group_id=world.groups["pair"])
    login(client, "group")
    assert client.get(f"/surveys/{q.id}").status_code == 404
    assert client.post(f"/surveys/{q.id}/delete", data={"csrf_token": csrf_of(client)}).status_code == 404
    login(client, "teacher")
    assert "共建体" not in client.get("/surveys").text
    assert client.get(f"/surveys/{q.id}").status_code == 404
    assert client.get("/surveys/new").status_code == 403


def test_the_api_creates_lists_and_deletes_questionnaires(world, client):
    body = {
        "title": "接口问卷",
        "group_id": world.groups["tight"],
        "conducted_on": "2026-05-20",
        "respondent_kinds": ["teacher"],
    }
    created = client.post("/api/v1/surveys", json=body, headers=auth(world, "group"))
    assert created.status_code == 201, created.text
    qid = created.json()["id"]
    assert created.json()["school_year"] == 2025
    listed = client.get("/api/v1/surveys?year=2025", headers=auth(world, "school")).json()
    assert [(q["id"], q["by_kind"][0]["share"]) for q in listed] == [(qid, None)]
    pair = {**body, "group_id": world.groups["pair"]}
    assert client.post("/api/v1/surveys", json=pair, headers=auth(world, "group")).status_code == 404
    assert client.post("/api/v1/surveys", json=body, headers=auth(world, "school")).status_code == 403
    assert client.get("/api/v1/surveys", headers=auth(world, "teacher")).json() == []
    satisfaction = client.get(f"/api/v1/surveys/{qid}/satisfaction", headers=auth(world, "bureau")).json()
    assert satisfaction["by_kind"][0]["respondent_kind"] == "teacher"
    assert client.delete(f"/api/v1/surveys/{qid}", headers=auth(world, "school")).status_code == 403
    assert client.delete(f"/api/v1/surveys/{qid}", headers=auth(world, "group")).status_code == 204


def test_the_bar_chart_escapes_labels_and_marks_bars_below_the_target():
    svg = bar_chart([Bar("<家长>", 0.95), Bar("教师", 0.5), Bar("学生", None)], target=0.9, title="t")
    assert "&lt;家长&gt;" in svg
    assert "<家长>" not in svg
    assert svg.count('fill="#15803d"') == 1
    assert svg.count('fill="#b91c1c"') == 1
    assert "无数据" in svg
