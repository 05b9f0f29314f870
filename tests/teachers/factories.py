"""Small factories for teacher tests: records made through the services as the bureau."""

from __future__ import annotations

from datetime import date
from itertools import count

from edugroup.teachers import service
from edugroup.teachers.schemas import TeacherCreate

_numbers = count(1)


def teacher(world, school: str, **fields):
    """A teacher of one of the world's schools, eligible under `rule()` unless told otherwise."""
    data = {
        "staff_number": f"F{next(_numbers):05d}",
        "name": "测试教师",
        "school_id": world.schools[school],
        "subject": "数学",
        "birth_year": 1985,
        "joined_school_on": date(2010, 9, 1),
        **fields,
    }
    return service.create_teacher(world.session, world.scope("bureau"), TeacherCreate(**data))


def teachers(world, school: str, n: int, **fields):
    return [teacher(world, school, **fields) for _ in range(n)]
