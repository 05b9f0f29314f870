"""Small factories for survey tests: questionnaires made through the service, responses stored in bulk."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from edugroup.surveys import service
from edugroup.surveys.models import RespondentKind
from edugroup.surveys.schemas import QuestionnaireCreate


def questionnaire(world, who: str = "bureau", **fields):
    """A questionnaire about the world's tight group (parents and teachers, 1–5, 4 and 5 satisfied)."""
    data = {
        "title": "集团满意度调查",
        "group_id": world.groups["tight"],
        "conducted_on": date(2026, 5, 20),
        "respondent_kinds": ["parent", "teacher"],
        "items": [{"code": "Q1", "text": "教育教学质量"}, {"code": "Q2", "text": "家校沟通"}],
        **fields,
    }
    return service.create_questionnaire(world.session, world.scope(who), QuestionnaireCreate(**data))


def responses(world, q, kind: str, satisfied: int, total: int, school: str | None = None, first: int = 1):
    """`total` responses of one kind, `satisfied` of them answering 5 overall and the rest 3."""
    school_id = world.schools[school] if school else None
    values = [
        service.ResponseValues(
            RespondentKind(kind), f"{kind}-{first + i}", school_id, 5 if i < satisfied else 3, {"Q1": 4}
        )
        for i in range(total)
    ]
    service.store_responses(world.session, q, values, source="test")


def hidden_objects(world) -> dict[str, int]:
    """A questionnaire about the co-build pair (schools C and D): no other role reaches it."""
    q = questionnaire(world, group_id=world.groups["pair"], title="共建体满意度调查")
    responses(world, q, "parent", 9, 10, school="C")
    return {"questionnaire_id": q.id}


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
