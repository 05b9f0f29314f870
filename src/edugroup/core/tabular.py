"""Reading and writing the tables bureaus exchange: .xlsx and .csv with Chinese headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from edugroup.core.errors import ImportFailed, RowError

TABLE_SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True)
class SheetRow:
    """One data row: its number as the spreadsheet shows it (header is row 1) and its cells by header."""

    number: int
    cells: dict[str, Any]


def read_table(data: bytes, filename: str, *, required: Sequence[str]) -> list[SheetRow]:
    """Rows of an uploaded .xlsx or .csv; refuses the file when a required column is missing."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        header, rows = _read_csv(data, filename)
    elif suffix == ".xlsx":
        header, rows = _read_xlsx(data, filename)
    else:
        raise ImportFailed(
            filename, [RowError(1, "文件", f"不支持的文件类型 {suffix or '(无扩展名)'}: 请用 .xlsx 或 .csv")]
        )
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFailed(filename, [RowError(1, name, "缺少必填列") for name in missing])
    result = []
    for number, values in rows:
        cells = {name: _clean(values[i]) if i < len(values) else None for i, name in enumerate(header)}
        if any(v is not None for v in cells.values()):
            result.append(SheetRow(number, cells))
    return result


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_csv(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFailed(filename, [RowError(1, "文件", "无法识别的文字编码: 请保存为 UTF-8")])
    reader = csv.reader(io.StringIO(text))
    lines = list(reader)
    if not lines:
        raise ImportFailed(filename, [RowError(1, "文件", "文件为空")])
    header = [h.strip() for h in lines[0]]
    return header, [(i + 2, list(line)) for i, line in enumerate(lines[1:])]


def _read_xlsx(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFailed(filename, [RowError(1, "文件", f"不是有效的 Excel 文件: {exc}")]) from exc
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    if not rows:
        raise ImportFailed(filename, [RowError(1, "文件", "工作表为空")])
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    return header, [(i + 2, list(row)) for i, row in enumerate(rows[1:])]


def _cell(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, date | datetime):
        return value.value  # enums
    return value


def write_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "数据", notes: Sequence[str] = ()
) -> bytes:
    """An .xlsx workbook with a bold header row; `notes` go to a second sheet (填写说明)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for i, name in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, len(str(name)) * 2 + 4)
    sheet.freeze_panes = "A2"
    if notes:
        help_sheet = workbook.create_sheet("填写说明")
        for line in notes:
            help_sheet.append([line])
        help_sheet.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM, so Excel opens the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_table(
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "数据",
    notes: Sequence[str] = (),
) -> bytes:
    """`rows` as .csv bytes when `fmt` is "csv" (the notes are left out), as .xlsx bytes otherwise."""
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, title=title, notes=notes)


def parse_date(value: Any) -> date | None:
    """A date from an Excel cell or text (2025-09-01, 2025/9/1, 20250901)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    if text.isdigit() and len(text) == 8:
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    parts = text.split(" ")[0].split("-")
    if len(parts) != 3:
        raise ValueError(f"不是日期: {value}")
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def cell_text(value: Any) -> str:
    """A cell as text: a whole float (Excel's 1001.0) without its ".0", other values stripped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def choice(
    labels: Mapping[Any, str], enum_type: type[Enum], aliases: dict[str, Any] | None = None
) -> Callable[[Any], Any]:
    """A parser of an enum cell: its Chinese label, an alias or the enum's own value."""
    reverse = {label: member for member, label in labels.items()} | (aliases or {})

    def parse(value: Any) -> Any:
        text = cell_text(value)
        if text in reverse:
            return reverse[text]
        try:
            return enum_type(text)
        except ValueError:
            raise ValueError(f"应为 {' / '.join(labels.values())} 之一, 而不是「{text}」") from None

    return parse
