"""The clause catalogue: every clause of the policy documents, read from `clauses.yaml` beside this module.

Each clause has the stable id packs and reports cite (`HK-16`), its kind, the pack implementing it and that
pack's seed document. The shipped packs are checked against this catalogue by the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

import yaml

from edugroup.policy.schemas import CLAUSE_KINDS, ClauseKind

CATALOGUE_FILE = "clauses.yaml"


@dataclass(frozen=True)
class CatalogueClause:
    """One clause of a policy document, as the catalogue lists it."""

    id: str
    kind: ClauseKind
    pack: str
    seed: str
    summary: str | None = None


@cache
def clause_catalogue() -> tuple[CatalogueClause, ...]:
    """Every catalogued clause, pack by pack in the documents' order, each pack's clauses in its order."""
    text = (files("edugroup.policy") / CATALOGUE_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    clauses = tuple(
        _clause(raw, pack=str(pack["id"]), seed=str(pack["seed"]))
        for pack in data["packs"]
        for raw in pack["clauses"]
    )
    seen: set[str] = set()
    for clause in clauses:
        if clause.id in seen:
            raise ValueError(f"{CATALOGUE_FILE}: 条款编号 {clause.id} 重复")
        seen.add(clause.id)
    return clauses


@cache
def clauses_by_id() -> Mapping[str, CatalogueClause]:
    """The catalogue keyed by clause id."""
    return MappingProxyType({clause.id: clause for clause in clause_catalogue()})


def _clause(raw: Mapping[str, Any], *, pack: str, seed: str) -> CatalogueClause:
    """One catalogue row, its kind checked."""
    clause_id, kind = str(raw["id"]), raw["kind"]
    if kind not in CLAUSE_KINDS:
        raise ValueError(f"{CATALOGUE_FILE}: {clause_id}: 未知的条款类型 {kind!r}")
    summary = raw.get("summary")
    return CatalogueClause(
        id=clause_id, kind=kind, pack=pack, seed=seed, summary=None if summary is None else str(summary)
    )
