"""What every import source (CSV, XLSX) yields: a header and rows of text cells, lazily.

Both formats are reduced to text so that one conversion path (the field types' text
parsing) serves them alike, and so that a sheet exported by TableKit reads back as it was
written. Reading is lazy and bounded: a source never holds more than one row at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tablekit.errors import TooLarge, ValidationFailed

MAX_COLUMNS = 500
MAX_HEADER = 200
# The first characters that make a spreadsheet treat a cell as a formula. The exporter
# prefixes such cells with an apostrophe; the importer takes it off again.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")


@dataclass
class Source:
    """An opened upload. ``rows`` yields (spreadsheet row number, cells); the header is
    row 1. ``progress()`` estimates the fraction read (0..1)."""

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    progress: Callable[[], float]
    close: Callable[[], None]
    info: dict[str, Any] = field(default_factory=dict)

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def unescape_cell(text: str) -> str:
    """Undo the exporter's formula-injection guard: ``'=x`` reads back as ``=x``."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def clean_header(cells: Sequence[str]) -> list[str]:
    """Column names: trimmed, never blank, unique (``Name``, ``Name (2)``...)."""
    if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
        raise TooLarge(
            f"The file has {len(cells)} columns; at most {MAX_COLUMNS} can be imported",
            code="IMPORT_TOO_MANY_COLUMNS",
            details={"columns": len(cells), "max": MAX_COLUMNS},
        )
    names: list[str] = []
    seen: set[str] = set()
    # Trailing unnamed columns are padding from spreadsheet tools, not data.
    cells = list(cells[:MAX_COLUMNS])
    while cells and not cells[-1].strip():
        cells.pop()
    for index, raw in enumerate(cells):
        name = " ".join(raw.replace("\ufeff", "").split())[:MAX_HEADER] or f"Column {index + 1}"
        candidate, n = name, 2
        while candidate.casefold() in seen:
            candidate = f"{name} ({n})"
            n += 1
        seen.add(candidate.casefold())
        names.append(candidate)
    if not names:
        raise ValidationFailed("The file has no header row", code="IMPORT_EMPTY")
    return names


def detect_format(path: Path, filename: str, requested: str | None) -> str:
    """``csv`` or ``xlsx``: as requested, else by the file's first bytes (a ZIP is XLSX)."""
    if requested is not None:
        if requested not in ("csv", "xlsx"):
            raise ValidationFailed("format is csv or xlsx", code="IMPORT_FORMAT")
        return requested
    with path.open("rb") as f:
        magic = f.read(4)
    if magic == b"PK\x03\x04":
        return "xlsx"
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ValidationFailed("The file is not a valid XLSX workbook", code="IMPORT_BAD_FILE")
    if filename.lower().endswith(".xls"):
        raise ValidationFailed(
            "Old .xls workbooks are not supported; save the sheet as .xlsx or CSV",
            code="IMPORT_FORMAT",
        )
    return "csv"


def open_source(
    path: Path,
    filename: str,
    *,
    format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    max_rows: int,
) -> Source:
    """Open an upload as a :class:`Source`; raises ValidationFailed/TooLarge with a clear
    message for files that cannot or must not be read."""
    from tablekit.interchange import csv_source, xlsx_source

    kind = detect_format(path, filename, format)
    if kind == "xlsx":
        return xlsx_source.open_xlsx(path, sheet=sheet, max_rows=max_rows)
    return csv_source.open_csv(path, encoding=encoding, delimiter=delimiter, max_rows=max_rows)


def too_many_rows(max_rows: int) -> TooLarge:
    return TooLarge(
        f"The file has more than {max_rows} data rows (TABLEKIT_IMPORT_MAX_ROWS)",
        code="IMPORT_TOO_MANY_ROWS",
        details={"max": max_rows},
    )
