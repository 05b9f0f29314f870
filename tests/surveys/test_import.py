import io as stdio

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from tests.conftest import auth
from tests.surveys.factories import csv, questionnaire, xlsx
from typer.testing import CliRunner

from edugroup.core.errors import Forbidden, ImportFailed, NotFound
from edugroup.surveys import io, service
from edugroup.surveys.models import SurveyResponse

HEADER = ["填答群体", "答卷编号", "学校代码", "总体满意度 总体而言您是否满意", "Q1", "Q2 家校沟通"]
GOOD = [
    HEADER,
    ["家长", "P001", "A", 5, 4, 5],
    ["家长", "P002", "B", "满意", "", ""],
    ["parent", "P003", "", "3", 2, ""],
    ["教师", "T001", "A", "非常满意", 5, 4],
    ["教师", "P001", "", 2, "", ""],  # the same code in another kind is another respondent
]


def count(session):
    return session.scalar(select(func.count()).select_from(SurveyResponse))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_good_file_imports_every_response(world, fmt):
    q = questionnaire(world)
    data = xlsx(GOOD) if fmt == "xlsx" else csv(GOOD)
    report = io.import_responses(world.session, world.scope("bureau"), q.id, data, f"answers.{fmt}")
    assert (report.created, report.replaced) == (5, 0)
    assert report.summary() == "答卷: 新增 5 份, 替换 0 份"
    stored = {
        (r.respondent_kind.value, r.respondent_code): r
        for r in service.list_responses(world.session, world.scope("bureau"), q.id)
    }
    assert stored[("parent", "P001")].answers == {"Q1": 4, "Q2": 5}
    assert stored[("parent", "P001")].school_id == world.schools["A"]
    assert stored[("parent", "P002")].overall_answer == 4
    assert stored[("parent", "P002")].answers == {}
    assert stored[("parent", "P003")].school_id is None
    assert stored[("teacher", "T001")].overall_answer == 5
    shares = {s.respondent_kind.value: s.share for s in service.shares_by_kind(world.session, [q])[q.id]}
    assert shares == {"parent": pytest.approx(2 / 3), "teacher": 0.5}


def test_a_file_with_bad_rows_writes_nothing_and_lists_every_bad_row(world):
    q = questionnaire(world)
    rows = [
        HEADER,
        ["家长", "P001", "A", 5, 4, 5],
        ["校友", "P002", "", 5, "", ""],
        ["学生", "S001", "", 5, "", ""],
        ["家长", "", "", 5, "", ""],
        ["家长", "P001", "", 4, "", ""],
        ["家长", "P005", "C", 5, "", ""],
        ["家长", "P006", "Z9", 5, "", ""],
        ["家长", "P007", "", 6, "", ""],
        ["家长", "P008", "", "", 4, ""],
        ["家长", "P009", "", "很好", 9, ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        io.import_responses(world.session, world.scope("bureau"), q.id, xlsx(rows), "answers.xlsx")
    errors = [(e.row, e.column) for e in failed.value.errors]
    overall = HEADER[3]
    assert errors == [
        (3, "填答群体"),
        (4, "填答群体"),
        (5, "答卷编号"),
        (6, "答卷编号"),
        (7, "学校代码"),
        (8, "学校代码"),
        (9, overall),
        (10, overall),
        (11, overall),
        (11, "Q1"),
    ]
    messages = [e.message for e in failed.value.errors]
    assert "本问卷不面向学生" in messages[1]
    assert "与第2行的答卷编号重复" in messages[3]
    assert "不是该集团当学年的成员校" in messages[4]
    assert "应为 1–5 的整数" in messages[6]
    assert "必填项为空" in messages[7]
    assert "answers.xlsx: 10 处错误" in str(failed.value)
    assert count(world.session) == 0


def test_a_column_that_is_no_item_of_the_questionnaire_refuses_the_file(world):
    q = questionnaire(world)
    rows = [["填答群体", "答卷编号", "Q7 其他", "Q1"], ["家长", "P1", 5, 5]]
    with pytest.raises(ImportFailed) as failed:
        io.import_responses(world.session, world.scope("bureau"), q.id, csv(rows), "answers.csv")
    assert [(e.row, e.column) for e in failed.value.errors] == [(1, "Q7 其他"), (1, "总体满意度")]


def test_importing_a_respondent_again_replaces_its_answers(world):
    q = questionnaire(world)
    bureau = world.scope("bureau")
    io.import_responses(world.session, bureau, q.id, xlsx(GOOD), "first.xlsx")
    again = [HEADER, ["家长", "P003", "", 5, "", ""], ["家长", "P004", "", 5, "", ""]]
    report = io.import_responses(world.session, bureau, q.id, xlsx(again), "second.xlsx")
    assert (report.created, report.replaced) == (1, 1)
    assert count(world.session) == 6
    parent = service.shares_by_kind(world.session, [q])[q.id][0]
    assert (parent.respondents, parent.satisfied) == (4, 4)


def test_only_writers_import_and_hidden_questionnaires_answer_not_found(world):
    q = questionnaire(world)
    with pytest.raises(Forbidden):
        io.import_responses(world.session, world.scope("school"), q.id, xlsx(GOOD), "a.xlsx")
    with pytest.raises(NotFound):
        io.import_responses(world.session, world.scope("other-bureau"), q.id, xlsx(GOOD), "a.xlsx")
    report = io.import_responses(world.session, world.scope("group"), q.id, xlsx(GOOD), "a.xlsx")
    assert report.created == 5


def test_the_template_names_every_item_and_the_export_imports_back(world):
    q = questionnaire(world)
    template = load_workbook(stdio.BytesIO(io.template_file(q)))
    headers = [c.value for c in template.worksheets[0][1]]
    assert headers == [
        "填答群体",
        "答卷编号",
        "学校代码",
        "总体满意度 总体而言, 您对本集团办学的满意程度",
        "Q1 教育教学质量",
        "Q2 家校沟通",
    ]
    notes = "\n".join(str(r[0].value) for r in template["填写说明"].iter_rows())
    assert "计为满意的选项: 4 满意 / 5 非常满意" in notes
    bureau = world.scope("bureau")
    io.import_responses(world.session, bureau, q.id, xlsx(GOOD), "a.xlsx")
    exported = io.export_file(world.session, bureau, q.id, "xlsx")
    report = io.import_responses(world.session, bureau, q.id, exported, "export.xlsx")
    assert (report.created, report.replaced) == (0, 5)


def test_the_api_imports_exports_and_serves_the_template(world, client):
    q = questionnaire(world)
    headers = auth(world, "group")
    url = f"/api/v1/surveys/{q.id}/responses"
    imported = client.post(f"{url}/import", files={"file": ("a.xlsx", xlsx(GOOD))}, headers=headers)
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 5
    bad = [HEADER, ["校友", "X1", "", 5, "", ""]]
    refused = client.post(f"{url}/import", files={"file": ("a.csv", csv(bad))}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"row": 2, "column": "填答群体", "message": "应为 家长 / 教师 / 学生 之一, 而不是「校友」"}
    ]
    assert client.post(f"{url}/import", headers=headers).status_code == 422
    exported = client.get(f"{url}/export?format=csv", headers=headers)
    assert exported.status_code == 200
    assert "P001" in exported.content.decode("utf-8-sig")
    assert client.get(f"{url}/template", headers=headers).content[:2] == b"PK"
    assert len(client.get(url, headers=headers).json()) == 5
    school = auth(world, "school")
    assert (
        client.post(f"{url}/import", files={"file": ("a.xlsx", xlsx(GOOD))}, headers=school).status_code
        == 403
    )
    assert client.get(f"{url}/export", headers=school).status_code == 403


def test_the_command_line_imports_the_responses_of_one_questionnaire(world, tmp_path, monkeypatch):
    from contextlib import contextmanager

    from edugroup import cli
    from edugroup.core import db

    @contextmanager
    def same_session(actor="system"):
        yield world.session

    monkeypatch.setattr(db, "transaction", same_session)
    q = questionnaire(world)
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    command = ["import", "survey-responses", str(good), "--survey", str(q.id), "--user", "bureau"]
    result = CliRunner().invoke(cli.app, command)
    assert result.exit_code == 0, result.output
    assert "新增 5 份" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv([HEADER, ["家长", "P9", "", 9, "", ""]]))
    command[2] = str(bad)
    result = CliRunner().invoke(cli.app, command)
    assert result.exit_code == 1
    assert "第2行 [总体满意度 总体而言您是否满意]" in result.output
    assert count(world.session) == 5
