"""Registry API under /api/v1: regions, districts, schools, groups, memberships."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response, UploadFile

from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download, table_format
from edugroup.core.errors import NotFound
from edugroup.org import io, service
from edugroup.org.models import GroupMode
from edugroup.org.schemas import (
    DistrictCreate,
    DistrictRead,
    GroupCreate,
    GroupRead,
    GroupUpdate,
    MembershipCreate,
    MembershipEnd,
    MembershipRead,
    RegionRead,
    SchoolCreate,
    SchoolRead,
    SchoolUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["registry"])


def _membership_read(m: object) -> MembershipRead:
    read = MembershipRead.model_validate(m)
    read.group_name = m.group.name  # type: ignore[attr-defined]
    read.school_name = m.school.name  # type: ignore[attr-defined]
    return read


@router.get("/regions", response_model=list[RegionRead])
def list_regions(session: Db, scope: ApiScope) -> list[object]:
    """Regions the caller can see."""
    return list(service.list_regions(session, scope))


@router.get("/regions/{region_id}", response_model=RegionRead)
def get_region(region_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_region(session, scope, region_id)


@router.get("/districts", response_model=list[DistrictRead])
def list_districts(session: Db, scope: ApiScope) -> list[object]:
    return list(service.list_districts(session, scope))


@router.get("/districts/{district_id}", response_model=DistrictRead)
def get_district(district_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_district(session, scope, district_id)


@router.post("/districts", response_model=DistrictRead, status_code=201)
def create_district(data: DistrictCreate, session: Db, scope: ApiScope) -> object:
    return service.create_district(session, scope, data)


@router.get("/schools", response_model=list[SchoolRead])
def list_schools(
    session: Db,
    scope: ApiScope,
    district_id: int | None = None,
    group_id: int | None = None,
    on: date | None = None,
) -> list[object]:
    """Schools in scope; with group_id and on, the group's members on that date."""
    return list(service.list_schools(session, scope, district_id=district_id, group_id=group_id, on=on))


@router.get("/schools/{school_id}", response_model=SchoolRead)
def get_school(school_id: int, session: Db, scope: ApiScope) -> object:
    return service.get_school(session, scope, school_id)


@router.post("/schools", response_model=SchoolRead, status_code=201)
def create_school(data: SchoolCreate, session: Db, scope: ApiScope) -> object:
    return service.create_school(session, scope, data)


@router.patch("/schools/{school_id}", response_model=SchoolRead)
def update_school(school_id: int, data: SchoolUpdate, session: Db, scope: ApiScope) -> object:
    return service.update_school(session, scope, school_id, data)


@router.delete("/schools/{school_id}", status_code=204)
def delete_school(school_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_school(session, scope, school_id)
    return Response(status_code=204)


@router.get("/schools/{school_id}/groups", response_model=list[GroupRead])
def groups_of_school(
    school_id: int, session: Db, scope: ApiScope, on: date | None = None, mode: GroupMode | None = None
) -> list[object]:
    """Which groups the school was in on a date (today by default)."""
    return list(service.groups_of_school_on(session, scope, school_id, on or date.today(), mode=mode))


@router.get("/schools/{school_id}/memberships", response_model=list[MembershipRead])
def school_memberships(school_id: int, session: Db, scope: ApiScope) -> list[MembershipRead]:
    return [_membership_read(m) for m in service.membership_history(session, scope, school_id=school_id)]


@router.get("/groups", response_model=list[GroupRead])
def list_groups(session: Db, scope: ApiScope, mode: GroupMode | None = None) -> list[GroupRead]:
    groups = service.list_groups(session, scope, mode=mode)
    today = date.today()
    leaders = service.leaders_on(session, [g.id for g in groups], today)
    counts = service.member_counts_on(session, [g.id for g in groups], today)
    return [
        GroupRead.model_validate(g).model_copy(
            update={"leader_school_id": leaders.get(g.id), "member_count": counts.get(g.id, 0)}
        )
        for g in groups
    ]


@router.get("/groups/{group_id}", response_model=GroupRead)
def get_group(group_id: int, session: Db, scope: ApiScope, on: date | None = None) -> GroupRead:
    group = service.get_group(session, scope, group_id)
    day = on or date.today()
    return GroupRead.model_validate(group).model_copy(
        update={
            "leader_school_id": service.leaders_on(session, [group_id], day).get(group_id),
            "member_count": service.member_counts_on(session, [group_id], day).get(group_id, 0),
        }
    )


@router.post("/groups", response_model=GroupRead, status_code=201)
def create_group(data: GroupCreate, session: Db, scope: ApiScope) -> object:
    return service.create_group(session, scope, data)


@router.patch("/groups/{group_id}", response_model=GroupRead)
def update_group(group_id: int, data: GroupUpdate, session: Db, scope: ApiScope) -> object:
    return service.update_group(session, scope, group_id, data)


@router.delete("/groups/{group_id}", status_code=204)
def delete_group(group_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_group(session, scope, group_id)
    return Response(status_code=204)


@router.get("/groups/{group_id}/members", response_model=list[MembershipRead])
def group_members(
    group_id: int, session: Db, scope: ApiScope, on: date | None = None
) -> list[MembershipRead]:
    """Members on a date (today by default), leader first."""
    return [_membership_read(m) for m in service.members_on(session, scope, group_id, on or date.today())]


@router.get("/groups/{group_id}/memberships", response_model=list[MembershipRead])
def group_memberships(group_id: int, session: Db, scope: ApiScope) -> list[MembershipRead]:
    """The whole membership history of a group."""
    return [_membership_read(m) for m in service.membership_history(session, scope, group_id=group_id)]


@router.post("/memberships", response_model=MembershipRead, status_code=201)
def add_membership(data: MembershipCreate, session: Db, scope: ApiScope) -> MembershipRead:
    return _membership_read(service.add_membership(session, scope, data))


@router.get("/memberships/{membership_id}", response_model=MembershipRead)
def get_membership(membership_id: int, session: Db, scope: ApiScope) -> MembershipRead:
    return _membership_read(service.get_membership(session, scope, membership_id))


@router.post("/memberships/{membership_id}/end", response_model=MembershipRead)
def end_membership(membership_id: int, data: MembershipEnd, session: Db, scope: ApiScope) -> MembershipRead:
    return _membership_read(service.end_membership(session, scope, membership_id, data.end_date))


@router.delete("/memberships/{membership_id}", status_code=204)
def delete_membership(membership_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_membership(session, scope, membership_id)
    return Response(status_code=204)


def _kind(kind: str) -> str:
    if kind not in io.COLUMNS:
        raise NotFound(f"没有 {kind} 这种数据 (可用: {', '.join(io.COLUMNS)})")
    return kind


@router.get("/templates/{kind}")
def download_template(kind: str, format: str = "xlsx") -> Response:
    """Empty import template (schools, groups, memberships) with Chinese headers."""
    fmt = table_format(format)
    return download(io.template_file(_kind(kind), fmt), f"{kind}-template.{fmt}")


@router.get("/export/{kind}")
def export_table(kind: str, session: Db, scope: ApiScope, format: str = "xlsx") -> Response:
    """Schools, groups or memberships in scope, in the import layout."""
    fmt = table_format(format)
    return download(io.export_file(session, scope, _kind(kind), fmt), f"{kind}.{fmt}")


@router.post("/import/{kind}")
async def import_table(kind: str, file: UploadFile, session: Db, scope: ApiScope) -> dict[str, object]:
    """Import a file; any bad row refuses the whole file (422 with every bad row)."""
    data = await file.read()
    report = io.import_table(session, scope, _kind(kind), data, file.filename or "upload")
    return {
        "kind": report.key,
        "created": report.created,
        "updated": report.updated,
        "message": report.summary(),
    }
