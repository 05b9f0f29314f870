"""Mentoring pairs (OH-09, HD-03) and teacher dispatch (HD-03)."""

from datetime import date

import pytest
from tests.conftest import auth
from tests.development.factories import add_teachers

from edugroup.core.errors import Conflict, InvalidInput, NotFound
from edugroup.mentoring import service
from edugroup.mentoring.schemas import DispatchCreate, MentoringCreate


def test_a_mentoring_pair_is_recorded_ended_and_shows_whether_the_mentor_is_backbone(world, client):
    mentor = add_teachers(world, "A", backbone=True)[0]
    mentee = world.scope("teacher").teacher_id
    headers = auth(world, "group")
    body = {
        "mentor_id": mentor,
        "mentee_id": mentee,
        "group_id": world.groups["tight"],
        "started_on": "2025-09-01",
    }
    created = client.post("/api/v1/development/mentoring", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["mentor_backbone"] is True
    url = f"/api/v1/development/mentoring/{created.json()['id']}"
    ended = client.patch(url, json={"ended_on": "2026-06-30"}, headers=headers)
    assert ended.json()["ended_on"] == "2026-06-30"
    again = client.post("/api/v1/development/mentoring", json=body, headers=headers)
    assert again.status_code == 409
    assert again.json()["field"] == "mentee_id"
    assert client.get(url, headers=auth(world, "teacher")).status_code == 200  # the mentee sees its pair
    assert client.get(url, headers=auth(world, "other-bureau")).status_code == 404
    later = {**body, "started_on": "2026-09-01"}
    assert client.post("/api/v1/development/mentoring", json=later, headers=headers).status_code == 201


def test_a_teacher_cannot_mentor_itself_and_both_teachers_must_be_in_scope(world):
    own = world.scope("teacher").teacher_id
    with pytest.raises(InvalidInput) as refused:
        service.create_pair(
            world.session,
            world.scope("bureau"),
            MentoringCreate(mentor_id=own, mentee_id=own, started_on=date(2025, 9, 1)),
        )
    assert refused.value.field == "mentee_id"
    outsider = add_teachers(world, "C")[0]
    with pytest.raises(NotFound) as hidden:
        service.create_pair(
            world.session,
            world.scope("school"),
            MentoringCreate(mentor_id=outsider, mentee_id=own, started_on=date(2025, 9, 1)),
        )
    assert hidden.value.field == "mentor_id"


def test_a_dispatch_keeps_the_sending_school_and_refuses_the_same_school(world, client):
    teacher = add_teachers(world, "A", backbone=True)[0]
    headers = auth(world, "group")
    body = {
        "kind": "backbone_post",
        "teacher_id": teacher,
        "to_school_id": world.schools["B"],
        "group_id": world.groups["tight"],
        "started_on": "2025-09-01",
        "ended_on": "2026-01-31",
    }
    created = client.post("/api/v1/development/dispatches", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["from_school_id"], created.json()["kind_label"]) == (
        world.schools["A"],
        "骨干教师顶岗任教",
    )
    same = client.post(
        "/api/v1/development/dispatches", json={**body, "to_school_id": world.schools["A"]}, headers=headers
    )
    assert (same.status_code, same.json()["field"]) == (422, "to_school_id")
    assert (
        client.post("/api/v1/development/dispatches", json=body, headers=auth(world, "school")).status_code
        == 403
    )
    # the receiving school sees the teacher sent to it
    listed = client.get("/api/v1/development/dispatches", headers=auth(world, "school")).json()
    assert [d["id"] for d in listed] == [created.json()["id"]]


def test_overlapping_pairs_of_the_same_two_teachers_are_refused(world):
    mentor, mentee = add_teachers(world, "A", 2)
    data = MentoringCreate(
        mentor_id=mentor, mentee_id=mentee, started_on=date(2025, 9, 1), ended_on=date(2026, 6, 30)
    )
    service.create_pair(world.session, world.scope("bureau"), data)
    with pytest.raises(Conflict):
        service.create_pair(
            world.session,
            world.scope("bureau"),
            MentoringCreate(mentor_id=mentor, mentee_id=mentee, started_on=date(2026, 6, 1)),
        )


def test_a_dispatch_of_a_teacher_out_of_scope_is_not_found(world):
    outsider = add_teachers(world, "C")[0]
    with pytest.raises(NotFound) as hidden:
        service.create_dispatch(
            world.session,
            world.scope("group"),
            DispatchCreate(
                kind="special_needs",
                teacher_id=outsider,
                to_school_id=world.schools["A"],
                started_on=date(2025, 9, 1),
            ),
        )
    assert hidden.value.field == "teacher_id"
