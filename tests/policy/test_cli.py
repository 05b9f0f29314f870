"""`edugroup compliance` and `edugroup pack load` from the command line."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import edugroup.policy.packs as packs_module
from edugroup import cli
from edugroup.activities import service as activities
from edugroup.activities.schemas import ActivityCreate
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


def test_compliance_prints_json_rows_with_the_documented_fields(world, run):
    tight = world.groups["tight"]
    for i in range(5):
        activities.create_activity(
            world.session,
            world.scope("bureau"),
            ActivityCreate(
                kind="joint_research", occurred_on=date(2025, 10, 1 + i), title=f"教研{i}", group_id=tight
            ),
        )
    result = run(
        "compliance", "--pack", "hongkou-2025", "--year", "2025", "--semester", "1", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    hk16 = [r for r in rows if r["clause"] == "HK-16" and r["entity_id"] == tight]
    assert hk16 == [
        {
            "clause": "HK-16",
            "entity_type": "group",
            "entity_id": tight,
            "entity_name": "测试第一教育集团",
            "period": "2025-1",
            "value": 5.0,
            "threshold": 5.0,
            "verdict": "met",
            "evidence": hk16[0]["evidence"],
        }
    ]
    assert len(hk16[0]["evidence"]) == 5


def test_compliance_writes_an_excel_file(world, run, tmp_path):
    target = tmp_path / "c.xlsx"
    result = run(
        "compliance", "--pack", "ouhai-2022", "--year", "2025", "--format", "xlsx", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:2] == b"PK"


def test_a_bad_pack_file_is_refused_naming_file_clause_and_field(world, run, tmp_path):
    text = (Path(packs_module.__file__).parent / "packs" / "ouhai-2022.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "ouhai-copy.yaml"
    bad.write_text(text.replace("metric: activities.count", "metric: activities.cuont", 1), encoding="utf-8")
    result = run("pack", "load", str(bad))
    assert result.exit_code == 1
    assert "ouhai-copy.yaml" in result.output
    assert "OH-03" in result.output
    assert "metric" in result.output


def test_a_copied_pack_with_an_edited_threshold_loads_as_a_new_edition(world, run, tmp_path):
    text = (Path(packs_module.__file__).parent / "packs" / "ouhai-2022.yaml").read_text(encoding="utf-8")
    copy = tmp_path / "ouhai-2026.yaml"
    copy.write_text(
        text.replace("edition: 2022-12-23", "edition: 2026-08-01").replace("threshold: 15", "threshold: 12"),
        encoding="utf-8",
    )
    result = run("pack", "load", str(copy))
    assert result.exit_code == 0, result.output
    assert "2026-08-01" in result.output
    listed = run("pack", "list")
    assert "ouhai-2022" in listed.output
    assert "2026-08-01" in listed.output
    assert run("pack", "load", str(copy)).exit_code == 1  # the same edition twice is refused
