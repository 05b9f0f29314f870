"""Rotation plans, product side: the planner reads teachers, demand and the pack from the database for a region
and year; its plan is reviewed, edited, accepted into rotation records (audited) and exported to Excel."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from tests.conftest import auth
from tests.rotation.factories import rotate, rule
from tests.teachers.factories import teacher
from tests.web.test_pages import login
from typer.testing import CliRunner

from edugroup import cli
from edugroup.algorithms.rotation.planner import plan_rotation
from edugroup.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from edugroup.core.models import AuditEntry
from edugroup.org import service as org
from edugroup.org.schemas import SchoolCreate, SchoolUpdate
from edugroup.policy import service as policy
from edugroup.rotation import service as rotations
from edugroup.rotation.models import Rotation, RotationMode
from edugroup.rotation.plans import service
from edugroup.rotation.plans.schemas import DemandCreate

YEAR = 2025


@pytest.fixture
def region(world):
    """A (quality) has ten eligible teachers, three of them backbone; B near A and D far away are weaker
    schools asking for mathematics teachers. The Hongkou pack asks 20% out, 30% backbone, teams of 3."""
    bureau = world.scope("bureau")
    for code, lat, lon in [
        ("A", 31.20, 121.50),
        ("B", 31.21, 121.50),
        ("D", 31.30, 121.60),
        ("E", 31.22, 121.5),
    ]:
        org.update_school(world.session, bureau, world.schools[code], SchoolUpdate(lat=lat, lon=lon))
    rule(world)
    staff = [teacher(world, "A", backbone_tier=2 if i < 3 else None) for i in range(8)]
    staff += [teacher(world, "A", subject="语文") for _ in range(2)]
    for code in ("B", "D"):
        demand(world, code, "数学", 0, 5)
    return staff


def demand(world, code, subject, low, high=None, year=YEAR):
    data = DemandCreate(
        school_id=world.schools[code], year=year, subject=subject, min_count=low, max_count=high
    )
    return service.create_demand(world.session, world.scope("bureau"), data)


def make_plan(world, **kw):
    return service.create_plan(world.session, world.scope("bureau"), YEAR, pack_id="hongkou-2025", **kw)


def test_the_plan_keeps_the_packs_quotas_at_least_commute(world, region):
    plan = make_plan(world)
    assert (plan.min_out_share, plan.min_backbone_share, plan.min_team_size, plan.duration_years) == (
        0.2,
        0.3,
        3,
        3,
    )
    assert plan.solver_status == "optimal"
    assert plan.eligible_count == 10
    assert len(plan.rows) == 3  # two must leave A (20% of 10), and a team is at least three
    assert {r.to_school_id for r in plan.rows} == {world.schools["B"]}  # the nearer weaker school
    assert sum(r.teacher.is_backbone for r in plan.rows) >= 1
    assert service.plan_warnings(world.session, plan) == []
    assert plan.objective_km == pytest.approx(sum(r.km for r in plan.rows), abs=1e-3)


def test_the_stored_plan_is_the_planners_answer_on_the_instance_read_from_the_database(world, region):
    bureau = world.scope("bureau")
    quotas = service.quotas_for(world.session, bureau, "hongkou-2025", YEAR)
    instance = service.build_instance(world.session, world.region_id, YEAR, quotas)
    assert {t["school"] for t in instance.data["teachers"]} == {"A"}
    assert {s["role"] for s in instance.data["schools"]} == {"sending", "receiving"}
    assert instance.data["rules"] == {"min_out_share": 0.2, "min_backbone_share": 0.3, "min_team_size": 3}
    answer = plan_rotation(instance.data, mip_gap=0.0)
    plan = make_plan(world)
    assert {(r.teacher_id, r.to_school_id) for r in plan.rows} == {
        (a["teacher"], world.schools[a["to"]]) for a in answer["assignments"]
    }


def test_teachers_not_eligible_stay_out_of_the_plan(world, region):
    away = region[0]
    rotate(world, away, "E", start=date(2024, 9, 1))
    plan = make_plan(world)
    assert plan.eligible_count == 9
    assert away.id not in {r.teacher_id for r in plan.rows}


def test_an_edited_plan_shows_the_quotas_it_no_longer_keeps(world, region):
    plan = make_plan(world)
    bureau = world.scope("bureau")
    first = plan.rows[0]
    row = service.update_row(world.session, bureau, plan.id, first.id, world.schools["D"])
    assert row.edited
    assert row.km > 10
    warnings = service.plan_warnings(world.session, plan)
    assert any("HK-09" in w and "测试丁初中" in w for w in warnings)
    for r in list(plan.rows):
        service.drop_row(world.session, bureau, plan.id, r.id)
    assert any("HK-06" in w for w in service.plan_warnings(world.session, plan))
    with pytest.raises(NotFound):
        service.update_row(world.session, bureau, plan.id, first.id, world.schools["B"])


def test_a_row_cannot_send_a_teacher_to_its_own_school_or_a_quality_school(world, region):
    plan = make_plan(world)
    bureau = world.scope("bureau")
    with pytest.raises(InvalidInput) as caught:
        service.update_row(world.session, bureau, plan.id, plan.rows[0].id, world.schools["A"])
    assert caught.value.field == "to_school_id"
    other = org.create_school(
        world.session,
        bureau,
        SchoolCreate(code="Q", name="另一所优质校", stage="primary", quality_tier="quality"),
    )
    with pytest.raises(InvalidInput) as caught:
        service.update_row(world.session, bureau, plan.id, plan.rows[0].id, other.id)
    assert "优质校" in caught.value.message


def test_accepting_creates_rotations_and_audits_each_of_them(world, region):
    plan = make_plan(world)
    created = service.accept_plan(world.session, world.scope("bureau"), plan.id)
    assert len(created) == 3
    assert {r.mode for r in created} == {RotationMode.team}
    assert {(r.start_on, r.planned_end_on) for r in created} == {(date(2025, 9, 1), date(2028, 8, 31))}
    assert all(row.rotation_id is not None for row in plan.rows)
    assert plan.status.value == "accepted"
    notes = world.session.scalars(
        select(AuditEntry).where(
            AuditEntry.note == f"采纳轮岗方案 #{plan.id}", AuditEntry.entity_type == "rotations"
        )
    ).all()
    assert len(notes) == 3
    assert world.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "rotation_plans", AuditEntry.action == "update")
    ).first()
    with pytest.raises(Conflict):
        service.accept_plan(world.session, world.scope("bureau"), plan.id)
    with pytest.raises(Conflict):
        rotations.delete_rotation(world.session, world.scope("bureau"), created[0].id)
    evaluation = policy.run_compliance(world.session, world.scope("bureau"), "hongkou-2025", year=YEAR)
    verdicts = {(r.clause, r.entity_id): r.verdict for r in evaluation.rows}
    assert verdicts[("HK-06", world.schools["A"])] == "met"
    assert verdicts[("HK-07", world.schools["A"])] == "met"
    assert verdicts[("HK-08", world.schools["A"])] == "met"
    assert verdicts[("HK-09", created[0].team_id)] == "met"


def test_an_acceptance_that_clashes_writes_nothing(world, region):
    plan = make_plan(world)
    clash = plan.rows[-1].teacher
    rotate(world, clash, "E", start=date(2025, 10, 1))
    before = len(world.session.scalars(select(Rotation)).all())
    with pytest.raises(Conflict):
        service.accept_plan(world.session, world.scope("bureau"), plan.id)
    assert len(world.session.scalars(select(Rotation)).all()) == before
    assert plan.status.value == "draft"


def test_an_infeasible_plan_is_stored_with_its_explanation_and_cannot_be_accepted(world, region):
    bureau = world.scope("bureau")
    for d in service.list_demands(world.session, bureau, year=YEAR):
        service.delete_demand(world.session, bureau, d.id)
    demand(world, "B", "数学", 0, 1)
    plan = make_plan(world)
    assert plan.solver_status == "infeasible"
    assert plan.rows == []
    assert plan.explanation.startswith("无可行方案")
    with pytest.raises(Conflict):
        service.accept_plan(world.session, bureau, plan.id)


def test_the_plan_names_what_it_lacks(world):
    with pytest.raises(InvalidInput) as no_demand:
        make_plan(world)
    assert no_demand.value.field == "year"
    demand(world, "B", "数学", 1)
    with pytest.raises(InvalidInput) as no_rule:
        make_plan(world)
    assert "交流轮岗条件" in no_rule.value.message
    rule(world)
    teacher(world, "A")
    org.update_school(
        world.session, world.scope("bureau"), world.schools["B"], SchoolUpdate(lat=None, lon=None)
    )
    with pytest.raises(InvalidInput) as no_place:
        make_plan(world)
    assert "测试乙小学" in no_place.value.message


def test_demand_is_for_weaker_schools_once_per_subject_and_year(world):
    with pytest.raises(InvalidInput) as caught:
        demand(world, "A", "数学", 1)
    assert caught.value.field == "school_id"
    demand(world, "B", "数学", 1)
    with pytest.raises(Conflict):
        demand(world, "B", "数学", 2)
    with pytest.raises(Forbidden):
        service.list_demands(world.session, world.scope("group"))


def test_the_plan_exports_to_excel(world, region, client):
    plan = make_plan(world)
    response = client.get(f"/api/v1/rotation/plans/{plan.id}/export", headers=auth(world, "bureau"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["轮岗方案", "方案说明"]
    rows = list(workbook["轮岗方案"].iter_rows(values_only=True))
    assert rows[0][:3] == ("工号", "姓名", "学科")
    assert len(rows) == 1 + len(plan.rows)
    summary = {r[0]: r[1] for r in workbook["方案说明"].iter_rows(values_only=True) if r and r[0]}
    assert summary["求解结果"] == "最优方案"
    assert summary["组团流入人数下限 (HK-09)"] == 3


@pytest.mark.parametrize(
    ("role", "status"), [("group", 403), ("school", 403), ("teacher", 403), ("other-bureau", 404)]
)
def test_plans_are_the_bureaus_own(world, region, client, role, status):
    plan = make_plan(world)
    headers = auth(world, role)
    assert client.get(f"/api/v1/rotation/plans/{plan.id}", headers=headers).status_code == status
    assert client.get(f"/api/v1/rotation/plans/{plan.id}/export", headers=headers).status_code == status
    assert client.post(f"/api/v1/rotation/plans/{plan.id}/accept", headers=headers).status_code == status
    login(client, role)
    assert client.get(f"/rotation/plans/{plan.id}").status_code == status


def test_the_api_runs_edits_and_accepts_a_plan(world, region, client):
    headers = auth(world, "bureau")
    made = client.post("/api/v1/rotation/plans", json={"year": YEAR, "pack": "hongkou-2025"}, headers=headers)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["warnings"] == []
    row = body["rows"][0]
    edited = client.patch(
        f"/api/v1/rotation/plans/{body['id']}/rows/{row['id']}",
        json={"to_school_id": world.schools["X"]},
        headers=headers,
    )
    assert (edited.status_code, edited.json()["field"]) == (404, "to_school_id")
    assert (
        client.delete(f"/api/v1/rotation/plans/{body['id']}/rows/{row['id']}", headers=headers).status_code
        == 204
    )
    accepted = client.post(f"/api/v1/rotation/plans/{body['id']}/accept", headers=headers).json()
    assert accepted["status"] == "accepted"
    assert all(r["rotation_id"] for r in accepted["rows"])
    assert any("HK-09" in w for w in accepted["warnings"])
    listed = client.get("/api/v1/rotation/plans", headers=headers).json()
    assert [p["id"] for p in listed] == [body["id"]]


def test_the_pages_take_demand_run_the_planner_edit_and_accept(world, region, client):
    login(client, "bureau")
    page = client.get(f"/rotation/plans?year={YEAR}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = client.post(
        "/rotation/demands",
        data={
            "csrf_token": token,
            "year": str(YEAR),
            "school_id": str(world.schools["A"]),
            "subject": "数学",
        },
    )
    assert bad.status_code == 422
    assert "不是相对薄弱校" in bad.text
    made = client.post(
        "/rotation/plans",
        data={"csrf_token": token, "year": str(YEAR), "pack": "hongkou-2025"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    plan_url = made.headers["location"]
    page = client.get(plan_url).text
    assert 'id="plan-ok"' in page
    row_id = re.search(r'id="row-(\d+)"', page).group(1)
    moved = client.post(
        f"{plan_url}/rows/{row_id}",
        data={"csrf_token": token, "to_school_id": str(world.schools["D"])},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    page = client.get(plan_url).text
    assert 'id="plan-warnings"' in page
    assert "已调整" in page
    accepted = client.post(f"{plan_url}/accept", data={"csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 303
    assert "已采纳" in client.get(plan_url).text
    assert "accept-plan" not in client.get(plan_url).text


# --- the command line planner --------------------------------------------------------------------


def small_instance():
    return {
        "teachers": [
            {"id": "t1", "school": "S", "subject": "数学", "backbone": True},
            {"id": "t2", "school": "S", "subject": "数学", "backbone": False},
        ],
        "schools": [
            {"id": "S", "role": "sending", "lat": 31.2, "lon": 121.5},
            {"id": "R", "role": "receiving", "lat": 31.21, "lon": 121.5},
        ],
        "demand": [{"school": "R", "subject": "数学", "min": 1, "max": 2}],
        "rules": {"min_out_share": 0.5, "min_backbone_share": 1.0},
    }


def test_the_plan_rotation_command_writes_the_plan(tmp_path):
    source = tmp_path / "instance.json"
    target = tmp_path / "plan.json"
    source.write_text(json.dumps(small_instance(), ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(
        cli.app, ["plan-rotation", "--instance", str(source), "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "状态: optimal" in result.output
    plan = json.loads(target.read_text(encoding="utf-8"))
    assert plan["assignments"] == [{"teacher": "t1", "to": "R"}]


def test_the_plan_rotation_command_fails_on_an_infeasible_or_broken_instance(tmp_path):
    source = tmp_path / "instance.json"
    instance = small_instance()
    instance["demand"][0].update(min=0, max=0)
    source.write_text(json.dumps(instance), encoding="utf-8")
    result = CliRunner().invoke(
        cli.app, ["plan-rotation", "--instance", str(source), "--output", str(tmp_path / "p.json")]
    )
    assert result.exit_code == 2
    assert "无可行方案" in result.output
    del instance["teachers"][0]["subject"]
    source.write_text(json.dumps(instance), encoding="utf-8")
    result = CliRunner().invoke(
        cli.app, ["plan-rotation", "--instance", str(source), "--output", str(tmp_path / "p.json")]
    )
    assert result.exit_code == 1
    assert "teachers[0].subject" in result.output
