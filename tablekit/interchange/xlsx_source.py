"""XLSX uploads, streamed with openpyxl's read-only mode after checks against zip bombs.

An XLSX file is a ZIP of XML parts. Before openpyxl opens it, the ZIP directory's
uncompressed sizes and compression ratios are checked (Python's ``zipfile`` never
inflates a member past its declared size, so the directory cannot lie its way past the
check), then the sheet's declared dimensions. Shared strings are the one part openpyxl
loads whole, so they get their own, smaller cap.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from tablekit.errors import TooLarge, ValidationFailed
from tablekit.interchange.sources import (
    MAX_COLUMNS,
    Source,
    clean_header,
    too_many_rows,
    unescape_cell,
)

MAX_UNCOMPRESSED = 1 << 30
MAX_SHARED_STRINGS = 64 << 20
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 1 << 20
MAX_MEMBERS = 10_000
MAX_WIDE_ROWS = 100


def check_archive(path: Path) -> None:
    """Refuse files that are not ZIPs, or whose parts would inflate beyond the caps."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ValidationFailed(
            "The file is not a valid XLSX workbook", code="IMPORT_BAD_FILE"
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise _bomb(f"it has {len(infos)} parts")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise _bomb(f"it inflates to {total >> 20} MiB (at most {MAX_UNCOMPRESSED >> 20} MiB)")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
            raise _bomb(f"{info.filename} is compressed {ratio:.0f}:1")
        if info.filename.endswith("sharedStrings.xml") and info.file_size > MAX_SHARED_STRINGS:
            raise _bomb(f"its shared strings take {info.file_size >> 20} MiB")


def _bomb(reason: str) -> TooLarge:
    return TooLarge(
        f"This workbook cannot be imported: {reason}. Save it as CSV instead.",
        code="IMPORT_XLSX_REFUSED",
    )


def cell_text(value: Any) -> str:
    """A cell value as the text a CSV of the same sheet would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unescape_cell(value) if value[:1] == "'" else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(int(value.total_seconds()))
    return str(value)


def open_xlsx(path: Path, *, sheet: str | None, max_rows: int) -> Source:
    from openpyxl import load_workbook

    check_archive(path)
    # A file object, not the path: openpyxl judges paths by their extension, and uploads
    # are stored under names of their own.
    raw = path.open("rb")
    try:
        workbook = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raw.close()
        raise ValidationFailed(
            f"The workbook cannot be read: {exc}", code="IMPORT_BAD_FILE"
        ) from None

    def close() -> None:
        workbook.close()
        raw.close()

    try:
        names = list(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            raise ValidationFailed(
                f"No sheet named {sheet!r}; the workbook has {', '.join(names)}",
                code="IMPORT_SHEET",
                details={"sheets": names},
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        declared_rows = worksheet.max_row
        declared_cols = worksheet.max_column
        if declared_cols is not None and declared_cols > MAX_COLUMNS:
            raise TooLarge(
                f"The sheet declares {declared_cols} columns; at most {MAX_COLUMNS} can be "
                "imported",
                code="IMPORT_TOO_MANY_COLUMNS",
            )
        if declared_rows is not None and declared_rows - 1 > max_rows:
            raise too_many_rows(max_rows)
        iterator = worksheet.iter_rows(values_only=True)
        header = clean_header([cell_text(v) for v in next(iterator, ())])
    except BaseException:
        close()
        raise
    done = 0

    def rows() -> Iterator[tuple[int, list[str]]]:
        nonlocal done
        wide = 0
        for values in iterator:
            done += 1
            if done > max_rows:
                raise too_many_rows(max_rows)
            if len(values) > MAX_COLUMNS and any(v is not None for v in values[MAX_COLUMNS:]):
                wide += 1
                if wide > MAX_WIDE_ROWS:
                    raise TooLarge(
                        f"More than {MAX_WIDE_ROWS} rows have over {MAX_COLUMNS} cells",
                        code="IMPORT_TOO_MANY_COLUMNS",
                    )
            yield done + 1, [cell_text(v) for v in values[: MAX_COLUMNS + 1]]

    return Source(
        format="xlsx",
        header=header,
        rows=rows(),
        progress=lambda: min(done / declared_rows, 1.0) if declared_rows else 0.0,
        close=close,
        info={"sheet": worksheet.title, "sheets": names},
    )
