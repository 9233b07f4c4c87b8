"""Generate the Warehouse sample rows (data/*.yaml), deterministically.

Run ``python templates/warehouse/generate_data.py`` after changing it and commit the YAML.
Movements are generated in date order and never issue more than is on hand, per item and
per location, so every on-hand figure the bundle computes is a real, non-negative stock.
A few items end below their minimum and one location above its capacity, so the views
and rules have something to show.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent

SUPPLIERS = [
    ("Holzwerk Süd GmbH", "Martin Vogel", "Germany", 14),
    ("Sitzfabrik Rheinland", "Petra Lang", "Germany", 10),
    ("Stahlform Nord", "Jens Ohlsen", "Germany", 12),
    ("Lumen Design BV", "Femke Visser", "Netherlands", 7),
    ("Quiet Spaces Oy", "Aino Virtanen", "Finland", 21),
    ("OfficeParts Ltd", "Oliver Grant", "United Kingdom", 9),
    ("Kartonagen Weber", "Ute Weber", "Germany", 5),
    ("PackLine Logistics", "Marek Dvořák", "Czechia", 8),
]
ITEMS = [
    ("Oak desk top 160", 0, "pcs", 180), ("Oak desk top 140", 0, "pcs", 150),
    ("Desk frame Lift", 0, "pcs", 260), ("Desk frame fixed", 0, "pcs", 90),
    ("Task chair Flex", 1, "pcs", 96), ("Task chair Flex Pro", 1, "pcs", 148),
    ("Meeting chair Loop", 1, "pcs", 55), ("Stacking chair Stack", 1, "pcs", 31),
    ("Chair castors (set of 5)", 1, "box", 12), ("Gas spring 120 mm", 1, "pcs", 9),
    ("Shelf unit 5 x 2", 2, "pcs", 72), ("Roller container", 2, "pcs", 64),
    ("Filing cabinet", 2, "pcs", 118), ("Locker 6 doors", 2, "pcs", 165),
    ("Shelf board 80", 2, "pcs", 14), ("Desk lamp Arc", 3, "pcs", 21),
    ("Floor lamp Beam", 3, "pcs", 58), ("LED module 12 W", 3, "box", 6.5),
    ("Monitor light bar", 3, "pcs", 17), ("Acoustic panel 60", 4, "pcs", 34),
    ("Acoustic panel 120", 4, "pcs", 61), ("Desk screen 140", 4, "pcs", 44),
    ("Felt roll 10 m", 4, "m", 95), ("Monitor arm single", 5, "pcs", 29),
    ("Monitor arm dual", 5, "pcs", 48), ("Cable tray", 5, "pcs", 9.5),
    ("Cable ties (100)", 5, "box", 3.2), ("Whiteboard 180", 5, "pcs", 57),
    ("Footrest Rocker", 5, "pcs", 16), ("Laptop stand Rise", 5, "pcs", 13),
    ("Screws M6 (500)", 5, "box", 11), ("Shipping carton L", 6, "box", 1.4),
    ("Shipping carton M", 6, "box", 1.1), ("Packing tape", 6, "pcs", 2.2),
    ("Edge protectors (50)", 6, "box", 7.9), ("Pallet wrap film", 7, "pcs", 18),
    ("Euro pallet", 7, "pallet", 14), ("Bubble wrap roll", 7, "m", 26),
    ("Strapping band", 7, "pcs", 21), ("Label roll 100 x 150", 7, "box", 8.4),
]  # fmt: skip
ZONES = [("A", "Pallet racks", 8, 400), ("B", "Shelving", 10, 150), ("C", "Bulk", 4, 900),
         ("D", "Dispatch", 2, 300)]  # fmt: skip


def days(n: int) -> str:
    return "@today" if n == 0 else f"@today{n:+d}"


def build(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    suppliers = [
        {
            "_key": f"S{i:02d}",
            "Name": name,
            "Contact": contact,
            "E-mail": f"orders@{name.split()[0].lower().replace('ü', 'ue')}.example",
            "Phone": f"+{rng.randint(30, 49)} {rng.randint(10, 99)} {rng.randint(100000, 999999)}",
            "Address": (
                f"Industriestraße {rng.randint(1, 90)}\n{rng.randint(10000, 99999)} {country}"
            ),
            "Lead time": lead,
        }
        for i, (name, contact, country, lead) in enumerate(SUPPLIERS, start=1)
    ]
    locations = []
    for zone, label, count, capacity in ZONES:
        for n in range(1, count + 1):
            locations.append(
                {
                    "_key": f"{zone}-{n:02d}",
                    "Code": f"{zone}-{(n + 1) // 2:02d}-{2 - n % 2:02d}",
                    "Zone": label,
                    "Capacity": capacity,
                }
            )
    storage = [loc for loc in locations if loc["Zone"] != "Dispatch"]
    items = []
    for i, (name, supplier, unit, cost) in enumerate(ITEMS, start=1):
        minimum = rng.choice([10, 20, 20, 40, 60])
        items.append(
            {
                "_key": f"I{i:03d}",
                "Name": name,
                "SKU": f"WH-{1000 + i * 7}",
                "EAN": f"40{rng.randint(10**10, 10**11 - 1)}",
                "Unit": unit,
                "Supplier": suppliers[supplier]["_key"],
                "Location": rng.choice(storage)["_key"],
                "Minimum stock": minimum,
                "Reorder quantity": minimum * rng.choice([2, 3, 5]),
                "Unit cost": str(Decimal(str(cost)).quantize(Decimal("0.01"))),
            }
        )
    movements: list[dict[str, Any]] = []
    at_location: dict[tuple[str, str], int] = defaultdict(int)
    for age in range(120, -1, -1):
        for item in rng.sample(items, rng.randint(1, 4)):
            home = item["Location"]
            stock = sum(q for (it, _), q in at_location.items() if it == item["_key"])
            kind = "In" if stock < item["Minimum stock"] * 2 or rng.random() < 0.25 else "Out"
            if kind == "In":
                qty = item["Reorder quantity"]
                at_location[(item["_key"], home)] += qty
                movements.append(_move(item, "In", qty, home, None, age, rng))
                continue
            here = [(loc, q) for (it, loc), q in at_location.items() if it == item["_key"] and q]
            loc, available = rng.choice(here)
            if rng.random() < 0.12:
                target = rng.choice(storage)["_key"]
                qty = rng.randint(1, available)
                at_location[(item["_key"], loc)] -= qty
                at_location[(item["_key"], target)] += qty
                movements.append(_move(item, "Transfer", qty, loc, target, age, rng))
            else:
                qty = max(1, min(available, rng.randint(1, max(1, item["Minimum stock"] // 2))))
                at_location[(item["_key"], loc)] -= qty
                movements.append(_move(item, "Out", qty, loc, None, age, rng))
    # Leave three items below their minimum: issue down to a third of it.
    for item in items[3:40:13]:
        for (it, loc), q in list(at_location.items()):
            keep = item["Minimum stock"] // 3 if loc == item["Location"] else 0
            if it == item["_key"] and q > keep:
                at_location[(it, loc)] = keep
                movements.append(_move(item, "Out", q - keep, loc, None, 0, rng))
    fill: dict[str, int] = defaultdict(int)
    for (_, loc), q in at_location.items():
        fill[loc] += q
    for n, loc in enumerate(locations):
        used = fill[loc["_key"]]
        # Room to spare, except one location that is over capacity.
        loc["Capacity"] = max(50, -(-int(used * 1.4) // 50) * 50) if n != 3 else max(10, used - 20)
    orders, lines = [], []
    for n in range(1, 15):
        supplier = suppliers[(n * 3) % len(suppliers)]
        status = "Received" if n <= 8 else ("Ordered" if n <= 12 else "Draft")
        age = 90 - n * 6
        order = {
            "_key": f"PO{n:03d}",
            "Supplier": supplier["_key"],
            "Status": status,
            "Order date": days(-age),
            "Expected date": days(-age + supplier["Lead time"]),
        }
        if status == "Received":
            order["Received on"] = days(-age + supplier["Lead time"] + rng.randint(-2, 2))
        orders.append(order)
        own = [it for it in items if it["Supplier"] == supplier["_key"]] or items
        for item in rng.sample(own, min(len(own), rng.randint(1, 4))):
            line = {
                "_key": f"POL{len(lines) + 1:04d}",
                "Purchase order": order["_key"],
                "Item": item["_key"],
                "Location": item["Location"],
                "Quantity": item["Reorder quantity"],
                "Unit cost": item["Unit cost"],
            }
            if status == "Received":
                line["Booked"] = True
            lines.append(line)
    return {
        "Suppliers": suppliers,
        "Locations": locations,
        "Items": items,
        "Stock movements": movements,
        "Purchase orders": orders,
        "Purchase order lines": lines,
    }


def _move(
    item: dict[str, Any],
    kind: str,
    qty: int,
    location: str,
    target: str | None,
    age: int,
    rng: random.Random,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "Type": kind,
        "Item": item["_key"],
        "Quantity": qty,
        "Location": location,
        "Date": days(-age),
        "Reference": {
            "In": f"DN {rng.randint(100000, 999999)}",
            "Out": f"ORD pick {rng.randint(1000, 9999)}",
            "Transfer": "Re-slotting",
        }[kind],
    }
    if target is not None:
        row["To location"] = target
    return row


def main() -> None:
    data = build(random.Random(20240612))  # noqa: S311 - reproducible sample data
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
