"""Rotation plans, the product side of the planner (HK-06, HK-07, HK-08, HK-09).

For a region and school year the service builds the planner's instance from the database and stores its
answer as a draft plan, which the bureau reviews, edits row by row and accepts into rotation records:

- sending schools: the region's 优质校 (quality tier); their teachers are those eligible to rotate at the start
  of the school year under the region's eligibility rule (`rotation.service.eligible_teachers`);
- receiving schools: the 相对薄弱校 with demand rows for that year; the bureau enters a demand per school and
  subject (`RotationDemand`: at least `min_count`, at most `max_count` teachers of the subject);
- quotas: from the pack edition in force at the start of the year: `min_out_share` from the school rule on
  `rotation.out_share` towards weaker schools (HK-06), `min_backbone_share` from `rotation.backbone_share`
  (HK-07), `min_team_size` from `rotation.team_size` (HK-09); the agreed term from `rotation.min_duration_years`
  (HK-08, 3 years when the pack has no such rule);
- commute: great-circle km between the schools' coordinates.

On acceptance every receiving school with two or more teachers of the plan gets a team inflow (组团流入),
a single teacher an individual rotation; each rotation starts on 1 September of the year. Every write goes
through the ORM, so the audit log records the acceptance row by row, with a note naming the plan.
Plans are the bureau's: other roles are refused (403), other regions' plans are not found (404).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from edugroup.algorithms.rotation.errors import InvalidInstance
from edugroup.algorithms.rotation.instance import great_circle_km
from edugroup.algorithms.rotation.planner import plan_rotation
from edugroup.core.db import utcnow
from edugroup.core.errors import Conflict, InvalidInput, NotFound
from edugroup.core.periods import SchoolYear
from edugroup.core.scope import Scope, check_found
from edugroup.org import service as org_service
from edugroup.org.models import QualityTier, School
from edugroup.policy.contract import edition_in_force, limits_in_force
from edugroup.rotation import service as rotation_records
from edugroup.rotation.models import PlanStatus, Rotation, RotationDemand, RotationPlan, RotationPlanRow
from edugroup.rotation.plans.schemas import DemandCreate
from edugroup.rotation.rules import term_end
from edugroup.rotation.schemas import RotationCreate, TeamCreate
from edugroup.rotation.service import eligible_teachers
from edugroup.teachers.models import Teacher

DEFAULT_TERM_YEARS = 3

# --- demand --------------------------------------------------------------------------------------


def list_demands(session: Session, scope: Scope, *, year: int | None = None) -> list[RotationDemand]:
    """The region's receiving demand (bureau administrators), by year, school and subject."""
    scope.require_bureau("查看接收需求")
    stmt = select(RotationDemand).where(RotationDemand.region_id == scope.region_id)
    if year is not None:
        stmt = stmt.where(RotationDemand.year == year)
    stmt = stmt.options(selectinload(RotationDemand.school)).order_by(
        RotationDemand.year, RotationDemand.school_id, RotationDemand.subject
    )
    return list(session.scalars(stmt))


def create_demand(session: Session, scope: Scope, data: DemandCreate) -> RotationDemand:
    """Records a receiving school's demand for one subject and year; only 相对薄弱校 receive."""
    scope.require_bureau("登记接收需求")
    assert scope.region_id is not None
    try:
        school = org_service.get_school(session, scope, data.school_id)
    except NotFound as exc:
        raise NotFound(exc.message, field="school_id") from None
    if school.quality_tier is not QualityTier.weaker:
        raise InvalidInput(f"{school.name} 不是相对薄弱校, 不能登记接收需求", field="school_id")
    clash = select(RotationDemand.id).where(
        RotationDemand.school_id == school.id,
        RotationDemand.year == data.year,
        RotationDemand.subject == data.subject,
    )
    if session.scalar(clash) is not None:
        raise Conflict(f"{school.name} {data.year}学年已有{data.subject}的接收需求", field="subject")
    demand = RotationDemand(region_id=scope.region_id, **data.model_dump())
    session.add(demand)
    session.flush()
    return demand


def delete_demand(session: Session, scope: Scope, demand_id: int) -> None:
    """Deletes a demand row."""
    scope.require_bureau("删除接收需求")
    demand = session.get(RotationDemand, demand_id)
    check_found(demand is not None and demand.region_id == scope.region_id, "接收需求", demand_id)
    session.delete(demand)
    session.flush()


# --- quotas from the pack ------------------------------------------------------------------------


@dataclass(frozen=True)
class Quotas:
    pack_id: str | None
    pack_edition: date | None
    min_out_share: float | None = None
    min_backbone_share: float | None = None
    min_team_size: int | None = None
    duration_years: int = DEFAULT_TERM_YEARS

    def as_rules(self) -> dict[str, Any]:
        """The planner's `rules` object."""
        rules: dict[str, Any] = {}
        if self.min_out_share is not None:
            rules["min_out_share"] = self.min_out_share
        if self.min_backbone_share is not None:
            rules["min_backbone_share"] = self.min_backbone_share
        if self.min_team_size is not None:
            rules["min_team_size"] = self.min_team_size
        return rules


QUOTA_METRICS = {
    "rotation.out_share": "min_out_share",
    "rotation.backbone_share": "min_backbone_share",
    "rotation.min_duration_years": "duration_years",
    "rotation.team_size": "min_team_size",
}
"""The pack rules the planner keeps as quotas; the first three only where they aim at weaker schools."""


def quotas_for(session: Session, scope: Scope, pack_id: str | None, year: int) -> Quotas:
    """The quotas of the pack edition in force at the start of school year `year` (the region's adopted
    pack unless `pack_id` names another); none when the region adopted no pack."""
    assert scope.region_id is not None
    on = SchoolYear(year).start
    edition = edition_in_force(session, scope.region_id, on, pack_id=pack_id)
    if edition is None:
        return Quotas(None, None)
    found: dict[str, float] = {}
    for metric, name in QUOTA_METRICS.items():
        for lim in limits_in_force(session, scope.region_id, on, metric=metric, pack_id=edition.pack_id):
            if not isinstance(lim.threshold, float):
                continue
            weaker_school = "school" in lim.entities and lim.params.get("towards") == "weaker"
            if weaker_school or metric == "rotation.team_size":
                found[name] = lim.threshold
    return Quotas(
        edition.pack_id,
        edition.edition,
        min_out_share=found.get("min_out_share"),
        min_backbone_share=found.get("min_backbone_share"),
        min_team_size=math.ceil(found["min_team_size"]) if "min_team_size" in found else None,
        duration_years=math.ceil(found.get("duration_years", DEFAULT_TERM_YEARS)),
    )


# --- the planner's instance ----------------------------------------------------------------------


@dataclass
class Instance:
    """The planner's JSON-shaped instance (schools named by code, teachers by id) and the records behind it."""

    data: dict[str, Any]
    teachers: dict[int, Teacher]
    schools: dict[int, School]
    eligible_by_school: dict[int, int]

    def school(self, code: str) -> School:
        """The school of a code the planner answered with."""
        return next(s for s in self.schools.values() if s.code == code)


def _with_coordinates(school: School) -> dict[str, Any]:
    if school.lat is None or school.lon is None:
        raise InvalidInput(
            f"{school.name} ({school.code}) 没有坐标, 无法计算通勤距离; 请先补充经纬度", field="school_id"
        )
    return {"id": school.code, "lat": school.lat, "lon": school.lon}


def build_instance(session: Session, region_id: int, year: int, quotas: Quotas) -> Instance:
    """The planner's instance for a region and school year, read from the database (see the module doc)."""
    day = SchoolYear(year).start
    schools = {s.id: s for s in session.scalars(select(School).where(School.region_id == region_id))}
    demands = list(
        session.scalars(
            select(RotationDemand)
            .where(RotationDemand.region_id == region_id, RotationDemand.year == year)
            .order_by(RotationDemand.school_id, RotationDemand.subject)
        )
    )
    if not demands:
        raise InvalidInput(f"{year}学年尚未登记任何接收需求", field="year")
    eligible = [t for t in eligible_teachers(session, region_id, day) if t.school_id in schools]
    senders = [t for t in eligible if schools[t.school_id].quality_tier is QualityTier.quality]
    if not senders:
        raise InvalidInput(
            f"{year}学年优质校没有符合交流轮岗条件的教师 (或本区未设定交流轮岗条件)", field="year"
        )
    sending_ids = sorted({t.school_id for t in senders})
    receiving_ids = sorted({d.school_id for d in demands})
    data: dict[str, Any] = {
        "teachers": [
            {"id": t.id, "school": schools[t.school_id].code, "subject": t.subject, "backbone": t.is_backbone}
            for t in senders
        ],
        "schools": [{**_with_coordinates(schools[s]), "role": "sending"} for s in sending_ids]
        + [{**_with_coordinates(schools[s]), "role": "receiving"} for s in receiving_ids],
        "demand": [
            {"school": schools[d.school_id].code, "subject": d.subject, "min": d.min_count}
            | ({"max": d.max_count} if d.max_count is not None else {})
            for d in demands
        ],
        "rules": quotas.as_rules(),
    }
    return Instance(
        data=data,
        teachers={t.id: t for t in senders},
        schools=schools,
        eligible_by_school=dict(Counter(t.school_id for t in senders)),
    )


def km_between(a: School, b: School) -> float | None:
    """Great-circle km between two schools, None when one has no coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return round(float(great_circle_km(a.lat, a.lon, b.lat, b.lon)), 3)


# --- plans ---------------------------------------------------------------------------------------


def create_plan(
    session: Session, scope: Scope, year: int, *, pack_id: str | None = None, time_limit: float = 30.0
) -> RotationPlan:
    """Runs the planner for the bureau's region and school year and stores its answer as a draft plan."""
    scope.require_bureau("编制轮岗方案")
    assert scope.region_id is not None
    quotas = quotas_for(session, scope, pack_id, year)
    instance = build_instance(session, scope.region_id, year, quotas)
    try:
        answer = plan_rotation(instance.data, time_limit=time_limit)
    except InvalidInstance as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    plan = RotationPlan(
        region_id=scope.region_id,
        year=year,
        status=PlanStatus.draft,
        pack_id=quotas.pack_id,
        pack_edition=quotas.pack_edition,
        min_out_share=quotas.min_out_share,
        min_backbone_share=quotas.min_backbone_share,
        min_team_size=quotas.min_team_size,
        duration_years=quotas.duration_years,
        solver_status=answer["status"],
        objective_km=answer["objective"],
        explanation=answer["explanation"],
        eligible_count=len(instance.teachers),
        created_by=scope.username,
    )
    for assignment in answer["assignments"]:
        teacher = instance.teachers[int(assignment["teacher"])]
        to_school = instance.school(str(assignment["to"]))
        plan.rows.append(
            RotationPlanRow(
                teacher_id=teacher.id,
                from_school_id=teacher.school_id,
                to_school_id=to_school.id,
                km=km_between(instance.schools[teacher.school_id], to_school),
            )
        )
    session.add(plan)
    session.flush()
    return plan


def list_plans(session: Session, scope: Scope) -> list[RotationPlan]:
    """The region's plans, newest first."""
    scope.require_bureau("查看轮岗方案")
    stmt = select(RotationPlan).where(RotationPlan.region_id == scope.region_id)
    return list(session.scalars(stmt.order_by(RotationPlan.id.desc())))


def get_plan(session: Session, scope: Scope, plan_id: int) -> RotationPlan:
    """Gets a plan of the bureau's region, with its rows."""
    plan = session.scalars(
        select(RotationPlan)
        .where(RotationPlan.id == plan_id)
        .options(
            selectinload(RotationPlan.rows).selectinload(RotationPlanRow.teacher),
            selectinload(RotationPlan.rows).selectinload(RotationPlanRow.from_school),
            selectinload(RotationPlan.rows).selectinload(RotationPlanRow.to_school),
        )
    ).one_or_none()
    check_found(plan is not None and plan.region_id == scope.region_id, "轮岗方案", plan_id)
    scope.require_bureau("查看轮岗方案")
    assert plan is not None
    return plan


def _draft(session: Session, scope: Scope, plan_id: int) -> RotationPlan:
    plan = get_plan(session, scope, plan_id)
    if plan.status is not PlanStatus.draft:
        raise Conflict(f"轮岗方案 #{plan.id} 已采纳, 不能再修改")
    return plan


def _row(plan: RotationPlan, row_id: int) -> RotationPlanRow:
    row = next((r for r in plan.rows if r.id == row_id), None)
    check_found(row is not None, "方案行", row_id)
    assert row is not None
    return row


def update_row(
    session: Session, scope: Scope, plan_id: int, row_id: int, to_school_id: int
) -> RotationPlanRow:
    """Sends a teacher of a draft plan to another (not quality) school of the region."""
    plan = _draft(session, scope, plan_id)
    row = _row(plan, row_id)
    try:
        school = org_service.get_school(session, scope, to_school_id)
    except NotFound as exc:
        raise NotFound(exc.message, field="to_school_id") from None
    if school.id == row.from_school_id:
        raise InvalidInput("接收学校与派出学校相同", field="to_school_id")
    if school.quality_tier is QualityTier.quality:
        raise InvalidInput(f"{school.name} 是优质校, 不接收交流教师", field="to_school_id")
    if school.id != row.to_school_id:
        row.to_school_id = school.id
        row.to_school = school
        row.km = km_between(row.from_school, school)
        row.edited = True
    session.flush()
    return row


def drop_row(session: Session, scope: Scope, plan_id: int, row_id: int) -> None:
    """Takes a teacher out of a draft plan."""
    plan = _draft(session, scope, plan_id)
    row = _row(plan, row_id)
    plan.rows.remove(row)
    session.flush()


def plan_warnings(session: Session, plan: RotationPlan) -> list[str]:
    """The quotas and demand the plan (as edited) no longer keeps, one sentence each; empty when it keeps all."""
    warnings: list[str] = []
    if plan.solver_status in ("infeasible", "unknown"):
        warnings.append(plan.explanation or "求解器未给出方案")
    day = SchoolYear(plan.year).start
    schools = {s.id: s for s in session.scalars(select(School).where(School.region_id == plan.region_id))}
    eligible = Counter(
        t.school_id
        for t in eligible_teachers(session, plan.region_id, day)
        if t.school_id in schools and schools[t.school_id].quality_tier is QualityTier.quality
    )
    movers: dict[int, list[RotationPlanRow]] = defaultdict(list)
    intake: dict[int, list[RotationPlanRow]] = defaultdict(list)
    for row in plan.rows:
        movers[row.from_school_id].append(row)
        intake[row.to_school_id].append(row)
    for school_id, count in sorted(eligible.items()):
        sent = movers.get(school_id, [])
        name = schools[school_id].name
        if plan.min_out_share is not None and len(sent) < math.ceil(round(plan.min_out_share * count, 9)):
            warnings.append(
                f"{name}: 派出 {len(sent)} 人, 少于符合条件的 {count} 人的 {plan.min_out_share:.0%} (HK-06)"
            )
        backbone = sum(r.teacher.is_backbone for r in sent)
        if (
            plan.min_backbone_share is not None
            and sent
            and backbone < plan.min_backbone_share * len(sent) - 1e-9
        ):
            warnings.append(
                f"{name}: 派出的 {len(sent)} 人中骨干教师 {backbone} 人, 低于 {plan.min_backbone_share:.0%} (HK-07)"
            )
    for school_id, rows in sorted(intake.items()):
        if plan.min_team_size is not None and len(rows) < plan.min_team_size:
            warnings.append(
                f"{schools[school_id].name}: 流入 {len(rows)} 人, 少于组团流入的 {plan.min_team_size} 人 (HK-09)"
            )
    demands = session.scalars(
        select(RotationDemand).where(
            RotationDemand.region_id == plan.region_id, RotationDemand.year == plan.year
        )
    )
    for d in demands:
        got = sum(r.teacher.subject == d.subject for r in intake.get(d.school_id, []))
        if got < d.min_count or (d.max_count is not None and got > d.max_count):
            limit = f"{d.min_count}-{d.max_count}" if d.max_count is not None else f"至少 {d.min_count}"
            warnings.append(f"{schools[d.school_id].name} {d.subject}: 流入 {got} 人, 需求为 {limit} 人")
    return warnings


def accept_plan(session: Session, scope: Scope, plan_id: int) -> list[Rotation]:
    """Accepts a draft plan: its rows become rotations (team inflows where a school receives several)."""
    plan = _draft(session, scope, plan_id)
    if not plan.rows:
        raise Conflict(f"轮岗方案 #{plan.id} 没有任何教师, 不能采纳")
    start = SchoolYear(plan.year).start
    end = term_end(start, plan.duration_years)
    purpose = f"轮岗方案 #{plan.id} ({plan.year}学年)"
    previous_note = session.info.get("audit_note")
    session.info["audit_note"] = f"采纳轮岗方案 #{plan.id}"
    savepoint = session.begin_nested()
    try:
        by_school: dict[int, list[RotationPlanRow]] = defaultdict(list)
        for row in plan.rows:
            by_school[row.to_school_id].append(row)
        created: list[Rotation] = []
        for school_id, rows in sorted(by_school.items()):
            if len(rows) >= 2:
                team = rotation_records.create_team(
                    session,
                    scope,
                    TeamCreate(
                        to_school_id=school_id,
                        start_on=start,
                        planned_end_on=end,
                        teacher_ids=[r.teacher_id for r in rows],
                        purpose=purpose,
                    ),
                )
                made = {r.teacher_id: r for r in team.rotations}
            else:
                rotation = rotation_records.create_rotation(
                    session,
                    scope,
                    RotationCreate(
                        teacher_id=rows[0].teacher_id,
                        to_school_id=school_id,
                        from_school_id=rows[0].from_school_id,
                        start_on=start,
                        planned_end_on=end,
                        purpose=purpose,
                    ),
                )
                made = {rotation.teacher_id: rotation}
            for row in rows:
                row.rotation_id = made[row.teacher_id].id
                created.append(made[row.teacher_id])
        plan.status = PlanStatus.accepted
        plan.accepted_at = utcnow()
        plan.accepted_by = scope.username
        session.flush()
        savepoint.commit()
    except BaseException:
        savepoint.rollback()
        raise
    finally:
        session.info["audit_note"] = previous_note
    return created
