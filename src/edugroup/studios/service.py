"""Studios (名师/名校长工作室) with members across schools (OH-10, SH-09), and the activities of a studio.

Who sees a studio: a bureau administrator every one of its region; others the studios of their groups, or with
a member they may see. Only the bureau sets a studio up; it and the head of the studio's group manage it.
Hidden studios answer 404, visible but not writable ones 403.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from edugroup.activities import service as activities_service
from edugroup.activities.models import Activity
from edugroup.core.errors import Conflict, Forbidden, InvalidInput
from edugroup.core.periods import school_year_of
from edugroup.core.records import not_found_as, update_changes, visible_one, where_given
from edugroup.core.scope import Scope, check_found
from edugroup.org import service as org_service
from edugroup.studios.models import Studio, StudioMember
from edugroup.studios.schemas import StudioCreate, StudioMemberCreate, StudioMemberUpdate, StudioUpdate
from edugroup.teachers import service as teachers_service
from edugroup.teachers.models import Teacher

# --- studios -------------------------------------------------------------------------------------


_STUDIO_LOADS = (
    selectinload(Studio.members).selectinload(StudioMember.teacher).selectinload(Teacher.school),
)


def _studios_visible(scope: Scope) -> ColumnElement[bool]:
    in_region = Studio.region_id == scope.region_id
    if scope.is_bureau:
        return in_region
    with_members = select(StudioMember.studio_id).where(
        teachers_service.visible_teacher_id(scope, StudioMember.teacher_id)
    )
    return in_region & or_(Studio.group_id.in_(scope.group_ids), Studio.id.in_(with_members))


def list_studios(session: Session, scope: Scope, *, group_id: int | None = None) -> list[Studio]:
    """Studios in scope: of the user's groups, or with a member the user may see."""
    stmt = select(Studio).where(_studios_visible(scope))
    stmt = where_given(stmt, (Studio.group_id, group_id))
    return list(session.scalars(stmt.options(*_STUDIO_LOADS).order_by(Studio.name, Studio.id)))


def get_studio(session: Session, scope: Scope, studio_id: int) -> Studio:
    """Gets a studio in scope, with its members."""
    return visible_one(session, Studio, studio_id, _studios_visible(scope), _STUDIO_LOADS, "工作室")


def can_manage_studio(scope: Scope, studio: Studio) -> bool:
    """Bureau administrators manage every studio; a group head those of its groups."""
    return scope.can_write_group(studio.group_id)


def _require_manager(scope: Scope, studio: Studio, what: str) -> None:
    scope.require_group_writer(studio.group_id, what, "工作室所在集团的总校长", field=None)


def studio_activities(session: Session, scope: Scope, studio_id: int) -> list[Activity]:
    """The studio's activities the user may see, newest first."""
    get_studio(session, scope, studio_id)
    stmt = (
        select(Activity)
        .where(Activity.studio_id == studio_id, activities_service.visible(scope))
        .order_by(Activity.occurred_on.desc(), Activity.id.desc())
    )
    return list(session.scalars(stmt))


def activities_by_year(activities: Iterable[Activity]) -> dict[int, int]:
    """Activities per school year (OH-10.b counts five a year)."""
    counts: dict[int, int] = defaultdict(int)
    for activity in activities:
        counts[school_year_of(activity.occurred_on).year] += 1
    return dict(sorted(counts.items(), reverse=True))


def create_studio(session: Session, scope: Scope, data: StudioCreate) -> Studio:
    """Sets up a studio in a group, with its host and members: teachers the bureau administrator sees."""
    scope.require_bureau("设立工作室")
    assert scope.region_id is not None
    host = [data.host_teacher_id] if data.host_teacher_id else []
    for teacher_id in [*data.member_teacher_ids, *host]:
        teachers_service.get_teacher(session, scope, teacher_id, field="member_teacher_ids")
    if not data.name.strip():
        raise InvalidInput("工作室名称不能为空", field="name")
    if data.group_id is not None:
        org_service.get_group(session, scope, data.group_id)
    studio = Studio(
        region_id=scope.region_id,
        group_id=data.group_id,
        name=data.name.strip(),
        host_teacher_id=data.host_teacher_id,
        founded_on=data.founded_on,
    )
    wanted = dict.fromkeys([*data.member_teacher_ids, *host])
    studio.members = [StudioMember(teacher_id=i, joined_on=data.founded_on) for i in wanted]
    session.add(studio)
    session.flush()
    return get_studio(session, scope, studio.id)


def update_studio(session: Session, scope: Scope, studio_id: int, data: StudioUpdate) -> Studio:
    """Changes a studio's name, group, host or dates."""
    studio = get_studio(session, scope, studio_id)
    _require_manager(scope, studio, "修改工作室")
    changes = update_changes(data, {"name": "工作室名称"})
    if changes.get("group_id") is not None:
        with not_found_as("group_id"):
            org_service.get_group(session, scope, changes["group_id"])
        if not scope.is_bureau and changes["group_id"] not in scope.group_ids:
            raise Forbidden("只能把工作室设在本集团", field="group_id")
    if changes.get("host_teacher_id") is not None:
        teachers_service.get_teacher(session, scope, changes["host_teacher_id"], field="host_teacher_id")
    founded = changes.get("founded_on", studio.founded_on)
    closed = changes.get("closed_on", studio.closed_on)
    if founded is not None and closed is not None and closed < founded:
        raise InvalidInput("撤销日期早于成立日期", field="closed_on")
    for key, value in changes.items():
        setattr(studio, key, value)
    session.flush()
    return studio


def _member(studio: Studio, teacher_id: int) -> StudioMember:
    member = next((m for m in studio.members if m.teacher_id == teacher_id), None)
    check_found(member is not None, "工作室成员", teacher_id)
    assert member is not None
    return member


def add_studio_member(
    session: Session, scope: Scope, studio_id: int, data: StudioMemberCreate
) -> StudioMember:
    """Adds a teacher the caller may see to a studio, from a date (the studio's founding by default)."""
    studio = get_studio(session, scope, studio_id)
    _require_manager(scope, studio, "调整工作室成员")
    teacher = teachers_service.get_teacher(session, scope, data.teacher_id, field="teacher_id")
    if any(m.teacher_id == teacher.id for m in studio.members):
        raise Conflict(f"{teacher.name} 已是{studio.name}的成员", field="teacher_id")
    joined = data.joined_on or studio.founded_on
    if studio.closed_on is not None and joined is not None and joined > studio.closed_on:
        raise InvalidInput(f"{studio.name}已于 {studio.closed_on} 撤销", field="joined_on")
    member = StudioMember(teacher_id=teacher.id, joined_on=joined)
    studio.members.append(member)
    session.flush()
    return member


def update_studio_member(
    session: Session, scope: Scope, studio_id: int, teacher_id: int, data: StudioMemberUpdate
) -> StudioMember:
    """Ends a membership on a date (left_on), or corrects when it started."""
    studio = get_studio(session, scope, studio_id)
    member = _member(studio, teacher_id)
    _require_manager(scope, studio, "调整工作室成员")
    changes = data.model_dump(exclude_unset=True)
    joined = changes.get("joined_on", member.joined_on)
    left = changes.get("left_on", member.left_on)
    if joined is not None and left is not None and left < joined:
        raise InvalidInput("退出日期早于加入日期", field="left_on")
    for key, value in changes.items():
        setattr(member, key, value)
    session.flush()
    return member


def remove_studio_member(session: Session, scope: Scope, studio_id: int, teacher_id: int) -> None:
    """Removes a member entered by mistake (to record leaving, set left_on instead)."""
    studio = get_studio(session, scope, studio_id)
    member = _member(studio, teacher_id)
    _require_manager(scope, studio, "调整工作室成员")
    studio.members.remove(member)
    session.flush()
