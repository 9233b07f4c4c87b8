"""The template API: gallery, picture, base from a template or an uploaded bundle, export
as JSON and zip, and the export → install → export round trip."""

from __future__ import annotations

import io
import zipfile

import yaml

from tablekit.templates_lib.bundle import Bundle
from tests.factories import Api, token_for
from tests.templates.conftest import Installed


def test_gallery_lists_templates_with_a_picture_url(installed: Installed) -> None:
    items = installed.api.ok("get", "/api/v1/templates")["items"]
    assert [i["name"] for i in items] == ["order_management", "warehouse"]
    first = items[0]
    assert first["title"] == "Order management"
    assert "credit" in first["description"]
    assert first["picture"] == "/api/v1/templates/order_management/picture"
    picture = installed.api.client.get(first["picture"])  # public, no token needed
    assert picture.status_code == 200
    assert picture.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in picture.content


def test_unknown_template_names_are_refused(installed: Installed) -> None:
    response = installed.api.post(
        f"/api/v1/workspaces/{installed.workspace_id}/bases",
        {"name": "Shop", "template": "does_not_exist"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "UNKNOWN_TEMPLATE"
    assert installed.api.client.get("/api/v1/templates/../etc/picture").status_code == 404
    assert installed.api.client.get("/api/v1/templates/nope/picture").status_code == 404


def test_a_read_only_token_can_neither_install_nor_export(installed: Installed) -> None:
    token = token_for(
        installed.services, installed.actor, scopes=["read"], workspace_id=installed.workspace_id
    )
    reader = Api(installed.api.client, token, installed.api.user_id, installed.workspace_id)
    response = reader.post(
        f"/api/v1/workspaces/{installed.workspace_id}/bases",
        {"name": "Shop", "template": "warehouse"},
    )
    assert response.status_code == 403
    exported = reader.get(f"/api/v1/bases/{installed.warehouse['id']}/export-template")
    assert exported.status_code == 403


def test_export_install_export_gives_the_same_bundle(installed: Installed) -> None:
    # Order management uses every part of the format (links both ways, every computed type,
    # views with filters, documents, rules with schedules, copies and formulas); it runs on
    # SQLite, the smaller warehouse on PostgreSQL, to keep the suite fast.
    base = installed.order_management if installed.backend == "sqlite" else installed.warehouse
    first = installed.api.ok("get", f"/api/v1/bases/{base['id']}/export-template")
    created = installed.api.ok(
        "post",
        f"/api/v1/workspaces/{installed.workspace_id}/bases/from-bundle",
        {"bundle": first, "name": base["name"]},
        status=201,
    )
    assert created["skipped"] == []  # only rules that were installed get exported
    second = installed.api.ok("get", f"/api/v1/bases/{created['id']}/export-template")
    assert second == first
    # Names, never ids: the bundle is portable to another base.
    assert "table_id" not in str(first["tables"])


def test_export_carries_rules_views_documents_and_rows_by_name(installed: Installed) -> None:
    base = installed.order_management
    bundle = installed.api.ok("get", f"/api/v1/bases/{base['id']}/export-template")
    orders = next(t for t in bundle["tables"] if t["name"] == "Orders")
    customer = next(f for f in orders["fields"] if f["name"] == "Customer")
    assert customer["options"] == {"table": "Customers", "multiple": False}
    kanban = next(v for v in orders["views"] if v["name"] == "Open orders")
    assert kanban["config"]["stack_field"] == "Status"
    rules = {r["name"]: r for r in bundle["rules"]}
    hold = rules["Hold a new order that fails the credit or stock check"]
    assert hold["trigger"] == {"type": "row_matches", "params": {"table_id": "Orders"}}
    credit = hold["condition"]["filter"]["and"][2]["or"][0]
    assert credit == {"field": "Credit OK", "op": "eq", "value": False}
    reminders = rules["Raise the reminder level of overdue invoices"]
    assert "{Reminder level} + 1" in reminders["actions"][0]["params"]["fields"]["Reminder level"]
    assert "{Due date}" in reminders["condition"]["formula"]
    assert hold["actions"][1]["params"]["to"] == ["$installer"]
    lines = bundle["data"]["Order lines"]
    assert lines[0]["Order"] == "1" and "Net amount" not in lines[0]
    assert {d["name"] for d in bundle["documents"]} >= {"Invoice", "Delivery note"}


def test_export_as_zip_is_the_bundle_directory(installed: Installed) -> None:
    base = installed.warehouse
    response = installed.api.get(f"/api/v1/bases/{base['id']}/export-template?format=zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    root = "our_warehouse/"
    assert {f"{root}manifest.yaml", f"{root}tables.yaml", f"{root}rules.yaml"} <= names
    assert f"{root}documents/purchase_order.html.j2" in names
    manifest = yaml.safe_load(archive.read(f"{root}manifest.yaml"))
    assert manifest["title"] == "Our warehouse"
    as_json = installed.api.ok("get", f"/api/v1/bases/{base['id']}/export-template")
    assert yaml.safe_load(archive.read(f"{root}tables.yaml"))["tables"] == as_json["tables"]
    assert any(n.startswith(f"{root}data/") for n in names)


def test_a_broken_upload_is_refused_with_its_path_and_leaves_no_base(installed: Installed) -> None:
    bundle = installed.services.templates.bundle("warehouse").to_json()
    broken = Bundle.from_json(bundle).to_json()
    broken["tables"] = [dict(t) for t in broken["tables"]]
    items = broken["tables"][0]
    items["fields"] = [dict(f) for f in items["fields"]]
    on_hand = next(i for i, f in enumerate(items["fields"]) if f["name"] == "Received")
    items["fields"][on_hand] = {
        **items["fields"][on_hand],
        "options": {"link_field": "Movemints", "target_field": "Quantity", "aggregate": "sum"},
    }
    before = installed.api.ok("get", f"/api/v1/workspaces/{installed.workspace_id}/bases")
    response = installed.api.post(
        f"/api/v1/workspaces/{installed.workspace_id}/bases/from-bundle", {"bundle": broken}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "INVALID_BUNDLE"
    assert body["message"].startswith(
        f"tables[0].fields[{on_hand}].options.link_field: unknown link field 'Movemints' "
        "in table 'Items'"
    )
    after = installed.api.ok("get", f"/api/v1/workspaces/{installed.workspace_id}/bases")
    assert after == before
