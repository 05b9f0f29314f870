"""Teacher records: who keeps them, who sees them, what they hold (HK-04, QP-02, QP-03)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from tests.conftest import auth
from tests.teachers.factories import teacher
from tests.web.test_pages import login

from edugroup.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from edugroup.core.models import AuditEntry
from edugroup.teachers import service
from edugroup.teachers.models import Honour, Teacher
from edugroup.teachers.schemas import StaffingCreate, TeacherCreate, TeacherUpdate


def test_a_teacher_record_holds_subjects_title_backbone_tier_honours_and_dates(world):
    t = teacher(
        world,
        "A",
        subject="语文",
        extra_subjects="书法、道德与法治",
        title="高级教师",
        backbone_tier=2,
        honours=["famous_teacher", "seed_team"],
        pool_group_id=world.groups["tight"],
    )
    assert t.subjects == ["语文", "书法", "道德与法治"]
    assert (t.is_backbone, t.backbone_label) == (True, "第二层级")
    assert t.honours == [Honour.famous_teacher, Honour.seed_team]
    assert t.honour_labels == ["名师", "种子团队成员"]
    assert t.pool_group_id == world.groups["tight"]


def test_a_second_teacher_with_the_same_staff_number_is_refused(world):
    teacher(world, "A", staff_number="S-1")
    with pytest.raises(Conflict) as caught:
        teacher(world, "B", staff_number="S-1")
    assert caught.value.field == "staff_number"


def test_a_backbone_tier_outside_the_five_levels_names_the_field(world, client):
    body = {
        "staff_number": "S-9",
        "name": "某",
        "school_id": world.schools["A"],
        "subject": "数学",
        "backbone_tier": 6,
    }
    response = client.post("/api/v1/teachers", json=body, headers=auth(world, "bureau"))
    assert response.status_code == 422
    assert response.json()["field"] == "backbone_tier"


def test_a_school_administrator_keeps_its_own_school_only(world):
    school = world.scope("school")  # school B
    data = {"staff_number": "S-2", "name": "某", "subject": "数学"}
    made = service.create_teacher(world.session, school, TeacherCreate(school_id=world.schools["B"], **data))
    assert made.school_id == world.schools["B"]
    with pytest.raises(NotFound) as caught:
        service.create_teacher(world.session, school, TeacherCreate(school_id=world.schools["A"], **data))
    assert caught.value.field == "school_id"
    with pytest.raises(NotFound):
        service.update_teacher(world.session, school, made.id, TeacherUpdate(school_id=world.schools["A"]))
    with pytest.raises(Forbidden):
        service.update_teacher(
            world.session,
            world.scope("teacher"),
            world.session.scalar(select(Teacher.id).where(Teacher.staff_number == "T-B-1")),
            TeacherUpdate(name="改名"),
        )


def test_a_teacher_reads_only_its_own_record(world, client):
    other = teacher(world, "B")
    headers = auth(world, "teacher")
    listed = client.get("/api/v1/teachers", headers=headers).json()
    assert [row["staff_number"] for row in listed] == ["T-B-1"]
    assert client.get(f"/api/v1/teachers/{other.id}", headers=headers).status_code == 404
    assert (
        client.patch(
            f"/api/v1/teachers/{listed[0]['id']}", json={"name": "改名"}, headers=headers
        ).status_code
        == 403
    )


def test_a_group_head_sees_its_schools_and_its_pool(world):
    at_c = teacher(world, "C")
    pooled = teacher(world, "C", pool_group_id=world.groups["tight"])
    seen = {t.id for t in service.list_teachers(world.session, world.scope("group"))}
    assert pooled.id in seen
    assert at_c.id not in seen
    assert {t.school_id for t in service.list_teachers(world.session, world.scope("school"))} == {
        world.schools["B"]
    }


def test_changes_to_a_teacher_are_audited(world):
    t = teacher(world, "A")
    service.update_teacher(
        world.session, world.scope("bureau"), t.id, TeacherUpdate(backbone_tier=1, honours=["seed_team"])
    )
    entry = world.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "teachers", AuditEntry.action == "update")
    ).first()
    assert entry is not None
    assert entry.after == {"backbone_tier": 1, "seed_team": True}


def test_the_list_filters_by_honour_and_backbone(world, client):
    teacher(world, "A", honours=["municipal_famous_principal"])
    teacher(world, "A", backbone_tier=3)
    headers = auth(world, "bureau")
    famous = client.get("/api/v1/teachers?honour=municipal_famous_principal", headers=headers).json()
    assert len(famous) == 1
    backbone = client.get("/api/v1/teachers?backbone=true", headers=headers).json()
    assert [row["backbone_tier"] for row in backbone] == [3]


# --- recruitment and title applications at group level (HK-04) -----------------------------------


def test_a_group_head_records_recruitment_and_title_applications_for_its_schools(world, client):
    t = teacher(world, "B")
    headers = auth(world, "group")
    recruitment = {
        "group_id": world.groups["tight"],
        "kind": "recruitment",
        "recorded_on": "2025-03-01",
        "school_id": world.schools["B"],
        "subject": "英语",
        "positions": 2,
    }
    assert client.post("/api/v1/staffing", json=recruitment, headers=headers).status_code == 201
    application = {
        "group_id": world.groups["tight"],
        "kind": "title_application",
        "recorded_on": "2025-03-01",
        "teacher_id": t.id,
        "title": "高级教师",
    }
    assert client.post("/api/v1/staffing", json=application, headers=headers).status_code == 201
    rows = client.get("/api/v1/staffing", headers=headers).json()
    assert sorted(r["kind_label"] for r in rows) == ["招聘", "职称申报"]
    assert client.get("/api/v1/staffing", headers=auth(world, "other-bureau")).json() == []
    login(client, "group")
    page = client.get("/teachers").text
    assert 'id="staffing"' in page
    assert "职称申报" in page


def test_staffing_refuses_another_groups_records_and_names_missing_fields(world):
    group = world.scope("group")
    with pytest.raises(NotFound):
        service.create_staffing(
            world.session,
            group,
            StaffingCreate(
                group_id=world.groups["pair"],
                kind="recruitment",
                recorded_on=date(2025, 3, 1),
                subject="数学",
            ),
        )
    with pytest.raises(InvalidInput) as caught:
        service.create_staffing(
            world.session,
            group,
            StaffingCreate(
                group_id=world.groups["tight"], kind="title_application", recorded_on=date(2025, 3, 1)
            ),
        )
    assert caught.value.field == "teacher_id"
    with pytest.raises(InvalidInput) as not_member:
        service.create_staffing(
            world.session,
            world.scope("bureau"),
            StaffingCreate(
                group_id=world.groups["tight"],
                kind="recruitment",
                recorded_on=date(2025, 3, 1),
                subject="数学",
                school_id=world.schools["C"],
            ),
        )
    assert not_member.value.field == "school_id"
