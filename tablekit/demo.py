"""Demo data for a first start: a small shop base, so `make run` shows something real.

The bundled Order management and Warehouse templates replace this once they exist.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from tablekit.services.actor import Actor
from tablekit.services.container import Services

CUSTOMERS = [
    ("Nordlicht GmbH", "einkauf@nordlicht.example", "DE", "5000.00", 30),
    ("Atelier Brun", "commandes@brun.example", "FR", "2500.00", 14),
    ("Fjord Interiors AS", "orders@fjord.example", "NO", "8000.00", 30),
    ("Casa Verde S.L.", "pedidos@casaverde.example", "ES", "1500.00", 7),
    ("Tulip & Co B.V.", "inkoop@tulip.example", "NL", "4000.00", 30),
    ("Alpine Office AG", "office@alpine.example", "CH", "10000.00", 45),
]
PRODUCTS = [
    ("Oak desk 160", "DSK-160", "489.00", 12, 4),
    ("Oak desk 140", "DSK-140", "429.00", 3, 4),
    ("Task chair Flex", "CHR-FLX", "219.00", 40, 10),
    ("Meeting chair Loop", "CHR-LOP", "129.00", 25, 8),
    ("Shelf unit 5x2", "SHF-52", "179.00", 7, 5),
    ("Desk lamp Arc", "LMP-ARC", "59.90", 60, 15),
    ("Whiteboard 180", "WBD-180", "149.00", 2, 3),
    ("Acoustic panel", "ACP-01", "89.00", 35, 10),
]
STATUSES = ["New", "Confirmed", "Picking", "Shipped", "Invoiced", "Paid", "Cancelled"]


def seed_demo(services: Services, actor: Actor, workspace_id: int) -> dict[str, Any]:
    """Create the "Demo shop" base with customers, products, orders and order lines."""
    schema = services.schema
    base = services.workspaces.create_base(actor, workspace_id, "Demo shop", "Europe/Berlin")
    customers = schema.create_table(
        actor,
        base["id"],
        "Customers",
        [
            {"name": "Name", "type": "text"},
            {"name": "E-mail", "type": "email"},
            {
                "name": "Country",
                "type": "single_select",
                "options": {"choices": [{"name": c} for c in ("DE", "FR", "NO", "ES", "NL", "CH")]},
            },
            {"name": "Credit limit", "type": "currency", "options": {"currency": "EUR"}},
            {"name": "Payment terms", "type": "number", "description": "Days until payment is due"},
        ],
    )
    products = schema.create_table(
        actor,
        base["id"],
        "Products",
        [
            {"name": "Name", "type": "text"},
            {"name": "SKU", "type": "text", "unique": True},
            {"name": "Price", "type": "currency", "options": {"currency": "EUR"}},
            {"name": "Stock", "type": "number"},
            {"name": "Minimum stock", "type": "number"},
            {"name": "Picture", "type": "attachment"},
        ],
    )
    orders = schema.create_table(
        actor,
        base["id"],
        "Orders",
        [
            {"name": "No.", "type": "auto_number", "options": {"format": "ORD-{YYYY}-{0000}"}},
            {
                "name": "Customer",
                "type": "link",
                "options": {"table_id": customers["id"], "multiple": False},
            },
            {
                "name": "Status",
                "type": "single_select",
                "options": {
                    "choices": [
                        {"name": "New", "color": "gray"},
                        {"name": "Confirmed", "color": "blue"},
                        {"name": "Picking", "color": "yellow"},
                        {"name": "Shipped", "color": "teal"},
                        {"name": "Invoiced", "color": "purple"},
                        {"name": "Paid", "color": "green"},
                        {"name": "Cancelled", "color": "red"},
                    ]
                },
            },
            {"name": "Order date", "type": "date"},
            {"name": "Delivery date", "type": "date"},
        ],
    )
    lines = schema.create_table(
        actor,
        base["id"],
        "Order lines",
        [
            {"name": "Line", "type": "auto_number", "options": {"format": "L-{00000}"}},
            {
                "name": "Order",
                "type": "link",
                "options": {"table_id": orders["id"], "multiple": False},
            },
            {
                "name": "Product",
                "type": "link",
                "options": {"table_id": products["id"], "multiple": False},
            },
            {"name": "Quantity", "type": "number"},
        ],
    )
    customer_rows = services.rows.create(
        actor,
        customers["id"],
        [
            {"Name": n, "E-mail": e, "Country": c, "Credit limit": limit, "Payment terms": days}
            for n, e, c, limit, days in CUSTOMERS
        ],
    )
    product_rows = services.rows.create(
        actor,
        products["id"],
        [
            {"Name": n, "SKU": sku, "Price": price, "Stock": stock, "Minimum stock": minimum}
            for n, sku, price, stock, minimum in PRODUCTS
        ],
    )
    rng = random.Random(7)  # noqa: S311 - reproducible sample data, not security
    today = date.today()
    order_rows = services.rows.create(
        actor,
        orders["id"],
        [
            {
                "Customer": [rng.choice(customer_rows)["id"]],
                "Status": STATUSES[i % len(STATUSES)],
                "Order date": (today - timedelta(days=3 * i)).isoformat(),
                "Delivery date": (today + timedelta(days=10 - 2 * i)).isoformat(),
            }
            for i in range(14)
        ],
    )
    services.rows.create(
        actor,
        lines["id"],
        [
            {"Order": [order["id"]], "Product": [product["id"]], "Quantity": rng.randint(1, 6)}
            for order in order_rows
            for product in rng.sample(product_rows, rng.randint(1, 3))
        ],
    )
    status_field = next(f["id"] for f in orders["fields"] if f["name"] == "Status")
    delivery = next(f["id"] for f in orders["fields"] if f["name"] == "Delivery date")
    schema.create_view(actor, orders["id"], "By status", "kanban", {"stack_field": status_field})
    schema.create_view(actor, orders["id"], "Deliveries", "calendar", {"date_field": delivery})
    schema.create_view(
        actor,
        orders["id"],
        "Open orders",
        "grid",
        {
            "filter": {"field": status_field, "op": "in", "value": ["New", "Confirmed", "Picking"]},
            "sort": [{"field": delivery, "direction": "asc"}],
        },
    )
    stock = next(f["id"] for f in products["fields"] if f["name"] == "Stock")
    schema.create_view(
        actor,
        products["id"],
        "Low stock",
        "grid",
        {
            "filter": {"field": stock, "op": "lt", "value": 5},
            "sort": [{"field": stock, "direction": "asc"}],
        },
    )
    return base
