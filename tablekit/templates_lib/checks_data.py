"""Static checks of a bundle's sample rows (see ``validate``).

Sample rows name their cells by field name and link to each other by row key (``_key``),
never by id: ``{"_key": "ORD-7", "Customer": "CUST-3"}``. A link is written on the side
that owns it (the side without ``reverse_of``), once. Cell values themselves are checked by
the row service when the rows are created.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tablekit.fields.base import FieldType
from tablekit.registry import Registry

if TYPE_CHECKING:  # only for annotations: validate imports this module
    from tablekit.templates_lib.bundle import Bundle
    from tablekit.templates_lib.validate import Problems, TableInfo

KEY = "_key"
#: A date cell may be written relative to the install day: ``@today``, ``@today-30``.
RELATIVE_DATE = re.compile(r"@today(?:([+-])(\d{1,5}))?")
COMPUTED = frozenset({"formula", "lookup", "rollup", "count"})


def link_keys(value: Any) -> list[str]:
    """The row keys in a link cell: one key, a list of keys, or ``a;b`` (CSV)."""
    if value in (None, "", []):
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return [str(item).strip() for item in items if str(item).strip()]


def check_data(
    bundle: Bundle,
    tables: dict[str, TableInfo],
    registry: Registry[FieldType],
    problems: Problems,
) -> None:
    keys: dict[str, set[str]] = {}
    for table_name, rows in bundle.data.items():
        at = f"data.{table_name}"
        if table_name not in tables:
            problems.add(at, f"unknown table {table_name!r}")
            continue
        if not isinstance(rows, list):
            problems.add(at, "must be a list of rows")
            continue
        seen = keys.setdefault(table_name, set())
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                problems.add(f"{at}[{i}]", "a row is an object of cells by field name")
                continue
            if KEY in row:
                key = str(row[KEY])
                if key in seen:
                    problems.add(f"{at}[{i}].{KEY}", f"row key {key!r} appears twice")
                seen.add(key)
    for table_name, rows in bundle.data.items():
        table = tables.get(table_name)
        if table is None or not isinstance(rows, list):
            continue
        for i, row in enumerate(rows):
            if isinstance(row, dict):
                _check_row(f"data.{table_name}[{i}]", row, table, tables, keys, registry, problems)


def _check_row(
    at: str,
    row: dict[str, Any],
    table: TableInfo,
    tables: dict[str, TableInfo],
    keys: dict[str, set[str]],
    registry: Registry[FieldType],
    problems: Problems,
) -> None:
    for name, value in row.items():
        if name == KEY:
            continue
        where = f"{at}.{name}"
        spec = table.fields.get(name)
        if spec is None:
            problems.add(where, f"unknown field {name!r} in table {table.name!r}")
            continue
        kind = spec.get("type")
        if kind in COMPUTED or (
            kind in registry and registry.get(str(kind)).read_only and kind != "link"
        ):
            problems.add(where, f"{name!r} is a {kind} field: it is computed, not written")
            continue
        options = spec.get("options") if isinstance(spec.get("options"), dict) else {}
        assert isinstance(options, dict)
        if kind == "link":
            if "reverse_of" in options:
                problems.add(
                    where,
                    f"write this link on its owning side, {options.get('table')}."
                    f"{options['reverse_of']}",
                )
                continue
            target = str(options.get("table"))
            found = link_keys(value)
            if len(found) > 1 and options.get("multiple", True) is False:
                problems.add(where, f"{name!r} links to one row; got {len(found)} keys")
            for key in found:
                if key not in keys.get(target, set()):
                    problems.add(where, f"unknown row key {key!r} in table {target!r}")
        elif (
            kind in ("date", "datetime")
            and isinstance(value, str)
            and value.startswith("@")
            and not RELATIVE_DATE.fullmatch(value)
        ):
            problems.add(where, f"{value!r}: write @today, @today+N or @today-N (days)")
