"""Exports: views, formula-injection guard on the bytes, XLSX, and export → import round
trips that give back the same rows."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.interchange.conftest import all_rows, run_import

FIELDS = [
    {"name": "Name", "type": "text"},
    {"name": "Notes", "type": "long_text"},
    {"name": "Qty", "type": "number"},
    {"name": "Weight", "type": "number", "options": {"precision": 3}},
    {"name": "Price", "type": "currency", "options": {"currency": "EUR"}},
    {"name": "Share", "type": "percent"},
    {"name": "Ok", "type": "checkbox"},
    {"name": "Day", "type": "date"},
    {"name": "At", "type": "datetime", "options": {"time_zone": "Europe/Berlin"}},
    {"name": "Kind", "type": "single_select", "options": {"choices": ["A", "B"]}},
    {"name": "Tags", "type": "multiple_select", "options": {"choices": ["x", "y", "z"]}},
    {"name": "Mail", "type": "email"},
    {"name": "Web", "type": "url"},
    {"name": "Stars", "type": "rating"},
    {"name": "Took", "type": "duration"},
]
ROWS: list[dict[str, Any]] = [
    {
        "Name": '=HYPERLINK("http://evil")',
        "Notes": 'two\nlines, "quoted"',
        "Qty": -5,
        "Weight": 1.25,
        "Price": "-3.10",
        "Share": 0.125,
        "Ok": True,
        "Day": "2024-02-29",
        "At": "2024-06-01T10:30:00+02:00",
        "Kind": "A",
        "Tags": ["x", "z"],
        "Mail": "a@example.com",
        "Web": "https://example.com/a?b=c",
        "Stars": 4,
        "Took": 90,
    },
    {
        "Name": "+cmd|' /C calc'!A0",
        "Notes": "@SUM(1)",
        "Qty": 0,
        "Weight": None,
        "Price": "0.00",
        "Share": None,
        "Ok": False,
        "Day": None,
        "At": None,
        "Kind": None,
        "Tags": [],
        "Mail": None,
        "Web": None,
        "Stars": None,
        "Took": None,
    },
    {
        "Name": "-2+3",
        "Notes": "\tTab",
        "Qty": 1000000,
        "Weight": 0.001,
        "Price": "1234567.89",
        "Share": 1,
        "Ok": False,
        "Day": "1999-12-31",
        "At": "2024-01-01T00:00:00+01:00",
        "Kind": "B",
        "Tags": ["y"],
        "Mail": None,
        "Web": None,
        "Stars": 1,
        "Took": 3600,
    },
    {
        "Name": "'=already quoted",
        "Notes": "\rCR",
        "Qty": 7,
        "Weight": 2.5,
        "Price": "5.00",
        "Share": 0.5,
        "Ok": True,
        "Day": "2024-12-01",
        "At": None,
        "Kind": "A",
        "Tags": [],
        "Mail": None,
        "Web": None,
        "Stars": 5,
        "Took": 0,
    },
]


@pytest.fixture
def table(api, base) -> dict[str, Any]:
    created = api.ok(
        "post", f"/api/v1/bases/{base['id']}/tables", {"name": "Things", "fields": FIELDS}
    )
    api.ok("post", f"/api/v1/tables/{created['id']}/rows", {"rows": [{"fields": r} for r in ROWS]})
    return created


def export(api, table_id: int, query: str = "format=csv") -> Any:
    response = api.get(f"/api/v1/tables/{table_id}/export?{query}")
    assert response.status_code == 200, response.text
    return response


def test_csv_cells_that_would_run_as_formulas_are_neutralized(api, table) -> None:
    response = export(api, table["id"])
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="Things.csv"' in response.headers["content-disposition"]
    data = response.content
    assert b"'=HYPERLINK" in data and b"\n=HYPERLINK" not in data
    assert b"'+cmd|" in data and b"'@SUM(1)" in data and b"'\tTab" in data
    assert b"'\rCR" in data and b"'-2+3" in data and b"''=already quoted" in data
    parsed = list(csv.reader(io.StringIO(data.decode())))
    for row in parsed:
        for cell in row:
            assert cell[:1] not in ("=", "+", "@", "\t", "\r") and not cell.startswith("-2")
    assert parsed[1][2] == "-5"  # a plain negative number stays a number


def test_xlsx_cells_are_typed_and_text_never_becomes_a_formula(api, table) -> None:
    response = export(api, table["id"], "format=xlsx")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert "&apos;=HYPERLINK" in sheet or "'=HYPERLINK" in sheet
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(
            values_only=True
        )
    )
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Qty"] == -5 and first["Ok"] is True and first["Price"] == -3.1
    assert first["Day"].isoformat().startswith("2024-02-29")
    assert first["At"].isoformat() == "2024-06-01T10:30:00"


def test_a_view_exports_its_filter_sort_and_visible_fields(api, table) -> None:
    view = api.ok(
        "post",
        f"/api/v1/tables/{table['id']}/views",
        {
            "name": "Cheap",
            "type": "grid",
            "config": {
                "filter": {"and": [{"field": "Qty", "op": "gte", "value": 1}]},
                "sort": [{"field": "Qty", "direction": "desc"}],
                "hidden_fields": ["Notes", "Tags"],
                "field_order": ["Qty", "Name"],
            },
        },
    )
    for query in (f"view={view['id']}", "view=Cheap"):
        parsed = list(csv.reader(io.StringIO(export(api, table["id"], query).text)))
        assert parsed[0][:3] == ["Qty", "Name", "Weight"] and "Notes" not in parsed[0]
        assert [r[0] for r in parsed[1:]] == ["1000000", "7"]
    missing = api.get(f"/api/v1/tables/{table['id']}/export?view=Nope")
    assert missing.status_code == 404
    assert api.get(f"/api/v1/tables/{table['id']}/export?format=pdf").status_code == 422


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_rows(api, base, table, fmt) -> None:
    blob = export(api, table["id"], f"format={fmt}").content
    copy = api.ok("post", f"/api/v1/bases/{base['id']}/tables", {"name": "Copy", "fields": FIELDS})
    job = run_import(api, f"/api/v1/tables/{copy['id']}/import", blob, filename=f"t.{fmt}")
    assert job["status"] == "succeeded", job["error"]
    original = [r["fields"] for r in all_rows(api, table["id"])]
    if fmt == "xlsx":  # XML reads a carriage return as a line feed
        for fields in original:
            fields["Notes"] = fields["Notes"].replace("\r", "\n")
    again = [r["fields"] for r in all_rows(api, copy["id"])]
    assert again == original


def test_links_survive_an_export_import_round_trip(api, base) -> None:
    people = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {"name": "People", "fields": [{"name": "Name", "type": "text"}]},
    )
    api.ok(
        "post",
        f"/api/v1/tables/{people['id']}/rows",
        {"rows": [{"fields": {"Name": n}} for n in ("Ann", "Bob")]},
    )
    ids = [r["id"] for r in all_rows(api, people["id"])]
    spec = [
        {"name": "Task", "type": "text"},
        {"name": "Who", "type": "link", "options": {"table_id": people["id"]}},
    ]
    tasks = api.ok("post", f"/api/v1/bases/{base['id']}/tables", {"name": "Tasks", "fields": spec})
    api.ok(
        "post",
        f"/api/v1/tables/{tasks['id']}/rows",
        {
            "rows": [
                {"fields": {"Task": "t1", "Who": ids}},
                {"fields": {"Task": "t2", "Who": ids[1:]}},
            ]
        },
    )
    blob = export(api, tasks["id"]).content
    spec[1]["name"] = "Who"
    copy = api.ok("post", f"/api/v1/bases/{base['id']}/tables", {"name": "Tasks 2", "fields": spec})
    job = run_import(api, f"/api/v1/tables/{copy['id']}/import", blob)
    assert job["status"] == "succeeded", job["error"]
    assert [r["fields"]["Who"] for r in all_rows(api, copy["id"])] == [
        r["fields"]["Who"] for r in all_rows(api, tasks["id"])
    ]


def test_export_streams_many_pages(api, base) -> None:
    big = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {"name": "Big", "fields": [{"name": "N", "type": "number"}]},
    )
    for start in range(0, 2500, 1000):
        api.ok(
            "post",
            f"/api/v1/tables/{big['id']}/rows",
            {"rows": [{"fields": {"N": i}} for i in range(start, min(start + 1000, 2500))]},
        )
    lines = export(api, big["id"], "format=csv&bom=true").content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2501 and lines[-1] == "2499"
