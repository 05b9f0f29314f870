"""One error base for the whole product; the web and API turn these into answers."""

from __future__ import annotations

from dataclasses import dataclass, field


class EduGroupError(Exception):
    """Base of every expected error; carries an HTTP status and an optional field."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, object]:
        """The JSON body of this error."""
        return {"message": self.message, "field": self.field}


class NotFound(EduGroupError):
    status_code = 404


class Forbidden(EduGroupError):
    status_code = 403


class Unauthorized(EduGroupError):
    status_code = 401


class InvalidInput(EduGroupError):
    """Bad input; from an import it also names the file and row."""

    status_code = 422

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        file: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.file = file
        self.row = row

    def to_dict(self) -> dict[str, object]:
        body = super().to_dict()
        if self.file is not None:
            body["file"] = self.file
        if self.row is not None:
            body["row"] = self.row
        return body


class Conflict(EduGroupError):
    """An expected refusal: the request clashes with recorded data (a second group of one kind, ...)."""

    status_code = 409


@dataclass(frozen=True)
class RowError:
    """One bad cell of an imported file. `row` is the 1-based row number as a spreadsheet shows it."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}]: {self.message}"


@dataclass
class ImportFailed(EduGroupError):
    """An import refused as a whole; lists every bad row and wrote nothing."""

    file: str
    errors: list[RowError] = field(default_factory=list)
    status_code = 422

    def __post_init__(self) -> None:
        lines = "\n".join(f"  {e}" for e in self.errors[:200])
        more = f"\n  … 另有 {len(self.errors) - 200} 处错误" if len(self.errors) > 200 else ""
        message = f"{self.file}: {len(self.errors)} 处错误, 未导入任何数据\n{lines}{more}"
        EduGroupError.__init__(self, message, field=self.errors[0].column if self.errors else None)

    def to_dict(self) -> dict[str, object]:
        return {
            "message": f"{self.file}: {len(self.errors)} 处错误, 未导入任何数据",
            "field": self.field,
            "file": self.file,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }
