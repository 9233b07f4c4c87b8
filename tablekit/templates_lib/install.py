"""Install a bundle into a new base, through the ordinary services (so every permission
check, option normalization and recalculation a user's change gets applies here too).

Order, and why:

1. the base, then each table with its plain fields (a link needs its target table, a
   computed field the fields it reads);
2. links, renaming each reverse side to the bundle's name;
3. computed fields in dependency order (a rollup of a formula after that formula);
4. field order and primary fields as the bundle lists them;
5. views, then documents;
6. sample rows, table by table in link order (``rowdata``);
7. rules, after the rows: the dispatcher ignores changes older than a rule, so installing
   the samples never runs the bundle's automations on them; then button fields get their
   rule.

A failure anywhere deletes the half-built base and reports the bundle path that caused it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tablekit.db.models import FieldMeta
from tablekit.errors import Conflict, ValidationFailed
from tablekit.formulas.model import tokens_of
from tablekit.formulas.tokens import Kind
from tablekit.services import fieldops
from tablekit.services.actor import Actor
from tablekit.templates_lib import rulemap
from tablekit.templates_lib.bundle import Bundle
from tablekit.templates_lib.errors import at
from tablekit.templates_lib.rowdata import insert_rows
from tablekit.templates_lib.validate import COMPUTED, options_of

if TYPE_CHECKING:
    from tablekit.services.container import Services


@dataclass
class Built:
    """Ids of what the install created, by bundle name."""

    tables: dict[str, int] = field(default_factory=dict)
    fields: dict[str, dict[str, int]] = field(default_factory=dict)
    default_views: dict[str, int] = field(default_factory=dict)
    views: dict[str, int] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    rules: dict[str, int] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)


class Installer:
    def __init__(self, services: Services, actor: Actor, bundle: Bundle) -> None:
        self.services = services
        self.actor = actor
        self.bundle = bundle
        self.built = Built()

    def install(self, workspace_id: int, name: str) -> dict[str, Any]:
        """Create the base; returns it with ``template`` and ``skipped`` (parts left out
        because this installation lacks a service they need)."""
        base_info = self.bundle.manifest.get("base") or {}
        with at("manifest.base"):
            base = self.services.workspaces.create_base(
                self.actor, workspace_id, name, str(base_info.get("timezone") or "UTC")
            )
        try:
            self._build(int(base["id"]), base_info.get("settings") or {})
        except BaseException:
            self.services.workspaces.delete_base(self.actor, int(base["id"]))
            raise
        result = self.services.workspaces.get_base(self.actor, int(base["id"]))
        result["template"] = {
            "name": self.bundle.name,
            "version": str(self.bundle.manifest.get("version", "")),
        }
        result["skipped"] = self.built.skipped
        return result

    def _build(self, base_id: int, settings: dict[str, Any]) -> None:
        if settings:
            with at("manifest.base.settings"):
                self.services.workspaces.update_base(self.actor, base_id, {"settings": settings})
        self._tables(base_id)
        self._links()
        self._computed()
        self._arrange(base_id)
        self._views()
        self._documents(base_id)
        insert_rows(self.services, self.actor, self.bundle, self.built.tables)
        self._rules(base_id)
        self._buttons()

    # --- schema --------------------------------------------------------------------------
    def _plain(self, spec: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in spec.items() if k != "options"}
        options = dict(options_of(spec))
        if spec.get("type") == "button":
            options.pop("rule", None)
        if options:
            out["options"] = options
        return out

    def _tables(self, base_id: int) -> None:
        registry = self.services.fields
        for i, table in enumerate(self.bundle.tables):
            plain = [
                (j, self._plain(s))
                for j, s in enumerate(table["fields"])
                if s["type"] not in COMPUTED and s["type"] != "link"
            ]
            # The primary field goes first: table creation makes the first field that can be
            # primary the primary one (or adds "Name" when none can; ``_arrange`` fixes it).
            wanted = table.get("primary_field") or table["fields"][0]["name"]
            plain.sort(key=lambda item: item[1]["name"] != wanted)
            candidates = [s for _, s in plain if registry.get(s["type"]).can_be_primary]
            if candidates and candidates[0] is not plain[0][1]:
                plain.sort(key=lambda item: item[1] is not candidates[0])
            try:
                created = self.services.schema.create_table(
                    self.actor, base_id, table["name"], [s for _, s in plain]
                )
            except (ValidationFailed, Conflict):
                # One transaction for the whole table is the fast path; to name the field
                # at fault, build it again field by field (each error carries its path).
                created = self._table_by_field(i, base_id, table["name"], plain)
            self.built.tables[table["name"]] = int(created["id"])
            self.built.fields[table["name"]] = {f["name"]: int(f["id"]) for f in created["fields"]}
            self.built.default_views[table["name"]] = int(created["views"][0]["id"])

    def _table_by_field(
        self, i: int, base_id: int, name: str, plain: list[tuple[int, dict[str, Any]]]
    ) -> dict[str, Any]:
        with at(f"tables[{i}]"):
            created = self.services.schema.create_table(self.actor, base_id, name, [])
        for j, spec in plain:
            with at(f"tables[{i}].fields[{j}]"):
                self.services.schema.create_field(self.actor, int(created["id"]), spec)
        return self.services.schema.get_table(self.actor, int(created["id"]))

    def _add_field(self, path: str, table: str, spec: dict[str, Any]) -> dict[str, Any]:
        with at(path):
            created = self.services.schema.create_field(self.actor, self.built.tables[table], spec)
        self.built.fields[table][spec["name"]] = int(created["id"])
        return created

    def _links(self) -> None:
        for i, table in enumerate(self.bundle.tables):
            for j, spec in enumerate(table["fields"]):
                options = options_of(spec)
                if spec["type"] != "link" or "reverse_of" in options:
                    continue
                target = str(options["table"])
                link = {
                    **{k: v for k, v in spec.items() if k != "options"},
                    "options": {
                        "table_id": self.built.tables[target],
                        "multiple": options.get("multiple", True),
                    },
                }
                created = self._add_field(f"tables[{i}].fields[{j}]", table["name"], link)
                reverse_id = int(created["options"]["reverse_field_id"])
                found = self._reverse_spec(target, table["name"], spec["name"])
                if found is not None:
                    k, reverse = found
                    path = f"tables[{self._table_pos(target)}].fields[{k}]"
                    changes = {"name": reverse["name"]}
                    if reverse.get("description"):
                        changes["description"] = reverse["description"]
                    with at(path):
                        self.services.schema.update_field(self.actor, reverse_id, changes)
                    self.built.fields[target][reverse["name"]] = reverse_id

    def _table_pos(self, name: str) -> int:
        return next(i for i, t in enumerate(self.bundle.tables) if t["name"] == name)

    def _reverse_spec(
        self, table: str, owner_table: str, owner_field: str
    ) -> tuple[int, dict[str, Any]] | None:
        for k, spec in enumerate(self.bundle.tables[self._table_pos(table)]["fields"]):
            options = options_of(spec)
            if (
                spec["type"] == "link"
                and options.get("reverse_of") == owner_field
                and options.get("table") == owner_table
            ):
                return k, spec
        return None

    def _computed(self) -> None:
        nodes: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for i, table in enumerate(self.bundle.tables):
            for j, spec in enumerate(table["fields"]):
                if spec["type"] in COMPUTED:
                    nodes[(table["name"], spec["name"])] = (f"tables[{i}].fields[{j}]", spec)
        for table_name, field_name in _dependency_order(nodes, self._depends_on):
            path, spec = nodes[(table_name, field_name)]
            self._add_field(path, table_name, spec)

    def _depends_on(self, table: str, spec: dict[str, Any]) -> list[tuple[str, str]]:
        """The (table, field) pairs a computed field reads."""
        options = options_of(spec)
        if spec["type"] == "formula":
            return [
                (table, str(t.value))
                for t in tokens_of(str(options.get("formula", "")))
                if t.kind is Kind.REF
            ]
        link = self.bundle.tables[self._table_pos(table)]["fields"]
        link_spec = next((s for s in link if s["name"] == options.get("link_field")), None)
        target = str(options_of(link_spec or {}).get("table", ""))
        found = [(target, str(options["target_field"]))] if "target_field" in options else []
        return found + [(target, ref) for ref in _filter_fields(options.get("filter"))]

    def _arrange(self, base_id: int) -> None:
        """Field order and primary fields as in the bundle; drops a "Name" field that
        table creation added only because no plain field could be primary."""
        with self.services.db.write() as session:
            self.services.access.require_base(session, self.actor, base_id, "schema")
            for table in self.bundle.tables:
                ids = self.built.fields[table["name"]]
                for position, spec in enumerate(table["fields"], start=1):
                    session.execute(
                        sa.update(FieldMeta)
                        .where(FieldMeta.id == ids[spec["name"]])
                        .values(position=position)
                    )
            fieldops.bump_base(session, base_id)
        for i, table in enumerate(self.bundle.tables):
            ids = self.built.fields[table["name"]]
            wanted = table.get("primary_field") or table["fields"][0]["name"]
            current = self.services.schema.get_table(self.actor, self.built.tables[table["name"]])
            if (
                current["primary_field_id"] != ids[wanted]
                and self.services.fields.get(
                    next(s["type"] for s in table["fields"] if s["name"] == wanted)
                ).can_be_primary
            ):
                with at(f"tables[{i}].primary_field"):
                    self.services.schema.update_table(
                        self.actor,
                        self.built.tables[table["name"]],
                        {"primary_field_id": ids[wanted]},
                    )
            names = {s["name"] for s in table["fields"]}
            for extra in [n for n in ids if n not in names]:
                if extra in {f["name"] for f in current["fields"] if f["type"] != "link"}:
                    self.services.schema.delete_field(self.actor, ids.pop(extra))

    def _views(self) -> None:
        for i, table in enumerate(self.bundle.tables):
            views = table.get("views") or []
            for k, view in enumerate(views):
                with at(f"tables[{i}].views[{k}]"):
                    created = self.services.schema.create_view(
                        self.actor,
                        self.built.tables[table["name"]],
                        view["name"],
                        view["type"],
                        view.get("config") or {},
                    )
                if view["type"] == "form":
                    self.built.views[view["name"]] = int(created["id"])
            if views:
                self.services.schema.delete_view(
                    self.actor, self.built.default_views[table["name"]]
                )

    # --- documents and rules -------------------------------------------------------------
    def _documents(self, base_id: int) -> None:
        for i, doc in enumerate(self.bundle.documents):
            with at(f"documents[{i}]"):
                created = self.services.documents.create(
                    self.actor,
                    base_id,
                    {
                        "name": doc["name"],
                        "table_id": self.built.tables[doc["table"]],
                        "template": doc["template"],
                        "css": doc.get("css", ""),
                    },
                )
            self.built.documents[doc["name"]] = int(created["id"])

    def _rules(self, base_id: int) -> None:
        for i, rule in enumerate(self.bundle.rules):
            body = rulemap.for_install(
                rule,
                documents=self.built.documents,
                views=self.built.views,
                installer_email=self.actor.email or "",
            )
            try:
                created = self.services.automations.create(self.actor, base_id, body)
            except ValidationFailed as exc:
                # An action this build does not offer yet (its rule service says so with
                # ACTION_NOT_AVAILABLE): install the rest, and say what was left out.
                if exc.code != "ACTION_NOT_AVAILABLE":
                    with at(f"rules[{i}]"):
                        raise
                self.built.skipped.append({"path": f"rules[{i}]", "reason": exc.message})
                continue
            self.built.rules[rule["name"]] = int(created["id"])

    def _buttons(self) -> None:
        for i, table in enumerate(self.bundle.tables):
            for j, spec in enumerate(table["fields"]):
                rule = options_of(spec).get("rule")
                if spec["type"] != "button" or rule is None or rule not in self.built.rules:
                    continue
                options = {**options_of(spec), "rule_id": self.built.rules[rule]}
                options.pop("rule")
                with at(f"tables[{i}].fields[{j}].options.rule"):
                    self.services.schema.update_field(
                        self.actor,
                        self.built.fields[table["name"]][spec["name"]],
                        {"options": options},
                    )


def _filter_fields(node: Any) -> list[str]:
    if not isinstance(node, dict):
        return []
    found = [str(node["field"])] if "field" in node else []
    for key in ("and", "or"):
        for child in node.get(key) or []:
            found += _filter_fields(child)
    return found


def _dependency_order(
    nodes: dict[tuple[str, str], tuple[str, dict[str, Any]]],
    depends_on: Any,
) -> list[tuple[str, str]]:
    """Computed fields so that each comes after the computed fields it reads (iterative
    depth-first search); a cycle is refused with its path."""
    order: list[tuple[str, str]] = []
    state: dict[tuple[str, str], int] = {}  # 1: in progress, 2: done
    for start in nodes:
        if state.get(start) == 2:
            continue
        stack: list[tuple[tuple[str, str], Iterator[tuple[str, str]]]] = []
        state[start] = 1
        stack.append((start, iter(depends_on(start[0], nodes[start][1]))))
        while stack:
            node, deps = stack[-1]
            for dep in deps:
                if dep not in nodes or state.get(dep) == 2:
                    continue
                if state.get(dep) == 1:
                    path = [n for n, _ in stack]
                    cycle = [*path[path.index(dep) :], dep]
                    shown = " → ".join(f"{t}.{f}" for t, f in cycle)
                    raise ValidationFailed(
                        f"{nodes[dep][0]}: circular reference: {shown}",
                        code="INVALID_BUNDLE",
                        details={"errors": [{"path": nodes[dep][0], "message": shown}]},
                    )
                state[dep] = 1
                stack.append((dep, iter(depends_on(dep[0], nodes[dep][1]))))
                break
            else:
                stack.pop()
                state[node] = 2
                order.append(node)
    return order
