"""District demonstration-lesson certificates, refused past their limits at entry (OH-11 per group, OH-12 per
teacher), the limits read from the region's policy pack, each group's quota, and the period read the
compliance engine counts from.

Who sees a certificate: a bureau administrator every one of its region; others the certificates of the
teachers they may see; a group head also those its groups issued. Who writes: a bureau administrator, or a
group head for the certificates its groups issue. Hidden certificates answer 404, visible but not writable
ones 403.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from edugroup.activities import service as activities_service
from edugroup.certificates.models import Certificate, CertificateKind
from edugroup.certificates.schemas import CertificateCreate, CertificateUpdate
from edugroup.core.errors import Conflict, InvalidInput, NotFound
from edugroup.core.models import Role
from edugroup.core.periods import SchoolYear, school_year_of
from edugroup.core.records import in_year, not_found_as, update_changes, visible_one, where_given
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.org.models import Group, GroupMode
from edugroup.policy.contract import (
    EntityRef,
    EvalContext,
    Limit,
    limits_in_force,
    measure,
    packs_with_metric,
)
from edugroup.teachers import service as teachers_service

# --- limits and quotas (OH-11, OH-12) --------------------------------------------------------------

CERTIFICATE_METRIC = "certificates.count"


@dataclass(frozen=True)
class CertificateLimits:
    """How many certificates one teacher, and one group, may receive in a school year, and where that is
    read: per group either a fixed number, or `group_share` × the group's `group_metric` (its teachers).
    None where the region's pack sets no such limit."""

    per_teacher: int | None
    group_share: float | None
    group_cap: int | None
    source: str
    group_metric: str = "teachers.count"
    group_params: tuple[tuple[str, Any], ...] = ()


def _certificate_limits(session: Session, region_id: int, year: int) -> list[Limit]:
    """The certificate rules in force in school year `year`: the region's adopted pack's, else those of the
    first pack the region may use that has such rules (a region evaluating by another document still caps
    certificates as the one that sets the caps says)."""
    on = SchoolYear(year).start
    found = limits_in_force(session, region_id, on, metric=CERTIFICATE_METRIC)
    for pack_id, _title in [] if found else packs_with_metric(session, region_id, CERTIFICATE_METRIC):
        try:
            found = limits_in_force(session, region_id, on, metric=CERTIFICATE_METRIC, pack_id=pack_id)
        except NotFound:
            continue
        if found:
            break
    return found


def certificate_limits(session: Session, region_id: int, year: int) -> CertificateLimits:
    """The limits in force for the region in school year `year`: the certificate rules of the region's pack
    edition then in force (OH-11 per group, OH-12 per teacher); none when its pack has no such rule."""
    kind = CertificateKind.district_demonstration_lesson.value
    per_teacher: int | None = None
    share: float | None = None
    cap: int | None = None
    metric: str = "teachers.count"
    params: tuple[tuple[str, Any], ...] = ()
    sources: list[str] = []
    for lim in (
        lim for lim in _certificate_limits(session, region_id, year) if lim.params.get("kind") == kind
    ):
        if "teacher" in lim.entities and per_teacher is None:
            per_teacher = lim.largest_count()
            sources += [lim.source] if per_teacher is not None else []
        if "group" not in lim.entities or share is not None or cap is not None:
            continue
        if lim.threshold_metric is not None and lim.factor is not None:
            share, metric = lim.factor, lim.threshold_metric
            params = tuple(sorted(lim.threshold_params.items()))
            sources.append(lim.source)
        elif (cap := lim.largest_count()) is not None:
            share = 0.0
            sources.append(lim.source)
    source = "; ".join(sources) or "本区政策包未设上限"
    return CertificateLimits(per_teacher, share, cap, source, metric, params)


def group_teacher_counts(
    session: Session, groups: list[Group], year: int, limits: CertificateLimits
) -> dict[int, int]:
    """Groups' teachers in school year `year` (OH-11's 教师总数) as the rule's own threshold metric counts
    them (`teachers.count` in ouhai-2022), so the limit at entry and the compliance verdict agree."""
    if not groups or limits.group_share is None or limits.group_cap is not None:
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
    def limit(self) -> int | None:
        """The group's limit in the year, or None when the region's pack sets none."""
        if self.limits.group_cap is not None:
            return self.limits.group_cap
        if self.limits.group_share is None:
            return None
        return math.floor(self.limits.group_share * self.teachers + 1e-9)

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.issued)


def _certificate_count(session: Session, *conditions: ColumnElement[bool], exclude: int | None) -> int:
    stmt = select(func.count()).select_from(Certificate).where(*conditions)
    if exclude is not None:
        stmt = stmt.where(Certificate.id != exclude)
    return int(session.scalar(stmt) or 0)


def _quota(session: Session, group: Group, year: int, exclude: int | None = None) -> Quota:
    limits = certificate_limits(session, group.region_id, year)
    teachers = group_teacher_counts(session, [group], year, limits).get(group.id, 0)
    issued = _certificate_count(
        session,
        Certificate.group_id == group.id,
        Certificate.kind == CertificateKind.district_demonstration_lesson,
        *in_year(Certificate.issued_on, year),
        exclude=exclude,
    )
    return Quota(group, year, teachers, limits, issued)


def certificate_quota(session: Session, scope: Scope, group_id: int, year: int) -> Quota:
    """A group's certificates in school year `year`, its limit and how many are left (OH-11)."""
    with not_found_as("group_id"):
        group = org_service.get_group(session, scope, group_id)
    return _quota(session, group, year)


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
            .where(Certificate.region_id == scope.region_id, *in_year(Certificate.issued_on, year))
            .group_by(Certificate.group_id)
        ).all()
    )
    groups = [g for g in org_service.list_groups(session, scope) if g.mode in ISSUING_MODES or g.id in issued]
    teachers = group_teacher_counts(session, groups, year, limits)
    return [Quota(g, year, teachers.get(g.id, 0), limits, issued.get(g.id, 0)) for g in groups]


# --- certificates --------------------------------------------------------------------------------


def _certificates_visible(scope: Scope) -> ColumnElement[bool]:
    mine = teachers_service.visible_teacher_id(scope, Certificate.teacher_id)
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
    stmt = select(Certificate).where(_certificates_visible(scope), *in_year(Certificate.issued_on, year))
    stmt = where_given(
        stmt,
        (Certificate.school_id, school_id),
        (Certificate.group_id, group_id),
        (Certificate.teacher_id, teacher_id),
    )
    stmt = stmt.options(*_CERTIFICATE_LOADS).order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    return list(session.scalars(stmt))


def get_certificate(session: Session, scope: Scope, certificate_id: int) -> Certificate:
    """Gets a certificate in scope."""
    return visible_one(
        session, Certificate, certificate_id, _certificates_visible(scope), _CERTIFICATE_LOADS, "证书"
    )


_ISSUER = "颁发集团的总校长"


def _checked_certificate(
    session: Session, scope: Scope, values: dict[str, Any], what: str, exclude: int | None
) -> dict[str, Any]:
    """Checks a whole certificate, then refuses it past the teacher's (OH-12) or the group's (OH-11) limit."""
    scope.require_group_manager(what, _ISSUER)
    with not_found_as("group_id"):
        group = org_service.get_group(session, scope, values["group_id"])
    scope.require_group_writer(group.id, what, _ISSUER)
    teacher = teachers_service.get_teacher(session, scope, values["teacher_id"], field="teacher_id")
    day: date = values["issued_on"]
    members = {m.school_id for m in org_service.members_on(session, scope, group.id, day)}
    if teacher.school_id not in members and teacher.pool_group_id != group.id:
        raise InvalidInput(
            f"{teacher.name} 所在的{teacher.school.name}在 {day} 不是{group.name}的成员校", field="group_id"
        )
    if values.get("activity_id") is not None:
        with not_found_as("activity_id"):
            activities_service.get_activity(session, scope, values["activity_id"])
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
        *in_year(Certificate.issued_on, year),
        exclude=exclude,
    )
    if limits.per_teacher is not None and held + 1 > limits.per_teacher:
        raise Conflict(
            f"{teacher.name} (工号 {teacher.staff_number}) 在{year}学年已有 {held} 个区级示范课证书; "
            f"每位教师每学年不超过 {limits.per_teacher} 个 (OH-12), 不能再录入",
            field="teacher_id",
        )
    quota = _quota(session, group, year, exclude=exclude)
    if quota.limit is not None and quota.issued + 1 > quota.limit:
        share = f"的 {quota.limits.group_share:.0%}" if quota.limits.group_share else ""
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
    scope.require_group_writer(certificate.group_id, "修改示范课证书", _ISSUER)
    changes = update_changes(data, _CERTIFICATE_REQUIRED)
    merged = {key: changes.get(key, getattr(certificate, key)) for key in CertificateCreate.model_fields}
    values = _checked_certificate(session, scope, merged, "修改示范课证书", exclude=certificate.id)
    for key, value in values.items():
        setattr(certificate, key, value)
    session.flush()
    return certificate


def delete_certificate(session: Session, scope: Scope, certificate_id: int) -> None:
    """Deletes a certificate entered by mistake."""
    certificate = get_certificate(session, scope, certificate_id)
    scope.require_group_writer(certificate.group_id, "删除示范课证书", _ISSUER)
    session.delete(certificate)
    session.flush()


# --- the period read for the compliance engine ----------------------------------------------------


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
