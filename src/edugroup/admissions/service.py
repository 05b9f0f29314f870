"""Senior-high admissions of junior schools: quota allocations (HK-21) and entry outcomes (HK-22).

Rates of a group, district, region or city for school year Y (the graduates of June Y+1):

- **quota fill rate** (名额分配到校计划完成率) = Σ filled places / Σ planned places over the allocations of its
  junior schools (a group's schools: those that were members at any time during the school year); no data
  when nothing was planned. HK-21 is met only at 100%.
- **quality entry rate** (优质高中阶段学校入学率) = Σ graduates who entered a quality senior-high-stage school
  / Σ graduates of its junior schools; no data without graduates. The city's rate pools every region of the
  city (HK-22 compares a group's rate with it).

Who sees: a bureau administrator every record of its region; a group head those of its schools; a school
administrator its school's; teachers none (404). Who writes: bureau administrators (the bureau records the
plan and the 中考 results); others get 403.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from edugroup.admissions.models import EntryOutcome, QuotaAllocation
from edugroup.admissions.schemas import (
    AdmissionsSummary,
    EntryOutcomeCreate,
    EntryOutcomeUpdate,
    QuotaAllocationCreate,
    QuotaAllocationUpdate,
    UnitRates,
)
from edugroup.core.errors import Conflict, InvalidInput
from edugroup.core.periods import SchoolYear, school_year_of
from edugroup.core.records import not_found_as, visible_one, where_given
from edugroup.core.scope import Scope
from edugroup.org import service as org_service
from edugroup.org.models import STAGE_LABELS, Membership, Region, School, Stage

JUNIOR_STAGES = (Stage.junior, Stage.nine_year, Stage.twelve_year)

# --- scope ---------------------------------------------------------------------------------------


def allocation_visible(scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the quota allocations `scope` may see."""
    return scope.managed_schools(QuotaAllocation.school_id, QuotaAllocation.region_id)


def outcome_visible(scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the entry outcomes `scope` may see."""
    return scope.managed_schools(EntryOutcome.school_id, EntryOutcome.region_id)


def _junior_school(session: Session, scope: Scope, school_id: int) -> School:
    """A school of the caller's region that teaches the junior stage (field school_id on error)."""
    with not_found_as("school_id"):
        school = org_service.get_school(session, scope, school_id)
    if school.stage not in JUNIOR_STAGES:
        raise InvalidInput(
            f"{school.name} 是{STAGE_LABELS[school.stage]}, 没有初中毕业生 (应为初中、九年一贯制或十二年一贯制学校)",
            field="school_id",
        )
    return school


# --- quota allocations ---------------------------------------------------------------------------


def list_allocations(
    session: Session, scope: Scope, *, year: int | None = None, school_id: int | None = None
) -> list[QuotaAllocation]:
    """Quota allocations in scope, by year (newest first), junior school and senior high."""
    stmt = where_given(
        select(QuotaAllocation).where(allocation_visible(scope)),
        (QuotaAllocation.school_year, year),
        (QuotaAllocation.school_id, school_id),
    )
    stmt = (
        stmt.join(School, School.id == QuotaAllocation.school_id)
        .options(selectinload(QuotaAllocation.school), selectinload(QuotaAllocation.senior_school))
        .order_by(QuotaAllocation.school_year.desc(), School.code, QuotaAllocation.senior_school_name)
    )
    return list(session.scalars(stmt))


def get_allocation(session: Session, scope: Scope, allocation_id: int) -> QuotaAllocation:
    """Gets a quota allocation in scope."""
    loads = (selectinload(QuotaAllocation.school),)
    return visible_one(
        session, QuotaAllocation, allocation_id, allocation_visible(scope), loads, "名额分配记录"
    )


def _senior_name(session: Session, scope: Scope, data: QuotaAllocationCreate) -> str:
    if data.senior_school_id is None:
        assert data.senior_school_name is not None
        return data.senior_school_name
    with not_found_as("senior_school_id"):
        senior = org_service.get_school(session, scope, data.senior_school_id)
    if senior.stage not in (Stage.senior, Stage.twelve_year):
        raise InvalidInput(f"{senior.name} 不是高中", field="senior_school_id")
    return senior.name


def save_allocation(
    session: Session, scope: Scope, data: QuotaAllocationCreate, *, replace: bool = False
) -> tuple[QuotaAllocation, bool]:
    """Records an allocation; with `replace`, one already recorded for the same school, year and senior high
    is updated instead of refused (409). Returns the record and whether it is new."""
    scope.require_bureau("记录名额分配")
    assert scope.region_id is not None
    school = _junior_school(session, scope, data.school_id)
    name = _senior_name(session, scope, data)
    existing = session.scalar(
        select(QuotaAllocation).where(
            QuotaAllocation.school_id == school.id,
            QuotaAllocation.school_year == data.school_year,
            QuotaAllocation.senior_school_name == name,
        )
    )
    if existing is not None and not replace:
        raise Conflict(f"{school.name} {data.school_year}学年 {name} 的名额分配已有记录 (编号 {existing.id})")
    allocation = existing or QuotaAllocation(
        region_id=scope.region_id, school_year=data.school_year, school_id=school.id, senior_school_name=name
    )
    allocation.senior_school_id = data.senior_school_id
    allocation.planned = data.planned
    allocation.filled = data.filled
    allocation.note = data.note
    if existing is None:
        session.add(allocation)
    session.flush()
    return allocation, existing is None


def create_allocation(session: Session, scope: Scope, data: QuotaAllocationCreate) -> QuotaAllocation:
    """Records the planned and filled places of a senior high for a junior school in a school year."""
    return save_allocation(session, scope, data)[0]


def update_allocation(
    session: Session, scope: Scope, allocation_id: int, data: QuotaAllocationUpdate
) -> QuotaAllocation:
    """Changes the planned or filled places (or the note) of an allocation."""
    allocation = get_allocation(session, scope, allocation_id)
    scope.require_bureau("修改名额分配")
    changes = data.model_dump(exclude_unset=True)
    for key, label in (("planned", "计划名额"), ("filled", "实际录取")):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{label}不能为空", field=key)
    planned, filled = changes.get("planned", allocation.planned), changes.get("filled", allocation.filled)
    if filled > planned:
        raise InvalidInput(f"实际录取 {filled} 超过计划名额 {planned}", field="filled")
    for key, value in changes.items():
        setattr(allocation, key, value)
    session.flush()
    return allocation


def delete_allocation(session: Session, scope: Scope, allocation_id: int) -> None:
    """Deletes an allocation entered by mistake."""
    allocation = get_allocation(session, scope, allocation_id)
    scope.require_bureau("删除名额分配")
    session.delete(allocation)
    session.flush()


# --- entry outcomes ------------------------------------------------------------------------------


def list_outcomes(
    session: Session, scope: Scope, *, year: int | None = None, school_id: int | None = None
) -> list[EntryOutcome]:
    """Entry outcomes in scope, by year (newest first) and school."""
    stmt = where_given(
        select(EntryOutcome).where(outcome_visible(scope)),
        (EntryOutcome.school_year, year),
        (EntryOutcome.school_id, school_id),
    )
    stmt = (
        stmt.join(School, School.id == EntryOutcome.school_id)
        .options(selectinload(EntryOutcome.school))
        .order_by(EntryOutcome.school_year.desc(), School.code)
    )
    return list(session.scalars(stmt))


def get_outcome(session: Session, scope: Scope, outcome_id: int) -> EntryOutcome:
    """Gets an entry outcome in scope."""
    loads = (selectinload(EntryOutcome.school),)
    return visible_one(session, EntryOutcome, outcome_id, outcome_visible(scope), loads, "升学结果记录")


def save_outcome(
    session: Session, scope: Scope, data: EntryOutcomeCreate, *, replace: bool = False
) -> tuple[EntryOutcome, bool]:
    """Records a school's outcome of a year; with `replace`, the recorded one is updated instead of refused.
    Returns the record and whether it is new."""
    scope.require_bureau("记录升学结果")
    assert scope.region_id is not None
    school = _junior_school(session, scope, data.school_id)
    existing = session.scalar(
        select(EntryOutcome).where(
            EntryOutcome.school_id == school.id, EntryOutcome.school_year == data.school_year
        )
    )
    if existing is not None and not replace:
        raise Conflict(f"{school.name} {data.school_year}学年的升学结果已有记录 (编号 {existing.id})")
    outcome = existing or EntryOutcome(
        region_id=scope.region_id, school_year=data.school_year, school_id=school.id
    )
    outcome.graduates = data.graduates
    outcome.quality_entries = data.quality_entries
    outcome.note = data.note
    if existing is None:
        session.add(outcome)
    session.flush()
    return outcome, existing is None


def create_outcome(session: Session, scope: Scope, data: EntryOutcomeCreate) -> EntryOutcome:
    """Records a junior school's graduates and quality senior-high entries of a school year."""
    return save_outcome(session, scope, data)[0]


def update_outcome(session: Session, scope: Scope, outcome_id: int, data: EntryOutcomeUpdate) -> EntryOutcome:
    """Changes the graduates, the quality entries or the note of an outcome."""
    outcome = get_outcome(session, scope, outcome_id)
    scope.require_bureau("修改升学结果")
    changes = data.model_dump(exclude_unset=True)
    for key, label in (("graduates", "毕业生数"), ("quality_entries", "进入优质高中人数")):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{label}不能为空", field=key)
    graduates = changes.get("graduates", outcome.graduates)
    entries = changes.get("quality_entries", outcome.quality_entries)
    if entries > graduates:
        raise InvalidInput(f"进入优质高中人数 {entries} 超过毕业生数 {graduates}", field="quality_entries")
    for key, value in changes.items():
        setattr(outcome, key, value)
    session.flush()
    return outcome


def delete_outcome(session: Session, scope: Scope, outcome_id: int) -> None:
    """Deletes an outcome entered by mistake."""
    outcome = get_outcome(session, scope, outcome_id)
    scope.require_bureau("删除升学结果")
    session.delete(outcome)
    session.flush()


# --- rates ---------------------------------------------------------------------------------------


@dataclass
class Totals:
    """Sums over some junior schools of one school year, with the records used."""

    planned: int = 0
    filled: int = 0
    graduates: int = 0
    quality_entries: int = 0
    allocation_ids: list[int] = field(default_factory=list)
    outcome_ids: list[int] = field(default_factory=list)
    schools: set[int] = field(default_factory=set)

    @property
    def fill_rate(self) -> float | None:
        return self.filled / self.planned if self.planned else None

    @property
    def entry_rate(self) -> float | None:
        return self.quality_entries / self.graduates if self.graduates else None


@dataclass(frozen=True, slots=True)
class AllocationRow:
    id: int
    school_year: int
    school_id: int
    planned: int
    filled: int


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    id: int
    school_year: int
    school_id: int
    graduates: int
    quality_entries: int


def totals(
    allocations: Iterable[AllocationRow], outcomes: Iterable[OutcomeRow], schools: set[int] | None = None
) -> Totals:
    """Sums of the rows of `schools` (all rows when None)."""
    result = Totals()
    for a in allocations:
        if schools is None or a.school_id in schools:
            result.planned += a.planned
            result.filled += a.filled
            result.allocation_ids.append(a.id)
            result.schools.add(a.school_id)
    for o in outcomes:
        if schools is None or o.school_id in schools:
            result.graduates += o.graduates
            result.quality_entries += o.quality_entries
            result.outcome_ids.append(o.id)
            result.schools.add(o.school_id)
    return result


def allocations_in(
    session: Session, *, region_id: int, first_year: int, last_year: int
) -> list[AllocationRow]:
    """Every allocation of a region in school years `first_year`..`last_year`. Not scoped (the engine)."""
    stmt = (
        select(
            QuotaAllocation.id,
            QuotaAllocation.school_year,
            QuotaAllocation.school_id,
            QuotaAllocation.planned,
            QuotaAllocation.filled,
        )
        .where(
            QuotaAllocation.region_id == region_id,
            QuotaAllocation.school_year >= first_year,
            QuotaAllocation.school_year <= last_year,
        )
        .order_by(QuotaAllocation.id)
    )
    return [AllocationRow(*row) for row in session.execute(stmt).all()]


def outcomes_in(
    session: Session,
    *,
    first_year: int,
    last_year: int,
    region_id: int | None = None,
    city_id: int | None = None,
) -> list[OutcomeRow]:
    """Every entry outcome of a region (or of every region of a city) in school years `first_year`..`last_year`.
    Not scoped: the engine evaluates a whole region and compares it with its city."""
    stmt = select(
        EntryOutcome.id,
        EntryOutcome.school_year,
        EntryOutcome.school_id,
        EntryOutcome.graduates,
        EntryOutcome.quality_entries,
    ).where(EntryOutcome.school_year >= first_year, EntryOutcome.school_year <= last_year)
    if region_id is not None:
        stmt = stmt.where(EntryOutcome.region_id == region_id)
    if city_id is not None:
        stmt = stmt.where(EntryOutcome.region_id.in_(select(Region.id).where(Region.city_id == city_id)))
    return [OutcomeRow(*row) for row in session.execute(stmt.order_by(EntryOutcome.id)).all()]


def _unit(entity_type: str, entity_id: int, name: str, found: Totals) -> UnitRates:
    return UnitRates(
        entity_type=entity_type,
        entity_id=entity_id,
        name=name,
        schools=len(found.schools),
        planned=found.planned,
        filled=found.filled,
        fill_rate=found.fill_rate,
        graduates=found.graduates,
        quality_entries=found.quality_entries,
        entry_rate=found.entry_rate,
    )


def group_members_during(session: Session, group_ids: list[int], year: int) -> dict[int, set[int]]:
    """Schools of each group at any time during a school year."""
    period = SchoolYear(year)
    stmt = select(Membership.group_id, Membership.school_id).where(
        Membership.group_id.in_(group_ids),
        Membership.start_date <= period.end,
        or_(Membership.end_date.is_(None), Membership.end_date >= period.start),
    )
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, school_id in session.execute(stmt).all():
        members[group_id].add(school_id)
    return members


def summary(session: Session, scope: Scope, year: int) -> AdmissionsSummary:
    """Fill and entry rates of a school year: per group in scope and per district (bureau administrators)
    that hold a junior-teaching school (as HK-21 and HK-22 scope them), and the region's and the city's rates
    (aggregates, shown to every user with access to the records)."""
    if not scope.manages_schools:
        return AdmissionsSummary(school_year=year, groups=[], districts=[], region=None, city=None)
    assert scope.region_id is not None
    region = org_service.get_region(session, scope, scope.region_id)
    allocations = allocations_in(session, region_id=region.id, first_year=year, last_year=year)
    outcomes = outcomes_in(session, region_id=region.id, first_year=year, last_year=year)
    juniors = set(
        session.scalars(
            select(School.id).where(School.region_id == region.id, School.stage.in_(JUNIOR_STAGES))
        )
    )
    groups = org_service.list_groups(session, scope)
    members = group_members_during(session, [g.id for g in groups], year)
    group_rates = [
        _unit("group", g.id, g.name, totals(allocations, outcomes, members[g.id]))
        for g in groups
        if members.get(g.id, set()) & juniors
    ]
    district_rates: list[UnitRates] = []
    if scope.is_bureau:
        by_district: dict[int, set[int]] = defaultdict(set)
        for school_id, district_id in session.execute(
            select(School.id, School.district_id).where(School.region_id == region.id)
        ).all():
            if district_id is not None:
                by_district[district_id].add(school_id)
        district_rates = [
            _unit("district", d.id, d.name, totals(allocations, outcomes, by_district[d.id]))
            for d in org_service.list_districts(session, scope)
            if by_district.get(d.id, set()) & juniors
        ]
    city_outcomes = outcomes_in(session, city_id=region.city_id, first_year=year, last_year=year)
    city = totals([], city_outcomes)
    return AdmissionsSummary(
        school_year=year,
        groups=group_rates,
        districts=district_rates,
        region=_unit("region", region.id, region.name, totals(allocations, outcomes)),
        city=_unit("city", region.city_id, region.city.name, city),
    )


def years_recorded(session: Session, scope: Scope) -> list[int]:
    """School years with any allocation or outcome in scope, newest first."""
    years = set(
        session.scalars(select(func.distinct(QuotaAllocation.school_year)).where(allocation_visible(scope)))
    )
    years |= set(
        session.scalars(select(func.distinct(EntryOutcome.school_year)).where(outcome_visible(scope)))
    )
    return sorted(years, reverse=True)


def latest_year(today: date | None = None) -> int:
    """The last school year whose 中考 (in June of its second calendar year) is over by `today`."""
    today = today or date.today()
    current = school_year_of(today).year
    return current if today.month in (7, 8) else current - 1


# --- lookups for imports -------------------------------------------------------------------------


def school_codes(session: Session, region_id: int) -> dict[str, School]:
    """The region's schools by code."""
    return {s.code: s for s in session.scalars(select(School).where(School.region_id == region_id))}
