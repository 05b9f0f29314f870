"""Pack editions per region, and compliance evaluations as a user may see them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from edugroup.core.errors import Conflict
from edugroup.core.periods import SchoolYear
from edugroup.core.scope import Scope
from edugroup.org.service import get_group
from edugroup.policy.editions import library
from edugroup.policy.engine import Evaluation, evaluate
from edugroup.policy.models import PackEdition
from edugroup.policy.packs import load_pack_text
from edugroup.policy.schemas import Pack

__all__ = ["library", "load_pack_edition", "pack_for", "run_compliance"]


def load_pack_edition(session: Session, scope: Scope, text: str, *, source_name: str) -> Pack:
    """Validates a pack file and stores it as a new edition for the bureau administrator's region."""
    scope.require_bureau("加载政策包")
    assert scope.region_id is not None
    pack = load_pack_text(text, source_name=source_name)
    lib = library(session, scope.region_id)
    if any(e.edition == pack.edition for e in (lib.editions(pack.id) if pack.id in lib.pack_ids() else [])):
        raise Conflict(
            f"政策包 {pack.id} 已有 {pack.edition} 版本; 修改后的版本请使用新的 edition 日期", field="edition"
        )
    session.add(
        PackEdition(
            region_id=scope.region_id,
            pack_id=pack.id,
            edition=pack.edition,
            title=pack.title,
            source_name=source_name,
            text=text,
            loaded_by=scope.username,
        )
    )
    session.flush()
    return pack


def pack_for(session: Session, scope: Scope, pack_id: str, year: int) -> Pack:
    """The edition of `pack_id` in force at the start of school year `year`, for the user's region."""
    return library(session, scope.region_id).edition_for(pack_id, SchoolYear(year))


def run_compliance(
    session: Session,
    scope: Scope,
    pack_id: str,
    *,
    year: int,
    semester: int | None = None,
    group_id: int | None = None,
) -> Evaluation:
    """Evaluate a pack for the user's region (or one group) and school year, with the edition then in force."""
    if group_id is not None:
        get_group(session, scope, group_id)
    pack = pack_for(session, scope, pack_id, year)
    return evaluate(session, scope, pack, year=year, semester=semester, only_group=group_id)
