from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edugroup.core.periods import (
    Round,
    SchoolYear,
    Semester,
    parse_period,
    round_of,
    school_year_of,
    semester_of,
)


def test_school_year_starts_on_first_of_september():
    assert school_year_of(date(2025, 8, 31)) == SchoolYear(2024)
    assert school_year_of(date(2025, 9, 1)) == SchoolYear(2025)
    assert SchoolYear(2025).start == date(2025, 9, 1)
    assert SchoolYear(2025).end == date(2026, 8, 31)


def test_january_belongs_to_the_first_semester_and_february_to_the_second():
    assert semester_of(date(2026, 1, 31)) == Semester(2025, 1)
    assert semester_of(date(2026, 2, 1)) == Semester(2025, 2)
    assert semester_of(date(2025, 9, 1)) == Semester(2025, 1)
    assert semester_of(date(2026, 8, 31)) == Semester(2025, 2)


def test_semester_labels_are_chinese():
    assert Semester(2025, 2).label == "2025学年第二学期"
    assert SchoolYear(2025).label == "2025学年"


def test_rounds_of_three_years_are_counted_from_their_first_year():
    assert round_of(date(2025, 10, 1), first_year=2023) == Round(2023, 3)
    assert round_of(date(2026, 9, 1), first_year=2023) == Round(2026, 3)
    assert round_of(date(2022, 9, 1), first_year=2023) == Round(2020, 3)
    assert Round(2023).end == date(2026, 8, 31)


def test_periods_parse_from_their_ids():
    assert parse_period("2025") == SchoolYear(2025)
    assert parse_period("2025-2") == Semester(2025, 2)
    assert parse_period("2023-2025") == Round(2023, 3)
    with pytest.raises(ValueError, match="not a period"):
        parse_period("2025-3")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_lies_in_its_year_semester_and_round(day):
    year = school_year_of(day)
    semester = semester_of(day)
    assert year.contains(day)
    assert semester.contains(day)
    assert semester.school_year == year
    assert round_of(day, first_year=2023).contains(day)
    assert parse_period(semester.id) == semester
