"""Which pack editions a region may evaluate by: the shipped packs plus every edition the region loaded."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.policy.models import PackEdition
from edugroup.policy.packs import PackLibrary, builtin_packs, load_pack_text
from edugroup.policy.schemas import Pack


@lru_cache(maxsize=1)
def shipped_packs() -> tuple[Pack, ...]:
    """The packs shipped with the product, parsed once per process."""
    return tuple(builtin_packs())


def library(session: Session, region_id: int | None) -> PackLibrary:
    """The shipped packs plus every edition the region loaded, read once per session (a request, a
    command) until the region loads another edition."""
    loaded = (
        list(
            session.scalars(
                select(PackEdition).where(PackEdition.region_id == region_id).order_by(PackEdition.edition)
            )
        )
        if region_id is not None
        else []
    )
    key = ("pack_library", region_id, tuple(row.id for row in loaded))
    cached = session.info.get(key)
    if isinstance(cached, PackLibrary):
        return cached
    lib = PackLibrary(shipped_packs())
    for row in loaded:
        lib.add(load_pack_text(row.text, source_name=row.source_name))
    session.info[key] = lib
    return lib
