"""Helpers for dated records of any domain: the one visible record or 404, school-year filters, the fields an
update sets, date checks, refusals that name the input field, and the pydantic bases of their shapes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from edugroup.core.errors import InvalidInput, NotFound
from edugroup.core.periods import SchoolYear
from edugroup.core.scope import check_found

_T = TypeVar("_T")
_S = TypeVar("_S", bound=Select[Any])

# --- reads ---------------------------------------------------------------------------------------


def visible_one(
    session: Session,
    model: type[_T],
    ident: int,
    visible: ColumnElement[bool],
    loads: Sequence[Any],
    label: str,
) -> _T:
    """The record with this id if the caller may see it; NotFound (404) otherwise."""
    stmt = select(model).where(model.id == ident, visible).options(*loads)  # type: ignore[attr-defined]
    found = session.scalars(stmt).one_or_none()
    check_found(found is not None, label, ident)
    assert found is not None
    return found


def where_given(stmt: _S, *filters: tuple[InstrumentedAttribute[Any], object]) -> _S:
    """`stmt` narrowed to the rows whose column equals each value given (a None value adds no condition)."""
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def in_year(column: InstrumentedAttribute[date], year: int | None) -> tuple[ColumnElement[bool], ...]:
    """SQL conditions: `column` falls in school year `year` (none when `year` is None)."""
    if year is None:
        return ()
    period = SchoolYear(year)
    return (column >= period.start, column <= period.end)


def overlapping_year(
    start: InstrumentedAttribute[date], end: InstrumentedAttribute[date | None], year: int | None
) -> tuple[ColumnElement[bool], ...]:
    """SQL conditions: a record from `start` to `end` (open when NULL) is active some day of school year
    `year` (none when `year` is None)."""
    if year is None:
        return ()
    period = SchoolYear(year)
    return (start <= period.end, or_(end.is_(None), end >= period.start))


class DatedRow:
    """A row read for the compliance engine that runs from `started_on` to `ended_on` (open when None)."""

    started_on: date
    ended_on: date | None

    def active_during(self, start: date, end: date) -> bool:
        """Whether the row runs on some day from `start` to `end`."""
        return self.started_on <= end and (self.ended_on is None or self.ended_on >= start)


# --- writes --------------------------------------------------------------------------------------


def update_changes(data: BaseModel, required: dict[str, str]) -> dict[str, Any]:
    """The fields an update sets; a required field set to null is refused, naming it."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for key, label in required.items():
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{label}不能为空", field=key)
    return changes


def check_dates(values: dict[str, Any]) -> None:
    """Refuses a record that ends before it starts."""
    if values.get("ended_on") is not None and values["ended_on"] < values["started_on"]:
        raise InvalidInput("结束日期早于开始日期", field="ended_on")


@contextmanager
def not_found_as(field: str | None) -> Iterator[None]:
    """Re-raises a NotFound from the block as the same refusal naming `field`, the input that named the
    missing object (or no field when None)."""
    try:
        yield
    except NotFound as exc:
        raise NotFound(exc.message, field=field) from None


# --- shapes --------------------------------------------------------------------------------------


def strip_text(value: str | None) -> str | None:
    """Optional text without surrounding blanks; blank text is None."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def required_text(value: str | None) -> str | None:
    """Text without surrounding blanks; blank text is refused."""
    if value is not None and not value.strip():
        raise ValueError("不能为空")
    return value.strip() if value is not None else None


class DatedShape(BaseModel):
    """A record running from `started_on` to `ended_on` (inclusive; open when None)."""

    @model_validator(mode="after")
    def _end_after_start(self) -> DatedShape:
        start, end = getattr(self, "started_on", None), getattr(self, "ended_on", None)
        if start is not None and end is not None and end < start:
            raise ValueError("ended_on: 结束日期早于开始日期")
        return self


class ReadShape(BaseModel):
    """A record read from its table's attributes."""

    model_config = ConfigDict(from_attributes=True)
