"""Broken bundles are refused with the path of the offending entry, before a base exists
(static checks) or by removing the half-built base (what only the services can check)."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tablekit.errors import ValidationFailed
from tablekit.fields.builtin import build_field_registry
from tablekit.services.container import Services
from tablekit.templates_lib.bundle import Bundle
from tablekit.templates_lib.validate import validate_bundle
from tests.factories import make_user

#: A small valid bundle, written as a bundle author would.
SHOP: dict[str, Any] = yaml.safe_load(
    """
manifest: {format_version: 1, name: shop, title: Shop, version: "1.0"}
tables:
  - name: Customers
    fields:
      - {name: Name, type: text}
      - {name: Orders, type: link, options: {table: Orders, reverse_of: Customer}}
      - name: Spent
        type: rollup
        options: {link_field: Orders, target_field: Total, aggregate: sum}
  - name: Orders
    fields:
      - {name: No., type: auto_number, options: {format: "O-{000}"}}
      - {name: Customer, type: link, options: {table: Customers, multiple: false}}
      - {name: Quantity, type: number}
      - {name: Price, type: currency}
      - {name: Total, type: formula, options: {formula: "{Quantity} * {Price}"}}
      - {name: Ordered, type: date}
    views:
      - {name: Big, type: grid, config: {filter: {field: Quantity, op: gt, value: 5}}}
rules:
  - name: Notify
    trigger: {type: row_created, params: {table_id: Orders}}
    actions: [{type: notify, params: {to: [$installer], message: New order}}]
data:
  Customers: [{_key: c1, Name: Acme}]
  Orders: [{_key: o1, Customer: c1, Quantity: 2, Price: "5.00", Ordered: "@today-3"}]
"""
)


def shop(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(SHOP)
    doc.update(changes)
    return doc


def errors_of(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_bundle(
            Bundle.from_json(doc),
            build_field_registry(),
            triggers=["row_created"],
            actions=["notify"],
        )
    assert caught.value.code == "INVALID_BUNDLE"
    return [f"{e['path']}: {e['message']}" for e in caught.value.details["errors"]]


def test_a_valid_bundle_passes() -> None:
    validate_bundle(Bundle.from_json(shop()), build_field_registry())


def test_unknown_link_field_names_table_and_field() -> None:
    doc = shop()
    doc["tables"][0]["fields"][2]["options"]["link_field"] = "Ordres"
    assert errors_of(doc) == [
        "tables[0].fields[2].options.link_field: unknown link field 'Ordres' in table 'Customers'"
    ]


def test_formula_with_an_unknown_field_points_at_it() -> None:
    doc = shop()
    doc["tables"][1]["fields"][4]["options"]["formula"] = "{Qty} * {Price}"
    assert errors_of(doc) == ["tables[1].fields[4].options.formula: unknown field {Qty} at 1:1"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["tables"][1]["fields"][1]["options"].update(table="Custmers"),
         "tables[1].fields[1].options.table: unknown table 'Custmers'"),
        (lambda d: d["tables"][0]["fields"][1]["options"].update(reverse_of="Client"),
         "tables[0].fields[1].options.reverse_of: must name a link field of table 'Orders'"),
        (lambda d: d["tables"][1]["fields"].append({"name": "Quantity", "type": "number"}),
         "tables[1].fields[6].name: field 'Quantity' appears twice"),
        (lambda d: d["tables"][1]["fields"][2].update(type="numbr"),
         "tables[1].fields[2].type: unknown field type 'numbr'"),
        (lambda d: d["tables"][1]["views"][0]["config"]["filter"].update(field="Qty"),
         "tables[1].views[0].config.filter.field: unknown field 'Qty' in table 'Orders'"),
        (lambda d: d["rules"][0]["trigger"]["params"].update(table_id="Ordrs"),
         "rules[0].trigger.params.table_id: unknown table 'Ordrs'"),
        (lambda d: d["rules"][0]["actions"][0].update(type="teleport"),
         "rules[0].actions[0].type: unknown action type 'teleport'"),
        (lambda d: d["data"]["Orders"][0].update(Customer="c9"),
         "data.Orders[0].Customer: unknown row key 'c9' in table 'Customers'"),
        (lambda d: d["data"]["Orders"][0].update(Total="10"),
         "data.Orders[0].Total: 'Total' is a formula field: it is computed, not written"),
        (lambda d: d["data"]["Customers"][0].update(Orders=["o1"]),
         "data.Customers[0].Orders: write this link on its owning side, Orders.Customer"),
        (lambda d: d["data"]["Orders"][0].update(Ordered="@yesterday"),
         "data.Orders[0].Ordered: '@yesterday': write @today, @today+N or @today-N (days)"),
        (lambda d: d["manifest"].update(format_version=2),
         "manifest.format_version: this TableKit reads format_version 1; the bundle has 2"),
    ],
)  # fmt: skip
def test_broken_entries_are_named_by_path(change: Any, expected: str) -> None:
    doc = shop()
    change(doc)
    assert any(error.startswith(expected) for error in errors_of(doc)), errors_of(doc)


def test_every_problem_is_listed_not_only_the_first() -> None:
    doc = shop()
    doc["tables"][1]["fields"][2]["type"] = "numbr"
    doc["rules"][0]["trigger"]["params"]["table_id"] = "Nowhere"
    assert len(errors_of(doc)) == 2


def test_install_time_problems_remove_the_half_built_base(services: Services) -> None:
    _, actor = make_user(services)
    workspace = int(services.workspaces.mine(actor)[0]["id"])
    doc = shop()
    # Statically fine, but a sum needs numbers: the field type refuses it during install.
    doc["tables"][0]["fields"][2]["options"]["target_field"] = "No."
    with pytest.raises(ValidationFailed) as caught:
        services.templates.install(actor, workspace, Bundle.from_json(doc))
    assert caught.value.code == "INVALID_BUNDLE"
    assert caught.value.message.startswith("tables[0].fields[2]: sum needs a numeric field")
    assert services.workspaces.bases(actor, workspace) == []


def test_circular_computed_fields_are_refused_with_the_cycle(services: Services) -> None:
    _, actor = make_user(services)
    workspace = int(services.workspaces.mine(actor)[0]["id"])
    doc = shop()
    doc["tables"][1]["fields"][3] = {
        "name": "Price", "type": "rollup",
        "options": {"link_field": "Customer", "target_field": "Spent", "aggregate": "sum"},
    }  # fmt: skip
    del doc["data"]["Orders"][0]["Price"]
    with pytest.raises(ValidationFailed) as caught:
        services.templates.install(actor, workspace, Bundle.from_json(doc))
    assert "circular reference" in caught.value.message
    assert "Orders.Total" in caught.value.message
    assert services.workspaces.bases(actor, workspace) == []


def test_a_bundle_directory_with_csv_rows_installs(services: Services, tmp_path: Path) -> None:
    _, actor = make_user(services)
    workspace = int(services.workspaces.mine(actor)[0]["id"])
    doc = shop(data={"Customers": [{"_key": "c1", "Name": "Acme"}]})
    Bundle.from_json(doc).write_dir(tmp_path / "shop")
    (tmp_path / "shop" / "data" / "Orders.csv").write_text(
        "_key,Customer,Quantity,Price,Ordered\no1,c1,3,2.50,@today-1\no2,c1,1,4.00,2024-05-01\n"
    )
    base = services.templates.install(actor, workspace, Bundle.load_dir(tmp_path / "shop"))
    assert base["skipped"] == []
    schema = services.schema.base_schema(actor, int(base["id"]))
    orders_id = next(t["id"] for t in schema["tables"] if t["name"] == "Orders")
    rows = services.rows.query(actor, orders_id)["rows"]
    assert [r["fields"]["Total"] for r in rows] == ["7.50", "4.00"]
    assert rows[0]["fields"]["Ordered"] == (date.today() - timedelta(days=1)).isoformat()
    customers = services.rows.query(actor, schema["tables"][0]["id"])["rows"]
    assert customers[0]["fields"]["Spent"] == "11.50"
    rules = services.automations.list_rules(actor, int(base["id"]))
    assert rules[0]["actions"][0]["params"]["to"] == [actor.email]
