import re

from sqlalchemy import select
from tests.activities.conftest import HEADER, PNG, csv, login, pdf, record, teacher_id

from edugroup.activities.models import Activity, ActivityKind


def form(world, csrf, **fields):
    data = {
        "csrf_token": csrf,
        "kind": "joint_research",
        "occurred_on": "2025-10-10",
        "title": "网页记录的联合教研",
        "group_id": str(world.groups["tight"]),
        "school_id": "",
        "school_ids": [str(world.schools["A"]), str(world.schools["B"])],
        "other_schools": "C",
        "teachers": "T-B-1",
        "level": "",
        "observer": "",
        "report_text": "",
        "description": "页面说明",
    }
    data.update(fields)
    return data


def test_the_list_page_shows_activities_with_filters(world, client):
    record(world, group_id=world.groups["tight"], title="集团联合教研甲")
    record(world, kind="public_lesson", school_id=world.schools["C"], title="丙初中公开课")
    login(client, "bureau")
    page = client.get("/activities").text
    assert "活动记录" in page
    assert "集团联合教研甲" in page
    assert "丙初中公开课" in page
    assert 'href="/activities/new"' in page
    filtered = client.get("/activities?kind=public_lesson&from=2025-01-01&to=2026-12-31").text
    assert "丙初中公开课" in filtered
    assert "集团联合教研甲" not in filtered
    assert 'href="/activities"' in client.get("/").text  # the navigation links to the page


def test_an_activity_is_recorded_through_the_form_and_shown_with_participants(world, client):
    csrf = login(client, "group")
    assert "新增活动" in client.get("/activities/new").text
    response = client.post("/activities/new", data=form(world, csrf), follow_redirects=False)
    assert response.status_code == 303, response.text
    activity = world.session.scalar(select(Activity).where(Activity.title == "网页记录的联合教研"))
    assert response.headers["location"] == f"/activities/{activity.id}"
    assert sorted(activity.school_ids) == sorted(world.schools[c] for c in "ABC")
    page = client.get(f"/activities/{activity.id}").text
    assert 'id="activity-kind">联合教研<' in page
    assert "测试甲小学" in page
    assert "测试丙初中" in page
    assert "测试教师" in page
    assert "2025学年第一学期" in page


def test_a_form_without_the_csrf_token_is_refused(world, client):
    login(client, "bureau")
    response = client.post("/activities/new", data=form(world, "forged"))
    assert response.status_code == 403
    assert world.session.scalar(select(Activity).where(Activity.title == "网页记录的联合教研")) is None


def test_a_bad_form_is_shown_again_with_the_reason(world, client):
    csrf = login(client, "bureau")
    response = client.post("/activities/new", data=form(world, csrf, kind="showcase", other_schools="Q9"))
    assert response.status_code == 422
    assert "学校代码「Q9」不存在" in response.text
    response = client.post("/activities/new", data=form(world, csrf, kind="showcase", other_schools=""))
    assert response.status_code == 422
    assert "展示交流须填写级别" in response.text
    assert 'value="网页记录的联合教研"' in response.text


def test_an_activity_is_edited_and_deleted_through_the_pages(world, client):
    activity = record(world, group_id=world.groups["tight"], school_ids=[world.schools["A"]])
    csrf = login(client, "group")
    edit = client.get(f"/activities/{activity.id}/edit").text
    assert 'value="联合教研"' in edit
    response = client.post(
        f"/activities/{activity.id}/edit",
        data=form(
            world,
            csrf,
            title="改过的标题",
            school_ids=[str(world.schools["B"])],
            other_schools="",
            teachers="",
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303
    world.session.expire_all()
    assert activity.title == "改过的标题"
    assert activity.school_ids == [world.schools["B"]]
    response = client.post(
        f"/activities/{activity.id}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get(f"/activities/{activity.id}").status_code == 404


def test_evidence_is_uploaded_through_the_detail_page(world, client):
    observation = record(
        world, kind="classroom_observation", group_id=world.groups["tight"], observer_name="专家"
    )
    csrf = login(client, "bureau")
    assert "无报告" in client.get(f"/activities/{observation.id}").text
    response = client.post(
        f"/activities/{observation.id}/attachments",
        data={"csrf_token": csrf, "is_report": "true"},
        files={"file": ("观察报告.pdf", pdf())},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"/activities/{observation.id}").text
    link = re.search(r'href="(/api/v1/activities/\d+/attachments/\d+)">观察报告.pdf', page).group(1)
    assert client.get(link).content == pdf()
    assert "无报告" not in page
    refused = client.post(
        f"/activities/{observation.id}/attachments",
        data={"csrf_token": csrf},
        files={"file": ("照片.pdf", PNG)},
    )
    assert refused.status_code == 422
    assert "内容不是PDF" in refused.text


def test_pages_of_activities_out_of_scope_answer_404(world, client):
    hidden = record(world, group_id=world.groups["pair"], school_ids=[world.schools["C"]])
    for user in ("group", "school", "teacher", "other-bureau"):
        login(client, user)
        assert client.get(f"/activities/{hidden.id}").status_code == 404
        assert "不存在或无权查看" in client.get(f"/activities/{hidden.id}/edit").text


def test_a_teacher_sees_its_activities_but_no_form(world, client):
    record(world, group_id=world.groups["pair"], teacher_ids=[teacher_id(world)], title="教师参加的教研")
    login(client, "teacher")
    page = client.get("/activities").text
    assert "教师参加的教研" in page
    assert 'href="/activities/new"' not in page
    assert client.get("/activities/new").status_code == 403


def test_the_list_page_imports_a_file_and_lists_bad_rows(world, client):
    csrf = login(client, "bureau")
    bad = csv([HEADER, ["野餐", "2025-09-15", "x", "G1", "", "", "", "", "", "", ""]])
    response = client.post("/activities/import", data={"csrf_token": csrf}, files={"file": ("a.csv", bad)})
    assert response.status_code == 422
    assert 'id="import-errors"' in response.text
    good = csv([HEADER, ["联合教研", "2025-09-15", "导入的教研", "G1", "", "", "", "", "", "", ""]])
    response = client.post("/activities/import", data={"csrf_token": csrf}, files={"file": ("a.csv", good)})
    assert "新增 1 条" in response.text
    assert (
        world.session.scalar(select(Activity.kind).where(Activity.title == "导入的教研"))
        is ActivityKind.joint_research
    )


def test_the_pages_switch_to_english(world, client):
    record(world, group_id=world.groups["tight"])
    login(client, "bureau")
    client.get("/lang/en")
    page = client.get("/activities").text
    assert "Activities" in page
    assert "joint_research" in page
    client.get("/lang/zh")
