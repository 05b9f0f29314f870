"""Surveys API under /api/v1/surveys: questionnaires, satisfaction results, responses and their import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile

from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download, table_format
from edugroup.core.errors import InvalidInput
from edugroup.surveys import io, service
from edugroup.surveys.models import Questionnaire
from edugroup.surveys.schemas import (
    KindShare,
    QuestionnaireCreate,
    QuestionnaireRead,
    QuestionnaireSummary,
    QuestionnaireUpdate,
    ResponseRead,
    SatisfactionRead,
)

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])


def _summary(questionnaire: Questionnaire, shares: dict[int, list[KindShare]]) -> QuestionnaireSummary:
    read = QuestionnaireSummary.model_validate(questionnaire)
    read.by_kind = shares[questionnaire.id]
    return read


@router.get("", response_model=list[QuestionnaireSummary])
def list_questionnaires(
    session: Db,
    scope: ApiScope,
    year: Annotated[int | None, Query(description="school year, e.g. 2025")] = None,
    group_id: int | None = None,
    district_id: int | None = None,
) -> list[QuestionnaireSummary]:
    """Questionnaires in scope, newest first, each with its satisfied share per respondent kind."""
    found = service.list_questionnaires(session, scope, year=year, group_id=group_id, district_id=district_id)
    shares = service.shares_by_kind(session, found)
    return [_summary(q, shares) for q in found]


@router.post("", response_model=QuestionnaireRead, status_code=201)
def create_questionnaire(data: QuestionnaireCreate, session: Db, scope: ApiScope) -> object:
    """Creates a questionnaire about a group (bureau or its group head) or a district (bureau)."""
    return service.create_questionnaire(session, scope, data)


@router.get("/{questionnaire_id}", response_model=QuestionnaireSummary)
def get_questionnaire(questionnaire_id: int, session: Db, scope: ApiScope) -> QuestionnaireSummary:
    """A questionnaire with its items and its satisfied share per respondent kind."""
    questionnaire = service.get_questionnaire(session, scope, questionnaire_id)
    return _summary(questionnaire, service.shares_by_kind(session, [questionnaire]))


@router.patch("/{questionnaire_id}", response_model=QuestionnaireRead)
def update_questionnaire(
    questionnaire_id: int, data: QuestionnaireUpdate, session: Db, scope: ApiScope
) -> object:
    return service.update_questionnaire(session, scope, questionnaire_id, data)


@router.delete("/{questionnaire_id}", status_code=204)
def delete_questionnaire(questionnaire_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_questionnaire(session, scope, questionnaire_id)
    return Response(status_code=204)


@router.get("/{questionnaire_id}/satisfaction", response_model=SatisfactionRead)
def get_satisfaction(questionnaire_id: int, session: Db, scope: ApiScope) -> SatisfactionRead:
    """Satisfied share per respondent kind, per school (those the caller may see) and per item."""
    return service.satisfaction(session, scope, questionnaire_id)


@router.get("/{questionnaire_id}/responses", response_model=list[ResponseRead])
def list_responses(
    questionnaire_id: int,
    session: Db,
    scope: ApiScope,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[object]:
    """Single anonymous responses (for those who may write the questionnaire)."""
    return list(service.list_responses(session, scope, questionnaire_id, limit=limit, offset=offset))


@router.get("/{questionnaire_id}/responses/template")
def download_template(questionnaire_id: int, session: Db, scope: ApiScope, format: str = "xlsx") -> Response:
    """Empty import template of this questionnaire (its item codes as headers)."""
    fmt = table_format(format)
    return download(
        io.template_for(session, scope, questionnaire_id, fmt), f"survey-{questionnaire_id}.{fmt}"
    )


@router.get("/{questionnaire_id}/responses/export")
def export_responses(questionnaire_id: int, session: Db, scope: ApiScope, format: str = "xlsx") -> Response:
    """The questionnaire's responses in the import layout."""
    fmt = table_format(format)
    data = io.export_file(session, scope, questionnaire_id, fmt)
    return download(data, f"survey-{questionnaire_id}-responses.{fmt}")


@router.post("/{questionnaire_id}/responses/import")
async def import_responses(
    questionnaire_id: int, session: Db, scope: ApiScope, file: UploadFile | None = None
) -> dict[str, object]:
    """Import responses; any bad row refuses the whole file (422 with every bad row)."""
    service.get_writable(session, scope, questionnaire_id, "导入答卷")
    if file is None:
        raise InvalidInput("请选择要导入的文件", field="file")
    data = await file.read()
    report = io.import_responses(session, scope, questionnaire_id, data, file.filename or "upload")
    return {"created": report.created, "replaced": report.replaced, "message": report.summary()}
