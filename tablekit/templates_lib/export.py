"""Export a base as a bundle: what a user built becomes a template anyone can install.

Everything is written by name, defaults are left out, and options the field types derive
when saving (a formula's inferred result type, a lookup's target type, link internals) are
dropped, so that export → install → export gives the same bundle. Rows keep their order
and get positional keys (``"1"``, ``"2"``...); links are written on their owning side.
Not exported: attachments and collaborator cells (files and users belong to an
installation), computed and system-filled cells (they are recalculated or renumbered).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tablekit.services.actor import Actor
from tablekit.templates_lib import rulemap
from tablekit.templates_lib.bundle import FORMAT_VERSION, Bundle, slug
from tablekit.templates_lib.checks_data import KEY
from tablekit.templates_lib.validate import LIST_FIELD_KEYS, SINGLE_FIELD_KEYS

if TYPE_CHECKING:
    from tablekit.services.container import Services

COMPUTED = frozenset({"formula", "lookup", "rollup", "count"})
NOT_EXPORTED_CELLS = frozenset({"attachment", "collaborator", "button"})
#: Option keys that field types add when saving; a bundle leaves them out.
DERIVED_OPTIONS = {
    "formula": {"result_type", "declared_type", "result_type_declared"},
    "lookup": {"target_type"},
    "rollup": {"result_type"},
    "count": {"result_type", "precision"},
}
PAGE = 1000


class Exporter:
    def __init__(self, services: Services, actor: Actor) -> None:
        self.services = services
        self.actor = actor

    def export(self, base_id: int) -> Bundle:
        """The base as a bundle. Needs schema rights on the base (it includes rules)."""
        schema = self.services.schema.base_schema(self.actor, base_id)
        base = self.services.workspaces.get_base(self.actor, base_id)
        tables = schema["tables"]
        self.field_names = {f["id"]: f["name"] for t in tables for f in t["fields"]}
        self.fields_by_id = {f["id"]: f for t in tables for f in t["fields"]}
        self.table_names = {t["id"]: t["name"] for t in tables}
        documents = self._documents(base_id)
        rules = self.services.automations.list_rules(self.actor, base_id)
        names = rulemap.Names(
            fields=self.field_names,
            tables=self.table_names,
            documents={d["id"]: d["name"] for d in documents},
            views={v["id"]: v["name"] for t in tables for v in t["views"]},
            installer_email=self.actor.email or "",
        )
        rule_names = {r["id"]: r["name"] for r in rules}
        settings = dict(base.get("settings") or {})
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "name": slug(base["name"]),
            "title": base["name"],
            "description": str(settings.pop("description", "")),
            "version": "1.0.0",
            "base": {"timezone": base["timezone"], "settings": settings},
        }
        return Bundle(
            manifest=manifest,
            tables=[self._table(t, rule_names) for t in tables],
            rules=[rulemap.to_bundle(r, names) for r in rules],
            documents=[
                {
                    "name": d["name"],
                    "table": self.table_names.get(d["table_id"], d["table_id"]),
                    "template": d["template"],
                    **({"css": d["css"]} if d.get("css") else {}),
                }
                for d in documents
            ],
            data=self._data(tables),
        )

    def _documents(self, base_id: int) -> list[dict[str, Any]]:
        return self.services.documents.list(self.actor, base_id)

    # --- schema --------------------------------------------------------------------------
    def _table(self, table: dict[str, Any], rule_names: dict[int, str]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": table["name"]}
        fields = table["fields"]
        if fields and table["primary_field_id"] != fields[0]["id"]:
            out["primary_field"] = self.field_names[table["primary_field_id"]]
        out["fields"] = [self._field(f, rule_names) for f in fields]
        out["views"] = [self._view(v) for v in table["views"]]
        return out

    def _field(self, meta: dict[str, Any], rule_names: dict[int, str]) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": meta["name"], "type": meta["type"]}
        options = self._options(meta, rule_names)
        if options:
            spec["options"] = options
        for key in ("unique", "required"):
            if meta.get(key):
                spec[key] = True
        if meta.get("description"):
            spec["description"] = meta["description"]
        return spec

    def _name(self, ref: Any) -> Any:
        if isinstance(ref, str) and ref.startswith("f_") and ref[2:].isdigit():
            ref = int(ref[2:])
        return self.field_names.get(ref, ref) if isinstance(ref, int) else ref

    def _options(self, meta: dict[str, Any], rule_names: dict[int, str]) -> dict[str, Any]:
        kind = meta["type"]
        options = {
            k: v
            for k, v in (meta.get("options") or {}).items()
            if v is not None and k not in DERIVED_OPTIONS.get(kind, set())
        }
        if kind == "formula":
            # A declared result type is the author's choice and is kept; an inferred one
            # is derived again on install.
            raw = meta["options"]
            declared = raw.get("declared_type") or (
                raw.get("result_type") if raw.get("result_type_declared") else None
            )
            if declared:
                options["result_type"] = declared
        if kind == "link":
            reverse = self.fields_by_id.get(options.get("reverse_field_id"))
            target = self.table_names[options["table_id"]]
            if options.get("side") == "b" and reverse is not None:
                return {"table": target, "reverse_of": reverse["name"]}
            return {"table": target, "multiple": bool(options.get("multiple", True))}
        if kind in ("lookup", "rollup", "count"):
            for key in ("link_field", "target_field"):
                if key in options:
                    options[key] = self._name(options[key])
            if "filter" in options:
                options["filter"] = self._filter(options["filter"])
        if kind in ("single_select", "multiple_select"):
            options["choices"] = [
                {"name": c["name"], "color": c["color"]} for c in options.get("choices", [])
            ]
        if kind == "button":
            rule = options.pop("rule_id", None)
            if rule in rule_names:
                options["rule"] = rule_names[rule]
        return options

    def _filter(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._filter(n) for n in node]
        if not isinstance(node, dict):
            return node
        return {k: (self._name(v) if k == "field" else self._filter(v)) for k, v in node.items()}

    def _view(self, view: dict[str, Any]) -> dict[str, Any]:
        config = dict(view.get("config") or {})
        if "filter" in config:
            config["filter"] = self._filter(config["filter"])
        for key in ("sort", "group_by"):
            if isinstance(config.get(key), list):
                config[key] = [{**s, "field": self._name(s["field"])} for s in config[key]]
        for key in LIST_FIELD_KEYS:
            if isinstance(config.get(key), list):
                config[key] = [self._name(ref) for ref in config[key]]
        if isinstance(config.get("field_widths"), dict):
            config["field_widths"] = {
                str(self._name(int(k) if str(k).isdigit() else k)): v
                for k, v in config["field_widths"].items()
            }
        if isinstance(config.get("row_colors"), list):
            config["row_colors"] = [
                {**r, "filter": self._filter(r.get("filter"))} for r in config["row_colors"]
            ]
        for key in SINGLE_FIELD_KEYS:
            if config.get(key) is not None:
                config[key] = self._name(config[key])
        if isinstance(config.get("form"), dict):
            form = dict(config["form"])
            form["fields"] = [self._form_item(item) for item in form.get("fields") or []]
            config["form"] = form
        out: dict[str, Any] = {"name": view["name"], "type": view["type"]}
        if config:
            out["config"] = config
        return out

    def _form_item(self, item: dict[str, Any]) -> dict[str, Any]:
        out = {**item, "field_id": self._name(item["field_id"])}
        if "filter" in item:
            out["filter"] = self._filter(item["filter"])
        if isinstance(item.get("subform"), dict):
            subform = item["subform"]
            fields = [self._form_item(line) for line in subform.get("fields") or []]
            out["subform"] = {**subform, "fields": fields}
        return out

    # --- rows ----------------------------------------------------------------------------
    def _exported(self, meta: dict[str, Any]) -> bool:
        """Cells a bundle carries: written values, links on their owning side only."""
        if meta["type"] == "link":
            return bool(meta["options"].get("side") != "b")
        kind = meta["type"]
        return not (kind in COMPUTED or kind in NOT_EXPORTED_CELLS or meta["read_only"])

    def _data(self, tables: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        rows_by_table: dict[int, list[dict[str, Any]]] = {}
        keys: dict[int, str] = {}
        for table in tables:
            rows = self._all_rows(table["id"])
            rows_by_table[table["id"]] = rows
            for n, row in enumerate(rows, start=1):
                keys[row["id"]] = str(n)
        data: dict[str, list[dict[str, Any]]] = {}
        for table in tables:
            fields = [f for f in table["fields"] if self._exported(f)]
            out = []
            for row in rows_by_table[table["id"]]:
                cells: dict[str, Any] = {KEY: keys[row["id"]]}
                for meta in fields:
                    value = row["fields"].get(f"f_{meta['id']}")
                    if meta["type"] == "link":
                        value = [keys[int(v["id"])] for v in value or [] if int(v["id"]) in keys]
                        if not meta["options"].get("multiple", True) and len(value) == 1:
                            value = value[0]
                    if value in (None, "", [], False):
                        continue
                    cells[meta["name"]] = value
                out.append(cells)
            if out:
                data[table["name"]] = out
        return data

    def _all_rows(self, table_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.services.rows.query(
                self.actor, table_id, keys="id", limit=PAGE, cursor=cursor
            )
            rows.extend(page["rows"])
            cursor = page["next_cursor"]
            if not cursor:
                return rows
