"""Walks every API route as every role and proves that out-of-scope objects answer 404 or 403.

A new route must be added to ROUTES below, or the first test fails: nothing escapes the walk.
"""

from __future__ import annotations

from datetime import date

import pytest
from tests.admissions import factories as admissions_factories
from tests.conftest import auth
from tests.development import factories as development_factories
from tests.monitoring import test_results_import as monitoring_factories
from tests.monitoring import test_student_profile as profile_factories
from tests.rotation import factories as rotation_factories
from tests.surveys import factories as survey_factories

from edugroup.activities import service as activities_service
from edugroup.activities.models import ActivityAttachment
from edugroup.activities.schemas import ActivityCreate
from edugroup.org import service
from edugroup.web.app import create_app

# path -> how the walk treats it
ROUTES: dict[str, str] = {
    "/api/v1/monitoring/programmes/{group_id}/stages": "object",
    "/api/v1/auth/token": "public",
    "/api/v1/templates/{kind}": "public",
    "/api/v1/me": "own",
    "/api/v1/audit": "bureau-only",
    "/api/v1/audit/export": "bureau-only",
    "/api/v1/regions": "list",
    "/api/v1/regions/{region_id}": "object",
    "/api/v1/districts": "list",
    "/api/v1/districts/{district_id}": "object",
    "/api/v1/schools": "list",
    "/api/v1/schools/{school_id}": "object",
    "/api/v1/schools/{school_id}/groups": "object",
    "/api/v1/schools/{school_id}/memberships": "object",
    "/api/v1/groups": "list",
    "/api/v1/groups/{group_id}": "object",
    "/api/v1/groups/{group_id}/members": "object",
    "/api/v1/groups/{group_id}/memberships": "object",
    "/api/v1/memberships": "create",
    "/api/v1/memberships/{membership_id}": "object",
    "/api/v1/memberships/{membership_id}/end": "object",
    "/api/v1/export/{kind}": "export",
    "/api/v1/import/{kind}": "bureau-only",
    "/api/v1/packs": "own",  # the caller's region's packs; loading is for bureau administrators (tests/policy)
    "/api/v1/compliance": "own",  # rows filtered by scope: tests/policy/test_compliance_scope.py
    "/api/v1/activities": "list",
    "/api/v1/activities/kinds": "public",
    "/api/v1/activities/template": "public",
    "/api/v1/activities/export": "export",
    "/api/v1/activities/import": "create",
    "/api/v1/activities/{activity_id}": "object",
    "/api/v1/activities/{activity_id}/attachments": "object",
    "/api/v1/activities/{activity_id}/attachments/{attachment_id}": "object",
    "/api/v1/teachers": "list",
    "/api/v1/teachers/template": "public",
    "/api/v1/teachers/export": "export",
    "/api/v1/teachers/import": "create",
    "/api/v1/teachers/eligible": "list",
    "/api/v1/teachers/{teacher_id}": "object",
    "/api/v1/teachers/{teacher_id}/rotations": "object",
    "/api/v1/teachers/{teacher_id}/eligibility": "object",
    "/api/v1/teachers/{teacher_id}/promotion-check": "object",
    "/api/v1/eligibility-rules": "own",  # the region's rule, readable by its users; set by the bureau
    "/api/v1/rotations": "list",
    "/api/v1/rotations/{rotation_id}": "object",
    "/api/v1/rotation-teams": "create",
    "/api/v1/rotation-teams/{team_id}": "object",
    "/api/v1/promotions": "list",
    "/api/v1/staffing": "list",
    "/api/v1/rotation/demands": "bureau-only",
    "/api/v1/rotation/demands/{demand_id}": "object",
    "/api/v1/rotation/plans": "bureau-only",
    "/api/v1/rotation/plans/{plan_id}": "object",
    "/api/v1/rotation/plans/{plan_id}/rows/{row_id}": "object",
    "/api/v1/rotation/plans/{plan_id}/accept": "object",
    "/api/v1/rotation/plans/{plan_id}/export": "object",
    "/api/v1/surveys": "list",
    "/api/v1/surveys/{questionnaire_id}": "object",
    "/api/v1/surveys/{questionnaire_id}/satisfaction": "object",
    "/api/v1/surveys/{questionnaire_id}/responses": "object",
    "/api/v1/surveys/{questionnaire_id}/responses/template": "object",
    "/api/v1/surveys/{questionnaire_id}/responses/export": "object",
    "/api/v1/surveys/{questionnaire_id}/responses/import": "object",
    "/api/v1/admissions/summary": "own",  # groups in scope; districts for the bureau (tests/admissions)
    "/api/v1/admissions/quotas": "list",
    "/api/v1/admissions/quotas/template": "public",
    "/api/v1/admissions/quotas/export": "export",
    "/api/v1/admissions/quotas/import": "bureau-only",
    "/api/v1/admissions/quotas/{allocation_id}": "object",
    "/api/v1/admissions/entries": "list",
    "/api/v1/admissions/entries/template": "public",
    "/api/v1/admissions/entries/export": "export",
    "/api/v1/admissions/entries/import": "bureau-only",
    "/api/v1/admissions/entries/{outcome_id}": "object",
    "/api/v1/development/credit-rule": "own",  # the region's rule, readable by its users; set by the bureau
    "/api/v1/development/training": "list",
    "/api/v1/development/training/totals": "list",
    "/api/v1/development/training/{record_id}": "object",
    "/api/v1/development/certificates": "list",
    "/api/v1/development/certificates/{certificate_id}": "object",
    "/api/v1/development/groups/{group_id}/certificate-quota": "object",
    "/api/v1/development/mentoring": "list",
    "/api/v1/development/mentoring/{pair_id}": "object",
    "/api/v1/development/dispatches": "list",
    "/api/v1/development/dispatches/{dispatch_id}": "object",
    "/api/v1/development/assignments": "list",
    "/api/v1/development/assignments/{assignment_id}": "object",
    "/api/v1/development/studios": "list",
    "/api/v1/development/studios/{studio_id}": "object",
    "/api/v1/development/studios/{studio_id}/members": "object",
    "/api/v1/development/studios/{studio_id}/members/{teacher_id}": "object",
    "/api/v1/development/templates/{kind}": "public",
    "/api/v1/development/export/{kind}": "export",  # scope: tests/development/test_import_export.py
    "/api/v1/development/import/{kind}": "create",
    "/api/v1/monitoring/exams": "list",  # exams are facts of the region; writes: BODIES and tests/monitoring
    "/api/v1/monitoring/template": "public",
    "/api/v1/monitoring/exams/{exam_id}": "object",
    "/api/v1/monitoring/exams/{exam_id}/results": "object",
    "/api/v1/monitoring/exams/{exam_id}/results/jobs": "object",
    "/api/v1/monitoring/exams/{exam_id}/indicators": "object",
    "/api/v1/monitoring/exams/{exam_id}/difference-rates": "object",
    "/api/v1/monitoring/jobs/{job_id}": "object",
    "/api/v1/monitoring/groups/{group_id}/export": "object",
    "/api/v1/monitoring/regions/{region_id}/export": "object",
    "/api/v1/monitoring/exams/{exam_id}/value-added": "object",
    "/api/v1/monitoring/science-index": "own",  # the region's configuration; written by the bureau
    "/api/v1/monitoring/exams/{exam_id}/science-index": "object",
    "/api/v1/monitoring/students/{student_id}/profile": "object",
    "/api/v1/monitoring/prizes": "own",  # the caller's region's co-build pairs, its own groups unless bureau
}
BODIES = {
    ("PATCH", "/api/v1/schools/{school_id}"): {"name": "越权修改"},
    ("PATCH", "/api/v1/groups/{group_id}"): {"name": "越权修改"},
    ("POST", "/api/v1/memberships/{membership_id}/end"): {"end_date": "2026-01-01"},
    ("POST", "/api/v1/schools"): {"code": "NEW", "name": "新学校", "stage": "primary"},
    ("POST", "/api/v1/groups"): {"code": "NEW", "name": "新集团", "mode": "tight"},
    ("POST", "/api/v1/districts"): {"code": "NEW", "name": "新学区"},
    ("PATCH", "/api/v1/activities/{activity_id}"): {"title": "越权修改"},
    ("PATCH", "/api/v1/teachers/{teacher_id}"): {"name": "越权修改"},
    ("PATCH", "/api/v1/rotations/{rotation_id}"): {"purpose": "越权修改"},
    ("PATCH", "/api/v1/rotation/plans/{plan_id}/rows/{row_id}"): {"to_school_id": 1},
    ("PATCH", "/api/v1/surveys/{questionnaire_id}"): {"title": "越权修改"},
    ("PATCH", "/api/v1/admissions/quotas/{allocation_id}"): {"planned": 1},
    ("PATCH", "/api/v1/admissions/entries/{outcome_id}"): {"graduates": 1},
    ("POST", "/api/v1/admissions/quotas"): {
        "school_year": 2025,
        "school_id": 1,
        "senior_school_name": "越权",
        "planned": 1,
        "filled": 1,
    },
    ("POST", "/api/v1/admissions/entries"): {
        "school_year": 2025,
        "school_id": 1,
        "graduates": 1,
        "quality_entries": 1,
    },
    ("PUT", "/api/v1/development/credit-rule"): {
        "credits_per_hour": {"city": 0.2, "district": 0.15, "group": 0.15, "school": 0.1}
    },
    ("POST", "/api/v1/development/studios"): {"name": "越权工作室"},
    ("POST", "/api/v1/monitoring/exams"): {
        "name": "越权考试",
        "school_year": 2025,
        "held_on": "2026-05-20",
        "grade": 9,
        "subjects": ["数学"],
        "cut_excellent": 85,
        "cut_good": 75,
        "cut_pass": 60,
    },
    ("PATCH", "/api/v1/monitoring/exams/{exam_id}"): {"name": "越权修改"},
    ("PATCH", "/api/v1/development/training/{record_id}"): {"title": "越权修改"},
    ("PATCH", "/api/v1/development/certificates/{certificate_id}"): {"lesson_title": "越权修改"},
    ("PATCH", "/api/v1/development/mentoring/{pair_id}"): {"subject": "越权"},
    ("PATCH", "/api/v1/development/dispatches/{dispatch_id}"): {"subject": "越权"},
    ("PATCH", "/api/v1/development/assignments/{assignment_id}"): {"note": "越权修改"},
    ("PATCH", "/api/v1/development/studios/{studio_id}"): {"name": "越权修改"},
    ("POST", "/api/v1/development/studios/{studio_id}/members"): {"teacher_id": 1},
    ("PATCH", "/api/v1/development/studios/{studio_id}/members/{teacher_id}"): {"left_on": "2026-01-01"},
}
ROLES = ["group", "school", "teacher", "other-bureau"]


def api_routes():
    """Every (method, path) the API publishes, read from its OpenAPI document."""
    paths = create_app().openapi()["paths"]
    routes = [
        (method.upper(), path)
        for path, item in paths.items()
        if path.startswith("/api/")
        for method in sorted(item)
    ]
    assert len(routes) > 20
    return routes


def test_every_api_route_is_in_the_walk():
    missing = sorted({path for _, path in api_routes()} - set(ROUTES))
    assert missing == [], f"add these routes to the scoping walk: {missing}"


def _hidden_objects(world, role):
    """For each path parameter, an object the role must not reach."""
    s = world.schools
    membership_of = {
        m.school_id: m.id
        for m in service.membership_history(
            world.session, world.scope("bureau"), group_id=world.groups["pair"]
        )
    }
    tight_membership = service.membership_history(
        world.session, world.scope("bureau"), group_id=world.groups["tight"]
    )[0].id
    district = service.list_districts(world.session, world.scope("bureau"))[0].id
    hidden = {
        "group": {
            "school_id": s["C"],
            "group_id": world.groups["pair"],
            "membership_id": membership_of[s["C"]],
        },
        "school": {
            "school_id": s["A"],
            "group_id": world.groups["pair"],
            "membership_id": membership_of[s["D"]],
        },
        "teacher": {
            "school_id": s["A"],
            "group_id": world.groups["pair"],
            "membership_id": membership_of[s["C"]],
        },
        "other-bureau": {
            "school_id": s["A"],
            "group_id": world.groups["tight"],
            "membership_id": tight_membership,
            "district_id": district,
            "region_id": world.region_id,
        },
    }[role]
    hidden.setdefault("region_id", world.other_region_id)
    hidden.setdefault("district_id", district)
    hidden["activity_id"], hidden["attachment_id"] = _pair_activity(world)
    hidden.update(rotation_factories.hidden_objects(world))
    hidden.update(development_factories.hidden_objects(world))
    hidden.update(survey_factories.hidden_objects(world))
    hidden.update(admissions_factories.hidden_objects(world))
    hidden.update(monitoring_factories.hidden_objects(world, role))
    hidden["student_id"] = profile_factories.hidden_student(world)
    return hidden


def _pair_activity(world):
    """An activity of the co-build pair (schools C and D) with one evidence file: no other role reaches it."""
    activity = activities_service.create_activity(
        world.session,
        world.scope("bureau"),
        ActivityCreate(
            kind="joint_research",
            occurred_on=date(2025, 10, 10),
            title="共建体联合教研",
            group_id=world.groups["pair"],
            school_ids=[world.schools["C"], world.schools["D"]],
        ),
    )
    evidence = ActivityAttachment(
        filename="证明.pdf",
        stored_name="0" * 32 + ".pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    activity.attachments.append(evidence)
    world.session.flush()
    return activity.id, evidence.id


@pytest.mark.parametrize("role", ROLES)
def test_out_of_scope_objects_answer_404_or_403_on_every_route(world, client, role):
    hidden = _hidden_objects(world, role)
    checked = 0
    for method, path in api_routes():
        if ROUTES[path] != "object":
            continue
        url = path
        for name, value in hidden.items():
            url = url.replace("{" + name + "}", str(value))
        if path == "/api/v1/districts/{district_id}" and role != "other-bureau":
            continue  # districts are geographic facts of the user's own region, visible to all its users
        response = client.request(method, url, json=BODIES.get((method, path)), headers=auth(world, role))
        assert response.status_code in (403, 404), f"{role} {method} {url} -> {response.status_code}"
        assert "message" in response.json()
        checked += 1
    assert checked >= 19


@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_only_objects_in_scope(world, client, role):
    scope = world.scope(role)
    visible_schools = {s.id for s in service.list_schools(world.session, scope)}
    headers = auth(world, role)
    schools = {row["id"] for row in client.get("/api/v1/schools", headers=headers).json()}
    assert schools == visible_schools
    assert all(scope.can_see_school(i, scope.region_id) for i in schools)
    groups = {row["id"] for row in client.get("/api/v1/groups", headers=headers).json()}
    assert all(scope.can_see_group(i, scope.region_id) for i in groups)
    regions = [row["id"] for row in client.get("/api/v1/regions", headers=headers).json()]
    assert regions == [scope.region_id]
    districts = client.get("/api/v1/districts", headers=headers).json()
    assert all(row["region_id"] == scope.region_id for row in districts)
    hidden = _hidden_objects(world, role)
    assert hidden["school_id"] not in schools
    assert hidden["group_id"] not in groups


@pytest.mark.parametrize("role", ROLES)
def test_exports_hold_only_objects_in_scope(world, client, role):
    headers = auth(world, role)
    for kind in ("schools", "groups", "memberships"):
        response = client.get(f"/api/v1/export/{kind}?format=csv", headers=headers)
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        if role in ("group", "teacher"):
            assert "测试丙初中" not in text
        if role == "school":
            assert "测试甲小学" not in text
        if role == "other-bureau":
            assert "测试甲小学" not in text
            assert "测试第一教育集团" not in text


@pytest.mark.parametrize("role", ["group", "school", "teacher"])
def test_writes_and_bureau_pages_are_refused_to_other_roles(world, client, role):
    headers = auth(world, role)
    for (method, path), body in BODIES.items():
        if "{" in path:
            continue
        assert client.request(method, path, json=body, headers=headers).status_code == 403
    membership = {
        "group_id": world.groups["tight"],
        "school_id": world.schools["E"],
        "start_date": "2025-09-01",
    }
    assert client.post("/api/v1/memberships", json=membership, headers=headers).status_code == 403
    assert client.get("/api/v1/audit", headers=headers).status_code == 403
    assert client.get("/api/v1/audit/export", headers=headers).status_code == 403
    upload = {"file": ("schools.csv", "学校代码,学校名称,学段\nZ,新,小学\n".encode(), "text/csv")}
    assert client.post("/api/v1/import/schools", files=upload, headers=headers).status_code == 403


def test_another_region_cannot_put_its_schools_into_our_groups(world, client):
    membership = {
        "group_id": world.groups["tight"],
        "school_id": world.schools["X"],
        "start_date": "2025-09-01",
    }
    assert (
        client.post("/api/v1/memberships", json=membership, headers=auth(world, "bureau")).status_code == 404
    )
    assert (
        client.post("/api/v1/memberships", json=membership, headers=auth(world, "other-bureau")).status_code
        == 404
    )


def test_in_scope_objects_are_readable_by_each_role(world, client):
    today = date.today().isoformat()
    for role, school in [("group", "A"), ("school", "B"), ("teacher", "B"), ("bureau", "C")]:
        headers = auth(world, role)
        assert client.get(f"/api/v1/schools/{world.schools[school]}", headers=headers).status_code == 200
        assert (
            client.get(
                f"/api/v1/schools/{world.schools[school]}/groups?on={today}", headers=headers
            ).status_code
            == 200
        )
    assert (
        client.get(
            f"/api/v1/groups/{world.groups['tight']}/members", headers=auth(world, "group")
        ).status_code
        == 200
    )
