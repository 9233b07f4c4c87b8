"""Bundle validation: everything that can be checked without a database, with the path of
each offending entry (``tables[2].fields[4].options.link_field: unknown field "Custmer" in
table "Orders"``), so a broken bundle is refused before a base is created.

What needs the database (field options the field types normalize against real tables,
circular references, the rule params each action checks) is checked again by the services
during install; the installer prefixes their messages with the same kind of path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tablekit.errors import ValidationFailed
from tablekit.fields.base import FieldType, OptionsContext
from tablekit.formulas import FormulaError, parse_formula
from tablekit.registry import Registry
from tablekit.services.views import VIEW_TYPES
from tablekit.templates_lib.bundle import FORMAT_VERSION, Bundle
from tablekit.templates_lib.checks_data import check_data
from tablekit.templates_lib.checks_rules import check_documents, check_rules

COMPUTED = frozenset({"formula", "lookup", "rollup", "count"})
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,62}")
MANIFEST_KEYS = frozenset(
    {"format_version", "name", "title", "description", "picture", "version", "base"}
)
TABLE_KEYS = frozenset({"name", "primary_field", "description", "fields", "views"})
FIELD_KEYS = frozenset({"name", "type", "options", "unique", "required", "description"})
MAX_ERRORS = 50


@dataclass
class Problems:
    """Collects ``(path, message)`` pairs; ``raise_if_any`` reports them all at once."""

    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append({"path": path, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            first = self.items[0]
            more = f" (and {len(self.items) - 1} more)" if len(self.items) > 1 else ""
            raise ValidationFailed(
                f"{first['path']}: {first['message']}{more}",
                code="INVALID_BUNDLE",
                details={"errors": self.items},
            )


@dataclass
class TableInfo:
    """A bundle table as the checks see it: field specs by name."""

    index: int
    name: str
    fields: dict[str, dict[str, Any]]
    views: list[dict[str, Any]]


def table_index(bundle: Bundle) -> dict[str, TableInfo]:
    """Tables by name (well-formed entries only; the checks report the others)."""
    out: dict[str, TableInfo] = {}
    for i, table in enumerate(bundle.tables):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            specs = [f for f in table.get("fields") or [] if isinstance(f, dict)]
            views = [v for v in table.get("views") or [] if isinstance(v, dict)]
            out.setdefault(
                table["name"],
                TableInfo(i, table["name"], {str(f.get("name")): f for f in specs}, views),
            )
    return out


def options_of(spec: dict[str, Any]) -> dict[str, Any]:
    options = spec.get("options")
    return options if isinstance(options, dict) else {}


def is_reverse_link(spec: dict[str, Any]) -> bool:
    return spec.get("type") == "link" and "reverse_of" in options_of(spec)


def validate_bundle(
    bundle: Bundle,
    registry: Registry[FieldType],
    *,
    triggers: Iterable[str] | None = None,
    actions: Iterable[str] | None = None,
) -> None:
    """Raise ValidationFailed(INVALID_BUNDLE) listing every problem found (up to 50)."""
    problems = Problems()
    _check_manifest(bundle.manifest, problems)
    tables = table_index(bundle)
    _check_tables(bundle, tables, registry, problems)
    check_documents(bundle, tables, problems)
    check_rules(bundle, tables, problems, triggers=triggers, actions=actions)
    check_data(bundle, tables, registry, problems)
    problems.raise_if_any()


def _check_manifest(manifest: dict[str, Any], problems: Problems) -> None:
    for key in sorted(set(manifest) - MANIFEST_KEYS):
        problems.add(f"manifest.{key}", "unknown manifest entry")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        problems.add("manifest.format_version", "must be a whole number")
    elif version > FORMAT_VERSION or version < 1:
        problems.add(
            "manifest.format_version",
            f"this TableKit reads format_version {FORMAT_VERSION}; the bundle has {version}",
        )
    name = manifest.get("name")
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        problems.add("manifest.name", "must be lower-case letters, digits and _ (order_management)")
    for key in ("title", "version"):
        if not isinstance(manifest.get(key), str) or not manifest[key].strip():
            problems.add(f"manifest.{key}", "must be non-empty text")
    for key in ("description", "picture"):
        if key in manifest and not isinstance(manifest[key], str):
            problems.add(f"manifest.{key}", "must be text")
    base = manifest.get("base", {})
    if not isinstance(base, dict) or set(base) - {"timezone", "settings"}:
        problems.add("manifest.base", "must be {timezone?, settings?}")
    elif "settings" in base and not isinstance(base["settings"], dict):
        problems.add("manifest.base.settings", "must be an object")


def _check_tables(
    bundle: Bundle,
    tables: dict[str, TableInfo],
    registry: Registry[FieldType],
    problems: Problems,
) -> None:
    if not bundle.tables:
        problems.add("tables", "a bundle needs at least one table")
    seen: set[str] = set()
    for i, table in enumerate(bundle.tables):
        at = f"tables[{i}]"
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            problems.add(at, "must be {name, fields, views?}")
            continue
        for key in sorted(set(table) - TABLE_KEYS):
            problems.add(f"{at}.{key}", "unknown table entry")
        if table["name"] in seen:
            problems.add(f"{at}.name", f"table {table['name']!r} appears twice")
        seen.add(table["name"])
        fields = table.get("fields")
        if not isinstance(fields, list) or not fields:
            problems.add(f"{at}.fields", "must be a non-empty list")
            continue
        names: set[str] = set()
        for j, spec in enumerate(fields):
            where = f"{at}.fields[{j}]"
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                problems.add(where, "must be {name, type, options?}")
                continue
            if spec["name"] in names:
                problems.add(f"{where}.name", f"field {spec['name']!r} appears twice")
            names.add(spec["name"])
            _check_field(where, spec, tables[table["name"]], tables, registry, problems)
        primary = table.get("primary_field")
        if primary is not None:
            spec = tables[table["name"]].fields.get(str(primary))
            if spec is None:
                problems.add(f"{at}.primary_field", f"unknown field {primary!r}")
            elif spec.get("type") in registry and not registry.get(spec["type"]).can_be_primary:
                problems.add(f"{at}.primary_field", f"a {spec['type']} field cannot be primary")
        _check_views(at, table.get("views"), tables[table["name"]], tables, problems)


def _check_field(
    where: str,
    spec: dict[str, Any],
    table: TableInfo,
    tables: dict[str, TableInfo],
    registry: Registry[FieldType],
    problems: Problems,
) -> None:
    for key in sorted(set(spec) - FIELD_KEYS):
        problems.add(f"{where}.{key}", "unknown field entry")
    kind = spec.get("type")
    if not isinstance(kind, str) or kind not in registry:
        problems.add(f"{where}.type", f"unknown field type {kind!r}")
        return
    if "options" in spec and not isinstance(spec["options"], dict):
        problems.add(f"{where}.options", "must be an object")
        return
    options = options_of(spec)
    at = f"{where}.options"
    if kind == "link":
        _check_link(at, spec, table, tables, problems)
    elif kind in ("lookup", "rollup", "count"):
        link = table.fields.get(str(options.get("link_field")))
        if link is None or link.get("type") != "link":
            problems.add(
                f"{at}.link_field",
                f"unknown link field {options.get('link_field')!r} in table {table.name!r}",
            )
            return
        target = tables.get(str(options_of(link).get("table")))
        if target is None:
            return  # reported on the link itself
        if kind != "count" and str(options.get("target_field")) not in target.fields:
            problems.add(
                f"{at}.target_field",
                f"unknown field {options.get('target_field')!r} in table {target.name!r}",
            )
        check_filter_fields(f"{at}.filter", options.get("filter"), target, problems)
    elif kind == "formula":
        text = options.get("formula")
        if not isinstance(text, str) or not text.strip():
            problems.add(f"{at}.formula", "a formula field needs a formula")
            return
        order = list(table.fields)
        try:
            parse_formula(
                text,
                lambda ref: f"f_{order.index(ref) + 1}" if ref in table.fields else None,
            )
        except FormulaError as exc:
            problems.add(f"{at}.formula", exc.message)
    elif kind == "button":
        if set(options) - {"label", "rule"}:
            problems.add(at, "a button takes {label, rule?} (rule: a rule name of the bundle)")
    else:
        try:
            registry.get(kind).normalize_options(options, OptionsContext(set(), 0, None, {}))
        except ValidationFailed as exc:
            problems.add(at, exc.message)


def _check_link(
    at: str,
    spec: dict[str, Any],
    table: TableInfo,
    tables: dict[str, TableInfo],
    problems: Problems,
) -> None:
    options = options_of(spec)
    unknown = set(options) - {"table", "multiple", "reverse_of"}
    if unknown:
        problems.add(at, f"a link takes {{table, multiple?, reverse_of?}}; not {sorted(unknown)}")
    target = tables.get(str(options.get("table")))
    if target is None:
        problems.add(f"{at}.table", f"unknown table {options.get('table')!r}")
        return
    if "multiple" in options and not isinstance(options["multiple"], bool):
        problems.add(f"{at}.multiple", "must be true or false")
    if "reverse_of" in options:
        owner = target.fields.get(str(options["reverse_of"]))
        if (
            owner is None
            or owner.get("type") != "link"
            or is_reverse_link(owner)
            or options_of(owner).get("table") != table.name
        ):
            problems.add(
                f"{at}.reverse_of",
                f"must name a link field of table {target.name!r} that links to "
                f"{table.name!r}; {options['reverse_of']!r} does not",
            )
        elif options.get("multiple", True) is not True:
            problems.add(f"{at}.multiple", "the reverse side of a link is always multiple")


def check_filter_fields(where: str, node: Any, table: TableInfo, problems: Problems) -> None:
    """Every ``field`` in a view-style filter names a field of ``table``."""
    if node in (None, {}):
        return
    if not isinstance(node, dict):
        problems.add(where, "must be a filter object like a view filter")
        return
    if "field" in node and str(node["field"]) not in table.fields:
        problems.add(f"{where}.field", f"unknown field {node['field']!r} in table {table.name!r}")
    for key in ("and", "or"):
        for i, child in enumerate(node.get(key) or []):
            check_filter_fields(f"{where}.{key}[{i}]", child, table, problems)
    if isinstance(node.get("not"), dict):
        check_filter_fields(f"{where}.not", node["not"], table, problems)


SINGLE_FIELD_KEYS = ("stack_field", "date_field", "cover_field")
LIST_FIELD_KEYS = ("hidden_fields", "field_order")


def _check_views(
    at: str, views: Any, table: TableInfo, tables: dict[str, TableInfo], problems: Problems
) -> None:
    if views is None:
        return
    if not isinstance(views, list):
        problems.add(f"{at}.views", "must be a list")
        return
    names: set[str] = set()
    for k, view in enumerate(views):
        where = f"{at}.views[{k}]"
        if not isinstance(view, dict) or not isinstance(view.get("name"), str):
            problems.add(where, "must be {name, type, config?}")
            continue
        if view["name"] in names:
            problems.add(f"{where}.name", f"view {view['name']!r} appears twice")
        names.add(view["name"])
        if view.get("type") not in VIEW_TYPES:
            problems.add(f"{where}.type", f"must be one of {', '.join(VIEW_TYPES)}")
        config = view.get("config", {})
        if not isinstance(config, dict):
            problems.add(f"{where}.config", "must be an object")
            continue
        _check_view_config(f"{where}.config", config, table, tables, problems)


def _check_view_config(
    where: str,
    config: dict[str, Any],
    table: TableInfo,
    tables: dict[str, TableInfo],
    problems: Problems,
) -> None:
    def known(path: str, ref: Any) -> None:
        if str(ref) not in table.fields:
            problems.add(path, f"unknown field {ref!r} in table {table.name!r}")

    check_filter_fields(f"{where}.filter", config.get("filter"), table, problems)
    for key in ("sort", "group_by"):
        for i, item in enumerate(config.get(key) or []):
            known(
                f"{where}.{key}[{i}].field", item.get("field") if isinstance(item, dict) else item
            )
    for key in LIST_FIELD_KEYS:
        for i, ref in enumerate(config.get(key) or []):
            known(f"{where}.{key}[{i}]", ref)
    for ref in config.get("field_widths") or {}:
        known(f"{where}.field_widths.{ref}", ref)
    for i, rule in enumerate(config.get("row_colors") or []):
        if isinstance(rule, dict):
            check_filter_fields(
                f"{where}.row_colors[{i}].filter", rule.get("filter"), table, problems
            )
    for key in SINGLE_FIELD_KEYS:
        if config.get(key) is not None:
            known(f"{where}.{key}", config[key])
    form = config.get("form")
    if isinstance(form, dict):
        _check_form_items(f"{where}.form.fields", form.get("fields"), table, tables, problems)


def _check_form_items(
    where: str, items: Any, table: TableInfo, tables: dict[str, TableInfo], problems: Problems
) -> None:
    """Form fields name fields of the table; a link's picker filter and sub-form fields
    name fields of the linked table."""
    for i, item in enumerate(items or []):
        at = f"{where}[{i}]"
        ref = item.get("field_id") if isinstance(item, dict) else item
        spec = table.fields.get(str(ref))
        if spec is None:
            problems.add(f"{at}.field_id", f"unknown field {ref!r} in table {table.name!r}")
            continue
        if not isinstance(item, dict) or not ({"filter", "subform"} & set(item)):
            continue
        linked = tables.get(str((spec.get("options") or {}).get("table")))
        if spec.get("type") != "link" or linked is None:
            problems.add(at, "filter and subform are only for link fields")
            continue
        check_filter_fields(f"{at}.filter", item.get("filter"), linked, problems)
        subform = item.get("subform")
        if isinstance(subform, dict):
            _check_form_items(
                f"{at}.subform.fields", subform.get("fields"), linked, tables, problems
            )
