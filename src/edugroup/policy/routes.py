"""API: packs and compliance evaluations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, UploadFile

from edugroup.core.deps import ApiScope, Db
from edugroup.core.downloads import download
from edugroup.policy import output, service

router = APIRouter(prefix="/api/v1", tags=["policy"])


@router.get("/packs")
def list_packs(session: Db, scope: ApiScope) -> list[dict[str, Any]]:
    """Every pack edition available to the caller's region (shipped and loaded)."""
    return [
        {
            "pack": p.id,
            "edition": p.edition.isoformat(),
            "title": p.title,
            "issuer": p.issuer,
            "clauses": len(p.clauses),
            "based_on": p.based_on.pack if p.based_on else None,
        }
        for p in service.library(session, scope.region_id)
    ]


@router.post("/packs", status_code=201)
async def load_pack(file: UploadFile, session: Db, scope: ApiScope) -> dict[str, Any]:
    """Load a region's edited copy of a pack (YAML); refused with file, clause and field when invalid."""
    text = (await file.read()).decode("utf-8")
    pack = service.load_pack_edition(session, scope, text, source_name=file.filename or "pack.yaml")
    return {"pack": pack.id, "edition": pack.edition.isoformat(), "clauses": len(pack.clauses)}


@router.get("/compliance")
def compliance(
    session: Db,
    scope: ApiScope,
    pack: str,
    year: int,
    semester: int | None = None,
    group_id: int | None = None,
    format: str = "json",
) -> Any:
    """Rows of (clause, entity, period, value, threshold, verdict, evidence) for the caller's scope."""
    evaluation = service.run_compliance(session, scope, pack, year=year, semester=semester, group_id=group_id)
    if format == "xlsx":
        return download(output.to_xlsx(evaluation), f"compliance-{pack}-{year}.xlsx")
    return [row.to_json() for row in evaluation.rows]
