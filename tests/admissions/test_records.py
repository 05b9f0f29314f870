import io as stdio

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import func, select
from tests.admissions.factories import allocation, outcome
from tests.conftest import auth
from tests.surveys.factories import csv, xlsx
from typer.testing import CliRunner

from edugroup.admissions import io, service
from edugroup.admissions.models import EntryOutcome, QuotaAllocation
from edugroup.admissions.schemas import EntryOutcomeUpdate, QuotaAllocationCreate, QuotaAllocationUpdate
from edugroup.core.errors import Conflict, Forbidden, ImportFailed, InvalidInput, NotFound
from edugroup.core.models import Role
from edugroup.core.scope import Scope

QUOTA_HEADER = ["学年", "初中学校代码", "高中学校代码", "高中名称", "计划名额", "实际录取", "备注"]
OUTCOME_HEADER = ["学年", "学校代码", "毕业生数", "进入优质高中人数", "备注"]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_filled_places_cannot_exceed_the_plan_and_a_senior_high_is_named():
    with pytest.raises(ValidationError, match="超过计划名额"):
        QuotaAllocationCreate(school_year=2025, school_id=1, senior_school_name="甲", planned=3, filled=4)
    with pytest.raises(ValidationError, match="高中学校代码或高中名称"):
        QuotaAllocationCreate(school_year=2025, school_id=1, planned=3, filled=3)


def test_records_belong_to_junior_schools_and_are_recorded_once(world):
    with pytest.raises(InvalidInput, match="没有初中毕业生") as refused:
        allocation(world, "A", 5, 5)
    assert refused.value.field == "school_id"
    allocation(world, "C", 5, 5)
    with pytest.raises(Conflict):
        allocation(world, "C", 6, 6)
    outcome(world, "C", 100, 50)
    with pytest.raises(Conflict):
        outcome(world, "C", 100, 50)
    with pytest.raises(NotFound):
        outcome(world, "X", 100, 50)  # another region's school


def test_updates_keep_filled_within_planned(world):
    bureau = world.scope("bureau")
    a = allocation(world, "C", 5, 5)
    with pytest.raises(InvalidInput, match="超过计划名额"):
        service.update_allocation(world.session, bureau, a.id, QuotaAllocationUpdate(planned=4))
    assert (
        service.update_allocation(world.session, bureau, a.id, QuotaAllocationUpdate(filled=4)).fill_rate
        == 0.8
    )
    o = outcome(world, "D", 100, 50)
    with pytest.raises(InvalidInput):
        service.update_outcome(world.session, bureau, o.id, EntryOutcomeUpdate(graduates=40))


def test_who_sees_and_who_writes_admissions_records(world):
    c = allocation(world, "C", 5, 5)
    outcome(world, "C", 100, 50)
    session = world.session
    assert [a.id for a in service.list_allocations(session, world.scope("bureau"))] == [c.id]
    for who in ("group", "school", "teacher", "other-bureau"):
        assert service.list_allocations(session, world.scope(who)) == []
        assert service.list_outcomes(session, world.scope(who)) == []
        with pytest.raises(NotFound):
            service.get_allocation(session, world.scope(who), c.id)
    group_head_of_pair = Scope(
        user_id=None,
        username="pair-head",
        role=Role.group_head,
        region_id=world.region_id,
        group_ids=frozenset({world.groups["pair"]}),
        school_ids=frozenset({world.schools["C"], world.schools["D"]}),
    )
    assert [a.id for a in service.list_allocations(session, group_head_of_pair)] == [c.id]
    with pytest.raises(Forbidden):
        service.delete_allocation(session, group_head_of_pair, c.id)


GOOD_QUOTAS = [
    QUOTA_HEADER,
    [2025, "C", "", "市实验性示范性高中甲", 5, 5, ""],
    ["2025学年", "C", "", "市实验性示范性高中乙", 3, 2, "1人放弃"],
    [2025, "D", "", "市实验性示范性高中甲", 4, 4, ""],
]
GOOD_OUTCOMES = [OUTCOME_HEADER, [2025, "C", 180, 100, ""], [2025, "D", 150, 60, "示例"]]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_good_files_import_every_row(world, fmt):
    write = xlsx if fmt == "xlsx" else csv
    bureau = world.scope("bureau")
    report = io.import_table(world.session, bureau, "quota-allocations", write(GOOD_QUOTAS), f"q.{fmt}")
    assert report.summary() == "名额分配到校: 新增 3 条, 更新 0 条"
    report = io.import_table(world.session, bureau, "entry-outcomes", write(GOOD_OUTCOMES), f"o.{fmt}")
    assert (report.created, report.updated) == (2, 0)
    rates = service.summary(world.session, bureau, 2025)
    pair = next(u for u in rates.groups if u.entity_id == world.groups["pair"])
    assert (pair.planned, pair.filled, pair.graduates, pair.quality_entries) == (12, 11, 330, 160)


def test_bad_files_write_nothing_and_list_every_bad_row(world):
    rows = [
        QUOTA_HEADER,
        [2025, "C", "", "甲", 5, 5, ""],
        ["25", "C", "", "乙", 5, 5, ""],
        [2025, "Q9", "", "乙", 5, 5, ""],
        [2025, "A", "", "乙", 5, 5, ""],
        [2025, "C", "", "", 5, 5, ""],
        [2025, "C", "", "丙", "五", 5, ""],
        [2025, "C", "", "丁", 5, 6, ""],
        [2025, "C", "", "甲", 5, 5, ""],
        [2025, "D", "C", "", 5, 5, ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        io.import_table(world.session, world.scope("bureau"), "quota-allocations", xlsx(rows), "q.xlsx")
    assert [(e.row, e.column) for e in failed.value.errors] == [
        (3, "学年"),
        (4, "初中学校代码"),
        (5, "初中学校代码"),
        (6, "高中名称"),
        (7, "计划名额"),
        (8, "实际录取"),
        (9, "初中学校代码"),
        (10, "高中学校代码"),
    ]
    messages = [e.message for e in failed.value.errors]
    assert "没有初中毕业生" in messages[2]
    assert "超过计划名额" in messages[5]
    assert "与第2行重复" in messages[6]
    assert "不是高中" in messages[7]
    assert count(world.session, QuotaAllocation) == 0
    bad = [OUTCOME_HEADER, [2025, "C", 100, 120, ""], [2025, "D", "", 1, ""]]
    with pytest.raises(ImportFailed) as failed:
        io.import_table(world.session, world.scope("bureau"), "entry-outcomes", csv(bad), "o.csv")
    assert [(e.row, e.column) for e in failed.value.errors] == [(2, "进入优质高中人数"), (3, "毕业生数")]
    assert count(world.session, EntryOutcome) == 0


def test_a_file_imported_again_updates_the_rows_it_matches(world):
    bureau = world.scope("bureau")
    io.import_table(world.session, bureau, "quota-allocations", xlsx(GOOD_QUOTAS), "q.xlsx")
    corrected = [QUOTA_HEADER, [2025, "C", "", "市实验性示范性高中乙", 3, 3, "已补录"]]
    report = io.import_table(world.session, bureau, "quota-allocations", xlsx(corrected), "q.xlsx")
    assert (report.created, report.updated) == (0, 1)
    exported = io.export_file(world.session, bureau, "quota-allocations", "xlsx")
    sheet = load_workbook(stdio.BytesIO(exported)).worksheets[0]
    assert [c.value for c in sheet[1]] == QUOTA_HEADER
    assert sheet.max_row == 4
    assert io.import_table(world.session, bureau, "quota-allocations", exported, "back.xlsx").updated == 3


def test_only_bureau_administrators_import(world):
    with pytest.raises(Forbidden):
        io.import_table(world.session, world.scope("group"), "entry-outcomes", xlsx(GOOD_OUTCOMES), "o.xlsx")


def test_the_api_records_lists_exports_and_imports(world, client):
    bureau = auth(world, "bureau")
    body = {
        "school_year": 2025,
        "school_id": world.schools["C"],
        "senior_school_name": "甲",
        "planned": 4,
        "filled": 3,
    }
    created = client.post("/api/v1/admissions/quotas", json=body, headers=bureau)
    assert created.status_code == 201, created.text
    assert (created.json()["fill_rate"], created.json()["school_name"]) == (0.75, "测试丙初中")
    assert client.post("/api/v1/admissions/quotas", json=body, headers=bureau).status_code == 409
    qid = created.json()["id"]
    patched = client.patch(f"/api/v1/admissions/quotas/{qid}", json={"filled": 4}, headers=bureau)
    assert patched.json()["fill_rate"] == 1.0
    upload = {"file": ("o.xlsx", xlsx(GOOD_OUTCOMES))}
    imported = client.post("/api/v1/admissions/entries/import", files=upload, headers=bureau)
    assert imported.json()["created"] == 2
    refused = client.post(
        "/api/v1/admissions/entries/import",
        files={"file": ("o.csv", csv([OUTCOME_HEADER, [2025, "Q", 1, 1, ""]]))},
        headers=bureau,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0] == {"row": 2, "column": "学校代码", "message": "学校代码「Q」不存在"}
    assert client.post("/api/v1/admissions/entries/import", headers=bureau).status_code == 422
    listed = client.get("/api/v1/admissions/entries?year=2025", headers=bureau).json()
    assert {o["school_name"] for o in listed} == {"测试丙初中", "测试丁初中"}
    assert "测试丙初中" not in client.get(
        "/api/v1/admissions/quotas/export?format=csv", headers=auth(world, "group")
    ).content.decode("utf-8-sig")
    assert "C" in client.get("/api/v1/admissions/quotas/export?format=csv", headers=bureau).content.decode(
        "utf-8-sig"
    )
    assert client.get("/api/v1/admissions/entries/template").content[:2] == b"PK"
    summary = client.get("/api/v1/admissions/summary?year=2025", headers=bureau).json()
    assert summary["city"]["entry_rate"] == pytest.approx(160 / 330)
    assert {u["entity_type"] for u in summary["groups"] + summary["districts"]} == {"group", "district"}
    group_view = client.get("/api/v1/admissions/summary?year=2025", headers=auth(world, "group")).json()
    assert group_view["districts"] == []
    assert group_view["groups"] == []  # its group holds primary schools only: HK-21 and HK-22 do not apply
    assert {u["entity_id"] for u in summary["groups"]} == {world.groups["pair"], world.groups["alliance"]}
    assert client.get("/api/v1/admissions/summary", headers=auth(world, "teacher")).json()["groups"] == []
    assert client.delete(f"/api/v1/admissions/quotas/{qid}", headers=bureau).status_code == 204


def test_the_command_line_imports_both_tables(world, tmp_path, monkeypatch):
    from contextlib import contextmanager

    from edugroup import cli
    from edugroup.core import db

    @contextmanager
    def same_session(actor="system"):
        yield world.session

    monkeypatch.setattr(db, "transaction", same_session)
    quotas = tmp_path / "quotas.xlsx"
    quotas.write_bytes(xlsx(GOOD_QUOTAS))
    result = CliRunner().invoke(cli.app, ["import", "quota-allocations", str(quotas), "--user", "bureau"])
    assert result.exit_code == 0, result.output
    assert "新增 3 条" in result.output
    bad = tmp_path / "outcomes.csv"
    bad.write_bytes(csv([OUTCOME_HEADER, [2025, "C", 10, 11, ""]]))
    result = CliRunner().invoke(cli.app, ["import", "entry-outcomes", str(bad), "--user", "bureau"])
    assert result.exit_code == 1
    assert "第2行" in result.output
    result = CliRunner().invoke(cli.app, ["import", "entry-outcomes", str(bad), "--user", "group"])
    assert result.exit_code == 1
    assert count(world.session, EntryOutcome) == 0
