"""Compliance pages: a region matrix (groups × clauses) and a group's clause-by-clause page."""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from edugroup.core.deps import Db
from edugroup.core.pages import PageScope, render
from edugroup.core.periods import default_year
from edugroup.org import service as org_service
from edugroup.policy import service
from edugroup.policy.engine import Row
from edugroup.policy.vocabulary import ENTITY_LABELS, VERDICT_LABELS

router = APIRouter(include_in_schema=False)
EVIDENCE_PAGES = {
    "activities": "/activities/{}",
    "teachers": "/teachers/{}",
    "rotations": "/api/v1/rotations/{}",
    "studios": "/development/studios/{}",
    "demonstration_certificates": "/development/certificates/{}/edit",
    "mentoring_pairs": "/development/mentoring/{}/edit",
    "expert_assignments": "/development/assignments/{}/edit",
    "questionnaires": "/surveys/{}",
    "exams": "/monitoring/exams/{}",
}


def evidence_link(item: str) -> str | None:
    kind, _, ident = item.partition(":")
    page = EVIDENCE_PAGES.get(kind)
    return page.format(ident) if page and ident.isdigit() else None


def cell_verdict(rows: list[Row]) -> str:
    """One colour for several periods: any not met wins, then no data, then not implemented."""
    verdicts = {r.verdict for r in rows}
    for verdict in ("not_met", "no_data", "not_implemented"):
        if verdict in verdicts:
            return verdict
    return "met"


def _choices(session: Db, scope: PageScope, pack: str | None) -> tuple[list[tuple[str, str]], str]:
    lib = service.library(session, scope.region_id)
    packs = {p.id: p for p in lib}
    region = org_service.get_region(session, scope, scope.region_id) if scope.region_id else None
    by_region = {p.region.name: p.id for p in packs.values() if p.region}
    choices = sorted((p.id, p.title) for p in packs.values())
    adopted = region.policy_pack if region else None
    named = by_region.get(region.name) if region else None
    chosen = next(p for p in (pack, adopted, named, choices[0][0]) if p in packs)
    return choices, chosen


@router.get("/compliance", response_class=HTMLResponse)
def region_matrix(
    request: Request,
    session: Db,
    scope: PageScope,
    pack: str | None = None,
    year: int | None = None,
    semester: int | None = None,
) -> HTMLResponse:
    packs, chosen = _choices(session, scope, pack)
    year = year or default_year()
    evaluation = service.run_compliance(session, scope, chosen, year=year, semester=semester)
    clauses = list(dict.fromkeys(r.clause for r in evaluation.rows))
    titles = {r.clause: r.title for r in evaluation.rows}
    cells: dict[tuple[int, str], list[Row]] = defaultdict(list)
    groups: dict[int, str] = {}
    others: dict[str, dict[str, int]] = defaultdict(lambda: {v: 0 for v in VERDICT_LABELS})
    for row in evaluation.rows:
        if row.entity_type == "group" and row.entity_id is not None:
            cells[(row.entity_id, row.clause)].append(row)
            groups[row.entity_id] = row.entity_name
        else:
            others[row.clause][row.verdict] += 1
    group_clauses = [c for c in clauses if any(k[1] == c for k in cells)]
    return render(
        request,
        "policy/matrix.html",
        scope=scope,
        evaluation=evaluation,
        packs=packs,
        chosen=chosen,
        year=year,
        semester=semester,
        groups=groups,
        clauses=group_clauses,
        titles=titles,
        cells=cells,
        cell_verdict=cell_verdict,
        others=others,
        verdict_labels=VERDICT_LABELS,
        entity_labels=ENTITY_LABELS,
    )


@router.get("/groups/{group_id}/compliance", response_class=HTMLResponse)
def group_compliance(
    request: Request,
    session: Db,
    scope: PageScope,
    group_id: int,
    pack: str | None = None,
    year: int | None = None,
    semester: int | None = None,
) -> HTMLResponse:
    group = org_service.get_group(session, scope, group_id)
    packs, chosen = _choices(session, scope, pack)
    year = year or default_year()
    evaluation = service.run_compliance(
        session, scope, chosen, year=year, semester=semester, group_id=group_id
    )
    return render(
        request,
        "policy/group.html",
        scope=scope,
        group=group,
        evaluation=evaluation,
        packs=packs,
        chosen=chosen,
        year=year,
        semester=semester,
        verdict_labels=VERDICT_LABELS,
        entity_labels=ENTITY_LABELS,
        evidence_link=evidence_link,
    )
