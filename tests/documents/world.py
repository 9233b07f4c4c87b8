"""A small order-to-cash base for document tests: customers, products with pictures, orders
with lines (lookups, formulas, rollups), company settings with a logo; plus PNG images."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tablekit.services.actor import Actor
from tablekit.services.container import Services

EXAMPLES = Path(__file__).resolve().parents[2] / "tablekit" / "documents" / "examples"
ADDRESS = "Hauptstraße 5\n10115 Berlin\nGermany"


def png(width: int = 1, height: int = 1, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG of one colour, so an embedded image really lands in the PDF."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def example(name: str) -> str:
    return (EXAMPLES / name).read_text()


@dataclass
class Shop:
    actor: Actor
    base_id: int
    customers: int
    products: int
    orders: int
    lines: int
    order_id: int
    empty_order_id: int
    logo_id: str
    picture_id: str


def table(services: Services, actor: Actor, base_id: int, name: str, fields: list[Any]) -> int:
    return int(services.schema.create_table(actor, base_id, name, fields)["id"])


def build_shop(services: Services, actor: Actor, *, settings: dict[str, Any] | None = None) -> Shop:
    """The base; its order ORD-0001 has 3 Widgets at 19.99 (19 % VAT) and 10 Gadgets at
    5.00 (7 %): net 109.97, VAT 11.39 + 3.50, total 124.86."""
    workspace_id = services.workspaces.mine(actor)[0]["id"]
    base_id = int(
        services.workspaces.create_base(actor, workspace_id, "Shop", "Europe/Berlin")["id"]
    )
    logo = services.files.store(actor, base_id, "logo.png", png(40, 16, (29, 78, 216)), "image/png")
    picture = services.files.store(actor, base_id, "widget.png", png(), "image/png")
    services.workspaces.update_base(
        actor,
        base_id,
        {
            "settings": {
                "company_name": "Acme Trading Ltd",
                "address": "1 Harbour Road\nBristol BS1 4DJ\nUnited Kingdom",
                "vat_id": "GB123456789",
                "email": "sales@acme.example",
                "phone": "+44 117 496 0000",
                "website": "acme.example",
                "bank_name": "Northern Bank",
                "iban": "GB33BUKB20201555555555",
                "bic": "BUKBGB22",
                "logo": logo["id"],
                "locale": "en",
                "currency": "EUR",
                **(settings or {}),
            }
        },
    )
    customers = table(
        services,
        actor,
        base_id,
        "Customers",
        [
            {"name": "Name", "type": "text"},
            {"name": "Address", "type": "long_text"},
            {"name": "E-mail", "type": "email"},
            {"name": "VAT id", "type": "text"},
            {"name": "Payment terms", "type": "number"},
        ],
    )
    products = table(
        services,
        actor,
        base_id,
        "Products",
        [
            {"name": "Name", "type": "text"},
            {"name": "SKU", "type": "text"},
            {"name": "Unit", "type": "text"},
            {"name": "Price", "type": "currency", "options": {"currency": "EUR"}},
            {"name": "Picture", "type": "attachment"},
        ],
    )
    orders = table(
        services,
        actor,
        base_id,
        "Orders",
        [
            {"name": "No.", "type": "auto_number", "options": {"format": "ORD-{0000}"}},
            {
                "name": "Customer",
                "type": "link",
                "options": {"table_id": customers, "multiple": False},
            },
            {"name": "Order date", "type": "date"},
            {"name": "Delivery date", "type": "date"},
            {"name": "Confirmation", "type": "attachment"},
        ],
    )
    lines = table(
        services,
        actor,
        base_id,
        "Order lines",
        [
            {"name": "Description", "type": "text"},
            {"name": "Order", "type": "link", "options": {"table_id": orders, "multiple": False}},
            {
                "name": "Product",
                "type": "link",
                "options": {"table_id": products, "multiple": False},
            },
            {"name": "Quantity", "type": "number"},
            {"name": "Unit price", "type": "currency", "options": {"currency": "EUR"}},
            {"name": "VAT rate", "type": "percent"},
            {
                "name": "Line total",
                "type": "formula",
                "options": {"formula": "{Quantity} * {Unit price}"},
            },
            {
                "name": "SKU",
                "type": "lookup",
                "options": {"link_field": "Product", "target_field": "SKU"},
            },
        ],
    )
    services.schema.create_field(
        actor,
        orders,
        {
            "name": "Net total",
            "type": "rollup",
            "options": {
                "link_field": "Order lines",
                "target_field": "Line total",
                "aggregate": "sum",
            },
        },
    )
    rows = services.rows
    customer = rows.create(
        actor,
        customers,
        [
            {
                "Name": "Müller & Söhne <GmbH>",
                "Address": ADDRESS,
                "E-mail": "einkauf@mueller.example",
                "VAT id": "DE987654321",
                "Payment terms": 14,
            }
        ],
    )[0]["id"]
    widget, gadget = (
        r["id"]
        for r in rows.create(
            actor,
            products,
            [
                {
                    "Name": "Widget",
                    "SKU": "W-100",
                    "Unit": "pcs",
                    "Price": "19.99",
                    "Picture": [picture["id"]],
                },
                {"Name": "Gadget", "SKU": "G-200", "Unit": "pcs", "Price": "5.00"},
            ],
        )
    )
    order_id, empty_order_id = (
        r["id"]
        for r in rows.create(
            actor,
            orders,
            [
                {
                    "Customer": [customer],
                    "Order date": "2026-03-02",
                    "Delivery date": "2026-03-09",
                },
                {"Customer": [customer], "Order date": "2026-03-03"},
            ],
        )
    )
    rows.create(
        actor,
        lines,
        [
            {
                "Description": "Widget",
                "Order": [order_id],
                "Product": [widget],
                "Quantity": 3,
                "Unit price": "19.99",
                "VAT rate": 0.19,
            },
            {
                "Description": "Gadget",
                "Order": [order_id],
                "Product": [gadget],
                "Quantity": 10,
                "Unit price": "5.00",
                "VAT rate": 0.07,
            },
        ],
    )
    return Shop(
        actor,
        base_id,
        customers,
        products,
        orders,
        lines,
        order_id,
        empty_order_id,
        logo["id"],
        picture["id"],
    )
