"""`edugroup import development` and `edugroup export development`."""

from contextlib import contextmanager

import pytest
from tests.development.factories import add_teachers, csv, staff_number
from typer.testing import CliRunner

from edugroup import cli
from edugroup.core import db as core_db


@pytest.fixture
def run(world, monkeypatch):
    @contextmanager
    def same_session(actor="system"):
        yield world.session

    monkeypatch.setattr(core_db, "transaction", same_session)

    def invoke(*args):
        return CliRunner().invoke(cli.app, [*args, "--token", world.tokens["bureau"]])

    return invoke


def test_training_is_imported_and_exported_from_the_command_line(world, run, tmp_path):
    number = staff_number(world, add_teachers(world, "A")[0])
    source = tmp_path / "training.csv"
    source.write_bytes(
        csv(
            [["教师工号", "级别", "名称", "开始日期", "学时"], [number, "区级", "区级培训", "2025-10-01", 10]]
        )
    )
    result = run("import", "development", "training", str(source))
    assert result.exit_code == 0, result.output
    assert "新增 1 条" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv([["教师工号", "级别", "名称", "开始日期", "学时"], ["NOPE", "区级", "x", "2025-10-01", 1]])
    )
    refused = run("import", "development", "training", str(bad))
    assert refused.exit_code == 1
    assert "第2行 [教师工号]" in refused.output
    output = tmp_path / "out.csv"
    exported = run("export", "development", "training", "-o", str(output), "--year", "2025")
    assert exported.exit_code == 0, exported.output
    assert "区级培训" in output.read_bytes().decode("utf-8-sig")
