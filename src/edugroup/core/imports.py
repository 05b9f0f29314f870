"""All-or-nothing imports: every row in its own savepoint, every bad row reported, nothing kept on error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.orm import Session

from edugroup.core.errors import EduGroupError, ImportFailed, RowError
from edugroup.core.tabular import SheetRow

T = TypeVar("T")


class RowProblem(Exception):
    """One or more bad cells of an imported row, each a (column header, message) pair."""

    def __init__(self, column: str, message: str, *more: tuple[str, str]) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.problems = [(column, message), *more]

    @classmethod
    def of(cls, problems: Sequence[tuple[str, str]]) -> RowProblem:
        """A problem made of several (column, message) pairs; there must be at least one."""
        first, *more = problems
        return cls(*first, *more)


def validation_problems(exc: ValidationError) -> list[tuple[str | None, str]]:
    """The (field, message) pairs of a pydantic error, without pydantic's "Value error, " prefix."""
    return [
        (str(err["loc"][0]) if err["loc"] else None, str(err["msg"]).removeprefix("Value error, "))
        for err in exc.errors()
    ]


def apply_rows(
    session: Session,
    filename: str,
    rows: Sequence[SheetRow],
    handle: Callable[[SheetRow], T],
    header_of: Callable[[str | None], str],
    *,
    unnamed_column: str | None = None,
) -> list[T]:
    """Run `handle` on every row, each in its own savepoint; all rows are kept or none.

    A row that raises RowProblem, a pydantic ValidationError or an EduGroupError is rolled back and reported
    with its row number and column (`header_of` turns a schema field into its header; a refusal naming no
    field goes to `unnamed_column` when given). Any bad row, or no rows at all, rolls everything back and
    raises ImportFailed; otherwise the results of `handle`, in row order.
    """
    results: list[T] = []
    errors: list[RowError] = []
    outer = session.begin_nested()
    for row in rows:
        savepoint = session.begin_nested()
        try:
            result = handle(row)
            savepoint.commit()
        except RowProblem as problem:
            savepoint.rollback()
            errors += [RowError(row.number, column, message) for column, message in problem.problems]
            continue
        except ValidationError as exc:
            savepoint.rollback()
            errors += [RowError(row.number, header_of(f), message) for f, message in validation_problems(exc)]
            continue
        except EduGroupError as exc:
            savepoint.rollback()
            column = unnamed_column if not exc.field and unnamed_column else header_of(exc.field)
            errors.append(RowError(row.number, column, exc.message))
            continue
        results.append(result)
    if errors or not rows:
        outer.rollback()
        raise ImportFailed(filename, errors or [RowError(2, "文件", "没有数据行")])
    outer.commit()
    return results
