"""Teacher import and export: all rows or none, every bad row listed, exports hold only what the user sees."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from tests.conftest import auth
from tests.teachers.factories import teacher
from typer.testing import CliRunner

from edugroup import cli
from edugroup.core.errors import Forbidden, ImportFailed
from edugroup.teachers import io as teacher_io
from edugroup.teachers.models import Teacher

HEADER = [
    "工号",
    "姓名",
    "学校代码",
    "学科",
    "兼教学科",
    "集团教师池代码",
    "职称",
    "骨干梯队层级",
    "称号",
    "出生年份",
    "入校日期",
]


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(rows):
    return "\n".join(",".join("" if c is None else str(c) for c in row) for row in rows).encode("utf-8")


def count(world):
    return world.session.scalar(select(func.count()).select_from(Teacher))


def test_a_good_file_creates_every_teacher_with_tiers_and_honours(world):
    data = xlsx(
        [
            HEADER,
            [
                "N001",
                "张三",
                "A",
                "数学",
                "科学",
                "G1",
                "高级教师",
                "第二层级",
                "名师、种子团队成员",
                1980,
                "2012-09-01",
            ],
            ["N002", "李四", "B", "语文", None, None, None, 5, None, 1990, None],
        ]
    )
    report = teacher_io.import_teachers(world.session, world.scope("bureau"), data, "t.xlsx")
    assert (report.created, report.updated) == (2, 0)
    zhang = world.session.scalar(select(Teacher).where(Teacher.staff_number == "N001"))
    assert (zhang.backbone_tier, zhang.famous_teacher, zhang.seed_team) == (2, True, True)
    assert zhang.subjects == ["数学", "科学"]
    assert zhang.pool_group_id == world.groups["tight"]


def test_a_file_with_bad_rows_changes_nothing_and_lists_every_bad_row(world):
    before = count(world)
    data = csv(
        [
            HEADER,
            ["N001", "张三", "A", "数学", "", "", "", "", "", "1980", "2012-09-01"],
            ["N002", "", "Z", "数学", "", "", "", "六", "", "80", ""],
            ["N001", "王五", "B", "语文", "", "", "", "", "院士", "", "2012-13-01"],
            ["T-B-1", "测试教师", "B", "", "", "", "", "", "", "", ""],
        ]
    )
    with pytest.raises(ImportFailed) as caught:
        teacher_io.import_teachers(world.session, world.scope("bureau"), data, "t.csv")
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (3, "姓名"),
        (3, "学校代码"),
        (3, "骨干梯队层级"),
        (3, "出生年份"),
        (4, "称号"),
        (4, "入校日期"),
        (4, "工号"),
        (5, "学科"),
    }
    assert count(world) == before


def test_an_exported_file_imports_back_as_updates(world, client):
    teacher(world, "A", staff_number="R-1", backbone_tier=1, honours=["seed_team"], title="一级教师")
    exported = client.get("/api/v1/teachers/export?format=xlsx", headers=auth(world, "bureau"))
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    before = count(world)
    response = client.post(
        "/api/v1/teachers/import",
        files={"file": ("t.xlsx", exported.content, "application/octet-stream")},
        headers=auth(world, "bureau"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["updated"] == before
    assert count(world) == before
    again = world.session.scalar(select(Teacher).where(Teacher.staff_number == "R-1"))
    assert (again.backbone_tier, again.seed_team, again.title) == (1, True, "一级教师")


def test_a_school_administrator_imports_for_its_own_school_only(world):
    data = csv([HEADER, ["N001", "张三", "A", "数学"], ["N002", "李四", "B", "数学"]])
    with pytest.raises(ImportFailed) as caught:
        teacher_io.import_teachers(world.session, world.scope("school"), data, "t.csv")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "学校代码")]
    with pytest.raises(Forbidden):
        teacher_io.import_teachers(world.session, world.scope("teacher"), data, "t.csv")


@pytest.mark.parametrize("role", ["group", "school", "teacher", "other-bureau"])
def test_exports_hold_only_teachers_in_scope(world, client, role):
    teacher(world, "C", name="丙校教师")
    text = client.get("/api/v1/teachers/export?format=csv", headers=auth(world, role)).content.decode(
        "utf-8-sig"
    )
    assert "丙校教师" not in text
    if role in ("school", "teacher"):
        assert "T-B-1" in text


def test_the_template_has_the_headers_and_instructions(client):
    response = client.get("/api/v1/teachers/template")
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADER
    assert workbook.sheetnames[1] == "填写说明"


def test_the_cli_imports_teachers_all_or_nothing(world, tmp_path, monkeypatch):
    from contextlib import contextmanager

    from edugroup.core import db as core_db

    @contextmanager
    def same_session(actor="system"):
        yield world.session

    monkeypatch.setattr(core_db, "transaction", same_session)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv([HEADER, ["N001", "张三", "Z", "数学"]]))
    result = CliRunner().invoke(cli.app, ["import", "teachers", str(bad), "--token", world.tokens["bureau"]])
    assert result.exit_code == 1
    assert "第2行 [学校代码]" in result.output
    good = tmp_path / "good.csv"
    good.write_bytes(csv([HEADER, ["N001", "张三", "A", "数学"]]))
    result = CliRunner().invoke(cli.app, ["import", "teachers", str(good), "--token", world.tokens["bureau"]])
    assert result.exit_code == 0, result.output
    assert "新增 1 条" in result.output
