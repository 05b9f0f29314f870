"""Records of the co-build pair's schools (C and D) that no role but the bureau may reach: for the API walk."""

from __future__ import annotations

from datetime import date

from tests.teachers_development.conftest import add_teachers

from edugroup.activities import service as activities_service
from edugroup.activities.schemas import ActivityCreate
from edugroup.teachers.development import service
from edugroup.teachers.development.schemas import (
    AssignmentCreate,
    CertificateCreate,
    DispatchCreate,
    MentoringCreate,
    StudioCreate,
    TrainingCreate,
)


def hidden_objects(world) -> dict[str, int]:
    """A training record, certificate, mentoring pair, dispatch, assignment and studio of schools C and D."""
    session, bureau = world.session, world.scope("bureau")
    c, d = add_teachers(world, "C", 7)[0], add_teachers(world, "D")[0]
    pair = world.groups["pair"]
    day = date(2025, 10, 1)
    training = service.create_training(
        session, bureau, TrainingCreate(teacher_id=c, level="school", title="校本", started_on=day, hours=2)
    )
    certificate = service.create_certificate(
        session, bureau, CertificateCreate(teacher_id=c, group_id=pair, issued_on=day, lesson_title="示范课")
    )
    mentoring = service.create_pair(
        session, bureau, MentoringCreate(mentor_id=c, mentee_id=d, group_id=pair, started_on=day)
    )
    dispatch = service.create_dispatch(
        session,
        bureau,
        DispatchCreate(kind="special_needs", teacher_id=c, to_school_id=world.schools["D"], started_on=day),
    )
    assignment = service.create_assignment(
        session,
        bureau,
        AssignmentCreate(
            role="guiding_expert", expert_name="专家", school_id=world.schools["C"], started_on=day
        ),
    )
    studio = service.create_studio(
        session,
        bureau,
        StudioCreate(name="联盟工作室", group_id=world.groups["alliance"], member_teacher_ids=[c]),
    )
    activities_service.create_activity(
        session,
        bureau,
        ActivityCreate(
            kind="studio_activity", occurred_on=day, title="工作室活动", group_id=pair, studio_id=studio.id
        ),
    )
    return {
        "record_id": training.id,
        "certificate_id": certificate.id,
        "pair_id": mentoring.id,
        "dispatch_id": dispatch.id,
        "assignment_id": assignment.id,
        "studio_id": studio.id,
    }
