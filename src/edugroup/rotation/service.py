"""The region's rotation eligibility rules (符合交流轮岗条件) and who is eligible; rotations (交流轮岗), team
inflows (组团流入, HK-09) and promotions to school leadership posts with their in-group rotation experience
check (HK-05, SH-05); whether a rotation counts as rural/weak-school experience (OH-13). Plans made by the
planner are in `rotation.plans`.

Who sees a rotation: a bureau administrator every one of its region; a group head or school administrator
those from or to its schools; a teacher its own. Who records one: a bureau administrator, or a group head
when both schools are in its scope. Promotions are recorded by the bureau; the check is a warning, never a
refusal (the documents call the experience 重要因素, not a condition).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session, selectinload

from edugroup.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from edugroup.core.models import Role
from edugroup.core.periods import SchoolYear
from edugroup.core.scope import Scope, check_found
from edugroup.org import service as org_service
from edugroup.org.models import District, Group, Membership, QualityTier, School
from edugroup.policy.contract import edition_in_force, limits_in_force
from edugroup.rotation.models import (
    EligibilityRule,
    Promotion,
    Rotation,
    RotationMode,
    RotationPlanRow,
    RotationTeam,
)
from edugroup.rotation.rules import Term, eligibility_problems, experience_before, shared_units, years_between
from edugroup.rotation.schemas import (
    EligibilityRuleCreate,
    PromotionCheckRead,
    PromotionCreate,
    RotationCreate,
    RotationUpdate,
    TeamCreate,
)
from edugroup.teachers import service as teacher_service
from edugroup.teachers.models import Teacher

EXPERIENCE_METRIC = "rotation.experience_years"
_LOADS = (
    selectinload(Rotation.teacher),
    selectinload(Rotation.from_school),
    selectinload(Rotation.to_school),
    selectinload(Rotation.team),
)

# --- scope ---------------------------------------------------------------------------------------


def visible(scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the rotations `scope` may see."""
    in_region = Rotation.region_id == scope.region_id
    if scope.is_bureau:
        return in_region
    if scope.role is Role.teacher:
        if scope.teacher_id is None:
            return false()
        return and_(in_region, Rotation.teacher_id == scope.teacher_id)
    return and_(
        in_region,
        or_(Rotation.from_school_id.in_(scope.school_ids), Rotation.to_school_id.in_(scope.school_ids)),
    )


def can_write(scope: Scope, from_school_id: int, to_school_id: int) -> bool:
    """Whether `scope` may record a rotation between these schools."""
    if scope.is_bureau:
        return True
    return scope.role is Role.group_head and {from_school_id, to_school_id} <= scope.school_ids


def _require_writer(scope: Scope, from_school_id: int, to_school_id: int, what: str) -> None:
    if not can_write(scope, from_school_id, to_school_id):
        raise Forbidden(f"{what}: 仅限教育局, 或两校都在本集团的集团总校长", field="to_school_id")


# --- eligibility (符合交流轮岗条件) ----------------------------------------------------------------


def list_rules(session: Session, scope: Scope) -> list[EligibilityRule]:
    """The region's eligibility rules, newest first."""
    stmt = (
        select(EligibilityRule)
        .where(EligibilityRule.region_id == scope.region_id)
        .order_by(EligibilityRule.effective_from.desc())
    )
    return list(session.scalars(stmt))


def create_rule(session: Session, scope: Scope, data: EligibilityRuleCreate) -> EligibilityRule:
    """Sets the region's eligibility rule from a date on (earlier rules stay for earlier days)."""
    scope.require_bureau("设定交流轮岗条件")
    assert scope.region_id is not None
    clash = select(EligibilityRule.id).where(
        EligibilityRule.region_id == scope.region_id, EligibilityRule.effective_from == data.effective_from
    )
    if session.scalar(clash) is not None:
        raise Conflict(f"{data.effective_from.isoformat()} 起已有一条交流轮岗条件", field="effective_from")
    rule = EligibilityRule(region_id=scope.region_id, **data.model_dump())
    session.add(rule)
    session.flush()
    return rule


def rule_in_force(session: Session, region_id: int, on: date) -> EligibilityRule | None:
    """The region's eligibility rule in force on a day: the latest that started on or before it."""
    stmt = (
        select(EligibilityRule)
        .where(EligibilityRule.region_id == region_id, EligibilityRule.effective_from <= on)
        .order_by(EligibilityRule.effective_from.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def rotation_terms(session: Session, region_id: int) -> dict[int, list[Term]]:
    """Every recorded rotation of a region as (start, last day), by teacher."""
    stmt = select(
        Rotation.teacher_id, Rotation.start_on, Rotation.planned_end_on, Rotation.actual_end_on
    ).where(Rotation.region_id == region_id)
    terms: dict[int, list[Term]] = defaultdict(list)
    for teacher_id, start, planned, actual in session.execute(stmt):
        terms[teacher_id].append(Term(start, actual or planned))
    return terms


def eligible_teachers(session: Session, region_id: int, on: date) -> list[Teacher]:
    """The region's teachers eligible to rotate on `on` under the rule then in force (none without a rule).

    Not scoped: the planner and the compliance metrics read a whole region.
    """
    rule = rule_in_force(session, region_id, on)
    if rule is None:
        return []
    terms = rotation_terms(session, region_id)
    stmt = (
        select(Teacher)
        .where(Teacher.region_id == region_id)
        .order_by(Teacher.school_id, Teacher.staff_number)
    )
    return [t for t in session.scalars(stmt) if not eligibility_problems(t, rule, on, terms.get(t.id, []))]


def eligibility_of(
    session: Session, scope: Scope, teacher_id: int, on: date
) -> tuple[EligibilityRule | None, list[str]]:
    """The rule in force on `on` and why the teacher is not eligible then (empty: eligible)."""
    teacher = teacher_service.get_teacher(session, scope, teacher_id)
    rule = rule_in_force(session, teacher.region_id, on)
    if rule is None:
        return None, ["本区尚未设定交流轮岗条件"]
    terms = rotation_terms(session, teacher.region_id).get(teacher.id, [])
    return rule, eligibility_problems(teacher, rule, on, terms)


# --- queries -------------------------------------------------------------------------------------


def list_rotations(
    session: Session,
    scope: Scope,
    *,
    teacher_id: int | None = None,
    school_id: int | None = None,
    year: int | None = None,
    limit: int | None = None,
) -> list[Rotation]:
    """Rotations in scope, newest first; `school_id` matches either end, `year` the school year of the start."""
    stmt = select(Rotation).where(visible(scope)).options(*_LOADS)
    if teacher_id is not None:
        stmt = stmt.where(Rotation.teacher_id == teacher_id)
    if school_id is not None:
        stmt = stmt.where(or_(Rotation.from_school_id == school_id, Rotation.to_school_id == school_id))
    if year is not None:
        period = SchoolYear(year)
        stmt = stmt.where(Rotation.start_on >= period.start, Rotation.start_on <= period.end)
    stmt = stmt.order_by(Rotation.start_on.desc(), Rotation.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def get_rotation(session: Session, scope: Scope, rotation_id: int) -> Rotation:
    """Gets a rotation in scope."""
    stmt = select(Rotation).where(Rotation.id == rotation_id, visible(scope)).options(*_LOADS)
    rotation = session.scalars(stmt).one_or_none()
    check_found(rotation is not None, "交流轮岗记录", rotation_id)
    assert rotation is not None
    return rotation


@dataclass(frozen=True)
class Experience:
    """What a rotation counts as: inside which groups and district it stayed (HK-05), and OH-13."""

    rotation: Rotation
    groups: list[Group]
    district: District | None

    @property
    def within_group_or_district(self) -> bool:
        """Both schools shared a group or a district on its first day (学区、集团内交流轮岗)."""
        return bool(self.groups) or self.district is not None

    @property
    def weak_school_experience(self) -> bool:
        """Counts as rural/weak-school experience for titles: inside a group (OH-13), or to a weaker school."""
        return bool(self.groups) or self.rotation.to_school.quality_tier is QualityTier.weaker

    @property
    def note(self) -> str:
        parts = []
        if self.groups:
            names = "、".join(g.name for g in self.groups)
            parts.append(f"集团内交流 ({names}), 视同农村(薄弱)学校交流经历 (OH-13)")
        elif self.rotation.to_school.quality_tier is QualityTier.weaker:
            parts.append("流入相对薄弱校, 计为薄弱学校交流经历")
        if self.district is not None:
            parts.append(f"学区内交流 ({self.district.name})")
        return "; ".join(parts) or "跨学区、跨集团交流"

    @property
    def term_years(self) -> float:
        """The agreed term in years (HK-08)."""
        return round(years_between(self.rotation.start_on, self.rotation.planned_end_on), 3)


def _unit_facts(
    session: Session, rotations: Iterable[Rotation]
) -> tuple[list[Membership], dict[int, int | None]]:
    school_ids = {s for r in rotations for s in (r.from_school_id, r.to_school_id)}
    memberships = list(
        session.scalars(
            select(Membership)
            .where(Membership.school_id.in_(school_ids))
            .options(selectinload(Membership.group))
        )
    )
    district_of = dict(
        session.execute(select(School.id, School.district_id).where(School.id.in_(school_ids))).all()
    )
    return memberships, district_of


def experiences(session: Session, rotations: list[Rotation]) -> dict[int, Experience]:
    """What each rotation counts as, by rotation id (loads the schools' memberships once)."""
    if not rotations:
        return {}
    memberships, district_of = _unit_facts(session, rotations)
    groups = {m.group_id: m.group for m in memberships}
    result: dict[int, Experience] = {}
    for rotation in rotations:
        shared, district_id = shared_units(
            rotation.from_school_id, rotation.to_school_id, rotation.start_on, memberships, district_of
        )
        result[rotation.id] = Experience(
            rotation,
            sorted((groups[g] for g in shared), key=lambda g: g.code),
            session.get(District, district_id) if district_id is not None else None,
        )
    return result


# --- writes --------------------------------------------------------------------------------------


def _teacher_for(session: Session, scope: Scope, teacher_id: int, field: str = "teacher_id") -> Teacher:
    try:
        return teacher_service.get_teacher(session, scope, teacher_id)
    except NotFound as exc:
        raise NotFound(exc.message, field=field) from None


def _school_for(session: Session, scope: Scope, school_id: int, field: str) -> School:
    try:
        return org_service.get_school(session, scope, school_id)
    except NotFound as exc:
        raise NotFound(exc.message, field=field) from None


def _refuse_overlap(
    session: Session, teacher: Teacher, start: date, end: date, exclude_id: int | None = None
) -> None:
    stmt = select(Rotation).where(Rotation.teacher_id == teacher.id)
    if exclude_id is not None:
        stmt = stmt.where(Rotation.id != exclude_id)
    for other in session.scalars(stmt):
        if other.start_on <= end and start <= other.end_on:
            raise Conflict(
                f"{teacher.name} 在 {other.start_on.isoformat()} 至 {other.end_on.isoformat()} 已有交流轮岗; "
                "同一名教师同一时间只能在一处交流",
                field="start_on",
            )


def create_rotation(
    session: Session,
    scope: Scope,
    data: RotationCreate,
    *,
    team: RotationTeam | None = None,
) -> Rotation:
    """Records a rotation; refuses the same school at both ends and a second rotation at the same time."""
    assert scope.region_id is not None
    teacher = _teacher_for(session, scope, data.teacher_id)
    from_school_id = data.from_school_id if data.from_school_id is not None else teacher.school_id
    _school_for(session, scope, from_school_id, "from_school_id")
    _school_for(session, scope, data.to_school_id, "to_school_id")
    if from_school_id == data.to_school_id:
        raise InvalidInput("流入学校与流出学校相同", field="to_school_id")
    _require_writer(scope, from_school_id, data.to_school_id, "记录交流轮岗")
    _refuse_overlap(session, teacher, data.start_on, data.actual_end_on or data.planned_end_on)
    rotation = Rotation(
        region_id=scope.region_id,
        teacher_id=teacher.id,
        from_school_id=from_school_id,
        to_school_id=data.to_school_id,
        start_on=data.start_on,
        planned_end_on=data.planned_end_on,
        actual_end_on=data.actual_end_on,
        purpose=data.purpose,
        mode=RotationMode.team if team is not None else RotationMode.individual,
        team=team,
    )
    session.add(rotation)
    session.flush()
    return rotation


def update_rotation(session: Session, scope: Scope, rotation_id: int, data: RotationUpdate) -> Rotation:
    """Records the actual end, or changes the agreed end or the purpose."""
    rotation = get_rotation(session, scope, rotation_id)
    _require_writer(scope, rotation.from_school_id, rotation.to_school_id, "修改交流轮岗")
    changes = data.model_dump(exclude_unset=True)
    if "planned_end_on" in changes and changes["planned_end_on"] is None:
        raise InvalidInput("约定结束日期不能为空", field="planned_end_on")
    for key in ("planned_end_on", "actual_end_on"):
        if changes.get(key) is not None and changes[key] < rotation.start_on:
            raise InvalidInput("结束日期早于开始日期", field=key)
    planned = changes.get("planned_end_on", rotation.planned_end_on)
    actual = changes.get("actual_end_on", rotation.actual_end_on)
    _refuse_overlap(session, rotation.teacher, rotation.start_on, actual or planned, exclude_id=rotation.id)
    for key, value in changes.items():
        setattr(rotation, key, value)
    session.flush()
    return rotation


def delete_rotation(session: Session, scope: Scope, rotation_id: int) -> None:
    """Deletes a rotation entered by mistake (one accepted from a plan stays: end it instead)."""
    rotation = get_rotation(session, scope, rotation_id)
    _require_writer(scope, rotation.from_school_id, rotation.to_school_id, "删除交流轮岗")
    plan_id = session.scalar(
        select(RotationPlanRow.plan_id).where(RotationPlanRow.rotation_id == rotation.id)
    )
    if plan_id is not None:
        raise Conflict(f"该记录由轮岗方案 #{plan_id} 采纳生成, 不能删除; 请登记实际结束日期")
    session.delete(rotation)
    session.flush()


# --- team inflows (组团流入, HK-09) ----------------------------------------------------------------


def create_team(session: Session, scope: Scope, data: TeamCreate) -> RotationTeam:
    """Records a team inflow and one rotation per teacher, each from its own school; all or none."""
    assert scope.region_id is not None
    school = _school_for(session, scope, data.to_school_id, "to_school_id")
    savepoint = session.begin_nested()
    try:
        team = RotationTeam(
            region_id=scope.region_id,
            to_school_id=school.id,
            start_on=data.start_on,
            name=data.name or f"{school.name} {data.start_on.isoformat()} 组团流入",
            purpose=data.purpose,
        )
        session.add(team)
        for teacher_id in data.teacher_ids:
            rotation = RotationCreate(
                teacher_id=teacher_id,
                to_school_id=school.id,
                start_on=data.start_on,
                planned_end_on=data.planned_end_on,
                purpose=data.purpose,
            )
            try:
                create_rotation(session, scope, rotation, team=team)
            except (InvalidInput, NotFound, Conflict, Forbidden) as exc:
                exc.field = "teacher_ids"
                exc.message = f"教师 {teacher_id}: {exc.message}"
                raise
        savepoint.commit()
    except BaseException:
        savepoint.rollback()
        raise
    return team


def get_team(session: Session, scope: Scope, team_id: int) -> RotationTeam:
    """Gets a team inflow whose school, or one of whose teachers' schools, is in scope."""
    team = session.scalars(
        select(RotationTeam).where(RotationTeam.id == team_id).options(selectinload(RotationTeam.rotations))
    ).one_or_none()
    seen = False
    if team is not None and team.region_id == scope.region_id:
        if scope.is_bureau:
            seen = True
        elif scope.role is Role.teacher:
            seen = any(r.teacher_id == scope.teacher_id for r in team.rotations)
        else:
            seen = team.to_school_id in scope.school_ids or any(
                r.from_school_id in scope.school_ids for r in team.rotations
            )
    check_found(seen, "组团流入", team_id)
    assert team is not None
    return team


# --- promotions and their experience check (HK-05, SH-05) ----------------------------------------


def promotion_rule(session: Session, scope: Scope, pack_id: str | None, on: date) -> tuple[str, str, float]:
    """(pack id, check id, threshold in years) of the promotion rule (HK-05, SH-05) in the region's pack
    (or `pack_id`) edition in force on `on`."""
    assert scope.region_id is not None
    for lim in limits_in_force(session, scope.region_id, on, metric=EXPERIENCE_METRIC, pack_id=pack_id):
        if isinstance(lim.threshold, float):
            return lim.pack_id, lim.clause_id, lim.threshold
    edition = edition_in_force(session, scope.region_id, on, pack_id=pack_id)
    if edition is None:
        raise InvalidInput("本区尚未采用政策包, 请选择含提任校级干部交流轮岗经历条款的政策包", field="pack")
    raise InvalidInput(f"政策包 {edition.pack_id} 没有提任校级干部的交流轮岗经历条款", field="pack")


def experience_years(session: Session, teacher: Teacher, before: date) -> tuple[float, list[int]]:
    """Years of rotation inside a district or group the teacher served before a day, and those rotations."""
    rotations = list(session.scalars(select(Rotation).where(Rotation.teacher_id == teacher.id)))
    if not rotations:
        return 0.0, []
    memberships, district_of = _unit_facts(session, rotations)
    return experience_before(rotations, before, memberships, district_of)


def promotion_check(
    session: Session, scope: Scope, teacher_id: int, on: date, pack_id: str | None = None
) -> PromotionCheckRead:
    """Whether a candidate promoted on `on` has the in-group rotation experience the pack asks (HK-05/SH-05)."""
    teacher = teacher_service.get_teacher(session, scope, teacher_id)
    pack, clause, threshold = promotion_rule(session, scope, pack_id, on)
    years, used = experience_years(session, teacher, on)
    years = round(years, 3)
    met = years >= threshold - 1e-9
    message = f"{teacher.name} 截至 {on.isoformat()} 有学区、集团内交流轮岗经历 {years:g} 年, " + (
        f"达到 {clause} 的 {threshold:g} 年"
        if met
        else f"不足 {clause} 要求的 {threshold:g} 年 (提示, 不阻止任命)"
    )
    return PromotionCheckRead(
        teacher_id=teacher.id,
        on=on,
        pack=pack,
        clause=clause,
        threshold=threshold,
        experience_years=years,
        verdict="met" if met else "not_met",
        message=message,
        evidence=[f"rotations:{i}" for i in used],
    )


def promotion_visible(scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the promotions `scope` may see (its schools' posts; a teacher its own)."""
    in_region = Promotion.region_id == scope.region_id
    if scope.is_bureau:
        return in_region
    if scope.role is Role.teacher:
        return and_(in_region, Promotion.teacher_id == scope.teacher_id) if scope.teacher_id else false()
    return and_(in_region, Promotion.school_id.in_(scope.school_ids))


def list_promotions(session: Session, scope: Scope, *, teacher_id: int | None = None) -> list[Promotion]:
    """Promotions in scope, newest first."""
    stmt = select(Promotion).where(promotion_visible(scope))
    if teacher_id is not None:
        stmt = stmt.where(Promotion.teacher_id == teacher_id)
    stmt = stmt.options(selectinload(Promotion.teacher), selectinload(Promotion.school))
    return list(session.scalars(stmt.order_by(Promotion.decided_on.desc(), Promotion.id.desc())))


def create_promotion(session: Session, scope: Scope, data: PromotionCreate) -> Promotion:
    """Records a promotion to a school leadership post (the experience check is shown, never enforced)."""
    scope.require_bureau("记录提任校级干部")
    assert scope.region_id is not None
    teacher = _teacher_for(session, scope, data.teacher_id)
    _school_for(session, scope, data.school_id, "school_id")
    promotion = Promotion(region_id=scope.region_id, **data.model_dump())
    promotion.teacher = teacher
    session.add(promotion)
    session.flush()
    return promotion
