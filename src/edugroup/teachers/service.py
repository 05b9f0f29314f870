"""Teacher records (HK-04, QP-02, QP-03) and group-level recruitment and title applications (HK-04); plus the
scope of records that name a teacher (training, certificates, mentoring, ...). Eligibility rules, rotations,
team inflows and promotions are in `rotation.service`.

Who sees a teacher: a bureau administrator every teacher of its region; a group head the teachers of its
schools and of its groups' pools (集团管); a school administrator its school's teachers; a teacher its own
record. Who writes a teacher record: a bureau administrator, or a group head or school administrator for a
school in its scope. Hidden teachers answer 404, visible but not writable ones 403. The users who keep teacher records also
record their development.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from edugroup.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from edugroup.core.models import Role
from edugroup.core.records import not_found_as
from edugroup.core.scope import Scope, check_found
from edugroup.org import service as org_service
from edugroup.org.models import Membership
from edugroup.teachers.models import Honour, StaffingKind, StaffingRecord, Teacher
from edugroup.teachers.schemas import StaffingCreate, TeacherCreate, TeacherUpdate

IdColumn = InstrumentedAttribute[int] | InstrumentedAttribute[int | None]

# --- scope ---------------------------------------------------------------------------------------


def visible(scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the teachers `scope` may see."""
    in_region = Teacher.region_id == scope.region_id
    if scope.is_bureau:
        return in_region
    if scope.role is Role.teacher:
        return and_(in_region, Teacher.id == scope.teacher_id) if scope.teacher_id is not None else false()
    mine: ColumnElement[bool] = Teacher.school_id.in_(scope.school_ids)
    if scope.role is Role.group_head:
        mine = or_(mine, Teacher.pool_group_id.in_(scope.group_ids))
    return and_(in_region, mine)


def can_manage_school(scope: Scope, school_id: int) -> bool:
    """Whether `scope` may keep the teacher records of a school (bureau, its group head, its administrator)."""
    if scope.is_bureau:
        return True
    return scope.role in (Role.group_head, Role.school_admin) and school_id in scope.school_ids


def visible_teacher_id(scope: Scope, column: IdColumn) -> ColumnElement[bool]:
    """SQL condition: `column` (a teacher id) names a teacher `scope` may see."""
    return column.in_(select(Teacher.id).where(visible(scope)))


def can_manage(scope: Scope) -> bool:
    """Whether `scope` may keep teacher records, and record their development, at all (teachers only read
    their own)."""
    return scope.is_bureau or scope.role in (Role.group_head, Role.school_admin)


def require_manager(scope: Scope, what: str) -> None:
    """Refuse (403) users who may not keep teacher records nor record their development."""
    if not can_manage(scope):
        raise Forbidden(f"{what}仅限教育局、集团或学校管理员")


def _require_school_manager(session: Session, scope: Scope, school_id: int, what: str) -> None:
    try:
        org_service.get_school(session, scope, school_id)
    except NotFound as exc:
        raise NotFound(exc.message, field="school_id") from None
    if not can_manage_school(scope, school_id):
        raise Forbidden(f"{what}: 只能管理本校 (或本集团学校) 的教师", field="school_id")


# --- teachers ------------------------------------------------------------------------------------


def list_teachers(
    session: Session,
    scope: Scope,
    *,
    school_id: int | None = None,
    subject: str | None = None,
    backbone: bool | None = None,
    honour: Honour | None = None,
    query: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Teacher]:
    """Teachers in scope by school and staff number; filters by school, subject, backbone, honour, name."""
    stmt = select(Teacher).where(visible(scope)).options(selectinload(Teacher.school))
    if school_id is not None:
        stmt = stmt.where(Teacher.school_id == school_id)
    if subject:
        stmt = stmt.where(Teacher.subject == subject)
    if backbone is not None:
        stmt = stmt.where(Teacher.backbone_tier.is_not(None) if backbone else Teacher.backbone_tier.is_(None))
    if honour is not None:
        stmt = stmt.where(getattr(Teacher, honour.value).is_(True))
    if query:
        pattern = f"%{query.strip()}%"
        stmt = stmt.where(or_(Teacher.name.like(pattern), Teacher.staff_number.like(pattern)))
    stmt = stmt.order_by(Teacher.school_id, Teacher.staff_number).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def get_teacher(session: Session, scope: Scope, teacher_id: int, *, field: str | None = None) -> Teacher:
    """Gets a teacher in scope; NotFound naming `field` (the input that named the teacher) otherwise."""
    stmt = (
        select(Teacher)
        .where(Teacher.id == teacher_id, visible(scope))
        .options(selectinload(Teacher.school), selectinload(Teacher.pool_group))
    )
    teacher = session.scalars(stmt).one_or_none()
    with not_found_as(field):
        check_found(teacher is not None, "教师", teacher_id)
    assert teacher is not None
    return teacher


def recordable_teacher(session: Session, scope: Scope, teacher_id: int, what: str, *, field: str) -> Teacher:
    """A teacher in scope whose development `scope` may record (403 for users who record none, before 404)."""
    require_manager(scope, what)
    return get_teacher(session, scope, teacher_id, field=field)


def _check_pool(session: Session, scope: Scope, pool_group_id: int | None) -> None:
    if pool_group_id is None:
        return
    try:
        group = org_service.get_group(session, scope, pool_group_id)
    except NotFound as exc:
        raise NotFound(exc.message, field="pool_group_id") from None
    if not scope.is_bureau and (scope.role is not Role.group_head or group.id not in scope.group_ids):
        raise Forbidden("只有该集团的总校长或教育局可以把教师纳入集团教师池", field="pool_group_id")


def _set_honours(teacher: Teacher, honours: list[Honour]) -> None:
    for honour in Honour:
        setattr(teacher, honour.value, honour in honours)


def create_teacher(session: Session, scope: Scope, data: TeacherCreate) -> Teacher:
    """Records a teacher of a school the caller keeps; the staff number is unique."""
    assert scope.region_id is not None
    require_manager(scope, "登记教师")
    _require_school_manager(session, scope, data.school_id, "登记教师")
    _check_pool(session, scope, data.pool_group_id)
    if session.scalar(select(Teacher.id).where(Teacher.staff_number == data.staff_number)) is not None:
        raise Conflict(f"工号 {data.staff_number} 已被使用", field="staff_number")
    teacher = Teacher(region_id=scope.region_id, **data.model_dump(exclude={"honours"}))
    _set_honours(teacher, data.honours)
    session.add(teacher)
    session.flush()
    return teacher


def update_teacher(session: Session, scope: Scope, teacher_id: int, data: TeacherUpdate) -> Teacher:
    """Changes a teacher's record; moving it to another school needs both schools in the caller's keeping."""
    teacher = get_teacher(session, scope, teacher_id)
    if not can_manage(scope) or not can_manage_school(scope, teacher.school_id):
        raise Forbidden("修改教师信息: 只能管理本校 (或本集团学校) 的教师", field="school_id")
    changes = data.model_dump(exclude_unset=True)
    for key, label in (("name", "姓名"), ("subject", "学科"), ("school_id", "学校")):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{label}不能为空", field=key)
    if "school_id" in changes and changes["school_id"] != teacher.school_id:
        _require_school_manager(session, scope, changes["school_id"], "调整教师学校")
    if "pool_group_id" in changes and changes["pool_group_id"] != teacher.pool_group_id:
        _check_pool(session, scope, changes["pool_group_id"])
    honours = changes.pop("honours", None)
    for key, value in changes.items():
        setattr(teacher, key, value)
    if honours is not None:
        _set_honours(teacher, honours)
    session.flush()
    return teacher


# --- recruitment and title applications at group level (HK-04) -----------------------------------


def list_staffing(session: Session, scope: Scope, *, group_id: int | None = None) -> list[StaffingRecord]:
    """Recruitment and title applications of the groups in scope (a teacher: its own applications)."""
    stmt = select(StaffingRecord).options(
        selectinload(StaffingRecord.group),
        selectinload(StaffingRecord.school),
        selectinload(StaffingRecord.teacher),
    )
    if scope.role is Role.teacher:
        stmt = stmt.where(
            StaffingRecord.region_id == scope.region_id, StaffingRecord.teacher_id == scope.teacher_id
        )
    else:
        stmt = scope.group_filter(stmt, StaffingRecord.group_id, StaffingRecord.region_id)
    if group_id is not None:
        stmt = stmt.where(StaffingRecord.group_id == group_id)
    return list(session.scalars(stmt.order_by(StaffingRecord.recorded_on.desc(), StaffingRecord.id.desc())))


def create_staffing(session: Session, scope: Scope, data: StaffingCreate) -> StaffingRecord:
    """Records a recruitment or a title application at group level (集团统筹招聘、职称申报)."""
    assert scope.region_id is not None
    try:
        group = org_service.get_group(session, scope, data.group_id)
    except NotFound as exc:
        raise NotFound(exc.message, field="group_id") from None
    if not scope.is_bureau and (scope.role is not Role.group_head or group.id not in scope.group_ids):
        raise Forbidden("集团招聘和职称申报由集团总校长或教育局记录", field="group_id")
    if data.school_id is not None:
        member = select(Membership.id).where(
            Membership.group_id == group.id,
            Membership.school_id == data.school_id,
            Membership.start_date <= data.recorded_on,
            or_(Membership.end_date.is_(None), Membership.end_date >= data.recorded_on),
        )
        if session.scalar(member) is None:
            raise InvalidInput(
                f"该校在 {data.recorded_on.isoformat()} 不是{group.name}的成员校", field="school_id"
            )
    if data.kind is StaffingKind.title_application:
        if data.teacher_id is None:
            raise InvalidInput("职称申报须填写申报教师", field="teacher_id")
        if data.title is None:
            raise InvalidInput("职称申报须填写申报的职称", field="title")
    elif data.subject is None:
        raise InvalidInput("招聘须填写学科", field="subject")
    if data.teacher_id is not None:
        teacher = session.get(Teacher, data.teacher_id)
        if teacher is None or teacher.region_id != scope.region_id:
            raise NotFound(f"教师 {data.teacher_id} 不存在或不在本区", field="teacher_id")
    record = StaffingRecord(region_id=scope.region_id, **data.model_dump())
    session.add(record)
    session.flush()
    return record
