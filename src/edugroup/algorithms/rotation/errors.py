"""The planner's one error: a bad instance or option, naming the JSON path (and file) at fault."""

from __future__ import annotations


class InvalidInstance(ValueError):
    """A rotation instance or option the planner refuses; `field` is a JSON path such as
    ``teachers[3].subject``, `row` the line of a file that is not JSON."""

    status_code = 422
    """Bad input, in the number HTTP gives it, so a caller may pass the error on unchanged."""

    def __init__(
        self, message: str, *, field: str | None = None, file: str | None = None, row: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.file = file
        self.row = row
