"""API: tokens, the caller, and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Response

from edugroup.core import audit
from edugroup.core.auth import authenticate, issue_token
from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download
from edugroup.core.schemas import AuditRead, MeRead, TokenRead, TokenRequest
from edugroup.core.tabular import write_csv, write_xlsx

router = APIRouter(prefix="/api/v1", tags=["auth & audit"])


@router.post("/auth/token", response_model=TokenRead, status_code=201)
def create_token(data: TokenRequest, session: Db) -> TokenRead:
    """Exchange a username and password for an API token."""
    user = authenticate(session, data.username, data.password)
    session.info.update(actor=user.username, actor_id=user.id, region_id=user.region_id)
    return TokenRead(token=issue_token(session, user, name=data.name))


@router.get("/me", response_model=MeRead)
def me(scope: ApiScope) -> MeRead:
    """The caller's role and scope."""
    return MeRead(
        id=scope.user_id,
        username=scope.username,
        role=scope.role,
        region_id=scope.region_id,
        group_ids=sorted(scope.group_ids),
        school_ids=sorted(scope.school_ids),
        teacher_id=scope.teacher_id,
    )


@router.get("/audit", response_model=list[AuditRead])
def list_audit(
    session: Db,
    scope: ApiScope,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[object]:
    """Audit entries of the region, newest first (bureau administrators only)."""
    return list(
        audit.list_entries(
            session,
            scope,
            entity_type=entity_type,
            entity_id=entity_id,
            actor=actor,
            limit=min(limit, 5000),
            offset=offset,
        )
    )


@router.get("/audit/export")
def export_audit(session: Db, scope: ApiScope, format: str = "xlsx") -> Response:
    """The audit log as .xlsx or .csv."""
    rows = [audit.entry_row(e) for e in audit.list_entries(session, scope, limit=1_000_000)]
    if format == "csv":
        return download(write_csv(audit.AUDIT_HEADERS, rows), "audit.csv")
    return download(write_xlsx(audit.AUDIT_HEADERS, rows, title="审计日志"), "audit.xlsx")
