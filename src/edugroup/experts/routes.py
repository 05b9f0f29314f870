"""Experts API under /api/v1/development: guiding experts and classroom observers assigned to schools
and programmes (QP-05, QP-07.a)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from edugroup.core.deps import ApiScope, Db, Year
from edugroup.experts import service
from edugroup.experts.models import AssignmentRole
from edugroup.experts.schemas import AssignmentCreate, AssignmentRead, AssignmentUpdate

router = APIRouter(prefix="/api/v1/development", tags=["teacher development"])


@router.get("/assignments", response_model=list[AssignmentRead])
def list_assignments(
    session: Db,
    scope: ApiScope,
    year: Year = None,
    school_id: int | None = None,
    group_id: int | None = None,
    role: AssignmentRole | None = None,
) -> list[object]:
    """Guiding experts and classroom observers assigned to schools and programmes (QP-05, QP-07.a)."""
    return list(
        service.list_assignments(session, scope, year=year, school_id=school_id, group_id=group_id, role=role)
    )


@router.post("/assignments", response_model=AssignmentRead, status_code=201)
def create_assignment(data: AssignmentCreate, session: Db, scope: ApiScope) -> object:
    return service.create_assignment(session, scope, data)


@router.get("/assignments/{assignment_id}", response_model=AssignmentRead)
def get_assignment(assignment_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_assignment(session, scope, assignment_id)


@router.patch("/assignments/{assignment_id}", response_model=AssignmentRead)
def update_assignment(assignment_id: int, data: AssignmentUpdate, session: Db, scope: ApiScope) -> object:
    return service.update_assignment(session, scope, assignment_id, data)


@router.delete("/assignments/{assignment_id}", status_code=204)
def delete_assignment(assignment_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_assignment(session, scope, assignment_id)
    return Response(status_code=204)
