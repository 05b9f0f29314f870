"""Rotation planning API under /api/v1/rotation: receiving demand and plans (review, edit, accept, export)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download
from edugroup.rotation.models import RotationDemand, RotationPlan, RotationPlanRow
from edugroup.rotation.plans import io, service
from edugroup.rotation.plans.schemas import (
    DemandCreate,
    DemandRead,
    PlanCreate,
    PlanRead,
    PlanRowRead,
    PlanRowUpdate,
)

router = APIRouter(prefix="/api/v1/rotation", tags=["rotation plans"])


def row_read(row: RotationPlanRow) -> PlanRowRead:
    """A plan row with its teacher's name, subject and backbone flag."""
    return PlanRowRead.model_validate(row).model_copy(
        update={
            "teacher_name": row.teacher.name,
            "staff_number": row.teacher.staff_number,
            "subject": row.teacher.subject,
            "backbone": row.teacher.is_backbone,
        }
    )


def plan_read(session: Session, plan: RotationPlan, *, with_rows: bool = True) -> PlanRead:
    """A plan; with its rows and the quotas it no longer keeps when asked."""
    columns = {
        name: getattr(plan, name) for name in PlanRead.model_fields if name not in ("rows", "warnings")
    }
    read = PlanRead.model_validate(columns)
    if not with_rows:
        return read
    return read.model_copy(
        update={"rows": [row_read(r) for r in plan.rows], "warnings": service.plan_warnings(session, plan)}
    )


@router.get("/demands", response_model=list[DemandRead])
def list_demands(session: Db, scope: ApiScope, year: int | None = None) -> list[RotationDemand]:
    """Receiving demand per weaker school and subject (bureau administrators)."""
    return service.list_demands(session, scope, year=year)


@router.post("/demands", response_model=DemandRead, status_code=201)
def create_demand(data: DemandCreate, session: Db, scope: ApiScope) -> RotationDemand:
    """Records a weaker school's demand for rotating teachers of a subject in a school year."""
    return service.create_demand(session, scope, data)


@router.delete("/demands/{demand_id}", status_code=204)
def delete_demand(demand_id: int, session: Db, scope: ApiScope) -> Response:
    service.delete_demand(session, scope, demand_id)
    return Response(status_code=204)


@router.get("/plans", response_model=list[PlanRead])
def list_plans(session: Db, scope: ApiScope) -> list[PlanRead]:
    """The region's plans, newest first (without their rows)."""
    return [plan_read(session, p, with_rows=False) for p in service.list_plans(session, scope)]


@router.post("/plans", response_model=PlanRead, status_code=201)
def create_plan(data: PlanCreate, session: Db, scope: ApiScope) -> PlanRead:
    """Runs the planner on the region's eligible teachers, demand and the pack's quotas; stores a draft."""
    plan = service.create_plan(session, scope, data.year, pack_id=data.pack, time_limit=data.time_limit)
    return plan_read(session, service.get_plan(session, scope, plan.id))


@router.get("/plans/{plan_id}", response_model=PlanRead)
def get_plan(plan_id: int, session: Db, scope: ApiScope) -> PlanRead:
    """A plan with its rows and the quotas it no longer keeps after edits."""
    return plan_read(session, service.get_plan(session, scope, plan_id))


@router.patch("/plans/{plan_id}/rows/{row_id}", response_model=PlanRowRead)
def update_row(plan_id: int, row_id: int, data: PlanRowUpdate, session: Db, scope: ApiScope) -> PlanRowRead:
    """Sends the row's teacher to another school (draft plans only)."""
    return row_read(service.update_row(session, scope, plan_id, row_id, data.to_school_id))


@router.delete("/plans/{plan_id}/rows/{row_id}", status_code=204)
def drop_row(plan_id: int, row_id: int, session: Db, scope: ApiScope) -> Response:
    """Takes the row's teacher out of the plan (draft plans only)."""
    service.drop_row(session, scope, plan_id, row_id)
    return Response(status_code=204)


@router.post("/plans/{plan_id}/accept", response_model=PlanRead)
def accept_plan(plan_id: int, session: Db, scope: ApiScope) -> PlanRead:
    """Accepts a draft plan into rotation records (team inflows where a school receives several); audited."""
    service.accept_plan(session, scope, plan_id)
    return plan_read(session, service.get_plan(session, scope, plan_id))


@router.get("/plans/{plan_id}/export")
def export_plan(plan_id: int, session: Db, scope: ApiScope) -> Response:
    """The plan as an Excel workbook."""
    return download(io.plan_workbook(session, scope, plan_id), f"rotation-plan-{plan_id}.xlsx")
