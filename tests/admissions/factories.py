"""Small factories for admissions tests: records made through the services as the bureau."""

from __future__ import annotations

from edugroup.admissions import service
from edugroup.admissions.schemas import EntryOutcomeCreate, QuotaAllocationCreate


def allocation(
    world, school: str, planned: int, filled: int, year: int = 2025, senior: str = "市实验性示范性高中甲"
):
    data = QuotaAllocationCreate(
        school_year=year,
        school_id=world.schools[school],
        senior_school_name=senior,
        planned=planned,
        filled=filled,
    )
    return service.create_allocation(world.session, world.scope("bureau"), data)


def outcome(world, school: str, graduates: int, entries: int, year: int = 2025):
    data = EntryOutcomeCreate(
        school_year=year, school_id=world.schools[school], graduates=graduates, quality_entries=entries
    )
    return service.create_outcome(world.session, world.scope("bureau"), data)


def hidden_objects(world) -> dict[str, int]:
    """An allocation and an outcome of school C (the co-build pair's): no other role reaches them."""
    return {
        "allocation_id": allocation(world, "C", 5, 5).id,
        "outcome_id": outcome(world, "C", 200, 120).id,
    }
