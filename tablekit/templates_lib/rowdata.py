"""Sample rows of a bundle: created table by table so that a row's links point at rows that
already exist, with row keys (``_key``) turned into the new ids.

Tables are ordered by the links their rows carry (customers before orders before order
lines); a link that closes a cycle (a table linking to itself, or two tables linking both
ways) is written in a second pass by update. Rows go in batches, each one transaction
through the row service, so computed fields are recalculated as for any user write.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tablekit.services.actor import Actor
from tablekit.templates_lib.bundle import Bundle
from tablekit.templates_lib.checks_data import KEY, RELATIVE_DATE, link_keys
from tablekit.templates_lib.errors import at
from tablekit.templates_lib.validate import options_of

if TYPE_CHECKING:
    from tablekit.services.container import Services

BATCH = 1000


def _specs(bundle: Bundle, table: str) -> dict[str, dict[str, Any]]:
    for t in bundle.tables:
        if t["name"] == table:
            return {s["name"]: s for s in t["fields"]}
    return {}


def table_order(bundle: Bundle) -> list[str]:
    """Tables with data, each after the tables its rows link to (where that is possible)."""
    needs: dict[str, set[str]] = {}
    for table, rows in bundle.data.items():
        specs = _specs(bundle, table)
        targets: set[str] = set()
        for name, spec in specs.items():
            if spec.get("type") == "link" and any(link_keys(r.get(name)) for r in rows):
                targets.add(str(options_of(spec)["table"]))
        needs[table] = targets - {table}
    order: list[str] = []
    pending = list(bundle.data)
    while pending:
        ready = [t for t in pending if needs[t] <= set(order) | (needs[t] - set(pending))]
        # In a cycle nothing is ready: take the first pending table, defer its links.
        chosen = ready[0] if ready else pending[0]
        order.append(chosen)
        pending.remove(chosen)
    return order


def resolve_date(value: Any, today: date) -> Any:
    """``@today``, ``@today+N``, ``@today-N`` as an ISO date; other values unchanged."""
    if isinstance(value, str) and (match := RELATIVE_DATE.fullmatch(value)):
        days = int(match[2] or 0) * (-1 if match[1] == "-" else 1)
        return (today + timedelta(days=days)).isoformat()
    return value


def insert_rows(
    services: Services, actor: Actor, bundle: Bundle, table_ids: dict[str, int]
) -> dict[str, dict[str, int]]:
    """Create every sample row; returns the new row ids by table and row key."""
    ids: dict[str, dict[str, int]] = {}
    deferred: list[tuple[str, int, str, str, list[str]]] = []
    today = date.today()
    for table in table_order(bundle):
        specs = _specs(bundle, table)
        rows = bundle.data[table]
        ids[table] = {}
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cells_list = []
            for offset, row in enumerate(chunk):
                index = start + offset
                cells: dict[str, Any] = {}
                for name, value in row.items():
                    if name == KEY:
                        continue
                    spec = specs[name]
                    if spec["type"] == "link":
                        target = str(options_of(spec)["table"])
                        keys = link_keys(value)
                        if target in ids and target != table:
                            cells[name] = [ids[target][k] for k in keys]
                        elif keys:
                            deferred.append((table, index, name, target, keys))
                    elif spec["type"] in ("date", "datetime"):
                        cells[name] = resolve_date(value, today)
                    else:
                        cells[name] = value
                cells_list.append(cells)
            with at(f"data.{table}[{start}:{start + len(chunk)}]"):
                created = services.rows.create(actor, table_ids[table], cells_list)
            for offset, (row, new) in enumerate(zip(chunk, created, strict=True)):
                ids[table][str(row.get(KEY, f"#{start + offset}"))] = int(new["id"])
    _write_deferred(services, actor, bundle, table_ids, ids, deferred)
    return ids


def _write_deferred(
    services: Services,
    actor: Actor,
    bundle: Bundle,
    table_ids: dict[str, int],
    ids: dict[str, dict[str, int]],
    deferred: list[tuple[str, int, str, str, list[str]]],
) -> None:
    """Links that close a cycle, written once both ends exist."""
    by_table: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for table, index, name, target, keys in deferred:
        row = bundle.data[table][index]
        row_id = ids[table][str(row.get(KEY, f"#{index}"))]
        by_table.setdefault(table, []).append((row_id, {name: [ids[target][k] for k in keys]}))
    for table, updates in by_table.items():
        merged: dict[int, dict[str, Any]] = {}
        for row_id, cells in updates:
            merged.setdefault(row_id, {}).update(cells)
        items = list(merged.items())
        for start in range(0, len(items), BATCH):
            with at(f"data.{table}"):
                services.rows.update(actor, table_ids[table], items[start : start + BATCH])
