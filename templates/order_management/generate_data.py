"""Generate the Order management sample rows (data/*.yaml), deterministically.

Run ``python templates/order_management/generate_data.py`` after changing it and commit
the YAML it writes. Dates are written relative to the install day (``@today-30``), so the
sample looks current whenever it is installed. Amounts follow the bundle's formulas
(net = ROUND(qty * price * (1 - discount), 2), VAT = ROUND(net * rate, 2)), and stock is
consistent with the orders: Reserved is the quantity of reserved lines of confirmed and
picking orders.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CENT = Decimal("0.01")

COMPANIES = [
    ("Nordlicht Büroeinrichtung GmbH", "Germany", "Hamburg", "22765", "Große Elbstraße 145"),
    ("Atelier Brun SARL", "France", "Lyon", "69002", "12 Rue Mercière"),
    ("Fjordhus Interiør ApS", "Denmark", "Aarhus", "8000", "Åboulevarden 23"),
    ("Tulip & Co B.V.", "Netherlands", "Utrecht", "3511 LX", "Oudegracht 187"),
    ("Alpina Office AG", "Switzerland", "Zürich", "8004", "Langstrasse 64"),
    ("Wiener Werkstätten KG", "Austria", "Wien", "1070", "Neubaugasse 38"),
    ("Brüsseler Kontor SPRL", "Belgium", "Bruxelles", "1000", "Rue Neuve 91"),
    ("Svea Kontorsmöbler AB", "Sweden", "Göteborg", "411 05", "Kungsgatan 12"),
    ("Biuro Plus Sp. z o.o.", "Poland", "Kraków", "31-042", "ul. Floriańska 20"),
    ("Rheinblick Steuerberatung", "Germany", "Köln", "50667", "Hohe Straße 52"),
    ("Hansen Arkitekter A/S", "Denmark", "København", "1160", "Vestergade 8"),
    ("Kanzlei Oberland", "Germany", "München", "80331", "Sendlinger Straße 7"),
    ("Coworking Spree GmbH", "Germany", "Berlin", "10997", "Schlesische Straße 29"),
    ("Studio Noord", "Netherlands", "Amsterdam", "1013 HK", "Westerstraat 110"),
    ("Maison Lumière", "France", "Bordeaux", "33000", "45 Cours de l'Intendance"),
    ("Praxis am Markt", "Germany", "Leipzig", "04109", "Markt 9"),
    ("Bergmann Logistik GmbH", "Germany", "Bremen", "28195", "Am Wall 140"),
    ("Salzach Consulting", "Austria", "Salzburg", "5020", "Getreidegasse 3"),
    ("Limmat Legal AG", "Switzerland", "Basel", "4051", "Steinenvorstadt 33"),
    ("Gent Design Lab", "Belgium", "Gent", "9000", "Korenmarkt 16"),
    ("Vistula Media", "Poland", "Warszawa", "00-013", "ul. Chmielna 35"),
    ("Öresund IT AB", "Sweden", "Malmö", "211 22", "Södergatan 19"),
    ("Elbtal Schulverwaltung", "Germany", "Dresden", "01067", "Wilsdruffer Straße 2"),
    ("Kieler Förde Reederei", "Germany", "Kiel", "24103", "Holstenstraße 88"),
]
CONTACTS = [
    "Anna Becker",
    "Luc Moreau",
    "Mette Jensen",
    "Sanne de Vries",
    "Urs Keller",
    "Katharina Huber",
    "Émilie Dubois",
    "Erik Lindqvist",
    "Marta Nowak",
    "Jonas Schmitz",
    "Freja Hansen",
    "Thomas Maier",
    "Lea Wagner",
    "Daan Bakker",
    "Camille Laurent",
    "Felix Neumann",
    "Hanna Bergmann",
    "Stefan Gruber",
    "Nicole Frei",
    "Pieter Claes",
    "Piotr Wiśniewski",
    "Sofia Andersson",
    "Paul Richter",
    "Jana Petersen",
]
VAT_PREFIX = {
    "Germany": "DE", "France": "FR", "Denmark": "DK", "Netherlands": "NL", "Switzerland": "CHE",
    "Austria": "ATU", "Belgium": "BE", "Sweden": "SE", "Poland": "PL",
}  # fmt: skip
PRODUCTS = {
    "Desks": [
        ("Oak desk 160 x 80", 489), ("Oak desk 140 x 70", 429), ("Sit-stand desk Lift 160", 749),
        ("Sit-stand desk Lift 140", 689), ("Bench desk for 4", 1290), ("Corner desk Atlas", 569),
        ("Meeting table round 120", 399), ("Conference table 320", 1890),
        ("Walnut desk Studio", 649),
        ("Reception counter", 1490),
    ],
    "Chairs": [
        ("Task chair Flex", 219), ("Task chair Flex Pro", 339), ("Meeting chair Loop", 129),
        ("Stacking chair Stack", 79), ("Lounge chair Calm", 459), ("Drafting stool Perch", 189),
        ("Visitor chair Frame", 149), ("Ergonomic chair Aero", 529), ("Bar stool Tall", 119),
        ("Kneeling chair Balance", 169),
    ],
    "Storage": [
        ("Shelf unit 5 x 2", 179), ("Shelf unit 3 x 2", 129), ("Roller container 3 drawers", 159),
        ("Filing cabinet 4 drawers", 279), ("Locker 6 doors", 389), ("Sideboard Oak 180", 549),
        ("Wardrobe cabinet", 319), ("Bookcase Tall", 229), ("Archive box set (10)", 39),
    ],
    "Lighting": [
        ("Desk lamp Arc", 59.9), ("Desk lamp Arc LED Pro", 89.9), ("Floor lamp Beam", 149),
        ("Pendant lamp Halo", 199), ("Monitor light bar", 49.9), ("Wall light Slim", 69),
        ("Task light Clamp", 39.9),
    ],
    "Acoustics": [
        ("Acoustic panel 60 x 60", 89), ("Acoustic panel 120 x 60", 149), ("Desk screen 140", 119),
        ("Desk screen 160", 135), ("Acoustic booth Solo", 3490), ("Ceiling baffle set", 229),
        ("Room divider Felt", 399),
    ],
    "Accessories": [
        ("Monitor arm single", 79), ("Monitor arm dual", 129), ("Cable tray", 29.9),
        ("Footrest Rocker", 45), ("Whiteboard 180 x 120", 149), ("Whiteboard mobile", 289),
        ("Pinboard cork 90", 49), ("Coat stand Tree", 69), ("Desk organiser set", 24.9),
        ("Laptop stand Rise", 39.9), ("Document tray set", 19.9), ("Waste bin 30 l", 34.9),
        ("Planter Green 60", 89),
    ],
}  # fmt: skip
SUPPLIERS = {
    "Desks": "Holzwerk Süd GmbH", "Chairs": "Sitzfabrik Rheinland", "Storage": "Stahlform Nord",
    "Lighting": "Lumen Design BV", "Acoustics": "Quiet Spaces Oy", "Accessories": "OfficeParts Ltd",
}  # fmt: skip
SKU_PREFIX = {
    "Desks": "DSK", "Chairs": "CHR", "Storage": "STO", "Lighting": "LGT", "Acoustics": "ACU",
    "Accessories": "ACC",
}  # fmt: skip
# How many orders end in each state; older orders are further along.
STATES = [
    ("Paid", 38), ("Invoiced", 24), ("Shipped", 6), ("Picking", 8), ("Confirmed", 14),
    ("On hold", 8), ("New", 12), ("Cancelled", 10),
]  # fmt: skip


def money(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def days(n: int) -> str:
    return "@today" if n == 0 else f"@today{n:+d}"


def customers(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i, (name, country, city, postcode, street) in enumerate(COMPANIES, start=1):
        contact = CONTACTS[i - 1]
        domain = name.split()[0].lower().replace("ü", "ue").replace("ö", "oe").replace("é", "e")
        rows.append(
            {
                "_key": f"C{i:03d}",
                "Name": name,
                "Contact": contact,
                "E-mail": f"{contact.split()[0].lower().replace('é', 'e')}@{domain}.example",
                "Phone": f"+49 {rng.randint(30, 899)} {rng.randint(100000, 999999)}",
                "Address": f"{street}\n{postcode} {city}",
                "Country": country,
                "VAT id": f"{VAT_PREFIX[country]}{rng.randint(10**8, 10**9 - 1)}",
                "Credit limit": str(rng.choice([2500, 5000, 8000, 10000, 15000, 25000])),
                "Payment terms": rng.choice([14, 14, 30, 30, 30, 45]),
            }
        )
    return rows


def products(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    n = 0
    for category, items in PRODUCTS.items():
        for j, (name, price) in enumerate(items, start=1):
            n += 1
            minimum = rng.choice([5, 10, 10, 15, 20])
            rows.append(
                {
                    "_key": f"P{n:03d}",
                    "Name": name,
                    "SKU": f"{SKU_PREFIX[category]}-{j:03d}",
                    "Category": category,
                    "Unit": "set" if "set" in name else "pcs",
                    "Price": str(money(price)),
                    "VAT rate": 0.19,
                    "Available": rng.randint(0, 12) if n % 9 == 0 else rng.randint(15, 160),
                    "Reserved": 0,
                    "Minimum stock": minimum,
                    "Reorder quantity": minimum * rng.choice([2, 3, 4]),
                    "Supplier": SUPPLIERS[category],
                }
            )
    return rows


def line_amounts(line: dict[str, Any], price: Decimal) -> tuple[Decimal, Decimal]:
    net = money(line["Quantity"] * price * (1 - Decimal(str(line.get("Discount", 0)))))
    return net, money(net * Decimal("0.19"))


def build(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    custs = customers(rng)
    prods = products(rng)
    price = {p["_key"]: Decimal(p["Price"]) for p in prods}
    states = [state for state, count in STATES for _ in range(count)]
    rng.shuffle(states)
    order_rank = {"Paid": 5, "Invoiced": 4, "Shipped": 3, "Picking": 2, "Confirmed": 2}
    states.sort(key=lambda s: -order_rank.get(s, rng.choice([0, 1, 3])))
    orders, lines, invoices, inv_lines, payments, returns = [], [], [], [], [], []
    reserved: dict[str, int] = defaultdict(int)
    for i, state in enumerate(states, start=1):
        age = max(1, int(150 - i * 1.2 + rng.randint(-4, 4)))
        customer = rng.choice(custs)
        key = f"O{i:04d}"
        order: dict[str, Any] = {
            "_key": key,
            "Customer": customer["_key"],
            "Status": state,
            "Order date": days(-age),
            "Delivery date": days(-age + rng.randint(6, 14)),
        }
        if rng.random() < 0.4:
            order["Customer reference"] = f"PO {rng.randint(4500, 9800)}"
        chosen = rng.sample(prods, rng.randint(1, 5))
        order_lines = []
        for product in chosen:
            line: dict[str, Any] = {
                "_key": f"L{len(lines) + 1:05d}",
                "Order": key,
                "Product": product["_key"],
                "Quantity": rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12]),
            }
            if rng.random() < 0.15:
                line["Discount"] = 0.05
            if state in ("Confirmed", "Picking"):
                line["Reservation"] = "Reserved"
                reserved[product["_key"]] += line["Quantity"]
            elif state in ("Shipped", "Invoiced", "Paid"):
                line["Reservation"] = "Shipped"
            elif state == "Cancelled" and rng.random() < 0.5:
                line["Reservation"] = "Released"
            lines.append(line)
            order_lines.append(line)
        if state == "On hold":
            order["Hold reason"] = rng.choice(
                [
                    "Credit limit exceeded: open invoices plus this order are above the limit.",
                    "1 line(s) without enough available stock.",
                ]
            )
        if state in ("Shipped", "Invoiced", "Paid"):
            order["Shipped on"] = days(-age + rng.randint(2, 5))
        orders.append(order)
        if state not in ("Invoiced", "Paid"):
            continue
        shipped_age = age - rng.randint(2, 5)
        inv_key = f"I{len(invoices) + 1:04d}"
        terms = customer["Payment terms"]
        overdue = shipped_age - terms
        invoice: dict[str, Any] = {
            "_key": inv_key,
            "Order": key,
            "Customer": customer["_key"],
            "Invoice date": days(-shipped_age),
            "Status": "Paid" if state == "Paid" else ("Overdue" if overdue >= 7 else "Open"),
            "Reminder level": 0 if state == "Paid" else max(0, min(3, overdue // 7)),
        }
        gross = Decimal(0)
        for line in order_lines:
            p = line["Product"]
            net, vat = line_amounts(line, price[p])
            gross += net + vat
            inv_line = {
                "_key": f"IL{len(inv_lines) + 1:05d}",
                "Invoice": inv_key,
                "Product": p,
                "Description": next(x["Name"] for x in prods if x["_key"] == p),
                "Quantity": line["Quantity"],
                "Unit price": str(price[p]),
                "VAT rate": 0.19,
            }
            if "Discount" in line:
                inv_line["Discount"] = line["Discount"]
            inv_lines.append(inv_line)
        if invoice["Reminder level"]:
            since = overdue - 7 * invoice["Reminder level"]
            invoice["Last reminder"] = days(-max(0, since))
        paid_at = max(0, shipped_age - rng.randint(5, terms + 5))
        if state == "Paid":
            invoice["Paid on"] = days(-paid_at)
            payments.append(_payment(rng, payments, inv_key, gross, paid_at))
        elif rng.random() < 0.2:
            payments.append(_payment(rng, payments, inv_key, money(gross / 2), paid_at))
        invoices.append(invoice)
        if state == "Paid" and len(returns) < 6 and rng.random() < 0.25:
            line = rng.choice(order_lines)
            returns.append(
                {
                    "_key": f"R{len(returns) + 1:03d}",
                    "Order": key,
                    "Product": line["Product"],
                    "Quantity": 1,
                    "Reason": rng.choice(["Damaged in transit", "Wrong item", "Not needed"]),
                    "Status": rng.choice(["Credit note drafted", "Refunded"]),
                    "Received on": days(-max(0, paid_at - 3)),
                }
            )
    for product in prods:
        product["Reserved"] = reserved[product["_key"]]
    requests = [
        {
            "_key": f"PR{n + 1:03d}",
            "Product": product["_key"],
            "Quantity": product["Reorder quantity"],
            "Reason": "Below minimum stock",
            "Status": rng.choice(["Open", "Ordered"]),
            "Requested on": days(-rng.randint(1, 10)),
        }
        for n, product in enumerate(p for p in prods if p["Available"] < p["Minimum stock"])
    ]
    return {
        "Customers": custs,
        "Products": prods,
        "Orders": orders,
        "Order lines": lines,
        "Invoices": invoices,
        "Invoice lines": inv_lines,
        "Payments": payments,
        "Returns": returns,
        "Purchase requests": requests,
    }


def _payment(
    rng: random.Random, payments: list[dict[str, Any]], invoice: str, amount: Decimal, age: int
) -> dict[str, Any]:
    return {
        "_key": f"PAY{len(payments) + 1:04d}",
        "Invoice": invoice,
        "Amount": str(amount),
        "Date": days(-age),
        "Method": rng.choice(["Bank transfer", "Bank transfer", "Direct debit", "Card"]),
        "Reference": f"TRX{rng.randint(10**7, 10**8 - 1)}",
    }


def main() -> None:
    data = build(random.Random(20240611))  # noqa: S311 - reproducible sample data
    out = HERE / "data"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    for n, (table, rows) in enumerate(data.items(), start=1):
        slug = table.lower().replace(" ", "_")
        text = yaml.safe_dump(
            {"table": table, "rows": rows}, sort_keys=False, allow_unicode=True, width=100
        )
        (out / f"{n:02d}_{slug}.yaml").write_text(
            "# Generated by generate_data.py: edit that script, not this file.\n" + text
        )
        print(f"{table}: {len(rows)} rows")


if __name__ == "__main__":
    main()
