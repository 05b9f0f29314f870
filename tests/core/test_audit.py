from datetime import date

from tests.conftest import auth

from edugroup.core import audit
from edugroup.core.auth import bind_actor
from edugroup.core.models import AuditEntry
from edugroup.org import service
from edugroup.org.schemas import MembershipCreate, SchoolUpdate


def _entries(session, entity_type, entity_id):
    from sqlalchemy import select

    stmt = select(AuditEntry).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id)
    )
    return list(session.scalars(stmt.order_by(AuditEntry.id)))


def test_create_update_and_delete_record_who_what_before_and_after(world):
    session = world.session
    scope = world.scope("bureau")
    bind_actor(session, scope)
    school_id = world.schools["E"]
    service.update_school(session, scope, school_id, SchoolUpdate(name="测试戊小学(新)", student_count=520))
    service.delete_school(session, scope, school_id)
    entries = _entries(session, "schools", school_id)
    assert [e.action for e in entries] == ["create", "update", "delete"]
    update = entries[1]
    assert update.actor == "bureau"
    assert update.user_id == world.users["bureau"]
    assert update.before == {"name": "测试戊小学", "student_count": 500}
    assert update.after == {"name": "测试戊小学(新)", "student_count": 520}
    assert entries[2].before["name"] == "测试戊小学(新)"
    assert entries[2].after is None


def test_password_hashes_never_reach_the_audit_log(world):
    entry = _entries(world.session, "users", world.users["bureau"])[0]
    assert entry.after["password_hash"] == "***"


def test_membership_changes_are_audited_with_dates(world):
    session = world.session
    scope = world.scope("bureau")
    bind_actor(session, scope)
    membership = service.add_membership(
        session,
        scope,
        MembershipCreate(
            group_id=world.groups["tight"], school_id=world.schools["E"], start_date=date(2025, 9, 1)
        ),
    )
    service.end_membership(session, scope, membership.id, date(2026, 8, 31))
    entries = _entries(session, "memberships", membership.id)
    assert entries[0].after["start_date"] == "2025-09-01"
    assert entries[1].before == {"end_date": None}
    assert entries[1].after == {"end_date": "2026-08-31"}


def test_bureau_administrators_read_and_export_the_audit_log(world, client):
    client.patch(
        f"/api/v1/schools/{world.schools['E']}", json={"name": "改名小学"}, headers=auth(world, "bureau")
    )
    rows = client.get("/api/v1/audit?entity_type=schools", headers=auth(world, "bureau")).json()
    assert rows[0]["action"] == "update"
    assert rows[0]["actor"] == "bureau"
    assert rows[0]["after"] == {"name": "改名小学"}
    exported = client.get("/api/v1/audit/export?format=csv", headers=auth(world, "bureau"))
    assert exported.status_code == 200
    assert "改名小学" in exported.content.decode("utf-8-sig")
    assert exported.content.decode("utf-8-sig").startswith("时间,操作人,操作")


def test_the_audit_log_is_closed_to_other_roles_and_regions(world, client):
    for name in ("group", "school", "teacher"):
        assert client.get("/api/v1/audit", headers=auth(world, name)).status_code == 403
    other = client.get("/api/v1/audit", headers=auth(world, "other-bureau")).json()
    assert all(
        row["entity_id"] != str(world.schools["A"]) or row["entity_type"] != "schools" for row in other
    )


def test_entry_rows_render_json_in_chinese(world):
    entry = _entries(world.session, "schools", world.schools["A"])[0]
    row = audit.entry_row(entry)
    assert row[2] == "新增"
    assert "测试甲小学" in row[6]
