"""The dependency graph of a base's computed fields, built from their stored options.

Edges point from a computed field to the fields it reads: same-table references of a
formula, and for lookups, rollups and counts the link field (same table) plus the target
and filter fields (the linked table). Cycles are refused at save; recalculation walks the
graph iteratively, never recursively (as Grist's ``depend.py`` does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tablekit.errors import ValidationFailed
from tablekit.fields.base import FieldDef
from tablekit.fields.computed import dependencies

COMPUTED = frozenset({"formula", "lookup", "rollup", "count"})


@dataclass
class Graph:
    fields: Mapping[int, FieldDef]
    deps: dict[int, set[int]] = field(default_factory=dict)
    # field id -> computed fields of the SAME table that read it
    local: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # field id -> computed fields of OTHER tables that read it through a link
    remote: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def empty(self) -> bool:
        return not self.deps

    def dependents(self, field_id: int) -> list[int]:
        """Computed fields of any table that read ``field_id``, directly or through others."""
        found: list[int] = []
        stack = [field_id]
        while stack:
            current = stack.pop()
            for dependent in (*self.local.get(current, ()), *self.remote.get(current, ())):
                if dependent not in found and dependent != field_id:
                    found.append(dependent)
                    stack.append(dependent)
        return found

    def computed_in(self, table_id: int) -> list[int]:
        return [fid for fid in self.deps if self.fields[fid].table_id == table_id]

    def affected_in_table(self, table_id: int, changed: set[int] | None) -> list[int]:
        """Computed fields of ``table_id`` to refresh when ``changed`` fields changed (None:
        every field, e.g. new rows), in an order where inputs come first."""
        mine = set(self.computed_in(table_id))
        if changed is None:
            wanted = mine
        else:
            wanted, stack = set(), list(changed)
            while stack:
                fid = stack.pop()
                for dependent in self.local.get(fid, ()):
                    if dependent not in wanted:
                        wanted.add(dependent)
                        stack.append(dependent)
        return self.order(wanted)

    def order(self, wanted: Iterable[int]) -> list[int]:
        """Topological order (inputs first) of ``wanted`` within one table."""
        wanted = set(wanted)
        done: list[int] = []
        seen: set[int] = set()
        for start in sorted(wanted):
            if start in seen:
                continue
            stack: list[tuple[int, bool]] = [(start, False)]
            while stack:
                fid, expanded = stack.pop()
                if expanded:
                    done.append(fid)
                    continue
                if fid in seen:
                    continue
                seen.add(fid)
                stack.append((fid, True))
                for dep in self.deps.get(fid, ()):
                    if dep in wanted and dep not in seen:
                        stack.append((dep, False))
        return done


def build_graph(fields: Mapping[int, FieldDef]) -> Graph:
    graph = Graph(fields)
    for fdef in fields.values():
        if fdef.type not in COMPUTED:
            continue
        deps = {d for d in dependencies(fdef, fields)}
        graph.deps[fdef.id] = deps
        for dep in deps:
            target = fields.get(dep)
            if target is None:
                continue
            if target.table_id == fdef.table_id:
                graph.local[dep].add(fdef.id)
            else:
                graph.remote[dep].add(fdef.id)
    return graph


def check_acyclic(fields: Mapping[int, FieldDef], start: int) -> None:
    """Refuse a dependency cycle through ``start``, naming it: "Total → Line total → Total"."""
    graph = build_graph(fields)
    path: list[int] = []
    on_path: set[int] = set()
    stack: list[tuple[int, int]] = [(start, 0)]
    while stack:
        fid, depth = stack.pop()
        del path[depth:]
        on_path = set(path)
        if fid in on_path or (fid == start and depth > 0):
            names = [fields[f].name for f in [*path, fid] if f in fields]
            raise ValidationFailed(
                "This would make a circular reference: " + " → ".join(names),
                code="CIRCULAR_REFERENCE",
                details={"path": names},
            )
        path.append(fid)
        for dep in sorted(graph.deps.get(fid, ())):
            if dep in graph.deps or dep == start:
                stack.append((dep, depth + 1))
