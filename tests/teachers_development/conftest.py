"""Teacher development test helpers: teachers for the world's schools, and records through the services."""

from __future__ import annotations

import io
import re
from datetime import date
from itertools import count

from openpyxl import Workbook
from tests.conftest import PASSWORD

from edugroup.teachers.development import service
from edugroup.teachers.development.schemas import CertificateCreate, TrainingCreate
from edugroup.teachers.models import Teacher

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
    return service.create_training(world.session, world.scope(who), TrainingCreate(**data))


def certificate(world, teacher_id: int, who: str = "bureau", **fields):
    data = {
        "teacher_id": teacher_id,
        "group_id": world.groups["tight"],
        "issued_on": date(2025, 11, 1),
        "lesson_title": "示范课",
        **fields,
    }
    return service.create_certificate(world.session, world.scope(who), CertificateCreate(**data))


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
