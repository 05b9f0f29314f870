"""The organisation registry: regions, districts, schools, groups and dated memberships (HK-01, OH-01)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from edugroup.core.errors import Conflict, InvalidInput, NotFound
from edugroup.core.scope import Scope, check_found
from edugroup.org.models import District, Group, GroupMode, Membership, Region, School
from edugroup.org.schemas import (
    DistrictCreate,
    GroupCreate,
    GroupUpdate,
    MembershipCreate,
    SchoolCreate,
    SchoolUpdate,
)

# --- regions and districts -------------------------------------------------------------------------


def get_region(session: Session, scope: Scope, region_id: int) -> Region:
    """Gets a region in scope."""
    region = session.get(Region, region_id)
    check_found(region is not None and scope.can_see_region(region_id), "区", region_id)
    assert region is not None
    return region


def list_regions(session: Session, scope: Scope) -> list[Region]:
    """The regions the user can see (its own)."""
    return list(session.scalars(select(Region).where(Region.id == scope.region_id)))


def list_districts(session: Session, scope: Scope) -> list[District]:
    """Districts of the user's region, by code."""
    stmt = select(District).where(District.region_id == scope.region_id).order_by(District.code)
    return list(session.scalars(stmt))


def get_district(session: Session, scope: Scope, district_id: int) -> District:
    """Gets a district of the user's region."""
    district = session.get(District, district_id)
    check_found(district is not None and district.region_id == scope.region_id, "学区", district_id)
    assert district is not None
    return district


def create_district(session: Session, scope: Scope, data: DistrictCreate) -> District:
    """Creates a district in the bureau administrator's region."""
    scope.require_bureau("新建学区")
    assert scope.region_id is not None
    _refuse_duplicate_code(session, District, scope.region_id, data.code)
    district = District(region_id=scope.region_id, code=data.code, name=data.name)
    session.add(district)
    session.flush()
    return district


def _refuse_duplicate_code(session: Session, model: Any, region_id: int, code: str) -> None:
    stmt = select(model.id).where(model.region_id == region_id, model.code == code)
    if session.scalar(stmt) is not None:
        raise Conflict(f"代码 {code} 已被使用", field="code")


# --- schools -------------------------------------------------------------------------------------


def list_schools(
    session: Session,
    scope: Scope,
    *,
    district_id: int | None = None,
    group_id: int | None = None,
    on: date | None = None,
) -> list[School]:
    """Schools in scope, optionally of one district or (on a date) of one group."""
    stmt = scope.school_filter(select(School), School.id, School.region_id).order_by(School.code)
    if district_id is not None:
        stmt = stmt.where(School.district_id == district_id)
    if group_id is not None:
        members = select(Membership.school_id).where(Membership.group_id == group_id)
        if on is not None:
            members = members.where(*_active_on(on))
        stmt = stmt.where(School.id.in_(members))
    return list(session.scalars(stmt))


def get_school(session: Session, scope: Scope, school_id: int) -> School:
    """Gets a school in scope."""
    school = session.get(School, school_id)
    scope.visible_school(school, school_id, "学校")
    assert school is not None
    return school


def create_school(session: Session, scope: Scope, data: SchoolCreate) -> School:
    """Creates a school in the bureau administrator's region."""
    scope.require_bureau("新建学校")
    assert scope.region_id is not None
    _refuse_duplicate_code(session, School, scope.region_id, data.code)
    if data.district_id is not None:
        get_district(session, scope, data.district_id)
    school = School(region_id=scope.region_id, **data.model_dump())
    session.add(school)
    session.flush()
    return school


def update_school(session: Session, scope: Scope, school_id: int, data: SchoolUpdate) -> School:
    """Changes a school's recorded facts."""
    school = get_school(session, scope, school_id)
    scope.require_bureau("修改学校信息")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("district_id") is not None:
        get_district(session, scope, changes["district_id"])
    for key, value in changes.items():
        setattr(school, key, value)
    session.flush()
    return school


def delete_school(session: Session, scope: Scope, school_id: int) -> None:
    """Deletes a school that has no membership history (otherwise end its memberships instead)."""
    school = get_school(session, scope, school_id)
    scope.require_bureau("删除学校")
    if session.scalar(select(func.count()).where(Membership.school_id == school_id)):
        raise Conflict(f"{school.name} 有集团成员记录, 不能删除; 请结束其成员关系")
    session.delete(school)
    session.flush()


# --- groups --------------------------------------------------------------------------------------


def list_groups(session: Session, scope: Scope, *, mode: GroupMode | None = None) -> list[Group]:
    """Groups in scope, by code."""
    stmt = scope.group_filter(select(Group), Group.id, Group.region_id).order_by(Group.code)
    if mode is not None:
        stmt = stmt.where(Group.mode == mode)
    return list(session.scalars(stmt))


def get_group(session: Session, scope: Scope, group_id: int) -> Group:
    """Gets a group in scope."""
    group = session.get(Group, group_id)
    scope.visible_group(group, group_id, "集团")
    assert group is not None
    return group


def _check_parent(session: Session, scope: Scope, group: Group | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = get_group(session, scope, parent_id)
    seen = {group.id} if group is not None else set()
    cursor: Group | None = parent
    while cursor is not None:
        if cursor.id in seen:
            raise InvalidInput("上级集团不能是它自己或它的下级", field="parent_id")
        seen.add(cursor.id)
        cursor = session.get(Group, cursor.parent_id) if cursor.parent_id else None


def create_group(session: Session, scope: Scope, data: GroupCreate) -> Group:
    """Creates a group (any mode) in the bureau administrator's region."""
    scope.require_bureau("新建集团")
    assert scope.region_id is not None
    _refuse_duplicate_code(session, Group, scope.region_id, data.code)
    _check_parent(session, scope, None, data.parent_id)
    group = Group(region_id=scope.region_id, **data.model_dump())
    session.add(group)
    session.flush()
    return group


def update_group(session: Session, scope: Scope, group_id: int, data: GroupUpdate) -> Group:
    """Changes a group's name, parent, dates or description (its mode is fixed once created)."""
    group = get_group(session, scope, group_id)
    scope.require_bureau("修改集团信息")
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        _check_parent(session, scope, group, changes["parent_id"])
    for key, value in changes.items():
        setattr(group, key, value)
    session.flush()
    return group


def delete_group(session: Session, scope: Scope, group_id: int) -> None:
    """Deletes a group with no membership history and no sub-groups."""
    group = get_group(session, scope, group_id)
    scope.require_bureau("删除集团")
    if session.scalar(select(func.count()).where(Membership.group_id == group_id)):
        raise Conflict(f"{group.name} 有成员记录, 不能删除; 请设置撤销日期")
    if session.scalar(select(func.count()).where(Group.parent_id == group_id)):
        raise Conflict(f"{group.name} 有下级集团, 不能删除")
    session.delete(group)
    session.flush()


# --- memberships ---------------------------------------------------------------------------------


def _active_on(day: date) -> tuple[Any, Any]:
    return Membership.start_date <= day, or_(Membership.end_date.is_(None), Membership.end_date >= day)


def _overlaps(start: date, end: date | None) -> tuple[Any, ...]:
    conditions: list[Any] = [or_(Membership.end_date.is_(None), Membership.end_date >= start)]
    if end is not None:
        conditions.append(Membership.start_date <= end)
    return tuple(conditions)


def add_membership(session: Session, scope: Scope, data: MembershipCreate) -> Membership:
    """Puts a school in a group from a date; refuses a second group of the same mode on any day."""
    scope.require_bureau("调整集团成员")
    group = get_group(session, scope, data.group_id)
    school = get_school(session, scope, data.school_id)
    if group.dissolved_on is not None and data.start_date > group.dissolved_on:
        raise InvalidInput(f"{group.name} 已于 {group.dissolved_on} 撤销", field="start_date")
    _refuse_double_membership(session, group, school, data.start_date, data.end_date, exclude_id=None)
    if data.is_leader:
        _refuse_second_leader(session, group, data.start_date, data.end_date, exclude_id=None)
    membership = Membership(**data.model_dump())
    session.add(membership)
    session.flush()
    return membership


def _refuse_double_membership(
    session: Session, group: Group, school: School, start: date, end: date | None, exclude_id: int | None
) -> None:
    stmt = (
        select(Membership)
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.school_id == school.id, Group.mode == group.mode, *_overlaps(start, end))
        .options(selectinload(Membership.group))
    )
    if exclude_id is not None:
        stmt = stmt.where(Membership.id != exclude_id)
    clash = session.scalars(stmt).first()
    if clash is not None:
        same = "已在该集团中" if clash.group_id == group.id else f"已属于同类集团「{clash.group.name}」"
        until = clash.end_date.isoformat() if clash.end_date else "至今"
        raise Conflict(
            f"{school.name} 在 {clash.start_date.isoformat()} 至 {until} 期间{same}; "
            "同一所学校同一天不能属于两个同类集团",
            field="school_id",
        )


def _refuse_second_leader(
    session: Session, group: Group, start: date, end: date | None, exclude_id: int | None
) -> None:
    stmt = select(Membership).where(
        Membership.group_id == group.id, Membership.is_leader.is_(True), *_overlaps(start, end)
    )
    if exclude_id is not None:
        stmt = stmt.where(Membership.id != exclude_id)
    clash = session.scalars(stmt.options(selectinload(Membership.school))).first()
    if clash is not None:
        raise Conflict(f"{group.name} 在该期间已有牵头校「{clash.school.name}」", field="is_leader")


def end_membership(session: Session, scope: Scope, membership_id: int, end_date: date) -> Membership:
    """Ends a membership on a date (inclusive); the history stays."""
    scope.require_bureau("调整集团成员")
    membership = get_membership(session, scope, membership_id)
    if end_date < membership.start_date:
        raise InvalidInput("结束日期早于开始日期", field="end_date")
    membership.end_date = end_date
    session.flush()
    return membership


def get_membership(session: Session, scope: Scope, membership_id: int) -> Membership:
    """Gets a membership whose group is in scope."""
    membership = session.get(Membership, membership_id)
    check_found(membership is not None, "成员关系", membership_id)
    assert membership is not None
    get_group(session, scope, membership.group_id)
    return membership


def delete_membership(session: Session, scope: Scope, membership_id: int) -> None:
    """Deletes a membership entered by mistake (to record a school leaving, end it instead)."""
    scope.require_bureau("调整集团成员")
    membership = get_membership(session, scope, membership_id)
    session.delete(membership)
    session.flush()


def membership_history(
    session: Session, scope: Scope, *, group_id: int | None = None, school_id: int | None = None
) -> list[Membership]:
    """Every membership of a group or a school, oldest first."""
    stmt = select(Membership).options(selectinload(Membership.group), selectinload(Membership.school))
    if group_id is not None:
        get_group(session, scope, group_id)
        stmt = stmt.where(Membership.group_id == group_id)
    if school_id is not None:
        get_school(session, scope, school_id)
        stmt = stmt.where(Membership.school_id == school_id)
    stmt = stmt.order_by(Membership.start_date, Membership.id)
    return [m for m in session.scalars(stmt) if scope.can_see_group(m.group_id, m.group.region_id)]


def groups_of_school_on(
    session: Session, scope: Scope, school_id: int, day: date, *, mode: GroupMode | None = None
) -> list[Group]:
    """Which groups school X was in on date D (at most one per mode)."""
    get_school(session, scope, school_id)
    stmt = (
        select(Group)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.school_id == school_id, *_active_on(day))
        .order_by(Group.mode, Group.code)
    )
    if mode is not None:
        stmt = stmt.where(Group.mode == mode)
    return list(session.scalars(stmt))


def members_on(session: Session, scope: Scope, group_id: int, day: date) -> list[Membership]:
    """The memberships of a group active on a date, leader first."""
    get_group(session, scope, group_id)
    stmt = (
        select(Membership)
        .where(Membership.group_id == group_id, *_active_on(day))
        .options(selectinload(Membership.school))
        .order_by(Membership.is_leader.desc(), Membership.school_id)
    )
    return list(session.scalars(stmt))


def leaders_on(session: Session, group_ids: list[int], day: date) -> dict[int, int]:
    """Leader school id of each group on a date (groups without a leader are absent)."""
    stmt = select(Membership.group_id, Membership.school_id).where(
        Membership.group_id.in_(group_ids), Membership.is_leader.is_(True), *_active_on(day)
    )
    return {group_id: school_id for group_id, school_id in session.execute(stmt)}


def member_counts_on(session: Session, group_ids: list[int], day: date) -> dict[int, int]:
    """Number of member schools of each group on a date."""
    stmt = (
        select(Membership.group_id, func.count())
        .where(Membership.group_id.in_(group_ids), *_active_on(day))
        .group_by(Membership.group_id)
    )
    return {group_id: count for group_id, count in session.execute(stmt)}


# --- overview ------------------------------------------------------------------------------------


@dataclass
class Overview:
    region: Region
    districts: list[District]
    groups: list[Group]
    groups_by_mode: dict[GroupMode, int]
    schools: int
    schools_by_stage: dict[str, int]
    schools_by_tier: dict[str, int]
    students: int
    teachers: int
    leaders: dict[int, int]
    member_counts: dict[int, int]
    school_names: dict[int, str]


def overview(session: Session, scope: Scope, day: date) -> Overview:
    """Region overview as the user may see it: districts, groups by mode, schools and counts."""
    if scope.region_id is None:
        raise NotFound("没有可查看的区")
    region = get_region(session, scope, scope.region_id)
    groups = list_groups(session, scope)
    schools = list_schools(session, scope)
    group_ids = [g.id for g in groups]
    leaders = leaders_on(session, group_ids, day)
    names = select(School.id, School.name).where(School.id.in_(set(leaders.values())))
    return Overview(
        region=region,
        districts=list_districts(session, scope),
        groups=groups,
        groups_by_mode=dict(Counter(g.mode for g in groups)),
        schools=len(schools),
        schools_by_stage=dict(Counter(s.stage.value for s in schools)),
        schools_by_tier=dict(Counter(s.quality_tier.value for s in schools)),
        students=sum(s.student_count for s in schools),
        teachers=sum(s.teacher_count for s in schools),
        leaders=leaders,
        member_counts=member_counts_on(session, group_ids, day),
        school_names={school_id: name for school_id, name in session.execute(names)},
    )
