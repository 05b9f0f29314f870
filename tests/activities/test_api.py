import pytest
from sqlalchemy import select
from tests.activities.conftest import record
from tests.conftest import auth

from edugroup.core.models import AuditEntry


def body(world, **fields):
    return {
        "kind": "joint_research",
        "occurred_on": "2025-10-10",
        "title": "集团联合教研",
        "group_id": world.groups["tight"],
        "school_ids": [world.schools["A"], world.schools["B"]],
        **fields,
    }


def test_an_activity_is_created_read_updated_and_deleted_through_the_api(world, client):
    headers = auth(world, "group")
    created = client.post("/api/v1/activities", json=body(world), headers=headers)
    assert created.status_code == 201, created.text
    activity = created.json()
    assert activity["kind_label"] == "联合教研"
    assert activity["semester"] == "2025-1"
    assert activity["school_ids"] == sorted([world.schools["A"], world.schools["B"]])
    assert activity["has_report"] is False
    url = f"/api/v1/activities/{activity['id']}"
    assert client.get(url, headers=headers).json()["title"] == "集团联合教研"
    changed = client.patch(url, json={"title": "改后", "school_ids": [world.schools["A"]]}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["school_ids"] == [world.schools["A"]]
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    actions = world.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "activities", AuditEntry.entity_id == str(activity["id"]))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "update", "delete"]
    actors = set(
        world.session.scalars(select(AuditEntry.actor).where(AuditEntry.entity_type == "activities"))
    )
    assert actors == {"group"}


def test_the_list_filters_by_kind_group_school_and_dates(world, client):
    g, s = world.groups, world.schools
    record(world, group_id=g["tight"], occurred_on="2026-01-31")
    record(world, group_id=g["tight"], occurred_on="2026-02-01")
    record(world, kind="public_lesson", school_id=s["C"], school_ids=[s["D"]], occurred_on="2026-03-01")
    headers = auth(world, "bureau")

    def titles(query):
        response = client.get(f"/api/v1/activities?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [(row["kind"], row["occurred_on"]) for row in response.json()]

    assert titles("kind=public_lesson") == [("public_lesson", "2026-03-01")]
    assert titles(f"group_id={g['tight']}&from=2025-09-01&to=2026-01-31") == [
        ("joint_research", "2026-01-31")
    ]
    assert titles(f"school_id={s['D']}") == [("public_lesson", "2026-03-01")]
    assert len(titles("limit=2")) == 2
    assert client.get("/api/v1/activities?kind=picnic", headers=headers).status_code == 422


@pytest.mark.parametrize("role", ["group", "school", "teacher", "other-bureau"])
def test_an_activity_out_of_scope_answers_404_on_every_route(world, client, role):
    hidden = record(world, group_id=world.groups["pair"], school_ids=[world.schools["C"]])
    headers = auth(world, role)
    url = f"/api/v1/activities/{hidden.id}"
    assert client.get(url, headers=headers).status_code == 404
    assert client.patch(url, json={"title": "越权"}, headers=headers).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    upload = {"file": ("证明.pdf", b"%PDF-1.4 x", "application/pdf")}
    assert client.post(f"{url}/attachments", files=upload, headers=headers).status_code == 404
    listed = {row["id"] for row in client.get("/api/v1/activities", headers=headers).json()}
    assert hidden.id not in listed
    exported = client.get("/api/v1/activities/export?format=csv", headers=headers).content.decode("utf-8-sig")
    assert exported.strip().splitlines() == [exported.splitlines()[0]]


def test_a_visible_activity_the_user_may_not_write_answers_403(world, client):
    shared = record(world, group_id=world.groups["pair"], school_ids=[world.schools["B"]])
    for role in ("group", "school"):
        headers = auth(world, role)
        url = f"/api/v1/activities/{shared.id}"
        assert client.get(url, headers=headers).status_code == 200
        refused = client.patch(url, json={"title": "越权"}, headers=headers)
        assert refused.status_code == 403
        assert "只能记录本集团或本校" in refused.json()["message"]
        assert client.delete(url, headers=headers).status_code == 403


def test_a_teacher_may_not_record_activities(world, client):
    refused = client.post("/api/v1/activities", json=body(world), headers=auth(world, "teacher"))
    assert refused.status_code == 403
    assert "仅限" in refused.json()["message"]


def test_invalid_records_answer_422_with_the_field(world, client):
    headers = auth(world, "bureau")
    showcase = client.post("/api/v1/activities", json=body(world, kind="showcase"), headers=headers)
    assert showcase.status_code == 422
    assert showcase.json()["field"] == "level"
    nobody = client.post("/api/v1/activities", json=body(world, group_id=None), headers=headers)
    assert nobody.status_code == 422
    assert nobody.json()["field"] == "group_id"
    null_title = client.patch(
        f"/api/v1/activities/{record(world, group_id=world.groups['tight']).id}",
        json={"title": None},
        headers=headers,
    )
    assert null_title.status_code == 422


def test_the_kinds_are_listed_with_chinese_labels(client):
    kinds = client.get("/api/v1/activities/kinds").json()
    assert {"id": "showcase", "label": "展示交流"} in kinds
    assert len(kinds) == 15
