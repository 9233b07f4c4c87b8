"""Reading uploads: encodings, delimiters, malformed CSV, XLSX bombs, bounded memory."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tablekit.errors import TooLarge, ValidationFailed
from tablekit.interchange.csv_source import detect_delimiter
from tablekit.interchange.sources import open_source
from tablekit.interchange.xlsx_source import cell_text


def read(path: Path, name: str = "data.csv", **kw):  # type: ignore[no-untyped-def]
    with open_source(path, name, max_rows=kw.pop("max_rows", 1000), **kw) as source:
        return source.header, [cells for _, cells in source.rows], source.info


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1252", "cp1252"),
        ("latin-1", "latin-1"),
    ],
)
def test_the_encoding_is_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    text = "Name;Price\nCrème brûlée;4,50\nÄpfel;1\n"
    if encoding == "latin-1":
        text += "nbsp\xa0and \x81 control\n"  # \x81 is undefined in cp1252
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode(encoding))
    header, rows, info = read(path)
    assert info["encoding"] == expected
    assert header == ["Name", "Price"]
    assert rows[0] == ["Crème brûlée", "4,50"]


def test_a_wrong_requested_encoding_is_refused_with_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("Name\nCrème\n".encode("cp1252"))
    with pytest.raises(ValidationFailed) as err:
        read(path, encoding="utf-8")
    assert err.value.code == "IMPORT_ENCODING"
    assert err.value.details["byte"] == 7  # 0-based: "Name\\nCr" is 7 bytes


def test_binary_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"\x00\x01\x02PNG garbage\x00")
    with pytest.raises(ValidationFailed) as err:
        read(path)
    assert err.value.code == "IMPORT_BAD_FILE"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_detected(delimiter: str) -> None:
    lines = [delimiter.join(["Name", "City, State", "Count"])]
    lines += [
        delimiter.join([f"n{i}", '"Springfield, IL"' if delimiter == "," else "A, B", str(i)])
        for i in range(20)
    ]
    assert detect_delimiter("\n".join(lines) + "\n") == delimiter


def test_headers_are_cleaned_and_made_unique(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Name, name ,,Price,\n1,2,3,4,\n")
    header, rows, _ = read(path)
    assert header == ["Name", "name (2)", "Column 3", "Price"]
    assert rows == [["1", "2", "3", "4", ""]]


def test_the_exporters_apostrophe_is_taken_off(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("A,B\n'=1+1,O'Brien\n''=x,'-5\n")
    _, rows, _ = read(path)
    assert rows == [["=1+1", "O'Brien"], ["'=x", "-5"]]


def test_a_100_mb_line_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    with path.open("wb") as f:
        f.write(b"Name,Note\n")
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            f.write(chunk)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationFailed) as err:
            read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.code == "IMPORT_LINE_TOO_LONG"
    assert peak < 16 << 20, f"peak {peak >> 20} MiB"


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("A\n" + "x\n" * 11)
    with pytest.raises(TooLarge) as err:
        read(path, max_rows=10)
    assert err.value.code == "IMPORT_TOO_MANY_ROWS"


def test_old_xls_and_fake_xlsx_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    with pytest.raises(ValidationFailed):
        read(path, "old.xls")
    with pytest.raises(ValidationFailed) as err:
        read(path, "new.xlsx")
    assert err.value.code == "IMPORT_BAD_FILE"


def _workbook(path: Path, rows: list[list[object]]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_xlsx_cells_read_as_the_text_of_a_csv(tmp_path: Path) -> None:
    from datetime import date, datetime

    path = tmp_path / "f.xlsx"
    _workbook(
        path,
        [
            ["Name", "Qty", "Price", "Day", "At", "Ok"],
            ["A", 3, 2.5, date(2024, 5, 1), datetime(2024, 5, 1, 8, 30), True],
            ["'=cmd", None, 1e20, None, None, False],
        ],
    )
    header, rows, info = read(path, "f.xlsx")
    assert info["sheet"] == "Data"
    assert header == ["Name", "Qty", "Price", "Day", "At", "Ok"]
    assert rows[0] == ["A", "3", "2.5", "2024-05-01", "2024-05-01T08:30:00", "true"]
    assert rows[1] == ["=cmd", "", "1e+20", "", "", "false"]
    assert cell_text(3.0) == "3"


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    _zip(path, {"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * (60 << 20)})
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge) as err:
            read(path, "bomb.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.code == "IMPORT_XLSX_REFUSED"
    assert peak < 8 << 20


def test_an_xlsx_declaring_a_huge_sheet_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    _workbook(path, [["a", "b"], [1, 2]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        "<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>', 1
    ).encode()
    _zip(path, parts)
    with pytest.raises(TooLarge) as err:
        read(path, "wide.xlsx")
    assert err.value.code == "IMPORT_TOO_MANY_COLUMNS"


def test_a_damaged_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    _zip(path, {"hello.txt": b"not a workbook"})
    with pytest.raises(ValidationFailed) as err:
        read(path, "f.xlsx")
    assert err.value.code == "IMPORT_BAD_FILE"
