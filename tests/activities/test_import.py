import io as stdio
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from tests.activities.conftest import HEADER, csv, record, xlsx
from tests.conftest import auth
from typer.testing import CliRunner

from edugroup.activities import io, service
from edugroup.activities.models import Activity, ActivityKind, ShowcaseLevel
from edugroup.core.errors import Forbidden, ImportFailed


def count(session):
    return session.scalar(select(func.count()).select_from(Activity))


GOOD = [
    HEADER,
    ["联合教研", "2025-09-15", "语文联合教研", "G1", "", "A、B", "T-B-1", "", "", "", "同学科跨学段"],
    ["joint_research", "2026/1/31", "数学联合教研", "G1", "A", "A;B", "", "", "", "", ""],
    ["课堂观察", "20260201", "课堂观察(外部)", "P1", "", "C", "", "", "区教研员", "是", ""],
    ["课堂观察", "2026-03-02", "课堂观察(本区教师)", "P1", "", "D", "", "", "T-B-1", "否", ""],
    ["展示交流", "2026-05-20", "全市交流展示", "G1", "", "A；B", "", "全市", "", "", ""],
    ["教师活动", "2026-04-01", "技能大比武", "", "C", "", "", "", "", "", ""],
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_good_file_imports_every_row(world, fmt):
    data = xlsx(GOOD) if fmt == "xlsx" else csv(GOOD)
    report = io.import_activities(world.session, world.scope("bureau"), data, f"activities.{fmt}")
    assert (report.created, report.updated) == (6, 0)
    assert report.summary() == "活动记录: 新增 6 条, 更新 0 条"
    rows = {a.title: a for a in service.list_activities(world.session, world.scope("bureau"))}
    s = world.schools
    assert rows["语文联合教研"].school_ids == sorted([s["A"], s["B"]])
    assert len(rows["语文联合教研"].teacher_ids) == 1
    assert rows["数学联合教研"].occurred_on == date(2026, 1, 31)
    assert rows["数学联合教研"].school_id == s["A"]
    assert rows["课堂观察(外部)"].observer_name == "区教研员"
    assert rows["课堂观察(外部)"].has_report is True
    assert rows["课堂观察(本区教师)"].observer_teacher_id == rows["语文联合教研"].teacher_ids[0]
    assert rows["课堂观察(本区教师)"].has_report is False
    assert rows["全市交流展示"].level is ShowcaseLevel.city
    assert rows["技能大比武"].kind is ActivityKind.teacher_event


def test_a_file_with_bad_rows_writes_nothing_and_lists_every_bad_row(world):
    before = count(world.session)
    rows = [
        HEADER,
        ["联合教研", "2025-09-15", "好的一行", "G1", "", "A", "", "", "", "", ""],
        ["野餐", "2025-09-16", "坏类型", "G1", "", "", "", "", "", "", ""],
        ["联合教研", "2025-13-01", "坏日期", "G1", "", "", "", "", "", "", ""],
        ["联合教研", "2025-09-17", "", "G1", "", "", "", "", "", "", ""],
        ["联合教研", "2025-09-18", "坏集团", "G9", "", "", "", "", "", "", ""],
        ["联合教研", "2025-09-19", "坏参与学校", "G1", "", "A、Q1、Q2", "", "", "", "", ""],
        ["联合教研", "2025-09-20", "坏工号", "G1", "", "", "T-NONE", "", "", "", ""],
        ["展示交流", "2025-09-21", "缺级别", "G1", "", "", "", "", "", "", ""],
        ["课堂观察", "2025-09-22", "缺观察员", "G1", "", "", "", "", "", "", ""],
        ["联合教研", "2025-09-23", "无组织者", "", "", "A", "", "", "", "", ""],
        ["联合教研", "2025-09-24", "坏报告", "G1", "", "", "", "", "", "也许", ""],
        ["联合教研", "2025-09-25", "外区学校", "G1", "X", "", "", "", "", "", ""],
        ["野餐", "", "两处错误", "G1", "", "", "", "", "", "", ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        io.import_activities(world.session, world.scope("bureau"), xlsx(rows), "activities.xlsx")
    errors = [(e.row, e.column) for e in failed.value.errors]
    assert errors == [
        (3, "活动类型"),
        (4, "日期"),
        (5, "标题"),
        (6, "组织集团代码"),
        (7, "参与学校代码"),
        (8, "参与教师工号"),
        (9, "级别"),
        (10, "观察员"),
        (11, "组织集团代码"),
        (12, "是否有报告"),
        (13, "组织学校代码"),
        (14, "活动类型"),
        (14, "日期"),
    ]
    messages = {(e.row, e.column): e.message for e in failed.value.errors}
    assert "野餐" in messages[(3, "活动类型")]
    assert "Q1、Q2" in messages[(7, "参与学校代码")]
    assert messages[(5, "标题")] == "必填项为空"
    assert failed.value.file == "activities.xlsx"
    assert count(world.session) == before
    assert failed.value.to_dict()["errors"][0] == {
        "row": 3,
        "column": "活动类型",
        "message": messages[(3, "活动类型")],
    }


def test_a_file_without_rows_or_a_required_column_is_refused(world):
    with pytest.raises(ImportFailed) as empty:
        io.import_activities(world.session, world.scope("bureau"), csv([HEADER]), "a.csv")
    assert empty.value.errors[0].message == "没有数据行"
    with pytest.raises(ImportFailed) as missing:
        io.import_activities(
            world.session, world.scope("bureau"), csv([["活动类型", "标题"], ["联合教研", "x"]]), "a.csv"
        )
    assert [(e.row, e.column, e.message) for e in missing.value.errors] == [(1, "日期", "缺少必填列")]


def test_rows_are_recorded_within_the_importers_scope(world):
    rows = [
        HEADER,
        ["联合教研", "2025-09-15", "本集团", "G1", "", "", "", "", "", "", ""],
        ["联合教研", "2025-09-16", "别的共建体", "P1", "", "", "", "", "", "", ""],
        ["公开课", "2025-09-17", "别的学校", "", "C", "", "", "", "", "", ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        io.import_activities(world.session, world.scope("group"), csv(rows), "a.csv")
    assert [(e.row, e.column) for e in failed.value.errors] == [(3, "组织集团代码"), (4, "组织学校代码")]
    assert "不存在或无权查看" in failed.value.errors[0].message
    with pytest.raises(Forbidden):
        io.import_activities(world.session, world.scope("teacher"), csv(rows[:2]), "a.csv")


def test_an_exported_file_imports_back_as_updates(world):
    bureau = world.scope("bureau")
    io.import_activities(world.session, bureau, xlsx(GOOD), "activities.xlsx")
    before = count(world.session)
    exported = io.export_file(world.session, bureau, "xlsx")
    report = io.import_activities(world.session, bureau, exported, "activities.xlsx")
    assert (report.created, report.updated) == (0, 6)
    assert count(world.session) == before
    assert ",A、B," in io.export_file(world.session, bureau, "csv").decode("utf-8-sig")


def test_an_edited_export_changes_the_activity_and_clears_emptied_cells(world):
    bureau = world.scope("bureau")
    activity = record(
        world, group_id=world.groups["tight"], description="旧说明", school_ids=[world.schools["A"]]
    )
    headers, rows = io.export_rows(world.session, bureau)
    row = rows[0]
    row[headers.index("标题")] = "改后的标题"
    row[headers.index("说明")] = None
    row[headers.index("参与学校代码")] = "B"
    report = io.import_activities(world.session, bureau, xlsx([headers, row]), "a.xlsx")
    assert report.updated == 1
    world.session.expire_all()
    again = service.get_activity(world.session, bureau, activity.id)
    assert again.title == "改后的标题"
    assert again.description is None
    assert again.school_ids == [world.schools["B"]]


def test_an_unknown_or_repeated_id_is_a_row_error(world):
    bureau = world.scope("bureau")
    activity = record(world, group_id=world.groups["tight"])
    hidden_header = [*HEADER, "编号"]
    base = ["联合教研", "2025-09-15", "t", "G1", "", "", "", "", "", "", ""]
    rows = [hidden_header, [*base, activity.id], [*base, activity.id], [*base, 999999]]
    with pytest.raises(ImportFailed) as failed:
        io.import_activities(world.session, bureau, xlsx(rows), "a.xlsx")
    assert [(e.row, e.column) for e in failed.value.errors] == [(3, "编号"), (4, "编号")]
    assert "与第2行的编号重复" in failed.value.errors[0].message


def test_the_template_has_the_chinese_headers_and_instructions():
    workbook = load_workbook(stdio.BytesIO(io.template_file()))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADER
    notes = " ".join(str(r[0].value) for r in workbook["填写说明"].iter_rows())
    assert "全部成功" in notes
    assert "联合教研" in notes
    assert io.template_file("csv").decode("utf-8-sig").strip() == ",".join(HEADER)


def test_the_api_imports_exports_and_serves_the_template(world, client):
    headers = auth(world, "group")
    rows = [HEADER, ["联合教研", "2025-09-15", "本集团", "G1", "", "A", "", "", "", "", ""]]
    imported = client.post(
        "/api/v1/activities/import", files={"file": ("a.xlsx", xlsx(rows))}, headers=headers
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 1
    bad = [HEADER, ["野餐", "2025-09-15", "x", "G1", "", "", "", "", "", "", ""]]
    refused = client.post("/api/v1/activities/import", files={"file": ("a.csv", csv(bad))}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["row"] == 2
    exported = client.get("/api/v1/activities/export?format=csv", headers=headers)
    assert exported.status_code == 200
    assert "本集团" in exported.content.decode("utf-8-sig")
    template = client.get("/api/v1/activities/template")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    teacher = client.post(
        "/api/v1/activities/import", files={"file": ("a.xlsx", xlsx(rows))}, headers=auth(world, "teacher")
    )
    assert teacher.status_code == 403


def test_the_command_line_imports_a_file_all_or_nothing(world, tmp_path, monkeypatch):
    from contextlib import contextmanager

    from edugroup import cli
    from edugroup.core import db

    @contextmanager
    def same_session(actor="system"):
        yield world.session

    monkeypatch.setattr(db, "transaction", same_session)
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    result = CliRunner().invoke(cli.app, ["import", "activities", str(good), "--user", "bureau"])
    assert result.exit_code == 0, result.output
    assert "新增 6 条" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv([HEADER, ["野餐", "2025-09-15", "x", "G1", "", "", "", "", "", "", ""]]))
    before = count(world.session)
    result = CliRunner().invoke(cli.app, ["import", "activities", str(bad), "--user", "bureau"])
    assert result.exit_code == 1
    assert "第2行 [活动类型]" in result.output
    assert count(world.session) == before
