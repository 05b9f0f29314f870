"""Teacher development pages: lists with totals and quotas, forms whose errors name the field, scope."""

import pytest
from sqlalchemy import select
from tests.development.factories import add_teachers, certificate, login, staff_number, training

from edugroup.development import io as dev_io
from edugroup.training.models import TrainingRecord


def test_every_list_page_renders_and_the_navigation_links_to_them(world, client):
    login(client, "bureau")
    assert 'href="/development"' in client.get("/").text
    index = client.get("/development").text
    for kind in dev_io.KINDS:
        assert f'href="/development/{kind}"' in index
        page = client.get(f"/development/{kind}?year=2025")
        assert page.status_code == 200, kind
        assert 'id="records"' in page.text
    assert 'href="/development/studios"' in index


def test_the_training_page_shows_the_rule_and_each_teachers_yearly_totals(world, client):
    teacher = add_teachers(world, "A")[0]
    training(world, teacher, level="group", group_id=world.groups["tight"], hours=10)
    training(world, teacher, level="school", hours=10)
    login(client, "group")
    page = client.get("/development/training?year=2025").text
    assert 'id="credit-rule"' in page
    assert "默认规则" in page
    assert 'id="totals"' in page
    assert '<td class="total-credits">2.2</td>' in page
    assert 'id="rate-group">0.12<' in page  # a group head reads the rule, the bureau edits it


def test_the_bureau_changes_the_credit_rule_on_the_page_and_a_bad_rule_names_the_level(world, client):
    csrf = login(client, "bureau")
    form = {"csrf_token": csrf, "city": "0.2", "district": "0.15", "group": "0.1", "school": "0.1"}
    refused = client.post("/development/training/credit-rule", data=form)
    assert refused.status_code == 422
    assert "学区/集团: 学区/集团培训的每学时学分 (0.1) 必须高于校本培训" in refused.text
    done = client.post(
        "/development/training/credit-rule", data={**form, "group": "0.15"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert 'name="group" value="0.15"' in client.get("/development/training").text


def test_a_record_is_created_through_the_form_and_errors_name_the_field(world, client):
    teacher = add_teachers(world, "A")[0]
    csrf = login(client, "group")
    assert 'id="record-form"' in client.get("/development/training/new").text
    form = {
        "csrf_token": csrf,
        "teacher_id": staff_number(world, teacher),
        "kind": "training",
        "level": "group",
        "title": "网页录入的集团培训",
        "started_on": "2025-10-10",
        "hours": "8",
        "group_id": "",
    }
    missing = client.post("/development/training/new", data=form)
    assert missing.status_code == 422
    assert "组织集团代码: 学区/集团培训须填写组织的学区或集团" in missing.text
    bad_hours = client.post("/development/training/new", data={**form, "hours": "很多", "group_id": "G1"})
    assert "学时: 应为数字" in bad_hours.text
    done = client.post("/development/training/new", data={**form, "group_id": "G1"}, follow_redirects=False)
    assert done.status_code == 303
    record = world.session.scalar(select(TrainingRecord).where(TrainingRecord.title == "网页录入的集团培训"))
    assert record.credits == 0.96
    edit = client.get(f"/development/training/{record.id}/edit").text
    assert 'value="网页录入的集团培训"' in edit
    changed = client.post(
        f"/development/training/{record.id}/edit",
        data={**form, "group_id": "G1", "hours": "10"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    world.session.refresh(record)
    assert record.credits == 1.2


def test_the_third_certificate_on_the_form_shows_the_sentence(world, client):
    teacher = add_teachers(world, "A", 20)[0]
    certificate(world, teacher)
    certificate(world, teacher)
    csrf = login(client, "bureau")
    form = {
        "csrf_token": csrf,
        "teacher_id": staff_number(world, teacher),
        "group_id": "G1",
        "issued_on": "2026-03-01",
        "lesson_title": "第三节示范课",
    }
    refused = client.post("/development/certificates/new", data=form)
    assert refused.status_code == 422
    assert "教师工号: 教师A1" in refused.text
    assert "2025学年已有 2 个区级示范课证书" in refused.text
    quotas = client.get("/development/certificates?year=2025").text
    assert 'id="quotas"' in quotas
    assert "测试第一教育集团" in quotas


@pytest.mark.parametrize("user", ["school", "teacher", "other-bureau"])
def test_records_out_of_scope_answer_404_on_the_pages(world, client, user):
    hidden = training(world, add_teachers(world, "A")[0], title="甲小学的培训")
    csrf = login(client, user)
    assert "甲小学的培训" not in client.get("/development/training?year=all").text
    assert client.get(f"/development/training/{hidden.id}/edit").status_code == 404
    deleted = client.post(f"/development/training/{hidden.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 404


def test_a_teacher_reads_its_own_credits_and_gets_no_form(world, client):
    own = world.scope("teacher").teacher_id
    training(world, own, title="我的培训")
    login(client, "teacher")
    page = client.get("/development/training?year=2025").text
    assert "我的培训" in page
    assert 'id="new-record"' not in page
    assert client.get("/development/training/new").status_code == 403
