"""Teacher development: training and showcase credits by the region's rule (HK-10, SH-10), demonstration-
lesson certificates refused past their limits at entry (OH-11, OH-12), mentoring pairs (OH-09, HD-03),
teacher dispatch (HD-03), experts and observers assigned to schools and programmes (QP-05, QP-07.a), and
studios with members across schools (OH-10, SH-09); plus the period reads the compliance engine counts from.

Who sees a record: a bureau administrator every one of its region; others the records of the teachers they
may see (a group head its schools' teachers, a school administrator its school's, a teacher its own); a
group head also sees the certificates its groups issued, and the experts assigned to its groups and schools.
Who writes: a bureau administrator anything in its region; a group head or school administrator training
records and mentoring pairs of its teachers; a group head the certificates its groups issue and the
dispatches between its schools; experts and observers are assigned by the bureau. Hidden records answer 404,
visible but not writable ones 403.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from edugroup.activities import service as activities_service
from edugroup.activities.models import Activity
from edugroup.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from edugroup.core.models import Role
from edugroup.core.periods import SchoolYear, school_year_of
from edugroup.core.scope import Scope, check_found
from edugroup.org import service as org_service
from edugroup.org.models import Group, GroupMode, Region, School
from edugroup.policy.contract import EntityRef, EvalContext, measure
from edugroup.policy.models import PackEdition
from edugroup.policy.packs import PackLibrary
from edugroup.policy.schemas import MetricRef, Pack, RuleCheck
from edugroup.teachers import service as teachers_service
from edugroup.teachers.development.models import (
    DEFAULT_CREDITS_PER_HOUR,
    TRAINING_LEVEL_LABELS,
    Assignment,
    Certificate,
    CertificateKind,
    CreditRule,
    Dispatch,
    MentoringPair,
    TrainingLevel,
    TrainingRecord,
)
from edugroup.teachers.development.schemas import (
    AssignmentCreate,
    AssignmentUpdate,
    CertificateCreate,
    CertificateUpdate,
    CreditRuleUpdate,
    DispatchCreate,
    DispatchUpdate,
    MentoringCreate,
    MentoringUpdate,
    StudioCreate,
    StudioMemberCreate,
    StudioMemberUpdate,
    StudioUpdate,
    TrainingCreate,
    TrainingUpdate,
)
from edugroup.teachers.models import Studio, StudioMember, Teacher

IdColumn = InstrumentedAttribute[int] | InstrumentedAttribute[int | None]

# --- scope ---------------------------------------------------------------------------------------


def teachers_visible(scope: Scope, column: IdColumn) -> ColumnElement[bool]:
    """SQL condition: `column` (a teacher id) names a teacher `scope` may see."""
    return column.in_(select(Teacher.id).where(teachers_service.visible(scope)))


def can_record(scope: Scope) -> bool:
    """Whether `scope` may record teacher development at all (teachers only read their own)."""
    return scope.is_bureau or scope.role in (Role.group_head, Role.school_admin)


def require_recorder(scope: Scope, what: str) -> None:
    """Refuse (403) users who may not record teacher development."""
    if not can_record(scope):
        raise Forbidden(f"{what}仅限教育局、集团或学校管理员")


def get_teacher(session: Session, scope: Scope, teacher_id: int, *, field: str = "teacher_id") -> Teacher:
    """A teacher `scope` may see; NotFound naming `field` otherwise."""
    try:
        return teachers_service.get_teacher(session, scope, teacher_id)
    except NotFound as exc:
        raise _found(exc, field) from None


def _found(exc: NotFound, field: str) -> NotFound:
    """The same refusal, naming the field that named the missing object."""
    return NotFound(exc.message, field=field)


def _group(session: Session, scope: Scope, group_id: int, field: str = "group_id") -> Group:
    try:
        return org_service.get_group(session, scope, group_id)
    except NotFound as exc:
        raise _found(exc, field) from None


def _school(session: Session, scope: Scope, school_id: int, field: str = "school_id") -> School:
    try:
        return org_service.get_school(session, scope, school_id)
    except NotFound as exc:
        raise _found(exc, field) from None


def _activity(session: Session, scope: Scope, activity_id: int) -> Activity:
    try:
        return activities_service.get_activity(session, scope, activity_id)
    except NotFound as exc:
        raise _found(exc, "activity_id") from None


def _in_year(column: InstrumentedAttribute[date], year: int | None) -> tuple[ColumnElement[bool], ...]:
    if year is None:
        return ()
    period = SchoolYear(year)
    return (column >= period.start, column <= period.end)


def _overlapping_year(
    start: InstrumentedAttribute[date], end: InstrumentedAttribute[date | None], year: int | None
) -> tuple[ColumnElement[bool], ...]:
    if year is None:
        return ()
    period = SchoolYear(year)
    return (start <= period.end, or_(end.is_(None), end >= period.start))


def _changes(data: Any, required: dict[str, str]) -> dict[str, Any]:
    """The fields an update sets; a required field set to null is refused, naming it."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for key, label in required.items():
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{label}不能为空", field=key)
    return changes


def _check_dates(values: dict[str, Any]) -> None:
    if values.get("ended_on") is not None and values["ended_on"] < values["started_on"]:
        raise InvalidInput("结束日期早于开始日期", field="ended_on")


# --- credit rules (HK-10, SH-10) -----------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Credits per hour of each training level, and whether this is the shipped default."""

    region_id: int | None
    credits_per_hour: dict[TrainingLevel, float]
    default: bool

    def credits(self, level: TrainingLevel, hours: float) -> float:
        """Credits for `hours` at `level`, to two decimals."""
        return round(hours * self.credits_per_hour[level], 2)


def credit_rule(session: Session, region_id: int | None) -> Rule:
    """The region's credit rule, or the default rule (the rows without a region) when it has none."""
    rows = list(session.scalars(select(CreditRule).where(CreditRule.region_id == region_id)))
    if region_id is not None and len(rows) == len(TrainingLevel):
        return Rule(region_id, {r.level: r.credits_per_hour for r in rows}, default=False)
    defaults = {
        r.level: r.credits_per_hour
        for r in session.scalars(select(CreditRule).where(CreditRule.region_id.is_(None)))
    }
    return Rule(None, {**DEFAULT_CREDITS_PER_HOUR, **defaults}, default=True)


def validate_rule(rates: dict[TrainingLevel, float]) -> None:
    """A rule gives every level a rate in [0, 10], and 学区/集团 more than 校本 (HK-10, SH-10)."""
    for level in TrainingLevel:
        if level not in rates:
            raise InvalidInput(f"缺少{TRAINING_LEVEL_LABELS[level]}培训的每学时学分", field=level.value)
        if not 0 <= rates[level] <= 10:
            raise InvalidInput(
                f"{TRAINING_LEVEL_LABELS[level]}培训的每学时学分应在 0 到 10 之间", field=level.value
            )
    group, school = rates[TrainingLevel.group], rates[TrainingLevel.school]
    if group <= school:
        raise InvalidInput(
            f"学区/集团培训的每学时学分 ({group:g}) 必须高于校本培训 ({school:g}): "
            "学区、集团内参训按高于校本培训的原则核定学分 (HK-10, SH-10)",
            field=TrainingLevel.group.value,
        )


def set_credit_rule(session: Session, scope: Scope, data: CreditRuleUpdate) -> Rule:
    """Sets the bureau administrator's region's rule; records already granted keep their credits."""
    scope.require_bureau("修改学分核定规则")
    validate_rule(data.credits_per_hour)
    existing = {
        r.level: r for r in session.scalars(select(CreditRule).where(CreditRule.region_id == scope.region_id))
    }
    for level in TrainingLevel:
        rate = float(data.credits_per_hour[level])
        if level in existing:
            existing[level].credits_per_hour = rate
        else:
            session.add(CreditRule(region_id=scope.region_id, level=level, credits_per_hour=rate))
    session.flush()
    return credit_rule(session, scope.region_id)


# --- training records ----------------------------------------------------------------------------

_T = TypeVar("_T")

_TRAINING_LOADS = (
    selectinload(TrainingRecord.teacher).selectinload(Teacher.school),
    selectinload(TrainingRecord.group),
    selectinload(TrainingRecord.district),
)
_TRAINING_REQUIRED = {
    "teacher_id": "教师",
    "kind": "类型",
    "level": "培训级别",
    "title": "名称",
    "started_on": "开始日期",
    "hours": "学时",
}


def _training_visible(scope: Scope) -> ColumnElement[bool]:
    return (TrainingRecord.region_id == scope.region_id) & teachers_visible(scope, TrainingRecord.teacher_id)


def list_training(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    school_id: int | None = None,
    teacher_id: int | None = None,
    level: TrainingLevel | None = None,
) -> list[TrainingRecord]:
    """Training and showcase records in scope, newest first."""
    stmt = select(TrainingRecord).where(_training_visible(scope), *_in_year(TrainingRecord.started_on, year))
    if school_id is not None:
        stmt = stmt.where(
            TrainingRecord.teacher_id.in_(select(Teacher.id).where(Teacher.school_id == school_id))
        )
    if teacher_id is not None:
        stmt = stmt.where(TrainingRecord.teacher_id == teacher_id)
    if level is not None:
        stmt = stmt.where(TrainingRecord.level == level)
    stmt = stmt.options(*_TRAINING_LOADS).order_by(TrainingRecord.started_on.desc(), TrainingRecord.id.desc())
    return list(session.scalars(stmt))


def _visible_one(
    session: Session,
    model: type[_T],
    ident: int,
    visible: ColumnElement[bool],
    loads: Sequence[Any],
    label: str,
) -> _T:
    """The record with this id if the caller may see it; NotFound (404) otherwise."""
    stmt = select(model).where(model.id == ident, visible).options(*loads)  # type: ignore[attr-defined]
    found = session.scalars(stmt).one_or_none()
    check_found(found is not None, label, ident)
    assert found is not None
    return found


def get_training(session: Session, scope: Scope, record_id: int) -> TrainingRecord:
    """Gets a training record in scope."""
    return _visible_one(
        session, TrainingRecord, record_id, _training_visible(scope), _TRAINING_LOADS, "培训记录"
    )


def _writable_teacher(session: Session, scope: Scope, teacher_id: int, what: str, field: str) -> Teacher:
    require_recorder(scope, what)
    return get_teacher(session, scope, teacher_id, field=field)


def _checked_training(session: Session, scope: Scope, values: dict[str, Any], what: str) -> dict[str, Any]:
    """Checks a whole training record and adds its credits by the region's rule."""
    teacher = _writable_teacher(session, scope, values["teacher_id"], what, "teacher_id")
    _check_dates(values)
    if values.get("group_id") is not None:
        _group(session, scope, values["group_id"])
    if values.get("district_id") is not None:
        try:
            org_service.get_district(session, scope, values["district_id"])
        except NotFound as exc:
            raise _found(exc, "district_id") from None
    if (
        values["level"] is TrainingLevel.group
        and values.get("group_id") is None
        and not values.get("district_id")
    ):
        raise InvalidInput("学区/集团培训须填写组织的学区或集团", field="group_id")
    if values.get("activity_id") is not None:
        _activity(session, scope, values["activity_id"])
    rule = credit_rule(session, teacher.region_id)
    rate = rule.credits_per_hour[values["level"]]
    return {**values, "credit_rate": rate, "credits": rule.credits(values["level"], values["hours"])}


def create_training(session: Session, scope: Scope, data: TrainingCreate) -> TrainingRecord:
    """Records a teacher's training (or showcase) hours; credits by the region's rule (HK-10, SH-10)."""
    values = _checked_training(session, scope, data.model_dump(), "记录培训")
    record = TrainingRecord(region_id=scope.region_id, **values)
    session.add(record)
    session.flush()
    return record


def update_training(session: Session, scope: Scope, record_id: int, data: TrainingUpdate) -> TrainingRecord:
    """Changes a training record; its credits are computed again by the region's current rule."""
    record = get_training(session, scope, record_id)
    _writable_teacher(session, scope, record.teacher_id, "修改培训记录", "teacher_id")
    changes = _changes(data, _TRAINING_REQUIRED)
    fields = TrainingCreate.model_fields
    merged = {key: changes.get(key, getattr(record, key)) for key in fields}
    values = _checked_training(session, scope, merged, "修改培训记录")
    for key, value in values.items():
        setattr(record, key, value)
    session.flush()
    return record


def delete_training(session: Session, scope: Scope, record_id: int) -> None:
    """Deletes a training record entered by mistake."""
    record = get_training(session, scope, record_id)
    _writable_teacher(session, scope, record.teacher_id, "删除培训记录", "teacher_id")
    session.delete(record)
    session.flush()


@dataclass
class TeacherTotal:
    """A teacher's training hours and credits in one school year, by level."""

    teacher: Teacher
    school_year: int
    records: int = 0
    hours_by_level: dict[TrainingLevel, float] = field(default_factory=dict)
    credits_by_level: dict[TrainingLevel, float] = field(default_factory=dict)

    @property
    def hours(self) -> float:
        return round(sum(self.hours_by_level.values()), 2)

    @property
    def credits(self) -> float:
        return round(sum(self.credits_by_level.values()), 2)


def training_totals(
    session: Session, scope: Scope, year: int, *, school_id: int | None = None, teacher_id: int | None = None
) -> list[TeacherTotal]:
    """Each teacher's hours and credits in school year `year`, by level, for the teachers in scope."""
    period = SchoolYear(year)
    stmt = (
        select(
            TrainingRecord.teacher_id,
            TrainingRecord.level,
            func.count(),
            func.sum(TrainingRecord.hours),
            func.sum(TrainingRecord.credits),
        )
        .where(_training_visible(scope), *_in_year(TrainingRecord.started_on, year))
        .group_by(TrainingRecord.teacher_id, TrainingRecord.level)
    )
    if teacher_id is not None:
        stmt = stmt.where(TrainingRecord.teacher_id == teacher_id)
    if school_id is not None:
        stmt = stmt.where(
            TrainingRecord.teacher_id.in_(select(Teacher.id).where(Teacher.school_id == school_id))
        )
    sums = session.execute(stmt).all()
    teachers = {
        t.id: t
        for t in session.scalars(
            select(Teacher)
            .where(Teacher.id.in_({row[0] for row in sums}))
            .options(selectinload(Teacher.school))
        )
    }
    totals: dict[int, TeacherTotal] = {}
    for teacher_ref, level, count, hours, credits in sums:
        total = totals.setdefault(teacher_ref, TeacherTotal(teachers[teacher_ref], period.year))
        total.records += int(count)
        total.hours_by_level[level] = round(float(hours or 0), 2)
        total.credits_by_level[level] = round(float(credits or 0), 2)
    return sorted(totals.values(), key=lambda t: (t.teacher.school.code, t.teacher.staff_number))


# --- demonstration-lesson certificates (OH-11, OH-12) ---------------------------------------------

DOCUMENT_PER_TEACHER_LIMIT = 2
"""OH-12 as the document writes it: 每位教师每学年此类活动获得的证书不超过2个."""
DOCUMENT_GROUP_SHARE = 0.15
"""OH-11 as the document writes it: 每学年颁发区级示范课的总节数不超过教师总数的15%."""
FALLBACK_PACK = "ouhai-2022"


@dataclass(frozen=True)
class CertificateLimits:
    """How many certificates one teacher, and one group, may receive in a school year, and where that is
    read: per group either a fixed number, or `group_share` × the group's `group_metric` (its teachers)."""

    per_teacher: int
    group_share: float
    group_cap: int | None
    source: str
    group_metric: str = "teachers.count"
    group_params: tuple[tuple[str, Any], ...] = ()


def _largest_count(comparator: str, threshold: float) -> int | None:
    """The largest whole count a `count comparator threshold` rule allows, or None for a floor rule."""
    if comparator in ("<=", "=="):
        return math.floor(threshold + 1e-9)
    if comparator == "<":
        return math.ceil(threshold - 1e-9) - 1
    return None


def _certificate_checks(pack: Pack) -> list[RuleCheck]:
    kind = CertificateKind.district_demonstration_lesson.value
    return [
        c for c in pack.rule_checks() if c.metric == "certificates.count" and c.params.get("kind") == kind
    ]


def certificate_limits(session: Session, region_id: int, year: int) -> CertificateLimits:
    """The limits in force for the region in school year `year`: read from the certificate rules of the
    region's pack (OH-11 per group, OH-12 per teacher), else of the ouhai-2022 pack, else the document's.

    Read once per session (a request, an import) until the region loads another pack edition."""
    from edugroup.policy import service as policy_service

    region = session.get(Region, region_id)
    pack_id = region.policy_pack if region else None
    loaded = session.scalar(select(func.max(PackEdition.id)).where(PackEdition.region_id == region_id))
    key = ("certificate_limits", region_id, year, pack_id, loaded)
    cached = session.info.get(key)
    if isinstance(cached, CertificateLimits):
        return cached
    library_key = ("pack_library", region_id, loaded)
    if library_key not in session.info:
        session.info[library_key] = policy_service.library(session, region_id)
    library: PackLibrary = session.info[library_key]
    per_teacher: int | None = None
    share: float | None = None
    cap: int | None = None
    metric: str = "teachers.count"
    params: tuple[tuple[str, Any], ...] = ()
    sources: list[str] = []
    for candidate in dict.fromkeys(p for p in (pack_id, FALLBACK_PACK) if p):
        try:
            pack = library.edition_for(candidate, SchoolYear(year))
        except NotFound:
            continue
        for check in _certificate_checks(pack):
            threshold, where = check.threshold, f"{pack.id} ({pack.edition}) {check.id}"
            if "teacher" in check.scope.entity and per_teacher is None and isinstance(threshold, float):
                per_teacher = _largest_count(check.comparator, threshold)
                sources += [where] if per_teacher is not None else []
            if "group" not in check.scope.entity or share is not None or cap is not None:
                continue
            if isinstance(threshold, MetricRef) and threshold.entity == "self":
                share, metric = threshold.factor, threshold.metric
                params = tuple(sorted(check.threshold_params.items()))
                sources.append(where)
            elif (
                isinstance(threshold, float)
                and (cap := _largest_count(check.comparator, threshold)) is not None
            ):
                share = 0.0
                sources.append(where)
        if per_teacher is not None and share is not None:
            break
    if per_teacher is None:
        per_teacher = DOCUMENT_PER_TEACHER_LIMIT
        sources.append("文件规定 (OH-12)")
    if share is None:
        share = DOCUMENT_GROUP_SHARE
        sources.append("文件规定 (OH-11)")
    limits = CertificateLimits(per_teacher, share, cap, "; ".join(sources), metric, params)
    session.info[key] = limits
    return limits


def group_teacher_counts(
    session: Session, groups: list[Group], year: int, limits: CertificateLimits
) -> dict[int, int]:
    """Groups' teachers in school year `year` (OH-11's 教师总数) as the rule's own threshold metric counts
    them (`teachers.count` in ouhai-2022), so the limit at entry and the compliance verdict agree."""
    if not groups:
        return {}
    period = SchoolYear(year)
    ctx = EvalContext(session, groups[0].region_id, window=(period.start, period.end))
    refs = [EntityRef("group", g.id, g.name) for g in groups]
    found = measure(ctx, limits.group_metric, refs, period, dict(limits.group_params))
    if found is None:
        raise Conflict(f"指标 {limits.group_metric} 尚未实现, 无法核定示范课证书上限", field="group_id")
    return {m.entity_id: int(m.value) for m in found if m.value is not None}


@dataclass(frozen=True)
class Quota:
    """A group's certificates in one school year against its limit (OH-11)."""

    group: Group
    school_year: int
    teachers: int
    limits: CertificateLimits
    issued: int

    @property
    def limit(self) -> int:
        if self.limits.group_cap is not None:
            return self.limits.group_cap
        return math.floor(self.limits.group_share * self.teachers + 1e-9)

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.issued)


def _certificate_count(session: Session, *conditions: ColumnElement[bool], exclude: int | None) -> int:
    stmt = select(func.count()).select_from(Certificate).where(*conditions)
    if exclude is not None:
        stmt = stmt.where(Certificate.id != exclude)
    return int(session.scalar(stmt) or 0)


def _quota(session: Session, group: Group, year: int, exclude: int | None = None) -> Quota:
    limits = certificate_limits(session, group.region_id, year)
    teachers = 0
    if limits.group_cap is None:
        teachers = group_teacher_counts(session, [group], year, limits).get(group.id, 0)
    issued = _certificate_count(
        session,
        Certificate.group_id == group.id,
        Certificate.kind == CertificateKind.district_demonstration_lesson,
        *_in_year(Certificate.issued_on, year),
        exclude=exclude,
    )
    return Quota(group, year, teachers, limits, issued)


def certificate_quota(session: Session, scope: Scope, group_id: int, year: int) -> Quota:
    """A group's certificates in school year `year`, its limit and how many are left (OH-11)."""
    return _quota(session, _group(session, scope, group_id), year)


ISSUING_MODES = (GroupMode.tight, GroupMode.co_build)
"""Groups that may apply for district showcases and issue demonstration-lesson certificates (OH-11's note)."""


def certificate_quotas(session: Session, scope: Scope, year: int) -> list[Quota]:
    """Every group in scope that issues certificates (tight and co-build groups, and any group that issued
    some in the year), with its limit, issued and remaining (OH-11)."""
    assert scope.region_id is not None
    limits = certificate_limits(session, scope.region_id, year)
    issued: dict[int, int] = dict(
        session.execute(
            select(Certificate.group_id, func.count())
            .where(Certificate.region_id == scope.region_id, *_in_year(Certificate.issued_on, year))
            .group_by(Certificate.group_id)
        ).all()
    )
    groups = [g for g in org_service.list_groups(session, scope) if g.mode in ISSUING_MODES or g.id in issued]
    teachers = group_teacher_counts(session, groups, year, limits) if limits.group_cap is None else {}
    return [Quota(g, year, teachers.get(g.id, 0), limits, issued.get(g.id, 0)) for g in groups]


def _certificates_visible(scope: Scope) -> ColumnElement[bool]:
    mine = teachers_visible(scope, Certificate.teacher_id)
    if scope.role is Role.group_head:
        mine = or_(mine, Certificate.group_id.in_(scope.group_ids))
    return (Certificate.region_id == scope.region_id) & mine


_CERTIFICATE_LOADS = (
    selectinload(Certificate.teacher),
    selectinload(Certificate.school),
    selectinload(Certificate.group),
)


def list_certificates(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    school_id: int | None = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[Certificate]:
    """Certificates in scope, newest first."""
    stmt = select(Certificate).where(_certificates_visible(scope), *_in_year(Certificate.issued_on, year))
    if school_id is not None:
        stmt = stmt.where(Certificate.school_id == school_id)
    if group_id is not None:
        stmt = stmt.where(Certificate.group_id == group_id)
    if teacher_id is not None:
        stmt = stmt.where(Certificate.teacher_id == teacher_id)
    stmt = stmt.options(*_CERTIFICATE_LOADS).order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    return list(session.scalars(stmt))


def get_certificate(session: Session, scope: Scope, certificate_id: int) -> Certificate:
    """Gets a certificate in scope."""
    return _visible_one(
        session, Certificate, certificate_id, _certificates_visible(scope), _CERTIFICATE_LOADS, "证书"
    )


def can_issue(scope: Scope, group_id: int) -> bool:
    """Whether `scope` may record certificates a group issues (bureau; a group head for its groups)."""
    return scope.is_bureau or (scope.role is Role.group_head and group_id in scope.group_ids)


def _require_issuer(scope: Scope, group_id: int, what: str) -> None:
    if not can_issue(scope, group_id):
        raise Forbidden(f"{what}仅限教育局管理员或颁发集团的总校长", field="group_id")


def _checked_certificate(
    session: Session, scope: Scope, values: dict[str, Any], what: str, exclude: int | None
) -> dict[str, Any]:
    """Checks a whole certificate, then refuses it past the teacher's (OH-12) or the group's (OH-11) limit."""
    if not scope.is_bureau and scope.role is not Role.group_head:
        raise Forbidden(f"{what}仅限教育局管理员或颁发集团的总校长")
    group = _group(session, scope, values["group_id"])
    _require_issuer(scope, group.id, what)
    teacher = get_teacher(session, scope, values["teacher_id"])
    day: date = values["issued_on"]
    members = {m.school_id for m in org_service.members_on(session, scope, group.id, day)}
    if teacher.school_id not in members and teacher.pool_group_id != group.id:
        raise InvalidInput(
            f"{teacher.name} 所在的{teacher.school.name}在 {day} 不是{group.name}的成员校", field="group_id"
        )
    if values.get("activity_id") is not None:
        _activity(session, scope, values["activity_id"])
    if values.get("number"):
        duplicate = select(Certificate.id).where(
            Certificate.region_id == teacher.region_id, Certificate.number == values["number"]
        )
        if exclude is not None:
            duplicate = duplicate.where(Certificate.id != exclude)
        if session.scalar(duplicate) is not None:
            raise Conflict(f"证书编号 {values['number']} 已被使用", field="number")
    year = school_year_of(day).year
    limits = certificate_limits(session, teacher.region_id, year)
    held = _certificate_count(
        session,
        Certificate.teacher_id == teacher.id,
        Certificate.kind == CertificateKind.district_demonstration_lesson,
        *_in_year(Certificate.issued_on, year),
        exclude=exclude,
    )
    if held + 1 > limits.per_teacher:
        raise Conflict(
            f"{teacher.name} (工号 {teacher.staff_number}) 在{year}学年已有 {held} 个区级示范课证书; "
            f"每位教师每学年不超过 {limits.per_teacher} 个 (OH-12), 不能再录入",
            field="teacher_id",
        )
    quota = _quota(session, group, year, exclude=exclude)
    if quota.issued + 1 > quota.limit:
        share = f"的 {quota.limits.group_share:.0%}" if quota.limits.group_cap is None else ""
        raise Conflict(
            f"{group.name}{year}学年的区级示范课证书已达上限: 教师 {quota.teachers} 人{share}, "
            f"最多 {quota.limit} 个, 已颁发 {quota.issued} 个, 还剩 {quota.remaining} 个 (OH-11), 不能再录入",
            field="group_id",
        )
    return {**values, "school_id": teacher.school_id}


def create_certificate(session: Session, scope: Scope, data: CertificateCreate) -> Certificate:
    """Records a district demonstration-lesson certificate, refused past either limit (OH-11, OH-12)."""
    values = _checked_certificate(session, scope, data.model_dump(), "录入示范课证书", exclude=None)
    certificate = Certificate(
        region_id=scope.region_id, kind=CertificateKind.district_demonstration_lesson, **values
    )
    session.add(certificate)
    session.flush()
    return certificate


_CERTIFICATE_REQUIRED = {
    "teacher_id": "教师",
    "group_id": "颁发集团",
    "issued_on": "颁发日期",
    "lesson_title": "示范课课题",
}


def update_certificate(
    session: Session, scope: Scope, certificate_id: int, data: CertificateUpdate
) -> Certificate:
    """Changes a certificate; the limits are checked again without counting it twice."""
    certificate = get_certificate(session, scope, certificate_id)
    _require_issuer(scope, certificate.group_id, "修改示范课证书")
    changes = _changes(data, _CERTIFICATE_REQUIRED)
    merged = {key: changes.get(key, getattr(certificate, key)) for key in CertificateCreate.model_fields}
    values = _checked_certificate(session, scope, merged, "修改示范课证书", exclude=certificate.id)
    for key, value in values.items():
        setattr(certificate, key, value)
    session.flush()
    return certificate


def delete_certificate(session: Session, scope: Scope, certificate_id: int) -> None:
    """Deletes a certificate entered by mistake."""
    certificate = get_certificate(session, scope, certificate_id)
    _require_issuer(scope, certificate.group_id, "删除示范课证书")
    session.delete(certificate)
    session.flush()


# --- mentoring pairs (OH-09, HD-03) ---------------------------------------------------------------


def is_backbone(teacher: Teacher) -> bool:
    """A backbone teacher (骨干教师): on a level of the five-tier ladder (`backbone_tier` of the teacher
    record, read defensively: where teacher records carry no tier, nobody is a backbone teacher)."""
    return getattr(teacher, "backbone_tier", None) is not None


_PAIR_LOADS = (
    selectinload(MentoringPair.mentor).selectinload(Teacher.school),
    selectinload(MentoringPair.mentee).selectinload(Teacher.school),
    selectinload(MentoringPair.group),
)
_PAIR_REQUIRED = {"mentor_id": "师傅", "mentee_id": "徒弟", "started_on": "开始日期"}


def _pairs_visible(scope: Scope) -> ColumnElement[bool]:
    mine = or_(
        teachers_visible(scope, MentoringPair.mentor_id), teachers_visible(scope, MentoringPair.mentee_id)
    )
    return (MentoringPair.region_id == scope.region_id) & mine


def list_pairs(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[MentoringPair]:
    """Mentoring pairs in scope (active during school year `year` when given), newest first."""
    stmt = select(MentoringPair).where(
        _pairs_visible(scope), *_overlapping_year(MentoringPair.started_on, MentoringPair.ended_on, year)
    )
    if group_id is not None:
        stmt = stmt.where(MentoringPair.group_id == group_id)
    if teacher_id is not None:
        stmt = stmt.where(or_(MentoringPair.mentor_id == teacher_id, MentoringPair.mentee_id == teacher_id))
    stmt = stmt.options(*_PAIR_LOADS).order_by(MentoringPair.started_on.desc(), MentoringPair.id.desc())
    return list(session.scalars(stmt))


def get_pair(session: Session, scope: Scope, pair_id: int) -> MentoringPair:
    """Gets a mentoring pair in scope."""
    return _visible_one(session, MentoringPair, pair_id, _pairs_visible(scope), _PAIR_LOADS, "师徒结对")


def _checked_pair(
    session: Session, scope: Scope, values: dict[str, Any], what: str, exclude: int | None
) -> dict[str, Any]:
    mentor = _writable_teacher(session, scope, values["mentor_id"], what, "mentor_id")
    mentee = _writable_teacher(session, scope, values["mentee_id"], what, "mentee_id")
    if mentor.id == mentee.id:
        raise InvalidInput("师傅和徒弟不能是同一位教师", field="mentee_id")
    _check_dates(values)
    if values.get("group_id") is not None:
        _group(session, scope, values["group_id"])
    clash = select(MentoringPair).where(
        MentoringPair.mentor_id == mentor.id,
        MentoringPair.mentee_id == mentee.id,
        or_(MentoringPair.ended_on.is_(None), MentoringPair.ended_on >= values["started_on"]),
    )
    if values.get("ended_on") is not None:
        clash = clash.where(MentoringPair.started_on <= values["ended_on"])
    if exclude is not None:
        clash = clash.where(MentoringPair.id != exclude)
    found = session.scalars(clash).first()
    if found is not None:
        until = found.ended_on.isoformat() if found.ended_on else "至今"
        raise Conflict(
            f"{mentor.name} 与 {mentee.name} 在 {found.started_on} 至 {until} 已结对", field="mentee_id"
        )
    return values


def create_pair(session: Session, scope: Scope, data: MentoringCreate) -> MentoringPair:
    """Records a mentoring pair of two teachers the caller may see."""
    values = _checked_pair(session, scope, data.model_dump(), "记录师徒结对", exclude=None)
    pair = MentoringPair(region_id=scope.region_id, **values)
    session.add(pair)
    session.flush()
    return pair


def update_pair(session: Session, scope: Scope, pair_id: int, data: MentoringUpdate) -> MentoringPair:
    """Changes a mentoring pair (to end it, set ended_on)."""
    pair = get_pair(session, scope, pair_id)
    _writable_teacher(session, scope, pair.mentor_id, "修改师徒结对", "mentor_id")
    _writable_teacher(session, scope, pair.mentee_id, "修改师徒结对", "mentee_id")
    changes = _changes(data, _PAIR_REQUIRED)
    merged = {key: changes.get(key, getattr(pair, key)) for key in MentoringCreate.model_fields}
    values = _checked_pair(session, scope, merged, "修改师徒结对", exclude=pair.id)
    for key, value in values.items():
        setattr(pair, key, value)
    session.flush()
    return pair


def delete_pair(session: Session, scope: Scope, pair_id: int) -> None:
    """Deletes a pair entered by mistake (to record its end, set ended_on instead)."""
    pair = get_pair(session, scope, pair_id)
    _writable_teacher(session, scope, pair.mentor_id, "删除师徒结对", "mentor_id")
    _writable_teacher(session, scope, pair.mentee_id, "删除师徒结对", "mentee_id")
    session.delete(pair)
    session.flush()


# --- teacher dispatch (HD-03) --------------------------------------------------------------------

_DISPATCH_LOADS = (
    selectinload(Dispatch.teacher),
    selectinload(Dispatch.from_school),
    selectinload(Dispatch.to_school),
    selectinload(Dispatch.group),
)
_DISPATCH_REQUIRED = {
    "kind": "类型",
    "teacher_id": "教师",
    "to_school_id": "接收学校",
    "started_on": "开始日期",
}


def _dispatches_visible(scope: Scope) -> ColumnElement[bool]:
    mine = teachers_visible(scope, Dispatch.teacher_id)
    if scope.role in (Role.group_head, Role.school_admin):
        mine = or_(mine, Dispatch.to_school_id.in_(scope.school_ids))
    return (Dispatch.region_id == scope.region_id) & mine


def list_dispatches(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    school_id: int | None = None,
    group_id: int | None = None,
    teacher_id: int | None = None,
) -> list[Dispatch]:
    """Dispatches in scope (active during school year `year` when given), newest first; `school_id`
    matches the sending or the receiving school."""
    stmt = select(Dispatch).where(
        _dispatches_visible(scope), *_overlapping_year(Dispatch.started_on, Dispatch.ended_on, year)
    )
    if school_id is not None:
        stmt = stmt.where(or_(Dispatch.from_school_id == school_id, Dispatch.to_school_id == school_id))
    if group_id is not None:
        stmt = stmt.where(Dispatch.group_id == group_id)
    if teacher_id is not None:
        stmt = stmt.where(Dispatch.teacher_id == teacher_id)
    stmt = stmt.options(*_DISPATCH_LOADS).order_by(Dispatch.started_on.desc(), Dispatch.id.desc())
    return list(session.scalars(stmt))


def get_dispatch(session: Session, scope: Scope, dispatch_id: int) -> Dispatch:
    """Gets a dispatch in scope."""
    return _visible_one(
        session, Dispatch, dispatch_id, _dispatches_visible(scope), _DISPATCH_LOADS, "派遣记录"
    )


def _require_dispatcher(scope: Scope, what: str) -> None:
    if not scope.is_bureau and scope.role is not Role.group_head:
        raise Forbidden(f"{what}仅限教育局管理员或集团总校长")


def _checked_dispatch(
    session: Session, scope: Scope, values: dict[str, Any], what: str, keep_from: int | None
) -> dict[str, Any]:
    _require_dispatcher(scope, what)
    teacher = get_teacher(session, scope, values["teacher_id"])
    to_school = _school(session, scope, values["to_school_id"], "to_school_id")
    _check_dates(values)
    from_school_id = keep_from if keep_from is not None else teacher.school_id
    if to_school.id == from_school_id:
        raise InvalidInput(f"接收学校不能是教师本校 ({to_school.name})", field="to_school_id")
    if values.get("group_id") is not None:
        _group(session, scope, values["group_id"])
    return {**values, "from_school_id": from_school_id}


def create_dispatch(session: Session, scope: Scope, data: DispatchCreate) -> Dispatch:
    """Records a teacher sent from its school to teach at another (HD-03)."""
    values = _checked_dispatch(session, scope, data.model_dump(), "记录教师派遣", keep_from=None)
    dispatch = Dispatch(region_id=scope.region_id, **values)
    session.add(dispatch)
    session.flush()
    return dispatch


def update_dispatch(session: Session, scope: Scope, dispatch_id: int, data: DispatchUpdate) -> Dispatch:
    """Changes a dispatch; the sending school stays the one recorded unless the teacher changes."""
    dispatch = get_dispatch(session, scope, dispatch_id)
    _require_dispatcher(scope, "修改教师派遣")
    get_teacher(session, scope, dispatch.teacher_id)
    changes = _changes(data, _DISPATCH_REQUIRED)
    merged = {key: changes.get(key, getattr(dispatch, key)) for key in DispatchCreate.model_fields}
    same_teacher = merged["teacher_id"] == dispatch.teacher_id
    values = _checked_dispatch(
        session, scope, merged, "修改教师派遣", keep_from=dispatch.from_school_id if same_teacher else None
    )
    for key, value in values.items():
        setattr(dispatch, key, value)
    session.flush()
    return dispatch


def delete_dispatch(session: Session, scope: Scope, dispatch_id: int) -> None:
    """Deletes a dispatch entered by mistake."""
    dispatch = get_dispatch(session, scope, dispatch_id)
    _require_dispatcher(scope, "删除教师派遣")
    get_teacher(session, scope, dispatch.teacher_id)
    session.delete(dispatch)
    session.flush()


# --- experts and observers (QP-05, QP-07.a) --------------------------------------------------------

_ASSIGNMENT_LOADS = (
    selectinload(Assignment.teacher),
    selectinload(Assignment.school),
    selectinload(Assignment.group),
)
_ASSIGNMENT_REQUIRED = {"role": "角色", "started_on": "开始日期"}


def _assignments_visible(scope: Scope) -> ColumnElement[bool]:
    in_region = Assignment.region_id == scope.region_id
    if scope.is_bureau:
        return in_region
    if scope.role is Role.teacher:
        return in_region & (Assignment.teacher_id == scope.teacher_id if scope.teacher_id else false())
    return in_region & or_(
        Assignment.school_id.in_(scope.school_ids), Assignment.group_id.in_(scope.group_ids)
    )


def list_assignments(
    session: Session,
    scope: Scope,
    *,
    year: int | None = None,
    school_id: int | None = None,
    group_id: int | None = None,
    role: str | None = None,
) -> list[Assignment]:
    """Experts and observers assigned in scope (active during school year `year` when given)."""
    stmt = select(Assignment).where(
        _assignments_visible(scope), *_overlapping_year(Assignment.started_on, Assignment.ended_on, year)
    )
    if school_id is not None:
        stmt = stmt.where(Assignment.school_id == school_id)
    if group_id is not None:
        stmt = stmt.where(Assignment.group_id == group_id)
    if role is not None:
        stmt = stmt.where(Assignment.role == role)
    stmt = stmt.options(*_ASSIGNMENT_LOADS).order_by(Assignment.started_on.desc(), Assignment.id.desc())
    return list(session.scalars(stmt))


def get_assignment(session: Session, scope: Scope, assignment_id: int) -> Assignment:
    """Gets an assignment in scope."""
    return _visible_one(
        session, Assignment, assignment_id, _assignments_visible(scope), _ASSIGNMENT_LOADS, "人员配备"
    )


def _checked_assignment(session: Session, scope: Scope, values: dict[str, Any], what: str) -> dict[str, Any]:
    scope.require_bureau(what)
    has_teacher, has_name = values.get("teacher_id") is not None, bool(values.get("expert_name"))
    if has_teacher == has_name:
        raise InvalidInput("人员只填一项: 本区教师 (工号) 或外部专家姓名", field="teacher_id")
    if has_teacher:
        get_teacher(session, scope, values["teacher_id"])
    has_school, has_group = values.get("school_id") is not None, values.get("group_id") is not None
    if has_school == has_group:
        raise InvalidInput("配备对象只填一项: 学校或项目 (集团)", field="school_id")
    if has_school:
        _school(session, scope, values["school_id"])
    else:
        _group(session, scope, values["group_id"])
    _check_dates(values)
    return values


def create_assignment(session: Session, scope: Scope, data: AssignmentCreate) -> Assignment:
    """Assigns a guiding expert or classroom observer to a school or a programme (QP-05, QP-07.a)."""
    values = _checked_assignment(session, scope, data.model_dump(), "配备指导专家和课堂观察员")
    assignment = Assignment(region_id=scope.region_id, **values)
    session.add(assignment)
    session.flush()
    return assignment


def update_assignment(
    session: Session, scope: Scope, assignment_id: int, data: AssignmentUpdate
) -> Assignment:
    """Changes an assignment (to end it, set ended_on)."""
    assignment = get_assignment(session, scope, assignment_id)
    changes = _changes(data, _ASSIGNMENT_REQUIRED)
    merged = {key: changes.get(key, getattr(assignment, key)) for key in AssignmentCreate.model_fields}
    values = _checked_assignment(session, scope, merged, "修改人员配备")
    for key, value in values.items():
        setattr(assignment, key, value)
    session.flush()
    return assignment


def delete_assignment(session: Session, scope: Scope, assignment_id: int) -> None:
    """Deletes an assignment entered by mistake."""
    assignment = get_assignment(session, scope, assignment_id)
    scope.require_bureau("删除人员配备")
    session.delete(assignment)
    session.flush()


# --- studios (OH-10, SH-09) ----------------------------------------------------------------------

_STUDIO_LOADS = (
    selectinload(Studio.members).selectinload(StudioMember.teacher).selectinload(Teacher.school),
)


def _studios_visible(scope: Scope) -> ColumnElement[bool]:
    in_region = Studio.region_id == scope.region_id
    if scope.is_bureau:
        return in_region
    with_members = select(StudioMember.studio_id).where(teachers_visible(scope, StudioMember.teacher_id))
    return in_region & or_(Studio.group_id.in_(scope.group_ids), Studio.id.in_(with_members))


def list_studios(session: Session, scope: Scope, *, group_id: int | None = None) -> list[Studio]:
    """Studios in scope: of the user's groups, or with a member the user may see."""
    stmt = select(Studio).where(_studios_visible(scope))
    if group_id is not None:
        stmt = stmt.where(Studio.group_id == group_id)
    return list(session.scalars(stmt.options(*_STUDIO_LOADS).order_by(Studio.name, Studio.id)))


def get_studio(session: Session, scope: Scope, studio_id: int) -> Studio:
    """Gets a studio in scope, with its members."""
    return _visible_one(session, Studio, studio_id, _studios_visible(scope), _STUDIO_LOADS, "工作室")


def can_manage_studio(scope: Scope, studio: Studio) -> bool:
    """Bureau administrators manage every studio; a group head those of its groups."""
    return scope.is_bureau or (
        scope.role is Role.group_head and studio.group_id is not None and studio.group_id in scope.group_ids
    )


def _require_manager(scope: Scope, studio: Studio, what: str) -> None:
    if not can_manage_studio(scope, studio):
        raise Forbidden(f"{what}仅限教育局管理员或工作室所在集团的总校长")


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
    """Sets up a studio with its host and members (bureau administrators)."""
    scope.require_bureau("设立工作室")
    for teacher_id in [*data.member_teacher_ids, *([data.host_teacher_id] if data.host_teacher_id else [])]:
        get_teacher(session, scope, teacher_id, field="member_teacher_ids")
    studio = teachers_service.create_studio(
        session,
        scope,
        name=data.name,
        group_id=data.group_id,
        host_teacher_id=data.host_teacher_id,
        member_teacher_ids=data.member_teacher_ids,
        founded_on=data.founded_on,
    )
    return get_studio(session, scope, studio.id)


def update_studio(session: Session, scope: Scope, studio_id: int, data: StudioUpdate) -> Studio:
    """Changes a studio's name, group, host or dates."""
    studio = get_studio(session, scope, studio_id)
    _require_manager(scope, studio, "修改工作室")
    changes = _changes(data, {"name": "工作室名称"})
    if changes.get("group_id") is not None:
        _group(session, scope, changes["group_id"])
        if not scope.is_bureau and changes["group_id"] not in scope.group_ids:
            raise Forbidden("只能把工作室设在本集团", field="group_id")
    if changes.get("host_teacher_id") is not None:
        get_teacher(session, scope, changes["host_teacher_id"], field="host_teacher_id")
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
    teacher = get_teacher(session, scope, data.teacher_id)
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


# --- the period reads for the compliance engine ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateRow:
    id: int
    kind: CertificateKind
    teacher_id: int
    school_id: int
    group_id: int
    issued_on: date


def certificates_in(session: Session, *, region_id: int, start: date, end: date) -> list[CertificateRow]:
    """Every certificate of a region issued from `start` to `end` (not scoped: the engine reads a region)."""
    stmt = (
        select(
            Certificate.id,
            Certificate.kind,
            Certificate.teacher_id,
            Certificate.school_id,
            Certificate.group_id,
            Certificate.issued_on,
        )
        .where(
            Certificate.region_id == region_id, Certificate.issued_on >= start, Certificate.issued_on <= end
        )
        .order_by(Certificate.issued_on, Certificate.id)
    )
    return [CertificateRow(*row) for row in session.execute(stmt).all()]


@dataclass(frozen=True, slots=True)
class PairRow:
    id: int
    mentor_id: int
    mentee_id: int
    group_id: int | None
    started_on: date
    ended_on: date | None

    def active_during(self, start: date, end: date) -> bool:
        return self.started_on <= end and (self.ended_on is None or self.ended_on >= start)


def pairs_in(session: Session, *, region_id: int, start: date, end: date) -> list[PairRow]:
    """Every mentoring pair of a region active at some time from `start` to `end`."""
    stmt = (
        select(
            MentoringPair.id,
            MentoringPair.mentor_id,
            MentoringPair.mentee_id,
            MentoringPair.group_id,
            MentoringPair.started_on,
            MentoringPair.ended_on,
        )
        .where(
            MentoringPair.region_id == region_id,
            MentoringPair.started_on <= end,
            or_(MentoringPair.ended_on.is_(None), MentoringPair.ended_on >= start),
        )
        .order_by(MentoringPair.id)
    )
    return [PairRow(*row) for row in session.execute(stmt).all()]


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    id: int
    role: str
    person: str
    school_id: int | None
    group_id: int | None
    started_on: date
    ended_on: date | None

    def active_during(self, start: date, end: date) -> bool:
        return self.started_on <= end and (self.ended_on is None or self.ended_on >= start)


def assignments_in(session: Session, *, region_id: int, start: date, end: date) -> list[AssignmentRow]:
    """Every assignment of a region active at some time from `start` to `end`; `person` identifies the
    person (a teacher id, or an external expert's name) so each is counted once."""
    stmt = (
        select(
            Assignment.id,
            Assignment.role,
            Assignment.teacher_id,
            Assignment.expert_name,
            Assignment.school_id,
            Assignment.group_id,
            Assignment.started_on,
            Assignment.ended_on,
        )
        .where(
            Assignment.region_id == region_id,
            Assignment.started_on <= end,
            or_(Assignment.ended_on.is_(None), Assignment.ended_on >= start),
        )
        .order_by(Assignment.id)
    )
    rows = []
    for ident, role, teacher_id, name, school_id, group_id, started, ended in session.execute(stmt).all():
        person = f"teacher:{teacher_id}" if teacher_id is not None else f"name:{name}"
        rows.append(AssignmentRow(ident, str(role.value), person, school_id, group_id, started, ended))
    return rows
