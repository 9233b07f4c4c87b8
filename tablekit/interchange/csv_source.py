"""CSV uploads: encoding and delimiter detection, and a reader with bounded memory.

Encoding is decided over the whole file (a streaming decode in 1 MiB chunks), not a
sample, so a stray cp1252 byte at row 90,000 cannot fail an import half way. Lines are
read with a length cap, so a 100 MB line without a newline is refused after reading one
megabyte instead of being loaded whole.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from tablekit.errors import ValidationFailed
from tablekit.interchange.sources import (
    Source,
    clean_header,
    too_many_rows,
    unescape_cell,
)

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")
DELIMITERS = ",;\t|"
MAX_LINE_CHARS = 1 << 20
CHUNK = 1 << 20
SAMPLE_CHARS = 64 * 1024


def _decodes(path: Path, encoding: str) -> tuple[bool, int]:
    """Whether the whole file decodes; else the byte offset where it stops decoding."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return False, offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False, offset
    return True, offset


def detect_encoding(path: Path) -> str:
    """utf-8-sig/utf-16 by their byte order mark, else the first of utf-8 and cp1252
    that decodes the whole file, else latin-1 (which decodes anything)."""
    with path.open("rb") as f:
        head = f.read(SAMPLE_CHARS)
    if head.startswith(codecs.BOM_UTF8):
        return check_encoding(path, "utf-8-sig")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return check_encoding(path, "utf-16")
    if b"\x00" in head:
        raise ValidationFailed(
            "The file contains binary data; upload a CSV text file or an XLSX workbook",
            code="IMPORT_BAD_FILE",
        )
    for encoding in ("utf-8", "cp1252"):
        if _decodes(path, encoding)[0]:
            return encoding
    return "latin-1"


def check_encoding(path: Path, encoding: str) -> str:
    """A requested encoding, verified over the whole file with a precise error."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValidationFailed(
            f"Unknown encoding {encoding!r}; use one of {', '.join(ENCODINGS)}",
            code="IMPORT_ENCODING",
        ) from None
    ok, offset = _decodes(path, encoding)
    if not ok:
        raise ValidationFailed(
            f"The file is not valid {encoding} (byte {offset}); choose another encoding "
            "or leave it empty to detect it",
            code="IMPORT_ENCODING",
            details={"encoding": encoding, "byte": offset},
        )
    return encoding


def _score(sample: str, delimiter: str) -> tuple[float, int]:
    """(share of sampled rows with as many cells as the header, header width)."""
    lines = sample.splitlines()[:50]
    rows = list(csv.reader(lines, delimiter=delimiter))
    if not rows or len(rows[0]) < 2:
        return 0.0, len(rows[0]) if rows else 0
    width = len(rows[0])
    consistent = sum(1 for r in rows[1:] if len(r) == width)
    return (consistent / (len(rows) - 1) if len(rows) > 1 else 1.0), width


def detect_delimiter(sample: str) -> str:
    """The candidate that splits the header widest with the most consistent rows;
    ``csv.Sniffer`` breaks ties; a comma when nothing splits the header."""
    sample = sample[: sample.rfind("\n") + 1] or sample
    scores = {d: _score(sample, d) for d in DELIMITERS}
    best = max(scores.values())
    if best[1] < 2:
        return ","
    tied = [d for d in DELIMITERS if scores[d] == best]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(tied)).delimiter
    except csv.Error:
        sniffed = tied[0]
    return sniffed if sniffed in tied else tied[0]


class _Lines:
    """Physical lines of the text, read in 1 MiB chunks and split on ``\\n`` (as a file
    opened with ``newline=""`` would, a chunk at a time instead of a call per line). A
    line longer than the cap is refused before it is held whole. ``apostrophes`` tells
    whether any text read so far holds an apostrophe, which is rare enough that rows
    need not be scanned for the exporter's ``'`` prefix until one appears."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.apostrophes = False

    def __iter__(self) -> Iterator[str]:
        carry = ""
        while chunk := self.text.read(CHUNK):
            if not self.apostrophes and "'" in chunk:
                self.apostrophes = True
            lines = (carry + chunk).split("\n")
            carry = lines.pop()
            if len(carry) > MAX_LINE_CHARS:
                raise ValidationFailed(
                    f"A line of the file is longer than {MAX_LINE_CHARS >> 20} MiB; "
                    "this is not a usable CSV file",
                    code="IMPORT_LINE_TOO_LONG",
                )
            for line in lines:
                yield line + "\n"
        if carry:
            yield carry


def open_csv(path: Path, *, encoding: str | None, delimiter: str | None, max_rows: int) -> Source:
    encoding = check_encoding(path, encoding) if encoding else detect_encoding(path)
    size = max(path.stat().st_size, 1)
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        sample = text.read(SAMPLE_CHARS)
        text.seek(0)
        if delimiter is None:
            delimiter = detect_delimiter(sample)
        elif len(delimiter) != 1 or delimiter in '"\r\n':
            raise ValidationFailed("delimiter is one character", code="IMPORT_DELIMITER")
        lines = _Lines(text)
        if "\r" in sample and "\n" not in sample:
            raise ValidationFailed(
                "The file ends its lines with CR only (classic Mac OS); save it with "
                "Windows or Unix line endings",
                code="IMPORT_MALFORMED",
            )
        reader = csv.reader(lines, delimiter=delimiter, strict=False)
        try:
            header = clean_header(next(reader, []))
        except csv.Error as exc:
            raise _csv_error(exc, 1) from None
    except BaseException:
        text.close()
        raise

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if number - 1 > max_rows:
                    raise too_many_rows(max_rows)
                if lines.apostrophes:
                    cells = [unescape_cell(c) if c[:1] == "'" else c for c in cells]
                yield number, cells
        except csv.Error as exc:
            raise _csv_error(exc, number + 1) from None
        except UnicodeDecodeError:
            raise ValidationFailed(
                f"Row {number + 1} is not valid {encoding}", code="IMPORT_ENCODING"
            ) from None

    return Source(
        format="csv",
        header=header,
        rows=rows(),
        progress=lambda: min(raw.tell() / size, 1.0) if not raw.closed else 1.0,
        close=text.close,
        info={"encoding": encoding, "delimiter": delimiter},
    )


def _csv_error(exc: csv.Error, row: int) -> ValidationFailed:
    return ValidationFailed(
        f"Row {row} is not valid CSV: {exc}", code="IMPORT_MALFORMED", details={"row": row}
    )
