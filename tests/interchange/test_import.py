"""Imports through the API: new and existing tables, mapping, upsert, bad rows, limits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_api
from tests.interchange.conftest import all_rows, run_import, upload

PRODUCTS = (
    "Name,SKU,Category,Price,Stock,Active,Added\n"
    "Hammer,H-1,Tools,12.50,10,yes,2024-01-05\n"
    "Rake,R-1,Garden,20,3,no,2024-02-10\n"
    "Saw,S-1,Tools,31.99,0,yes,2024-03-15\n"
)


@pytest.fixture
def products(api, base) -> dict[str, Any]:
    return api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Products",
            "fields": [
                {"name": "Name", "type": "text"},
                {"name": "SKU", "type": "text", "unique": True},
                {"name": "Price", "type": "currency", "options": {"currency": "EUR"}},
                {"name": "Stock", "type": "number"},
                {
                    "name": "Kind",
                    "type": "single_select",
                    "options": {"choices": ["Tools", "Garden"]},
                },
                {"name": "Number", "type": "auto_number", "options": {"format": "P-{000}"}},
            ],
        },
    )


def test_a_new_table_gets_detected_types_and_every_row(api, base) -> None:
    preview = upload(api, f"/api/v1/bases/{base['id']}/import/preview", PRODUCTS.encode())
    assert preview.status_code == 200, preview.text
    types = {c["name"]: c["type"] for c in preview.json()["columns"]}
    assert types == {
        "Name": "text",
        "SKU": "text",
        "Category": "text",
        "Price": "number",
        "Stock": "number",
        "Active": "checkbox",
        "Added": "date",
    }
    assert preview.json()["rows"][0][0] == "Hammer"
    job = run_import(
        api,
        f"/api/v1/bases/{base['id']}/import",
        PRODUCTS.encode(),
        {"table_name": "Catalog", "types": {"Category": "single_select"}},
    )
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"] == 1.0
    assert job["result"]["created"] == 3
    table = api.ok("get", f"/api/v1/tables/{job['result']['table_id']}")
    assert table["name"] == "Catalog"
    category = next(f for f in table["fields"] if f["name"] == "Category")
    assert [c["name"] for c in category["options"]["choices"]] == ["Tools", "Garden"]
    rows = all_rows(api, table["id"])
    assert rows[0]["fields"] == {
        "Name": "Hammer",
        "SKU": "H-1",
        "Category": "Tools",
        "Price": 12.5,
        "Stock": 10,
        "Active": True,
        "Added": "2024-01-05",
    }


def test_rows_go_into_an_existing_table_by_name_with_auto_numbers(api, products) -> None:
    csv = "name,SKU,Price,Stock,Kind,Ignored\nA,a1,1.5,1,tools,x\nB,b1,2,2,Garden,y\n"
    job = run_import(api, f"/api/v1/tables/{products['id']}/import", csv.encode())
    assert job["status"] == "succeeded", job["error"]
    rows = all_rows(api, products["id"])
    assert [r["fields"] for r in rows] == [
        {"Name": "A", "SKU": "a1", "Price": "1.50", "Stock": 1, "Kind": "Tools", "Number": "P-001"},
        {
            "Name": "B",
            "SKU": "b1",
            "Price": "2.00",
            "Stock": 2,
            "Kind": "Garden",
            "Number": "P-002",
        },
    ]
    history = api.ok("get", f"/api/v1/tables/{products['id']}/rows/{rows[0]['id']}")
    assert history["fields"]["Number"] == "P-001"


def test_an_explicit_mapping_and_an_upsert_by_key(api, products) -> None:
    first = "Article;Code;Cost\nA;K1;1\nB;K2;2\n"
    mapping = {"Article": "Name", "Code": "SKU", "Cost": "Price"}
    assert (
        run_import(
            api, f"/api/v1/tables/{products['id']}/import", first.encode(), {"mapping": mapping}
        )["status"]
        == "succeeded"
    )
    second = "Article;Code;Cost\nA2;K1;9\nC;K3;3\n"
    job = run_import(
        api,
        f"/api/v1/tables/{products['id']}/import",
        second.encode(),
        {"mapping": mapping, "key_fields": ["SKU"]},
    )
    assert job["status"] == "succeeded", job["error"]
    assert (job["result"]["created"], job["result"]["updated"]) == (1, 1)
    rows = {r["fields"]["SKU"]: r for r in all_rows(api, products["id"])}
    assert rows["K1"]["fields"]["Name"] == "A2" and rows["K1"]["fields"]["Price"] == "9.00"
    assert rows["K1"]["version"] == 2
    history = api.ok("get", f"/api/v1/tables/{products['id']}/rows/{rows['K1']['id']}/history")
    changes = {c["field"]: (c["old"], c["new"]) for c in history["items"][0]["changes"]}
    assert changes["Name"] == ("A", "A2")


def test_bad_rows_fail_the_whole_import_and_write_nothing(api, products) -> None:
    csv = "Name,SKU,Price,Stock\nA,a1,1,1\nB,a1,2,2\nC,c1,lots,3\nD,d1,4,4,extra\n"
    job = run_import(api, f"/api/v1/tables/{products['id']}/import", csv.encode())
    assert job["status"] == "failed"
    assert job["error"]["code"] == "IMPORT_REJECTED"
    report = {r["row"]: r for r in job["error"]["details"]["rejected_rows"]}
    assert set(report) == {3, 4, 5}
    assert "unique" in report[3]["message"]
    assert report[4]["column"] == "Price" and "lots" in report[4]["message"]
    assert "5 values" in report[5]["message"]
    assert all_rows(api, products["id"]) == []


def test_skip_bad_rows_writes_the_good_ones_and_reports_the_rest(api, products) -> None:
    api.ok(
        "post",
        f"/api/v1/tables/{products['id']}/rows",
        {"rows": [{"fields": {"Name": "Old", "SKU": "taken"}}]},
    )
    csv = "Name,SKU,Price,Kind\nA,a1,1,Tools\nB,taken,2,Tools\nC,c1,3,Nope\n\nD,d1,,\n"
    job = run_import(
        api, f"/api/v1/tables/{products['id']}/import", csv.encode(), {"skip_bad_rows": True}
    )
    assert job["status"] == "succeeded", job["error"]
    result = job["result"]
    assert (result["created"], result["rejected"], result["blank_rows"]) == (2, 2, 1)
    assert {r["row"] for r in result["rejected_rows"]} == {3, 4}
    assert sorted(r["fields"]["SKU"] for r in all_rows(api, products["id"])) == [
        "a1",
        "d1",
        "taken",
    ]


def test_a_failed_import_into_a_new_table_leaves_no_table(api, base) -> None:
    job = run_import(api, f"/api/v1/bases/{base['id']}/import", b"A,B\n1,2\n3,4,5\n")
    assert job["status"] == "failed"
    schema = api.ok("get", f"/api/v1/bases/{base['id']}/schema")
    assert schema["tables"] == []


def test_problems_found_before_reading_answer_at_once(api, products, base) -> None:
    url = f"/api/v1/tables/{products['id']}/import"
    response = upload(api, url, b"Name\nx\n", {"mapping": {"Name": "Nope"}})
    assert (response.status_code, response.json()["code"]) == (422, "UNKNOWN_FIELD")
    response = upload(api, url, b"Name\nx\n", {"mapping": {"Name": "Number"}})
    assert response.json()["code"] == "IMPORT_FIELD_READ_ONLY"
    response = upload(api, url, b"Name\nx\n", {"key_fields": ["SKU"]})
    assert response.json()["code"] == "INVALID_KEY_FIELDS"
    response = upload(api, url, b"Other\nx\n")
    assert response.json()["code"] == "IMPORT_NOTHING_MAPPED"
    response = upload(api, url, b"Name\nx\n", {"bogus": 1})
    assert response.json()["code"] == "INVALID_IMPORT_OPTIONS"
    response = upload(api, url, "Name\nCrème\n".encode("cp1252"), {"encoding": "utf-8"})
    assert response.json()["code"] == "IMPORT_ENCODING"
    response = upload(api, url, b"\x00\x01binary")
    assert response.json()["code"] == "IMPORT_BAD_FILE"


def test_uploads_over_the_limit_are_refused(services, client, base) -> None:
    from dataclasses import replace

    from litestar.testing import TestClient

    from tablekit.app import create_app

    services.settings = replace(services.settings, import_max_mb=1)
    with TestClient(app=create_app(services=services), base_url="http://127.0.0.1") as small:
        api = make_api(services, small)
        own = api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "B"})
        big = b"Name\n" + b"x" * (3 << 20)
        response = upload(api, f"/api/v1/bases/{own['id']}/import", big)
        assert response.status_code == 413
        response = upload(api, f"/api/v1/bases/{own['id']}/import", b"Name\n" + b"y\n" * 600_000)
        assert response.status_code == 413
        assert response.json()["code"] in ("IMPORT_TOO_LARGE", "TOO_LARGE")
        assert api.ok("get", f"/api/v1/bases/{own['id']}/schema")["tables"] == []


def test_only_writers_import_and_jobs_are_private(services, client, api, products) -> None:
    reader = make_api(services, client, scopes=("read",), email="reader@example.com")
    response = upload(reader, f"/api/v1/tables/{products['id']}/import", b"Name\nx\n")
    assert response.status_code == 404  # not a member of the workspace
    assert reader.post(f"/api/v1/tables/{products['id']}/import").status_code == 404
    missing = api.post(f"/api/v1/tables/{products['id']}/import")
    assert (missing.status_code, missing.json()["code"]) == (422, "IMPORT_NO_FILE")
    job = run_import(api, f"/api/v1/tables/{products['id']}/import", b"Name\nx\n")
    assert reader.get(f"/api/v1/jobs/{job['id']}").status_code == 404


def test_links_are_imported_by_the_linked_rows_name(api, base, products) -> None:
    orders = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Orders",
            "fields": [
                {"name": "Ref", "type": "text"},
                {"name": "Items", "type": "link", "options": {"table_id": products["id"]}},
            ],
        },
    )
    api.ok(
        "post",
        f"/api/v1/tables/{products['id']}/rows",
        {"rows": [{"fields": {"Name": "Bolt"}}, {"fields": {"Name": "Nut"}}]},
    )
    job = run_import(
        api, f"/api/v1/tables/{orders['id']}/import", b'Ref,Items\nO1,"Bolt, Nut"\nO2,Nut\nO3,\n'
    )
    assert job["status"] == "succeeded", job["error"]
    rows = all_rows(api, orders["id"])
    assert [[i["name"] for i in r["fields"]["Items"]] for r in rows] == [
        ["Bolt", "Nut"],
        ["Nut"],
        [],
    ]
    job = run_import(api, f"/api/v1/tables/{orders['id']}/import", b"Ref,Items\nO4,Screw\n")
    assert job["error"]["details"]["rejected_rows"][0]["message"].startswith("no row named 'Screw'")


def test_an_import_records_one_summary_not_one_entry_per_row(services, api, products) -> None:
    import sqlalchemy as sa

    from tablekit.db.models import OutboxEvent, RowHistory

    csv = "Name,SKU\n" + "".join(f"n{i},s{i}\n" for i in range(50))
    job = run_import(api, f"/api/v1/tables/{products['id']}/import", csv.encode())
    with services.db.read() as session:
        history = session.scalars(
            sa.select(RowHistory).where(RowHistory.table_id == products["id"])
        ).all()
        events = session.scalars(
            sa.select(OutboxEvent).where(OutboxEvent.table_id == products["id"])
        ).all()
    assert [(h.action, h.row_id, h.changes["created"]) for h in history] == [("import", 0, 50)]
    imported = [e for e in events if e.type == "rows_imported"]
    assert [e.payload["job_id"] for e in imported] == [job["id"]]
    assert not [e for e in events if e.type == "row_created"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_endpoints_are_in_the_openapi_document(client) -> None:
    document = client.get("/api/openapi.json").json()
    operations = {
        op.get("operationId") for path in document["paths"].values() for op in path.values()
    }
    assert {
        "importRows",
        "importTable",
        "previewImportRows",
        "previewImportTable",
        "getJob",
        "exportRows",
        "emptyTrash",
    } <= operations


def test_imported_rows_never_take_the_id_of_a_deleted_row(api, products) -> None:
    url = f"/api/v1/tables/{products['id']}/rows"
    created = api.ok("post", url, {"rows": [{"fields": {"Name": n}} for n in ("a", "b")]})
    last = created["rows"][-1]["id"]
    api.ok("delete", url, {"ids": [last]})  # the highest id goes to the trash
    job = run_import(api, f"/api/v1/tables/{products['id']}/import", b"Name\nc\n")
    assert job["result"]["first_id"] > last
