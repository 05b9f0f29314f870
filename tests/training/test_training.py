"""Training and showcase records: credits by the region's rule (HK-10, SH-10), yearly totals, scope."""

from datetime import date

import pytest
from sqlalchemy import select
from tests.conftest import auth
from tests.development.factories import add_teachers, training

from edugroup.core.errors import Forbidden, InvalidInput, NotFound
from edugroup.core.models import AuditEntry
from edugroup.training import service
from edugroup.training.models import TrainingLevel
from edugroup.training.schemas import CreditRuleUpdate, TrainingUpdate

RULE = {"city": 0.2, "district": 0.15, "group": 0.15, "school": 0.1}


def test_the_default_rule_is_seeded_and_group_training_earns_more_than_school_based(world):
    rule = service.credit_rule(world.session, world.region_id)
    assert rule.default
    assert rule.credits_per_hour[TrainingLevel.group] > rule.credits_per_hour[TrainingLevel.school]
    teacher = add_teachers(world, "A")[0]
    group_level = training(world, teacher, level="group", group_id=world.groups["tight"], hours=20)
    school_level = training(world, teacher, level="school", hours=20)
    assert group_level.credits > school_level.credits
    assert (group_level.credit_rate, group_level.credits) == (0.12, 2.4)
    assert (school_level.credit_rate, school_level.credits) == (0.1, 2.0)


def test_a_region_sets_its_own_rule_and_credits_already_granted_keep_theirs(world):
    teacher = add_teachers(world, "A")[0]
    before = training(world, teacher, level="city", hours=10)
    rule = service.set_credit_rule(
        world.session, world.scope("bureau"), CreditRuleUpdate(credits_per_hour=RULE)
    )
    assert not rule.default
    after = training(world, teacher, level="city", hours=10)
    assert (before.credits, after.credits) == (1.5, 2.0)
    other = service.credit_rule(world.session, world.other_region_id)
    assert other.default  # another region keeps the default
    changed = service.update_training(
        world.session, world.scope("bureau"), before.id, TrainingUpdate(hours=5)
    )
    assert (changed.credit_rate, changed.credits) == (0.2, 1.0)  # a changed record is computed again


@pytest.mark.parametrize("group_rate", [0.1, 0.05])
def test_a_rule_where_group_training_does_not_earn_more_than_school_based_is_refused(world, group_rate):
    with pytest.raises(InvalidInput) as refused:
        service.set_credit_rule(
            world.session,
            world.scope("bureau"),
            CreditRuleUpdate(credits_per_hour={**RULE, "group": group_rate}),
        )
    assert refused.value.field == "group"
    assert "必须高于校本培训" in refused.value.message


def test_a_rule_needs_every_level_and_only_the_bureau_sets_it(world, client):
    incomplete = {"credits_per_hour": {"city": 0.2, "group": 0.2, "school": 0.1}}
    response = client.put("/api/v1/development/credit-rule", json=incomplete, headers=auth(world, "bureau"))
    assert response.status_code == 422
    assert response.json()["field"] == "district"
    body = {"credits_per_hour": RULE}
    assert (
        client.put("/api/v1/development/credit-rule", json=body, headers=auth(world, "group")).status_code
        == 403
    )
    assert (
        client.put("/api/v1/development/credit-rule", json=body, headers=auth(world, "bureau")).status_code
        == 200
    )
    shown = client.get("/api/v1/development/credit-rule", headers=auth(world, "teacher")).json()
    assert shown["default"] is False
    assert shown["credits_per_hour"]["group"] == 0.15


def test_group_level_training_names_its_organising_group_or_district(world):
    teacher = add_teachers(world, "A")[0]
    with pytest.raises(InvalidInput) as refused:
        training(world, teacher, level="group")
    assert refused.value.field == "group_id"
    from edugroup.org import service as org

    district = org.list_districts(world.session, world.scope("bureau"))[0]
    assert training(world, teacher, level="group", district_id=district.id).district_id == district.id


def test_a_showcase_is_recorded_with_its_recognition_level_above_school_level(world):
    teacher = add_teachers(world, "A")[0]
    group_show = training(world, teacher, kind="showcase", level="group", group_id=world.groups["tight"])
    school_show = training(world, teacher, kind="showcase", level="school")
    assert group_show.recognition_rank > school_show.recognition_rank
    assert group_show.credits > school_show.credits


def test_yearly_totals_add_each_teachers_hours_and_credits_by_level(world, client):
    a, b = add_teachers(world, "A", 2)
    training(world, a, level="city", hours=10, started_on=date(2025, 9, 15))
    training(world, a, level="school", hours=10, started_on=date(2026, 8, 31))
    training(world, a, level="school", hours=4, started_on=date(2025, 12, 1))
    training(world, a, level="school", hours=99, started_on=date(2026, 9, 1))  # the next school year
    training(world, b, level="district", hours=5, started_on=date(2026, 3, 1))
    totals = {t.teacher.id: t for t in service.training_totals(world.session, world.scope("bureau"), 2025)}
    assert set(totals) == {a, b}
    assert totals[a].hours == 24
    assert totals[a].credits == 2.9
    assert totals[a].hours_by_level == {TrainingLevel.city: 10, TrainingLevel.school: 14}
    assert totals[a].records == 3
    body = client.get("/api/v1/development/training/totals?year=2025", headers=auth(world, "bureau")).json()
    assert {row["teacher_id"]: row["credits"] for row in body} == {a: 2.9, b: 0.6}


def test_training_is_recorded_read_changed_and_deleted_through_the_api_with_audit(world, client):
    teacher = add_teachers(world, "B")[0]
    headers = auth(world, "school")  # the administrator of school B
    body = {
        "teacher_id": teacher,
        "level": "district",
        "title": "区级培训",
        "started_on": "2025-10-01",
        "hours": 8,
    }
    created = client.post("/api/v1/development/training", json=body, headers=headers)
    assert created.status_code == 201, created.text
    record = created.json()
    assert (record["credits"], record["school_year"], record["level_label"]) == (0.96, 2025, "区级")
    url = f"/api/v1/development/training/{record['id']}"
    assert client.patch(url, json={"hours": 10}, headers=headers).json()["credits"] == 1.2
    assert client.patch(url, json={"hours": None}, headers=headers).json()["field"] == "hours"
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    actions = world.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "training_records", AuditEntry.entity_id == str(record["id"]))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "update", "delete"]


def test_invalid_training_names_the_field(world, client):
    teacher = add_teachers(world, "A")[0]
    body = {"teacher_id": teacher, "level": "school", "title": "x", "started_on": "2025-10-01", "hours": 0}
    response = client.post("/api/v1/development/training", json=body, headers=auth(world, "bureau"))
    assert (response.status_code, response.json()["field"]) == (422, "hours")
    late = {**body, "hours": 2, "ended_on": "2025-09-01"}
    response = client.post("/api/v1/development/training", json=late, headers=auth(world, "bureau"))
    assert response.status_code == 422
    assert "结束日期早于开始日期" in response.json()["message"]


def test_each_role_sees_the_training_of_its_teachers_only(world):
    a = add_teachers(world, "A")[0]
    own = world.scope("teacher").teacher_id
    for teacher in (a, own):
        training(world, teacher)
    seen = {
        role: {r.teacher_id for r in service.list_training(world.session, world.scope(role))}
        for role in ("bureau", "group", "school", "teacher", "other-bureau")
    }
    assert seen == {
        "bureau": {a, own},
        "group": {a, own},
        "school": {own},
        "teacher": {own},
        "other-bureau": set(),
    }


def test_training_of_a_teacher_out_of_scope_is_refused_and_teachers_only_read(world):
    a = add_teachers(world, "A")[0]
    with pytest.raises(NotFound) as hidden:
        training(world, a, who="school")
    assert hidden.value.field == "teacher_id"
    with pytest.raises(Forbidden):
        training(world, world.scope("teacher").teacher_id, who="teacher")
    record = training(world, a)
    with pytest.raises(NotFound):
        service.get_training(world.session, world.scope("school"), record.id)
