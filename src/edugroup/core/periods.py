"""School years, semesters and multi-year rounds: the one place that turns a date into a period.

A school year (学年) runs 1 Sep – 31 Aug and is named by its first year (2025 = 2025-09-01..2026-08-31).
Its first semester runs Sep – Jan, its second Feb – Aug. A round is a run of consecutive school years
(3 by default) counted from a first year the policy sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_SEMESTER_ID = re.compile(r"^(\d{4})-([12])$")
_ROUND_ID = re.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True, order=True)
class SchoolYear:
    """A school year, named by the calendar year it starts in."""

    year: int

    @property
    def start(self) -> date:
        return date(self.year, 9, 1)

    @property
    def end(self) -> date:
        """Last day, inclusive."""
        return date(self.year + 1, 8, 31)

    @property
    def id(self) -> str:
        return str(self.year)

    @property
    def label(self) -> str:
        return f"{self.year}学年"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def semesters(self) -> tuple[Semester, Semester]:
        return Semester(self.year, 1), Semester(self.year, 2)

    def previous(self) -> SchoolYear:
        return SchoolYear(self.year - 1)

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True, order=True)
class Semester:
    """Semester 1 (Sep – Jan) or 2 (Feb – Aug) of a school year."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2):
            raise ValueError(f"semester must be 1 or 2, not {self.number}")

    @property
    def school_year(self) -> SchoolYear:
        return SchoolYear(self.year)

    @property
    def start(self) -> date:
        return date(self.year, 9, 1) if self.number == 1 else date(self.year + 1, 2, 1)

    @property
    def end(self) -> date:
        """Last day, inclusive."""
        return date(self.year + 1, 1, 31) if self.number == 1 else date(self.year + 1, 8, 31)

    @property
    def id(self) -> str:
        return f"{self.year}-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}学年第{'一' if self.number == 1 else '二'}学期"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Semester:
        return Semester(self.year, 1) if self.number == 2 else Semester(self.year - 1, 2)

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True, order=True)
class Round:
    """`length` consecutive school years starting with `first_year` (a 3-year round by default)."""

    first_year: int
    length: int = 3

    @property
    def years(self) -> list[SchoolYear]:
        return [SchoolYear(self.first_year + i) for i in range(self.length)]

    @property
    def start(self) -> date:
        return SchoolYear(self.first_year).start

    @property
    def end(self) -> date:
        return SchoolYear(self.first_year + self.length - 1).end

    @property
    def id(self) -> str:
        return f"{self.first_year}-{self.first_year + self.length - 1}"

    @property
    def label(self) -> str:
        return f"{self.first_year}—{self.first_year + self.length - 1}学年"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.id


Period = SchoolYear | Semester | Round


def school_year_of(day: date) -> SchoolYear:
    """The school year a date falls in (1 Sep starts a new one)."""
    return SchoolYear(day.year if day.month >= 9 else day.year - 1)


def semester_of(day: date) -> Semester:
    """The semester a date falls in: Sep–Jan is the first, Feb–Aug the second."""
    year = school_year_of(day)
    return Semester(year.year, 1 if day.month >= 9 or day.month == 1 else 2)


def round_of(day: date, *, first_year: int, length: int = 3) -> Round:
    """The round a date falls in, for rounds of `length` years counted from `first_year`."""
    if length < 1:
        raise ValueError("a round lasts at least one school year")
    offset = school_year_of(day).year - first_year
    return Round(first_year + (offset // length) * length, length)


def parse_period(text: str) -> Period:
    """Parse '2025' (school year), '2025-1' (semester) or '2025-2027' (round)."""
    text = text.strip()
    if text.isdigit() and len(text) == 4:
        return SchoolYear(int(text))
    if m := _SEMESTER_ID.match(text):
        return Semester(int(m.group(1)), int(m.group(2)))
    if m := _ROUND_ID.match(text):
        first, last = int(m.group(1)), int(m.group(2))
        if last < first:
            raise ValueError(f"round {text!r} ends before it starts")
        return Round(first, last - first + 1)
    raise ValueError(f"not a period: {text!r} (expected 2025, 2025-1 or 2025-2027)")


def default_year(today: date | None = None) -> int:
    """The last school year with a finished semester: the previous one during a first semester."""
    today = today or date.today()
    year = school_year_of(today).year
    return year - 1 if semester_of(today).number == 1 else year
