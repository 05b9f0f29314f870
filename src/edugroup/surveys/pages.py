"""Survey pages (Chinese first): the questionnaire list with satisfaction per respondent kind, the form to
create a questionnaire, and a questionnaire's results (bar chart, per school, per item) with the import of
its responses. Forms carry the session's CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from edugroup.core.deps import Db
from edugroup.core.errors import EduGroupError, ImportFailed
from edugroup.core.pages import PageScope, check_csrf, language_of, render
from edugroup.core.periods import school_year_of
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.surveys import io, service
from edugroup.surveys.charts import Bar, bar_chart
from edugroup.surveys.models import DEFAULT_SCALE_LABELS, RESPONDENT_LABELS, Questionnaire, RespondentKind
from edugroup.surveys.schemas import KindShare, QuestionnaireCreate

router = APIRouter(include_in_schema=False)

TARGET = 0.90  # the reference line drawn on the charts: HK-23's 90%


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(
        request,
        template,
        status_code=status_code,
        respondent_labels=RESPONDENT_LABELS,
        target=TARGET,
        **context,
    )


def _optional_int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def kind_chart(shares: list[KindShare], title: str, lang: str) -> Any:
    """The satisfied share per respondent kind as an SVG bar chart with the 90% line."""
    bars = [
        Bar(s.label if lang == "zh" else s.respondent_kind.value, s.share, f"n={s.respondents}")
        for s in shares
    ]
    return bar_chart(
        bars, target=TARGET, target_label="90%", title=title, no_data="无数据" if lang == "zh" else "no data"
    )


@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(
    request: Request, session: Db, scope: PageScope, year: str | None = None, group_id: str | None = None
) -> HTMLResponse:
    filters = {"year": _optional_int(year), "group_id": _optional_int(group_id)}
    questionnaires = service.list_questionnaires(session, scope, **filters)
    shares = service.shares_by_kind(session, questionnaires)
    shown_year = filters["year"] or max((q.school_year for q in questionnaires), default=None)
    of_year = [q for q in questionnaires if q.school_year == shown_year]
    lang = language_of(request)
    pooled = service.pooled_by_target(of_year, shares)
    bars = [
        Bar(
            f"{p.target} · {RESPONDENT_LABELS[p.respondent_kind] if lang == 'zh' else p.respondent_kind.value}",
            p.share,
            f"n={p.respondents}",
        )
        for p in pooled
    ]
    chart = bar_chart(
        bars, target=TARGET, target_label="90%", title="各集团、学区满意度", label_width=230, width=700
    )
    return _render(
        request,
        "surveys/list.html",
        scope=scope,
        questionnaires=questionnaires,
        shares=shares,
        shown_year=shown_year,
        chart=chart if pooled else None,
        filters=filters,
        groups=org_service.list_groups(session, scope),
        years=list(range(school_year_of(date.today()).year, 2019, -1)),
        can_create=scope.manages_groups,
    )


# --- the form ------------------------------------------------------------------------------------


def _targets(session: Session, scope: Scope) -> dict[str, Any]:
    groups = [g for g in org_service.list_groups(session, scope) if scope.can_write_group(g.id)]
    districts = org_service.list_districts(session, scope) if scope.is_bureau else []
    return {"target_groups": groups, "target_districts": districts}


def _form_page(
    request: Request, session: Session, scope: Scope, values: dict[str, Any], error: str | None = None
) -> HTMLResponse:
    return _render(
        request,
        "surveys/form.html",
        status_code=422 if error else 200,
        scope=scope,
        values=values,
        error=error,
        kinds=list(RespondentKind),
        **_targets(session, scope),
    )


def _defaults() -> dict[str, Any]:
    return {
        "conducted_on": date.today().isoformat(),
        "kinds": ["parent", "teacher"],
        "scale_min": "1",
        "scale_max": "5",
        "satisfied_values": "4, 5",
        "scale_labels": "\n".join(f"{k} {v}" for k, v in DEFAULT_SCALE_LABELS.items()),
        "overall_question": "总体而言, 您对本集团办学的满意程度",
        "items": "",
        "target": "",
    }


def _numbers(text: str, what: str) -> list[int]:
    parts = [p for p in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p]
    if not all(p.lstrip("-").isdigit() for p in parts):
        raise EduGroupError(f"{what}应为以逗号分隔的整数")
    return [int(p) for p in parts]


def _scale_labels(text: str) -> dict[int, str]:
    labels: dict[int, str] = {}
    for line in text.splitlines():
        line = line.strip().replace("=", " ").replace(":", " ").replace("：", " ")
        if not line:
            continue
        number, _, label = line.partition(" ")
        if not number.isdigit() or not label.strip():
            raise EduGroupError(f"选项说明「{line}」应为 “数字 名称”, 如 5 非常满意")
        labels[int(number)] = label.strip()
    return labels


def _parse_form(form: FormData) -> QuestionnaireCreate:
    text = {key: str(form.get(key) or "").strip() for key in form}
    target = text.get("target", "")
    kind, _, ident = target.partition(":")
    lines = [line.strip() for line in text.get("items", "").splitlines() if line.strip()]
    return QuestionnaireCreate.model_validate(
        {
            "title": text.get("title", ""),
            "group_id": int(ident) if kind == "g" and ident.isdigit() else None,
            "district_id": int(ident) if kind == "d" and ident.isdigit() else None,
            "conducted_on": text.get("conducted_on") or None,
            "respondent_kinds": [str(v) for v in form.getlist("kinds")],
            "scale_min": text.get("scale_min") or 1,
            "scale_max": text.get("scale_max") or 5,
            "satisfied_values": _numbers(text.get("satisfied_values", ""), "计为满意的选项"),
            "scale_labels": _scale_labels(text.get("scale_labels", "")) or None,
            "overall_question": text.get("overall_question", ""),
            "items": [{"code": f"Q{i}", "text": line} for i, line in enumerate(lines, start=1)],
            "description": text.get("description") or None,
        }
    )


def _message(exc: ValidationError | EduGroupError) -> str:
    if isinstance(exc, EduGroupError):
        return exc.message
    labels = {
        "title": "标题",
        "conducted_on": "调查日期",
        "respondent_kinds": "填答群体",
        "scale_min": "量表最小值",
        "scale_max": "量表最大值",
        "overall_question": "总体满意度题",
    }
    parts = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{labels[field]}: {message}" if field in labels else message)
    return "; ".join(parts)


@router.get("/surveys/new", response_class=HTMLResponse)
def new_questionnaire_page(request: Request, session: Db, scope: PageScope) -> HTMLResponse:
    scope.require_group_manager("新建问卷")
    return _form_page(request, session, scope, _defaults())


@router.post("/surveys/new", response_class=HTMLResponse, response_model=None)
async def create_questionnaire_page(request: Request, session: Db, scope: PageScope) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    scope.require_group_manager("新建问卷")
    try:
        questionnaire = service.create_questionnaire(session, scope, _parse_form(form))
    except (ValidationError, EduGroupError) as exc:
        shown: dict[str, Any] = {key: form.get(key) for key in form}
        shown["kinds"] = [str(v) for v in form.getlist("kinds")]
        return _form_page(request, session, scope, shown, error=_message(exc))
    return RedirectResponse(f"/surveys/{questionnaire.id}", status_code=303)


# --- a questionnaire -----------------------------------------------------------------------------


def _detail_page(
    request: Request,
    session: Session,
    scope: Scope,
    questionnaire: Questionnaire,
    *,
    result: io.ImportReport | None = None,
    failure: ImportFailed | None = None,
) -> HTMLResponse:
    results = service.satisfaction(session, scope, questionnaire.id)
    lang = language_of(request)
    return _render(
        request,
        "surveys/detail.html",
        status_code=422 if failure else 200,
        scope=scope,
        q=questionnaire,
        results=results,
        chart=kind_chart(results.by_kind, questionnaire.title, lang),
        writable=scope.can_write_group(questionnaire.group_id),
        result=result,
        failure=failure,
    )


@router.get("/surveys/{questionnaire_id}", response_class=HTMLResponse)
def questionnaire_page(
    request: Request, session: Db, scope: PageScope, questionnaire_id: int
) -> HTMLResponse:
    questionnaire = service.get_questionnaire(session, scope, questionnaire_id)
    return _detail_page(request, session, scope, questionnaire)


@router.post("/surveys/{questionnaire_id}/import", response_class=HTMLResponse)
async def import_page(
    request: Request,
    session: Db,
    scope: PageScope,
    questionnaire_id: int,
    csrf_token: Annotated[str, Form()],
    file: UploadFile,
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    questionnaire = service.get_writable(session, scope, questionnaire_id, "导入答卷")
    data = await file.read()
    try:
        report = io.import_responses(session, scope, questionnaire_id, data, file.filename or "upload")
    except ImportFailed as failure:
        return _detail_page(request, session, scope, questionnaire, failure=failure)
    return _detail_page(request, session, scope, questionnaire, result=report)


@router.post("/surveys/{questionnaire_id}/delete")
def delete_questionnaire_page(
    request: Request, session: Db, scope: PageScope, questionnaire_id: int, csrf_token: Annotated[str, Form()]
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    service.delete_questionnaire(session, scope, questionnaire_id)
    return RedirectResponse("/surveys", status_code=303)
