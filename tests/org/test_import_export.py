import io as stdio
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from tests.conftest import auth
from typer.testing import CliRunner

from edugroup.core.errors import ImportFailed
from edugroup.org import io, service
from edugroup.org.models import GroupMode, Membership, School


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = stdio.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(rows):
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8")


SCHOOL_HEADER = [
    "学校代码",
    "学校名称",
    "学段",
    "办学水平",
    "学区代码",
    "纬度",
    "经度",
    "学生数",
    "教师数",
    "地址",
]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_schools_import_from_xlsx_and_csv(world, fmt):
    rows = [
        SCHOOL_HEADER,
        ["N1", "导入第一小学", "小学", "优质校", "D1", 31.25, 121.48, 800, 60, "示例路1号"],
        ["N2", "导入第二初中", "初中", "相对薄弱校", "", "", "", 600, 45, ""],
    ]
    data = xlsx(rows) if fmt == "xlsx" else csv(rows)
    report = io.import_table(world.session, world.scope("bureau"), "schools", data, f"schools.{fmt}")
    assert (report.created, report.updated) == (2, 0)
    school = world.session.scalar(select(School).where(School.code == "N2"))
    assert school.name == "导入第二初中"
    assert school.quality_tier.value == "weaker"
    assert school.district_id is None


def test_a_file_with_bad_rows_changes_nothing_and_lists_every_bad_row(world):
    before = count(world.session, School)
    rows = [
        SCHOOL_HEADER,
        ["N1", "好学校", "小学", "", "", "", "", 100, 10, ""],
        ["N2", "", "小学", "", "", "", "", 100, 10, ""],
        ["N3", "坏学段", "大学", "", "", "", "", 100, 10, ""],
        ["N4", "坏学区", "小学", "", "D9", "", "", 100, 10, ""],
        ["A", "坏人数", "小学", "", "", "", "", -5, 10, ""],
        ["N6", "坏纬度", "小学", "", "", 123.0, "", 100, 10, ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        io.import_table(world.session, world.scope("bureau"), "schools", xlsx(rows), "schools.xlsx")
    errors = [(e.row, e.column) for e in failed.value.errors]
    assert errors == [(3, "学校名称"), (4, "学段"), (5, "学区代码"), (6, "学生数"), (7, "纬度")]
    assert "大学" in failed.value.errors[1].message
    assert failed.value.file == "schools.xlsx"
    assert count(world.session, School) == before
    assert world.session.scalar(select(School).where(School.code == "N1")) is None


def test_a_missing_required_column_is_named(world):
    with pytest.raises(ImportFailed) as failed:
        io.import_table(
            world.session,
            world.scope("bureau"),
            "schools",
            csv([["学校代码", "学校名称"], ["N", "x"]]),
            "s.csv",
        )
    assert [(e.row, e.column, e.message) for e in failed.value.errors] == [(1, "学段", "缺少必填列")]


def test_memberships_in_one_file_that_clash_are_refused_together(world):
    bureau = world.scope("bureau")
    from edugroup.org.schemas import GroupCreate

    service.create_group(world.session, bureau, GroupCreate(code="G2", name="二集团", mode=GroupMode.tight))
    before = count(world.session, Membership)
    rows = [
        ["集团代码", "学校代码", "开始日期", "结束日期", "是否牵头校", "备注"],
        ["G2", "E", "2025-09-01", "", "是", ""],
        ["G1", "E", "2025-10-01", "", "否", "同类集团重叠"],
        ["G9", "E", "2025-09-01", "", "", ""],
        ["G2", "B", "2025/13/01", "", "", ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        io.import_table(world.session, bureau, "memberships", csv(rows), "m.csv")
    assert [(e.row, e.column) for e in failed.value.errors] == [
        (3, "学校代码"),
        (4, "集团代码"),
        (5, "开始日期"),
    ]
    assert count(world.session, Membership) == before


def test_exported_files_import_back_as_updates(world):
    bureau = world.scope("bureau")
    for kind in ("schools", "groups", "memberships"):
        data = io.export_file(world.session, bureau, kind, "xlsx")
        report = io.import_table(world.session, bureau, kind, data, f"{kind}.xlsx")
        assert report.created == 0, kind
        assert report.updated > 0, kind


def test_group_import_creates_alliances_with_their_pairs(world):
    rows = [
        ["集团代码", "集团名称", "模式", "上级集团代码", "成立日期", "撤销日期", "说明"],
        ["AL2", "新联盟", "联盟型", "", "2025-09-01", "", ""],
        ["PP2", "新共建体", "共建型", "AL2", "2025-09-01", "", ""],
    ]
    io.import_table(world.session, world.scope("bureau"), "groups", xlsx(rows), "g.xlsx")
    groups = {g.code: g for g in service.list_groups(world.session, world.scope("bureau"))}
    assert groups["PP2"].parent_id == groups["AL2"].id
    assert groups["PP2"].founded_on == date(2025, 9, 1)


def test_templates_have_chinese_headers_and_instructions():
    workbook = load_workbook(stdio.BytesIO(io.template_file("memberships")))
    assert [c.value for c in workbook.worksheets[0][1]] == [
        "集团代码",
        "学校代码",
        "开始日期",
        "结束日期",
        "是否牵头校",
        "备注",
    ]
    assert "全部成功" in " ".join(str(r[0].value) for r in workbook["填写说明"].iter_rows())


def test_api_import_reports_every_bad_row_as_json(world, client):
    upload = {
        "file": ("s.csv", csv([SCHOOL_HEADER[:3], ["N1", "", "小学"], ["N2", "x", "幼儿园"]]), "text/csv")
    }
    response = client.post("/api/v1/import/schools", files=upload, headers=auth(world, "bureau"))
    assert response.status_code == 422
    body = response.json()
    assert body["file"] == "s.csv"
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "学校名称"), (3, "学段")]


def test_cli_import_exits_non_zero_on_a_bad_file_and_writes_nothing(world, tmp_path, monkeypatch):
    from contextlib import contextmanager

    from edugroup import cli
    from edugroup.core import db as core_db

    @contextmanager
    def same_session(actor="system"):
        yield world.session

    monkeypatch.setattr(core_db, "transaction", same_session)
    bad = tmp_path / "schools.csv"
    bad.write_bytes(csv([SCHOOL_HEADER[:3], ["N1", "好", "小学"], ["N2", "坏", "大学"]]))
    result = CliRunner().invoke(cli.app, ["import", "schools", str(bad), "--token", world.tokens["bureau"]])
    assert result.exit_code == 1
    assert "第3行 [学段]" in result.output
    assert world.session.scalar(select(School).where(School.code == "N1")) is None
    good = tmp_path / "good.csv"
    good.write_bytes(csv([SCHOOL_HEADER[:3], ["N1", "好", "小学"]]))
    result = CliRunner().invoke(cli.app, ["import", "schools", str(good), "--token", world.tokens["bureau"]])
    assert result.exit_code == 0, result.output
    assert "新增 1 条" in result.output
