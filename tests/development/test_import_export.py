"""Import (all or nothing, every bad row listed), export in the import layout, templates, scope."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from tests.conftest import auth
from tests.development.factories import add_teachers, csv, login, staff_number, training, xlsx

from edugroup.certificates.models import Certificate
from edugroup.core.errors import Forbidden, ImportFailed
from edugroup.development import io as dev_io
from edugroup.training.models import TrainingRecord

HEADER = ["教师工号", "类型", "级别", "名称", "开始日期", "学时", "组织集团代码"]


def count(world, model):
    return world.session.scalar(select(func.count()).select_from(model))


def test_training_rows_are_imported_with_credits_by_the_rule(world):
    a, b = (staff_number(world, t) for t in add_teachers(world, "A", 2))
    rows = [
        HEADER,
        [a, "培训", "市级", "市级培训", "2025-10-01", 10, None],
        [b, "展示交流", "学区/集团", "集团展示课", "2025/11/2", 4.5, "G1"],
        [b, None, "校本", "校本研修", "20251203", "6", None],
    ]
    report = dev_io.import_records(world.session, world.scope("bureau"), "training", xlsx(rows), "t.xlsx")
    assert (report.created, report.updated) == (3, 0)
    assert report.summary() == "培训与展示学分: 新增 3 条, 更新 0 条"
    credits = sorted(r.credits for r in world.session.scalars(select(TrainingRecord)))
    assert credits == [0.54, 0.6, 1.5]


def test_a_file_with_bad_rows_writes_nothing_and_lists_every_bad_row(world):
    a = staff_number(world, add_teachers(world, "A")[0])
    rows = [
        HEADER,
        [a, "培训", "市级", "好的一行", "2025-10-01", 10, ""],
        ["NOPE", "培训", "市级", "没有这位教师", "2025-10-01", 10, ""],
        [a, "培训", "省级", "级别不对", "2025-10-01", "", ""],
        [a, "培训", "学区/集团", "缺组织集团", "2025-10-01", 3, ""],
        [a, "培训", "校本", "日期不对", "2025-13-01", 3, "NOPE"],
    ]
    with pytest.raises(ImportFailed) as failed:
        dev_io.import_records(world.session, world.scope("bureau"), "training", csv(rows), "t.csv")
    found = {(e.row, e.column) for e in failed.value.errors}
    assert found == {
        (3, "教师工号"),
        (4, "级别"),
        (4, "学时"),
        (5, "组织集团代码"),
        (6, "开始日期"),
        (6, "组织集团代码"),
    }
    assert count(world, TrainingRecord) == 0


def test_a_third_certificate_in_a_file_refuses_the_file(world):
    teachers = add_teachers(world, "A", 20)
    number = staff_number(world, teachers[0])
    header = ["教师工号", "颁发集团代码", "颁发日期", "示范课课题"]
    rows = [header] + [[number, "G1", f"2025-10-0{k + 1}", f"示范课{k}"] for k in range(3)]
    with pytest.raises(ImportFailed) as failed:
        dev_io.import_records(world.session, world.scope("bureau"), "certificates", csv(rows), "c.csv")
    (error,) = failed.value.errors
    assert (error.row, error.column) == (4, "教师工号")
    assert "2025学年已有 2 个" in error.message
    assert count(world, Certificate) == 0


def test_an_exported_file_imports_back_as_updates(world, client):
    teacher = add_teachers(world, "A")[0]
    record = training(world, teacher, hours=10)
    exported = client.get("/api/v1/development/export/training?format=xlsx", headers=auth(world, "bureau"))
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][-1] == "编号"
    assert "学分" in rows[0]
    hours = rows[0].index("学时")
    rows[1][hours] = 20
    upload = {"file": ("training.xlsx", xlsx(rows))}
    response = client.post("/api/v1/development/import/training", files=upload, headers=auth(world, "bureau"))
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["updated"]) == (0, 1)
    world.session.refresh(record)
    assert (record.hours, record.credits) == (20, 2.0)


def test_templates_have_chinese_headers_for_every_kind(client):
    for kind in dev_io.KINDS:
        response = client.get(f"/api/v1/development/templates/{kind}?format=csv")
        assert response.status_code == 200
        header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
        assert header == [c.header for c in dev_io.KINDS[kind].importable]
    assert client.get("/api/v1/development/templates/picnic").status_code == 404


@pytest.mark.parametrize("role", ["group", "school", "teacher", "other-bureau"])
def test_exports_hold_only_records_in_scope(world, client, role):
    hidden = add_teachers(world, "C")[0]
    training(world, hidden, title="共建体学校的培训")
    for kind in dev_io.KINDS:
        response = client.get(f"/api/v1/development/export/{kind}?format=csv", headers=auth(world, role))
        assert response.status_code == 200
        assert "共建体学校的培训" not in response.content.decode("utf-8-sig")
    assert "共建体学校的培训" in client.get(
        "/api/v1/development/export/training?format=csv", headers=auth(world, "bureau")
    ).content.decode("utf-8-sig")


def test_teachers_cannot_import(world, client):
    with pytest.raises(Forbidden):
        dev_io.import_records(world.session, world.scope("teacher"), "training", csv([HEADER]), "t.csv")
    upload = {"file": ("t.csv", csv([HEADER]))}
    assert (
        client.post(
            "/api/v1/development/import/training", files=upload, headers=auth(world, "teacher")
        ).status_code
        == 403
    )


def test_the_import_page_lists_every_bad_row(world, client):
    csrf = login(client, "bureau")
    rows = [HEADER, ["NOPE", "培训", "市级", "x", "2025-10-01", 1, ""]]
    page = client.post(
        "/development/training/import", data={"csrf_token": csrf}, files={"file": ("t.csv", csv(rows))}
    )
    assert page.status_code == 422
    assert 'id="import-errors"' in page.text
    assert "工号" in page.text
    assert "「NOPE」不存在" in page.text
