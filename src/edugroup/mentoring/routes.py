"""Mentoring API under /api/v1/development: mentoring pairs and teacher dispatches."""

from __future__ import annotations

from fastapi import APIRouter, Response

from edugroup.core.deps import ApiScope, Db, Year
from edugroup.mentoring import service
from edugroup.mentoring.models import MentoringPair
from edugroup.mentoring.schemas import (
    DispatchCreate,
    DispatchRead,
    DispatchUpdate,
    MentoringCreate,
    MentoringRead,
    MentoringUpdate,
)

router = APIRouter(prefix="/api/v1/development", tags=["teacher development"])


def _pair_read(pair: MentoringPair) -> MentoringRead:
    return MentoringRead.model_validate(pair).model_copy(
        update={"mentor_backbone": service.is_backbone(pair.mentor)}
    )


@router.get("/mentoring", response_model=list[MentoringRead])
def list_pairs(
    session: Db,
    scope: ApiScope,
    year: Year = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[MentoringRead]:
    """Mentoring pairs in scope (active during the school year when given)."""
    pairs = service.list_pairs(session, scope, year=year, group_id=group_id, teacher_id=teacher_id)
    return [_pair_read(p) for p in pairs]


@router.post("/mentoring", response_model=MentoringRead, status_code=201)
def create_pair(data: MentoringCreate, session: Db, scope: ApiScope) -> MentoringRead:
    return _pair_read(service.create_pair(session, scope, data))


@router.get("/mentoring/{pair_id}", response_model=MentoringRead)
def get_pair(pair_id: int, session: Db, scope: ApiScope) -> MentoringRead:
    return _pair_read(service.get_pair(session, scope, pair_id))


@router.patch("/mentoring/{pair_id}", response_model=MentoringRead)
def update_pair(pair_id: int, data: MentoringUpdate, session: Db, scope: ApiScope) -> MentoringRead:
    """Changes a pair; set ended_on to record its end."""
    return _pair_read(service.update_pair(session, scope, pair_id, data))


@router.delete("/mentoring/{pair_id}", status_code=204)
def delete_pair(pair_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_pair(session, scope, pair_id)
    return Response(status_code=204)


@router.get("/dispatches", response_model=list[DispatchRead])
def list_dispatches(
    session: Db,
    scope: ApiScope,
    year: Year = None,
    school_id: int | None = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[object]:
    """Teacher dispatches (骨干教师顶岗任教、特需教师配送, HD-03) in scope."""
    return list(
        service.list_dispatches(
            session, scope, year=year, school_id=school_id, group_id=group_id, teacher_id=teacher_id
        )
    )


@router.post("/dispatches", response_model=DispatchRead, status_code=201)
def create_dispatch(data: DispatchCreate, session: Db, scope: ApiScope) -> object:
    return service.create_dispatch(session, scope, data)


@router.get("/dispatches/{dispatch_id}", response_model=DispatchRead)
def get_dispatch(dispatch_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_dispatch(session, scope, dispatch_id)


@router.patch("/dispatches/{dispatch_id}", response_model=DispatchRead)
def update_dispatch(dispatch_id: int, data: DispatchUpdate, session: Db, scope: ApiScope) -> object:
    return service.update_dispatch(session, scope, dispatch_id, data)


@router.delete("/dispatches/{dispatch_id}", status_code=204)
def delete_dispatch(dispatch_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_dispatch(session, scope, dispatch_id)
    return Response(status_code=204)
