"""The trash for fields, tables and views: values and links come back on restore, also
when SQLite has meanwhile given the deleted ids to new objects; purging drops them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tablekit.db.models import FieldMeta, TableMeta, TrashItem, ViewMeta, utcnow
from tablekit.errors import Conflict, PermissionDenied
from tablekit.interchange import trash_restore, trash_schema
from tablekit.services.actor import Actor
from tests.factories import Api, make_api
from tests.interchange.conftest import all_rows


def actor_of(api: Api) -> Actor:
    return Actor(user_id=api.user_id, email="owner@example.com")


def trash(services, kind: str, obj_id: int, api: Api) -> int:
    """What SchemaService's delete_* will call once the hook is in (see the report)."""
    with services.db.write() as session:
        if kind == "field":
            item = trash_schema.trash_field(
                session, services.fields, session.get(FieldMeta, obj_id), api.user_id
            )
        elif kind == "table":
            item = trash_schema.trash_table(
                session, services.fields, session.get(TableMeta, obj_id), api.user_id
            )
        else:
            item = trash_schema.trash_view(session, session.get(ViewMeta, obj_id), api.user_id)
        return item.id


def restore(services, item_id: int, actor: Actor) -> dict[str, Any]:
    with services.db.write() as session:
        item = session.get(TrashItem, item_id)
        return trash_restore.restore_item(session, services.access, services.fields, actor, item)


@pytest.fixture
def shop(api: Api, base: dict[str, Any]) -> dict[str, Any]:
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
    ann, bob = (r["id"] for r in all_rows(api, people["id"]))
    orders = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Orders",
            "fields": [
                {"name": "Ref", "type": "text"},
                {"name": "Code", "type": "text", "unique": True},
                {"name": "Qty", "type": "number"},
                {"name": "No", "type": "auto_number", "options": {"format": "O-{00}"}},
                {"name": "Who", "type": "link", "options": {"table_id": people["id"]}},
            ],
        },
    )
    api.ok(
        "post",
        f"/api/v1/tables/{orders['id']}/rows",
        {
            "rows": [
                {"fields": {"Ref": "o1", "Code": "c1", "Qty": 3, "Who": [ann]}},
                {"fields": {"Ref": "o2", "Code": "c2", "Qty": 5, "Who": [ann, bob]}},
            ]
        },
    )
    view = api.ok(
        "post",
        f"/api/v1/tables/{orders['id']}/views",
        {
            "name": "Big",
            "type": "grid",
            "config": {
                "filter": {"and": [{"field": "Qty", "op": "gt", "value": 4}]},
                "sort": [{"field": "Qty", "direction": "desc"}],
                "hidden_fields": ["Code"],
            },
        },
    )
    fields = {f["name"]: f for f in api.ok("get", f"/api/v1/tables/{orders['id']}")["fields"]}
    return {"people": people, "orders": orders, "view": view, "fields": fields, "base": base}


def cells(api: Api, table_id: int, name: str) -> list[Any]:
    return [r["fields"].get(name) for r in all_rows(api, table_id)]


def _take_id(services, field_id: int, new_id: int, table_id: int) -> None:
    """Give field ``field_id`` the id ``new_id``, as SQLite databases made before ids were
    AUTOINCREMENT did when a deleted field had the highest id."""
    from tablekit.storage import physical

    with services.db.write() as session:
        conn = session.connection()
        physical.drop_indexes_of(conn, table_id, f"f_{field_id}")
        physical.rename_column(conn, table_id, f"f_{field_id}", f"f_{new_id}")
        physical.create_unique_index(conn, table_id, f"f_{new_id}")
        session.execute(sa.update(FieldMeta).where(FieldMeta.id == field_id).values(id=new_id))
        session.execute(
            sa.update(TableMeta)
            .where(TableMeta.id == table_id)
            .values(schema_version=TableMeta.schema_version + 1)
        )


def test_a_field_comes_back_with_its_values_even_if_its_id_was_taken(services, api, shop) -> None:
    orders = shop["orders"]
    url = f"/api/v1/tables/{orders['id']}"
    serial = api.ok("post", f"{url}/fields", {"name": "Serial", "type": "text", "unique": True})
    ids = [r["id"] for r in all_rows(api, orders["id"])]
    api.ok(
        "patch",
        f"{url}/rows",
        {"rows": [{"id": i, "fields": {"Serial": f"s{n}"}} for n, i in enumerate(ids)]},
    )
    item = trash(services, "field", serial["id"], api)
    assert "Serial" not in all_rows(api, orders["id"])[0]["fields"]
    newcomer = api.ok("post", f"{url}/fields", {"name": "Serial", "type": "text", "unique": True})
    assert newcomer["id"] != serial["id"]  # ids are not reused...
    _take_id(services, newcomer["id"], serial["id"], orders["id"])  # ...except in old databases
    api.ok(
        "patch",
        f"{url}/rows",
        {"rows": [{"id": i, "fields": {"Serial": f"n{n}"}} for n, i in enumerate(ids)]},
    )
    restored = restore(services, item, actor_of(api))
    assert restored["name"] == "Serial (restored)" and restored["id"] != serial["id"]
    assert cells(api, orders["id"], "Serial (restored)") == ["s0", "s1"]
    assert cells(api, orders["id"], "Serial") == ["n0", "n1"]
    clash = api.post(f"{url}/rows", {"rows": [{"fields": {"Serial (restored)": "s1"}}]})
    assert clash.status_code == 409  # the unique index came back


def test_a_field_comes_back_under_its_own_id(services, api, shop) -> None:
    qty = shop["fields"]["Qty"]
    item = trash(services, "field", qty["id"], api)
    restored = restore(services, item, actor_of(api))
    assert (restored["id"], restored["name"]) == (qty["id"], "Qty")
    assert cells(api, shop["orders"]["id"], "Qty") == [3, 5]


def test_a_link_field_comes_back_with_its_links_on_both_sides(services, api, shop) -> None:
    orders, people = shop["orders"], shop["people"]
    before = cells(api, orders["id"], "Who")
    item = trash(services, "field", shop["fields"]["Who"]["id"], api)
    names = [f["name"] for f in api.ok("get", f"/api/v1/tables/{people['id']}")["fields"]]
    assert names == ["Name"]
    api.ok(
        "post",
        f"/api/v1/tables/{orders['id']}/fields",
        {"name": "Other", "type": "link", "options": {"table_id": people["id"]}},
    )
    restore(services, item, actor_of(api))
    assert cells(api, orders["id"], "Who") == before
    # "Orders" was given to the new link's reverse field meanwhile.
    assert [len(v) for v in cells(api, people["id"], "Orders (restored)")] == [2, 1]
    assert [len(v) for v in cells(api, people["id"], "Orders")] == [0, 0]


def test_a_table_comes_back_with_rows_links_views_and_numbering(services, api, shop) -> None:
    orders, people, base = shop["orders"], shop["people"], shop["base"]
    rows_before = [r["fields"] for r in all_rows(api, orders["id"])]
    item = trash(services, "table", orders["id"], api)
    schema = api.ok("get", f"/api/v1/bases/{base['id']}/schema")
    assert [t["name"] for t in schema["tables"]] == ["People"]
    assert [f["name"] for f in schema["tables"][0]["fields"]] == ["Name"]
    other = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Orders",
            "fields": [
                {"name": "Ref", "type": "text", "unique": True},
                {"name": "Qty", "type": "number"},
            ],
        },
    )
    api.ok("post", f"/api/v1/tables/{other['id']}/rows", {"rows": [{"fields": {"Ref": "new"}}]})
    restored = restore(services, item, actor_of(api))
    assert restored["name"] == "Orders (restored)"
    table_id = restored["id"]
    assert [r["fields"] for r in all_rows(api, table_id)] == rows_before
    assert [len(v) for v in cells(api, people["id"], "Orders")] == [2, 1]
    views = api.ok("get", f"/api/v1/tables/{table_id}")["views"]
    big = next(v for v in views if v["name"] == "Big")
    assert [r["fields"]["Ref"] for r in all_rows(api, table_id, view=big["id"])] == ["o2"]
    created = api.ok(
        "post", f"/api/v1/tables/{table_id}/rows", {"rows": [{"fields": {"Ref": "o3"}}]}
    )
    assert created["rows"][0]["fields"]["No"] == "O-03"
    assert cells(api, other["id"], "Ref") == ["new"]


def test_a_view_comes_back_and_drops_what_no_longer_applies(services, api, shop) -> None:
    orders = shop["orders"]
    item = trash(services, "view", shop["view"]["id"], api)
    assert [v["name"] for v in api.ok("get", f"/api/v1/tables/{orders['id']}")["views"]] == ["Grid"]
    restored = restore(services, item, actor_of(api))
    assert restored["config"]["hidden_fields"] == [shop["fields"]["Code"]["id"]]
    item = trash(services, "view", restored["id"], api)
    trash(services, "field", shop["fields"]["Qty"]["id"], api)
    again = restore(services, item, actor_of(api))
    assert "filter" not in again["config"] and again["config"]["hidden_fields"] == [
        shop["fields"]["Code"]["id"]
    ]


def test_restores_need_the_right_role_and_the_primary_field_stays(
    services, client, api, shop
) -> None:
    item = trash(services, "field", shop["fields"]["Qty"]["id"], api)
    writer = Actor(user_id=api.user_id, email="x", scopes=frozenset({"read", "write"}))
    with pytest.raises(PermissionDenied):
        restore(services, item, writer)
    with pytest.raises(Conflict):
        trash(services, "field", shop["fields"]["Ref"]["id"], api)
    trash(services, "table", shop["people"]["id"], api)
    item = trash(services, "field", shop["fields"]["Code"]["id"], api)
    assert restore(services, item, actor_of(api))["name"] == "Code"


def hidden_tables(services) -> list[str]:
    with services.db.engine.connect() as conn:
        return [n for n in sa.inspect(conn).get_table_names() if n.startswith("x")]


def hidden_columns(services, table_id: int) -> list[str]:
    with services.db.engine.connect() as conn:
        return [
            c["name"]
            for c in sa.inspect(conn).get_columns(f"t_{table_id}")
            if c["name"].startswith("x")
        ]


def test_emptying_and_expiry_purge_for_good(services, client, api, shop) -> None:
    orders, base = shop["orders"], shop["base"]
    trash(services, "field", shop["fields"]["Qty"]["id"], api)
    trash(services, "field", shop["fields"]["Who"]["id"], api)
    assert len(hidden_columns(services, orders["id"])) == 1 and len(hidden_tables(services)) == 1
    api.ok(
        "delete",
        f"/api/v1/tables/{orders['id']}/rows",
        {"ids": [all_rows(api, orders["id"])[0]["id"]]},
    )
    reader = make_api(services, client, scopes=("read", "write"), email="w@example.com")
    assert reader.delete(f"/api/v1/bases/{base['id']}/trash").status_code == 404
    purged = api.ok("delete", f"/api/v1/bases/{base['id']}/trash")
    assert purged == {"purged": 3}
    assert hidden_columns(services, orders["id"]) == [] and hidden_tables(services) == []
    assert api.ok("get", f"/api/v1/bases/{base['id']}/trash")["items"] == []
    item = trash(services, "table", orders["id"], api)
    with services.db.write() as session:
        assert trash_schema.purge_expired(session, 30) == 0
        session.execute(sa.update(TrashItem).values(deleted_at=utcnow() - timedelta(days=31)))
    with services.db.write() as session:
        assert trash_schema.purge_expired(session, 30) == 1
        assert session.get(TrashItem, item) is None
    assert hidden_tables(services) == []


def test_purging_a_field_of_a_table_in_the_trash_leaves_nothing_behind(services, api, shop) -> None:
    orders = shop["orders"]
    field_item = trash(services, "field", shop["fields"]["Qty"]["id"], api)
    table_item = trash(services, "table", orders["id"], api)
    with services.db.write() as session:
        trash_schema.purge(session, session.get(TrashItem, field_item))
    restore(services, table_item, actor_of(api))
    assert hidden_columns(services, orders["id"]) == []
    assert "Qty" not in all_rows(api, orders["id"])[0]["fields"]
