"""Activity records: scoped queries, writes checked against the organiser, evidence files, and the read of a
whole period that the compliance engine counts from (HK-16, OH-03..06, OH-10, QP-07, QP-08, QP-11, SH-18).

Who sees an activity: a bureau administrator every one of its region; a group head those organised by its
groups or schools, or with its schools taking part; a school administrator those its school organised or took
part in; a teacher those it took part in (or observed). Who writes: a bureau administrator any in its region;
a group head those organised by its groups or schools; a school administrator those organised by its school.
Hidden activities answer 404, visible but not writable ones 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, column, false, or_, select, table
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import ColumnClause

from edugroup.activities import storage
from edugroup.activities.models import (
    ACTIVITY_KIND_LABELS,
    Activity,
    ActivityAttachment,
    ActivityKind,
    ActivitySchool,
    ActivityTeacher,
    ShowcaseLevel,
)
from edugroup.activities.schemas import ActivityCreate, ActivityUpdate
from edugroup.core.errors import Forbidden, InvalidInput, NotFound
from edugroup.core.models import Role
from edugroup.core.records import not_found_as
from edugroup.core.scope import Scope, check_found
from edugroup.org import service as org_service
from edugroup.org.models import Group, School
from edugroup.teachers.models import Teacher

_LOADS = (
    selectinload(Activity.school_links).selectinload(ActivitySchool.school),
    selectinload(Activity.teacher_links).selectinload(ActivityTeacher.teacher),
    selectinload(Activity.attachments),
    selectinload(Activity.group),
    selectinload(Activity.school),
    selectinload(Activity.observer_teacher),
)
_REQUIRED = {"kind": "活动类型", "occurred_on": "日期", "title": "标题"}
_STUDIOS = table("studios", column("id", Integer), column("region_id", Integer)).c
"""The studios' ids and regions, by table name: the studios domain lists a studio's activities, so this one
does not import it."""
_CHECKED = ("kind", "group_id", "school_id", "level", "observer_teacher_id", "observer_name")

# --- scope ---------------------------------------------------------------------------------------


def visible(scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the activities `scope` may see."""
    in_region = Activity.region_id == scope.region_id
    if scope.is_bureau:
        return in_region
    schools_take_part = Activity.id.in_(
        select(ActivitySchool.activity_id).where(ActivitySchool.school_id.in_(scope.school_ids))
    )
    if scope.role is Role.group_head:
        mine = or_(
            Activity.group_id.in_(scope.group_ids),
            Activity.school_id.in_(scope.school_ids),
            schools_take_part,
        )
    elif scope.role is Role.school_admin:
        mine = or_(Activity.school_id.in_(scope.school_ids), schools_take_part)
    elif scope.teacher_id is not None:
        mine = or_(
            Activity.observer_teacher_id == scope.teacher_id,
            Activity.id.in_(
                select(ActivityTeacher.activity_id).where(ActivityTeacher.teacher_id == scope.teacher_id)
            ),
        )
    else:
        mine = false()
    return and_(in_region, mine)


def can_write(scope: Scope, group_id: int | None, school_id: int | None) -> bool:
    """Whether `scope` may record an activity with these organisers (both, when both are given)."""
    if scope.is_bureau:
        return True
    if group_id is None and school_id is None:
        return False
    group_ok = group_id is None or scope.can_write_group(group_id)
    school_ok = school_id is None or scope.can_write_school(school_id)
    return group_ok and school_ok


def require_writer(scope: Scope, group_id: int | None, school_id: int | None, what: str) -> None:
    """Refuse (403) a user who may not write an activity with these organisers."""
    scope.require_school_manager(what)
    if not can_write(scope, group_id, school_id):
        group_refused = group_id is not None and not can_write(scope, group_id, None)
        field = "group_id" if group_refused else "school_id"
        raise Forbidden(f"{what}: 只能记录本集团或本校组织的活动", field=field)


# --- queries -------------------------------------------------------------------------------------


def _period(stmt: Select[Any], start: date | None, end: date | None) -> Select[Any]:
    if start is not None:
        stmt = stmt.where(Activity.occurred_on >= start)
    if end is not None:
        stmt = stmt.where(Activity.occurred_on <= end)
    return stmt


def list_activities(
    session: Session,
    scope: Scope,
    *,
    kind: ActivityKind | None = None,
    group_id: int | None = None,
    school_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Activity]:
    """Activities in scope, newest first; `school_id` matches the organising or a participating school."""
    stmt = _period(select(Activity).where(visible(scope)), start, end)
    if kind is not None:
        stmt = stmt.where(Activity.kind == kind)
    if group_id is not None:
        stmt = stmt.where(Activity.group_id == group_id)
    if school_id is not None:
        takes_part = select(ActivitySchool.activity_id).where(ActivitySchool.school_id == school_id)
        stmt = stmt.where(or_(Activity.school_id == school_id, Activity.id.in_(takes_part)))
    stmt = stmt.options(*_LOADS).order_by(Activity.occurred_on.desc(), Activity.id.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def get_activity(session: Session, scope: Scope, activity_id: int) -> Activity:
    """Gets an activity in scope, with its participants and attachments."""
    stmt = select(Activity).where(Activity.id == activity_id, visible(scope)).options(*_LOADS)
    activity = session.scalars(stmt).one_or_none()
    check_found(activity is not None, "活动", activity_id)
    assert activity is not None
    return activity


# --- writes --------------------------------------------------------------------------------------


def _check_organisers(session: Session, scope: Scope, group_id: int | None, school_id: int | None) -> None:
    if group_id is None and school_id is None:
        raise InvalidInput("请填写组织集团或组织学校 (至少一项)", field="group_id")
    if group_id is not None:
        with not_found_as("group_id"):
            org_service.get_group(session, scope, group_id)
    if school_id is not None:
        with not_found_as("school_id"):
            org_service.get_school(session, scope, school_id)


def _ids_in_region(
    session: Session,
    model: type[School] | type[Teacher] | ReadOnlyColumnCollection[str, ColumnClause[Any]],
    region_id: int,
    ids: Iterable[int],
    what: str,
    field: str,
) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = set(session.scalars(select(model.id).where(model.id.in_(wanted), model.region_id == region_id)))
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise NotFound(f"{what} {', '.join(missing)} 不存在或不在本区", field=field)
    return wanted


def _check_kind_fields(values: dict[str, Any]) -> None:
    """The fields that belong to one kind: a showcase has a level, an observation one observer."""
    kind = values["kind"]
    if kind is ActivityKind.showcase and values["level"] is None:
        raise InvalidInput("展示交流须填写级别 (校级 / 全区 / 全市)", field="level")
    if kind is not ActivityKind.showcase and values["level"] is not None:
        raise InvalidInput(f"只有展示交流有级别, {ACTIVITY_KIND_LABELS[kind]}不填级别", field="level")
    has_teacher = values["observer_teacher_id"] is not None
    has_name = values["observer_name"] is not None
    if kind is ActivityKind.classroom_observation:
        if not has_teacher and not has_name:
            raise InvalidInput("课堂观察须填写观察员 (本区教师或外部观察员姓名)", field="observer")
        if has_teacher and has_name:
            raise InvalidInput("观察员只填一位: 本区教师或外部观察员姓名", field="observer")
    elif has_teacher or has_name:
        raise InvalidInput(f"只有课堂观察有观察员, {ACTIVITY_KIND_LABELS[kind]}不填观察员", field="observer")


def _sync_schools(activity: Activity, school_ids: list[int]) -> None:
    keep = set(school_ids)
    activity.school_links = [link for link in activity.school_links if link.school_id in keep]
    present = {link.school_id for link in activity.school_links}
    activity.school_links += [ActivitySchool(school_id=i) for i in school_ids if i not in present]


def _sync_teachers(activity: Activity, teacher_ids: list[int]) -> None:
    keep = set(teacher_ids)
    activity.teacher_links = [link for link in activity.teacher_links if link.teacher_id in keep]
    present = {link.teacher_id for link in activity.teacher_links}
    activity.teacher_links += [ActivityTeacher(teacher_id=i) for i in teacher_ids if i not in present]


def _report_evidence(activity: Activity) -> bool:
    return bool(activity.report_text) or any(a.is_report for a in activity.attachments)


def create_activity(session: Session, scope: Scope, data: ActivityCreate) -> Activity:
    """Records an activity organised by a group and/or school the caller may write for."""
    scope.require_school_manager("记录活动")
    assert scope.region_id is not None
    _check_organisers(session, scope, data.group_id, data.school_id)
    require_writer(scope, data.group_id, data.school_id, "记录活动")
    values = data.model_dump(exclude={"school_ids", "teacher_ids", "has_report"})
    _check_kind_fields(values)
    school_ids = _ids_in_region(session, School, scope.region_id, data.school_ids, "参与学校", "school_ids")
    teacher_ids = _ids_in_region(
        session, Teacher, scope.region_id, data.teacher_ids, "参与教师", "teacher_ids"
    )
    if data.observer_teacher_id is not None:
        _ids_in_region(session, Teacher, scope.region_id, [data.observer_teacher_id], "观察员", "observer")
    if data.studio_id is not None:
        _ids_in_region(session, _STUDIOS, scope.region_id, [data.studio_id], "工作室", "studio_id")
    activity = Activity(region_id=scope.region_id, **values)
    activity.school_links = [ActivitySchool(school_id=i) for i in school_ids]
    activity.teacher_links = [ActivityTeacher(teacher_id=i) for i in teacher_ids]
    activity.has_report = data.has_report or bool(activity.report_text)
    session.add(activity)
    session.flush()
    return activity


def update_activity(session: Session, scope: Scope, activity_id: int, data: ActivityUpdate) -> Activity:
    """Changes an activity; everything is checked before anything changes."""
    activity = get_activity(session, scope, activity_id)
    require_writer(scope, activity.group_id, activity.school_id, "修改活动")
    changes = data.model_dump(exclude_unset=True)
    for key, label in _REQUIRED.items():
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{label}不能为空", field=key)
    school_ids = changes.pop("school_ids", None)
    teacher_ids = changes.pop("teacher_ids", None)
    declared = changes.pop("has_report", None)
    merged = {key: changes.get(key, getattr(activity, key)) for key in _CHECKED}
    if "group_id" in changes or "school_id" in changes:
        _check_organisers(session, scope, merged["group_id"], merged["school_id"])
        require_writer(scope, merged["group_id"], merged["school_id"], "修改活动")
    _check_kind_fields(merged)
    region_id = activity.region_id
    if school_ids is not None:
        school_ids = _ids_in_region(session, School, region_id, school_ids, "参与学校", "school_ids")
    if teacher_ids is not None:
        teacher_ids = _ids_in_region(session, Teacher, region_id, teacher_ids, "参与教师", "teacher_ids")
    if changes.get("observer_teacher_id") is not None:
        _ids_in_region(session, Teacher, region_id, [changes["observer_teacher_id"]], "观察员", "observer")
    if changes.get("studio_id") is not None:
        _ids_in_region(session, _STUDIOS, region_id, [changes["studio_id"]], "工作室", "studio_id")

    for key, value in changes.items():
        setattr(activity, key, value)
    if school_ids is not None:
        _sync_schools(activity, school_ids)
    if teacher_ids is not None:
        _sync_teachers(activity, teacher_ids)
    if declared is not None:
        activity.has_report = declared or _report_evidence(activity)
    elif "report_text" in changes:
        activity.has_report = _report_evidence(activity)
    session.flush()
    return activity


def delete_activity(session: Session, scope: Scope, activity_id: int) -> None:
    """Deletes an activity with its participants and evidence (the files go when the deletion commits)."""
    activity = get_activity(session, scope, activity_id)
    require_writer(scope, activity.group_id, activity.school_id, "删除活动")
    for attachment in activity.attachments:
        storage.discard(session, attachment.stored_name)
    session.delete(activity)
    session.flush()


# --- evidence ------------------------------------------------------------------------------------


def _clean_filename(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return name[-255:] or "file"


def add_attachment(
    session: Session, scope: Scope, activity_id: int, filename: str, data: bytes, *, is_report: bool = False
) -> ActivityAttachment:
    """Stores an evidence file (pdf, jpg, png, docx, xlsx, pptx, txt; checked by content, size-limited)."""
    activity = get_activity(session, scope, activity_id)
    require_writer(scope, activity.group_id, activity.school_id, "上传证明材料")
    if not filename:
        raise InvalidInput("请选择要上传的文件", field="file")
    name = _clean_filename(filename)
    stored = storage.save(session, name, data)
    attachment = ActivityAttachment(
        filename=name,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        is_report=is_report,
    )
    activity.attachments.append(attachment)
    if is_report:
        activity.has_report = True
    session.flush()
    return attachment


def get_attachment(
    session: Session, scope: Scope, activity_id: int, attachment_id: int
) -> ActivityAttachment:
    """Gets an evidence file of an activity in scope."""
    activity = get_activity(session, scope, activity_id)
    attachment = next((a for a in activity.attachments if a.id == attachment_id), None)
    check_found(attachment is not None, "证明材料", attachment_id)
    assert attachment is not None
    return attachment


def attachment_path(attachment: ActivityAttachment) -> Path:
    """Where the file of an attachment is; NotFound when it is missing on disk."""
    path = storage.path_of(attachment.stored_name)
    if not path.is_file():
        raise NotFound(f"证明材料「{attachment.filename}」的文件已不在存储中")
    return path


def delete_attachment(session: Session, scope: Scope, activity_id: int, attachment_id: int) -> None:
    """Deletes an evidence file (removed from disk when the deletion commits)."""
    attachment = get_attachment(session, scope, activity_id, attachment_id)
    activity = attachment.activity
    require_writer(scope, activity.group_id, activity.school_id, "删除证明材料")
    storage.discard(session, attachment.stored_name)
    activity.attachments.remove(attachment)
    if attachment.is_report:
        activity.has_report = _report_evidence(activity)
    session.flush()


# --- lookups for imports and forms ---------------------------------------------------------------


def codes(session: Session, region_id: int) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Group codes, school codes and teacher staff numbers of a region, each to its id."""
    groups = dict(session.execute(select(Group.code, Group.id).where(Group.region_id == region_id)).all())
    schools = dict(session.execute(select(School.code, School.id).where(School.region_id == region_id)).all())
    teachers = dict(
        session.execute(select(Teacher.staff_number, Teacher.id).where(Teacher.region_id == region_id)).all()
    )
    return groups, schools, teachers


# --- the period read for the compliance engine ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """What the compliance engine needs of one activity."""

    id: int
    kind: ActivityKind
    occurred_on: date
    group_id: int | None
    school_id: int | None
    level: ShowcaseLevel | None
    has_report: bool
    studio_id: int | None = None
    school_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def involved_school_ids(self) -> frozenset[int]:
        """The organising school and the participating schools."""
        if self.school_id is None:
            return self.school_ids
        return self.school_ids | {self.school_id}


def _period_conditions(
    region_id: int, start: date, end: date, kinds: Iterable[ActivityKind | str] | None
) -> list[ColumnElement[bool]]:
    conditions = [Activity.region_id == region_id, Activity.occurred_on >= start, Activity.occurred_on <= end]
    if kinds is not None:
        conditions.append(Activity.kind.in_([ActivityKind(k) for k in kinds]))
    return conditions


def activity_participants(
    session: Session,
    *,
    region_id: int,
    start: date,
    end: date,
    kinds: Iterable[ActivityKind | str] | None = None,
) -> dict[int, frozenset[int]]:
    """Participating schools of every activity of a region in a period, by activity id (one query)."""
    links = select(ActivitySchool.activity_id, ActivitySchool.school_id).join(
        Activity, Activity.id == ActivitySchool.activity_id
    )
    found: dict[int, set[int]] = {}
    for activity_id, school_id in session.execute(
        links.where(*_period_conditions(region_id, start, end, kinds))
    ):
        found.setdefault(activity_id, set()).add(school_id)
    return {activity_id: frozenset(schools) for activity_id, schools in found.items()}


def activities_in(
    session: Session,
    *,
    region_id: int,
    start: date,
    end: date,
    kinds: Iterable[ActivityKind | str] | None = None,
    with_participants: bool = True,
) -> list[ActivityRow]:
    """Every activity of a region from `start` to `end` (both inclusive), by date, with participating schools.

    Not scoped: the engine evaluates a whole region. Two queries (one without participants), whatever the
    number of activities.
    """
    kinds = list(kinds) if kinds is not None else None
    participants = (
        activity_participants(session, region_id=region_id, start=start, end=end, kinds=kinds)
        if with_participants
        else {}
    )
    stmt = (
        select(
            Activity.id,
            Activity.kind,
            Activity.occurred_on,
            Activity.group_id,
            Activity.school_id,
            Activity.level,
            Activity.has_report,
            Activity.studio_id,
        )
        .where(*_period_conditions(region_id, start, end, kinds))
        .order_by(Activity.occurred_on, Activity.id)
    )
    empty: frozenset[int] = frozenset()
    return [
        ActivityRow(*row, school_ids=participants.get(row[0], empty)) for row in session.execute(stmt).all()
    ]
