"""Pure rules of the teachers domain, shared by the services, the compliance metrics and the planner's bridge:
term lengths in years, rotation eligibility (符合交流轮岗条件), and whether a rotation stays inside a district
or group (HK-05, SH-05) and so counts as rural/weak-school experience (OH-13).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 Feb becomes 28 Feb in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_between(start: date, end: date) -> float:
    """Length of the term `start`..`end` (both inclusive) in years: 2024-09-01..2027-08-31 is exactly 3.0.

    Whole calendar years, plus the rest as a fraction of the year that follows; 0 when `end` < `start`.
    """
    stop = end + timedelta(days=1)
    if stop <= start:
        return 0.0
    years = stop.year - start.year
    if add_years(start, years) > stop:
        years -= 1
    anniversary = add_years(start, years)
    following = add_years(start, years + 1)
    return years + (stop - anniversary).days / (following - anniversary).days


def term_end(start: date, years: int) -> date:
    """Last day of a term of whole `years` starting on `start` (2026-09-01, 3 -> 2029-08-31)."""
    return add_years(start, years) - timedelta(days=1)


# --- eligibility ---------------------------------------------------------------------------------


class RuleFacts(Protocol):
    @property
    def min_years_at_school(self) -> int: ...
    @property
    def max_age(self) -> int | None: ...
    @property
    def exclude_on_rotation(self) -> bool: ...
    @property
    def rest_years(self) -> int: ...
    @property
    def excluded_title_list(self) -> list[str]: ...


class TeacherFacts(Protocol):
    @property
    def joined_school_on(self) -> date | None: ...
    @property
    def birth_year(self) -> int | None: ...
    @property
    def title(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Term:
    """A rotation's dates, as eligibility reads them."""

    start_on: date
    end_on: date


def eligibility_problems(
    teacher: TeacherFacts, rule: RuleFacts, on: date, terms: Iterable[Term]
) -> list[str]:
    """Why `teacher` is not eligible to rotate on `on` under `rule` (empty: eligible).

    `on` is read at the start of the day, before that day's moves: a rotation starting on `on` does not yet
    make the teacher "on rotation", so the teachers who start rotating on 1 September still count among
    those eligible that school year.
    """
    problems: list[str] = []
    if teacher.joined_school_on is None:
        problems.append("未登记入校日期, 无法核定在本校任教年限")
    elif add_years(teacher.joined_school_on, rule.min_years_at_school) > on:
        problems.append(f"在本校任教不满{rule.min_years_at_school}年")
    if rule.max_age is not None:
        if teacher.birth_year is None:
            problems.append("未登记出生年份, 无法核定年龄")
        elif on.year - teacher.birth_year > rule.max_age:
            problems.append(f"年龄超过{rule.max_age}岁")
    if teacher.title and teacher.title in rule.excluded_title_list:
        problems.append(f"职称为{teacher.title}, 不在交流范围内")
    for term in terms:
        if rule.exclude_on_rotation and term.start_on < on <= term.end_on:
            problems.append(f"正在交流轮岗 ({term.start_on.isoformat()} 起)")
        elif rule.rest_years and term.end_on < on and add_years(term.end_on, rule.rest_years) >= on:
            problems.append(f"交流轮岗结束 ({term.end_on.isoformat()}) 未满{rule.rest_years}年")
    return problems


# --- rotations inside a district or group --------------------------------------------------------


class MembershipFacts(Protocol):
    @property
    def group_id(self) -> int: ...
    @property
    def school_id(self) -> int: ...
    def active_on(self, day: date) -> bool: ...


def shared_units(
    from_school: int,
    to_school: int,
    day: date,
    memberships: Sequence[MembershipFacts],
    district_of: dict[int, int | None],
) -> tuple[frozenset[int], int | None]:
    """The groups both schools belonged to on `day`, and their district when it is the same one."""
    groups_of: dict[int, set[int]] = {from_school: set(), to_school: set()}
    for m in memberships:
        if m.school_id in groups_of and m.active_on(day):
            groups_of[m.school_id].add(m.group_id)
    district = district_of.get(from_school)
    same_district = district if district is not None and district == district_of.get(to_school) else None
    return frozenset(groups_of[from_school] & groups_of[to_school]), same_district


class RotationFacts(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def from_school_id(self) -> int: ...
    @property
    def to_school_id(self) -> int: ...
    @property
    def start_on(self) -> date: ...
    @property
    def end_on(self) -> date: ...


def experience_before(
    rotations: Iterable[RotationFacts],
    before: date,
    memberships: Sequence[MembershipFacts],
    district_of: dict[int, int | None],
) -> tuple[float, list[int]]:
    """Years of rotation inside a district or group served before a day (HK-05, SH-05), and the rotations.

    A rotation counts when its two schools shared a group or a district on its first day; it counts up to its
    last day or the day before `before`, whichever comes first.
    """
    total = 0.0
    used: list[int] = []
    for rotation in sorted(rotations, key=lambda r: (r.start_on, r.id)):
        if rotation.start_on >= before:
            continue
        groups, district = shared_units(
            rotation.from_school_id, rotation.to_school_id, rotation.start_on, memberships, district_of
        )
        if not groups and district is None:
            continue
        total += years_between(rotation.start_on, min(rotation.end_on, before - timedelta(days=1)))
        used.append(rotation.id)
    return total, used
