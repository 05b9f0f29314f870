"""Studios API under /api/v1/development: studios, their members and their activities per school
year (OH-10, SH-09)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from edugroup.core.deps import ApiScope, Db
from edugroup.studios import service
from edugroup.studios.models import Studio, StudioMember
from edugroup.studios.schemas import (
    StudioCreate,
    StudioMemberCreate,
    StudioMemberRead,
    StudioMemberUpdate,
    StudioRead,
    StudioUpdate,
)

router = APIRouter(prefix="/api/v1/development", tags=["teacher development"])


def _member_read(member: StudioMember) -> StudioMemberRead:
    return StudioMemberRead(
        teacher_id=member.teacher_id,
        staff_number=member.teacher.staff_number,
        name=member.teacher.name,
        school_id=member.teacher.school_id,
        school_name=member.teacher.school.name,
        joined_on=member.joined_on,
        left_on=member.left_on,
    )


def _studio_read(studio: Studio, by_year: dict[int, int] | None = None) -> StudioRead:
    return StudioRead(
        id=studio.id,
        region_id=studio.region_id,
        group_id=studio.group_id,
        name=studio.name,
        host_teacher_id=studio.host_teacher_id,
        founded_on=studio.founded_on,
        closed_on=studio.closed_on,
        members=[_member_read(m) for m in studio.members],
        activities_by_year=by_year or {},
    )


@router.get("/studios", response_model=list[StudioRead])
def list_studios(session: Db, scope: ApiScope, group_id: int | None = None) -> list[StudioRead]:
    """Studios in scope (of the caller's groups, or with a member it may see), with their members."""
    return [_studio_read(s) for s in service.list_studios(session, scope, group_id=group_id)]


@router.post("/studios", response_model=StudioRead, status_code=201)
def create_studio(data: StudioCreate, session: Db, scope: ApiScope) -> StudioRead:
    """Sets up a studio with its host and members (bureau administrators)."""
    return _studio_read(service.create_studio(session, scope, data))


@router.get("/studios/{studio_id}", response_model=StudioRead)
def get_studio(studio_id: int, session: Db, scope: ApiScope) -> StudioRead:
    """A studio with its members and its activities per school year (OH-10.b)."""
    studio = service.get_studio(session, scope, studio_id)
    activities = service.studio_activities(session, scope, studio_id)
    return _studio_read(studio, service.activities_by_year(activities))


@router.patch("/studios/{studio_id}", response_model=StudioRead)
def update_studio(studio_id: int, data: StudioUpdate, session: Db, scope: ApiScope) -> StudioRead:
    return _studio_read(service.update_studio(session, scope, studio_id, data))


@router.post("/studios/{studio_id}/members", response_model=StudioMemberRead, status_code=201)
def add_studio_member(
    studio_id: int, data: StudioMemberCreate, session: Db, scope: ApiScope
) -> StudioMemberRead:
    """Adds a teacher to a studio (members come from every school of the group, OH-10.a)."""
    return _member_read(service.add_studio_member(session, scope, studio_id, data))


@router.patch("/studios/{studio_id}/members/{teacher_id}", response_model=StudioMemberRead)
def update_studio_member(
    studio_id: int, teacher_id: int, data: StudioMemberUpdate, session: Db, scope: ApiScope
) -> StudioMemberRead:
    """Ends a membership (left_on) or corrects its start."""
    return _member_read(service.update_studio_member(session, scope, studio_id, teacher_id, data))


@router.delete("/studios/{studio_id}/members/{teacher_id}", status_code=204)
def remove_studio_member(studio_id: int, teacher_id: int, session: Db, scope: ApiScope) -> Response:
    """Removes a member entered by mistake (to record leaving, set left_on instead)."""
    service.remove_studio_member(session, scope, studio_id, teacher_id)
    return Response(status_code=204)
