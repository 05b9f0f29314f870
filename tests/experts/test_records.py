"""Expert assignments (QP-05, QP-07.a)."""

from datetime import date

import pytest
from tests.conftest import auth

from edugroup.core.errors import Forbidden, InvalidInput
from edugroup.experts import service
from edugroup.experts.schemas import AssignmentCreate


def test_an_assignment_names_one_person_and_one_school_or_programme(world):
    bureau = world.scope("bureau")
    with pytest.raises(InvalidInput) as refused:
        service.create_assignment(
            world.session,
            bureau,
            AssignmentCreate(
                role="guiding_expert", started_on=date(2025, 9, 1), school_id=world.schools["C"]
            ),
        )
    assert refused.value.field == "teacher_id"
    with pytest.raises(InvalidInput) as refused:
        service.create_assignment(
            world.session,
            bureau,
            AssignmentCreate(
                role="guiding_expert",
                expert_name="专家",
                started_on=date(2025, 9, 1),
                school_id=world.schools["C"],
                group_id=world.groups["pair"],
            ),
        )
    assert refused.value.field == "school_id"
    with pytest.raises(Forbidden):
        service.create_assignment(
            world.session,
            world.scope("group"),
            AssignmentCreate(
                role="guiding_expert",
                expert_name="专家",
                started_on=date(2025, 9, 1),
                school_id=world.schools["A"],
            ),
        )


def test_assignments_are_seen_by_the_bureau_and_the_schools_and_groups_they_serve(world, client):
    created = service.create_assignment(
        world.session,
        world.scope("bureau"),
        AssignmentCreate(
            role="classroom_observer",
            expert_name="外部观察员",
            started_on=date(2025, 9, 1),
            school_id=world.schools["B"],
        ),
    )
    seen = {
        role: [
            a["id"] for a in client.get("/api/v1/development/assignments", headers=auth(world, role)).json()
        ]
        for role in ("bureau", "group", "school", "teacher", "other-bureau")
    }
    assert seen == {
        "bureau": [created.id],
        "group": [created.id],
        "school": [created.id],
        "teacher": [],
        "other-bureau": [],
    }
    assert (
        client.get(
            f"/api/v1/development/assignments/{created.id}", headers=auth(world, "teacher")
        ).status_code
        == 404
    )
    changed = client.patch(
        f"/api/v1/development/assignments/{created.id}",
        json={"ended_on": "2026-08-31"},
        headers=auth(world, "bureau"),
    )
    assert changed.json()["ended_on"] == "2026-08-31"
    assert changed.json()["person"] == "外部观察员"
