"""Schema trash through the API: DELETE a field, table or view, list the trash, restore.

These run once ``SchemaService.delete_*`` and ``TrashService.restore`` call
``trash_schema``/``trash_restore`` (the hook described in ADR 0006); until then a deleted
field does not reach the trash and they skip, saying so.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api
from tests.interchange.conftest import all_rows


@pytest.fixture
def table(api: Api, base: dict[str, Any]) -> dict[str, Any]:
    created = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Stock",
            "fields": [{"name": "Item", "type": "text"}, {"name": "Qty", "type": "number"}],
        },
    )
    api.ok(
        "post",
        f"/api/v1/tables/{created['id']}/rows",
        {"rows": [{"fields": {"Item": "bolt", "Qty": 5}}, {"fields": {"Item": "nut", "Qty": 7}}]},
    )
    return created


def trash_items(api: Api, base: dict[str, Any]) -> list[dict[str, Any]]:
    return list(api.ok("get", f"/api/v1/bases/{base['id']}/trash")["items"])


def needs_hook(api: Api, base: dict[str, Any]) -> None:
    if not any(i["kind"] != "row" for i in trash_items(api, base)):
        pytest.skip("SchemaService does not call trash_schema yet (ADR 0006 hook)")


def test_a_deleted_field_is_restored_through_the_api(api, base, table) -> None:
    qty = next(f for f in table["fields"] if f["name"] == "Qty")
    api.ok("delete", f"/api/v1/fields/{qty['id']}")
    needs_hook(api, base)
    item = next(i for i in trash_items(api, base) if i["kind"] == "field")
    assert item["label"] == "Qty"
    assert "Qty" not in all_rows(api, table["id"])[0]["fields"]
    api.ok("post", f"/api/v1/bases/{base['id']}/trash/{item['id']}/restore")
    assert [r["fields"]["Qty"] for r in all_rows(api, table["id"])] == [5, 7]


def test_a_deleted_table_and_view_are_restored_through_the_api(api, base, table) -> None:
    view = api.ok("post", f"/api/v1/tables/{table['id']}/views", {"name": "Few", "type": "grid"})
    api.ok("delete", f"/api/v1/views/{view['id']}")
    needs_hook(api, base)
    api.ok("delete", f"/api/v1/tables/{table['id']}")
    items = {i["kind"]: i for i in trash_items(api, base)}
    assert api.get(f"/api/v1/tables/{table['id']}/rows").status_code == 404
    api.ok("post", f"/api/v1/bases/{base['id']}/trash/{items['table']['id']}/restore")
    api.ok("post", f"/api/v1/bases/{base['id']}/trash/{items['view']['id']}/restore")
    restored = api.ok("get", f"/api/v1/tables/{table['id']}")
    assert sorted(v["name"] for v in restored["views"]) == ["Few", "Grid"]
    assert [r["fields"]["Item"] for r in all_rows(api, table["id"])] == ["bolt", "nut"]
