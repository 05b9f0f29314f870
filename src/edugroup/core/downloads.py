"""File downloads: one response builder for every export and template."""

from __future__ import annotations

from fastapi.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {
    "xlsx": XLSX,
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}


def download(data: bytes, filename: str) -> Response:
    """An attachment whose content type follows the file name's suffix (.xlsx, .csv, .parquet, .json)."""
    suffix = filename.rsplit(".", 1)[-1].lower()
    return Response(
        data,
        media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def table_format(format: str) -> str:
    """The table format a query asks for: csv when it says so, otherwise xlsx."""
    return "csv" if format == "csv" else "xlsx"
