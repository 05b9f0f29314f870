"""Import and export of teacher development records (.xlsx / .csv, Chinese headers), by kind: training
(培训与展示学分), certificates (示范课证书), mentoring (师徒结对), dispatches (教师派遣), assignments (指导专家与
课堂观察员). Each kind's columns and service functions are in its own domain; the file rules (all rows or none,
read-only columns, 编号 to update) are in `core.sheets`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.activities import service as activities_service
from edugroup.certificates.io import KIND as CERTIFICATES
from edugroup.core import sheets
from edugroup.core.errors import NotFound
from edugroup.core.scope import Scope
from edugroup.core.sheets import ImportReport, Kind
from edugroup.experts.io import KIND as ASSIGNMENTS
from edugroup.mentoring.io import DISPATCH_KIND, MENTORING_KIND
from edugroup.org.models import District
from edugroup.training.io import KIND as TRAINING


class Lookups:
    """The region's teacher staff numbers and group, school and district codes, read once per import or form."""

    def __init__(self, session: Session, region_id: int) -> None:
        self.groups, self.schools, self.teachers = activities_service.codes(session, region_id)
        self.districts: dict[str, int] = dict(
            session.execute(select(District.code, District.id).where(District.region_id == region_id)).all()
        )


KINDS: dict[str, Kind] = {
    kind.key: kind for kind in (TRAINING, CERTIFICATES, MENTORING_KIND, DISPATCH_KIND, ASSIGNMENTS)
}


def kind_of(key: str) -> Kind:
    """The kind named `key`; NotFound listing the kinds otherwise."""
    if key not in KINDS:
        raise NotFound(f"没有 {key} 这种记录 (可用: {', '.join(KINDS)})", field="kind")
    return KINDS[key]


def import_records(session: Session, scope: Scope, key: str, data: bytes, filename: str) -> ImportReport:
    """Imports one kind of record from one .xlsx or .csv file; all rows or none."""
    kind = kind_of(key)
    scope.require_school_manager(f"导入{kind.label}")
    assert scope.region_id is not None
    return sheets.import_rows(session, scope, kind, Lookups(session, scope.region_id), data, filename)


def import_file(session: Session, scope: Scope, key: str, path: Path) -> ImportReport:
    """Imports one kind of record from a file on disk (the CLI)."""
    return import_records(session, scope, key, path.read_bytes(), path.name)


def export_file(session: Session, scope: Scope, key: str, fmt: str, *, year: int | None = None) -> bytes:
    """The export as .xlsx or .csv bytes."""
    return sheets.export_file(session, scope, kind_of(key), fmt, year=year)


def template_file(key: str, fmt: str = "xlsx") -> bytes:
    """An empty import template with Chinese headers and a sheet of instructions."""
    return sheets.template_file(kind_of(key), fmt)
