"""Small factories for rotation tests: eligibility rules, rotations and team inflows made through the services
as the bureau (teachers from `tests.teachers.factories`)."""

from __future__ import annotations

from datetime import date

from tests.teachers.factories import teacher

from edugroup.rotation import service
from edugroup.rotation.models import RotationDemand, RotationPlan, RotationPlanRow
from edugroup.rotation.rules import term_end
from edugroup.rotation.schemas import EligibilityRuleCreate, RotationCreate, TeamCreate


def rule(world, **fields):
    """The region's eligibility rule: six years at the school, at most 55 years old (by default)."""
    data = {"effective_from": date(2020, 9, 1), "min_years_at_school": 6, "max_age": 55, **fields}
    return service.create_rule(world.session, world.scope("bureau"), EligibilityRuleCreate(**data))


def rotate(world, who, to: str, start=date(2025, 9, 1), end=None, **fields):
    """A rotation of `who` (a teacher) to one of the world's schools, three years by default."""
    end = end or term_end(start, 3)
    data = {
        "teacher_id": who.id,
        "to_school_id": world.schools[to],
        "start_on": start,
        "planned_end_on": end,
        **fields,
    }
    return service.create_rotation(world.session, world.scope("bureau"), RotationCreate(**data))


def team(world, members, to: str, start=date(2025, 9, 1), end=date(2028, 8, 31)):
    """A team inflow (组团流入) of these teachers into one school."""
    data = TeamCreate(
        to_school_id=world.schools[to],
        start_on=start,
        planned_end_on=end,
        teacher_ids=[t.id for t in members],
    )
    return service.create_team(world.session, world.scope("bureau"), data)


def hidden_objects(world) -> dict[str, int]:
    """Objects of the co-build pair (schools C and D) and a bureau plan, which no other role may reach:
    a teacher at C, its rotation and team inflow to D, a demand of D, and a plan with one row."""
    at_c = teacher(world, "C", name="共建体教师")
    in_team = teacher(world, "C", name="共建体组团教师")
    moved = rotate(world, at_c, "D")
    inflow = team(world, [in_team], "D")
    demand = RotationDemand(
        region_id=world.region_id, school_id=world.schools["D"], year=2025, subject="数学"
    )
    plan = RotationPlan(region_id=world.region_id, year=2025, solver_status="optimal", created_by="bureau")
    plan.rows.append(
        RotationPlanRow(
            teacher_id=at_c.id, from_school_id=world.schools["C"], to_school_id=world.schools["D"]
        )
    )
    world.session.add_all([demand, plan])
    world.session.flush()
    return {
        "teacher_id": at_c.id,
        "rotation_id": moved.id,
        "team_id": inflow.id,
        "demand_id": demand.id,
        "plan_id": plan.id,
        "row_id": plan.rows[0].id,
    }
