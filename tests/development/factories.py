"""Teacher development test helpers: teachers for the world's schools, records through the services, files,
logins and compliance verdicts; and the records of the co-build pair's schools (C and D) that no role but the
bureau may reach, for the API walk."""

from __future__ import annotations

import io
import re
from datetime import date
from itertools import count

from openpyxl import Workbook
from tests.conftest import PASSWORD

from edugroup.activities import service as activities_service
from edugroup.activities.schemas import ActivityCreate
from edugroup.certificates import service as certificates_service
from edugroup.certificates.schemas import CertificateCreate
from edugroup.experts import service as experts_service
from edugroup.experts.schemas import AssignmentCreate
from edugroup.mentoring import service as mentoring_service
from edugroup.mentoring.schemas import DispatchCreate, MentoringCreate
from edugroup.policy import service as policy
from edugroup.studios import service as studios_service
from edugroup.studios.schemas import StudioCreate
from edugroup.teachers.models import Teacher
from edugroup.training import service as training_service
from edugroup.training.schemas import TrainingCreate

_numbers = count(1)


def add_teachers(world, school: str, n: int = 1, *, backbone: bool = False) -> list[int]:
    """`n` teachers of one of the world's schools (D-<school>-<k>); backbone ones sit on the tier ladder."""
    teachers = [
        Teacher(
            region_id=world.region_id,
            school_id=world.schools[school],
            staff_number=f"D-{school}-{next(_numbers)}",
            name=f"教师{school}{k + 1}",
            subject="语文",
            backbone_tier=2 if backbone else None,
        )
        for k in range(n)
    ]
    world.session.add_all(teachers)
    world.session.flush()
    return [t.id for t in teachers]


def staff_number(world, teacher_id: int) -> str:
    teacher = world.session.get(Teacher, teacher_id)
    assert teacher is not None
    return teacher.staff_number


def training(world, teacher_id: int, who: str = "bureau", **fields):
    data = {
        "teacher_id": teacher_id,
        "level": "school",
        "title": "校本研修",
        "started_on": date(2025, 10, 10),
        "hours": 10,
        **fields,
    }
    return training_service.create_training(world.session, world.scope(who), TrainingCreate(**data))


def certificate(world, teacher_id: int, who: str = "bureau", **fields):
    data = {
        "teacher_id": teacher_id,
        "group_id": world.groups["tight"],
        "issued_on": date(2025, 11, 1),
        "lesson_title": "示范课",
        **fields,
    }
    return certificates_service.create_certificate(world.session, world.scope(who), CertificateCreate(**data))


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(rows) -> bytes:
    return "\n".join(",".join("" if c is None else str(c) for c in row) for row in rows).encode("utf-8")


def login(client, username: str) -> str:
    """Logs in through the form; returns the session's CSRF token."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get("/development/training")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def verdict(world, pack, clause, entity_id, year=2025, who="bureau"):
    evaluation = policy.run_compliance(world.session, world.scope(who), pack, year=year)
    found = [r for r in evaluation.rows if r.clause == clause and r.entity_id == entity_id]
    assert len(found) == 1, found
    return found[0]


def entities(world, pack, clause, year=2025):
    evaluation = policy.run_compliance(world.session, world.scope("bureau"), pack, year=year)
    return {(r.entity_type, r.entity_id) for r in evaluation.rows if r.clause == clause}


def hidden_objects(world) -> dict[str, int]:
    """A training record, certificate, mentoring pair, dispatch, assignment and studio of schools C and D."""
    session, bureau = world.session, world.scope("bureau")
    c, d = add_teachers(world, "C", 7)[0], add_teachers(world, "D")[0]
    pair = world.groups["pair"]
    day = date(2025, 10, 1)
    training = training_service.create_training(
        session, bureau, TrainingCreate(teacher_id=c, level="school", title="校本", started_on=day, hours=2)
    )
    certificate = certificates_service.create_certificate(
        session, bureau, CertificateCreate(teacher_id=c, group_id=pair, issued_on=day, lesson_title="示范课")
    )
    mentoring = mentoring_service.create_pair(
        session, bureau, MentoringCreate(mentor_id=c, mentee_id=d, group_id=pair, started_on=day)
    )
    dispatch = mentoring_service.create_dispatch(
        session,
        bureau,
        DispatchCreate(kind="special_needs", teacher_id=c, to_school_id=world.schools["D"], started_on=day),
    )
    assignment = experts_service.create_assignment(
        session,
        bureau,
        AssignmentCreate(
            role="guiding_expert", expert_name="专家", school_id=world.schools["C"], started_on=day
        ),
    )
    studio = studios_service.create_studio(
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
