"""Recalculation of stored computed fields after writes, in the same transaction.

A write records which rows and fields it touched (``Op.changes``). Starting there, each
table's affected computed fields are refreshed in dependency order, and changes flow
through links to the tables whose lookups, rollups and counts read them, until nothing
changes. Tables of a base without computed fields cost no query at all: the graph is
cached per (base, table, schema version), and every change to a computed or link field
bumps the versions of all tables in its base.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from tablekit.db.models import FieldMeta, TableMeta
from tablekit.fields.base import CellError, FieldDef, FieldType
from tablekit.fields.computed import ComputedField, error_cell
from tablekit.formulas import ErrorValue, parse_formula, resolve_id
from tablekit.formulas.errors import FormulaError
from tablekit.formulas.graph import Graph, build_graph
from tablekit.registry import Registry
from tablekit.services.events import ROW_UPDATED, Event, emit
from tablekit.services.rowwrite import Op
from tablekit.storage import physical
from tablekit.storage.query import Compiler
from tablekit.storage.schema import TableSchema, field_def

CHUNK = 500
PARALLEL_MIN = 1000
RAW_NUMBERS = frozenset({"number", "percent", "rating", "duration"})
BULK_CHUNK = 5000
MAX_ROUNDS = 50
POOL_THRESHOLD = 2000


def _plain(value: Any, fdef: FieldDef) -> Any:
    """An API value as the formula language's plain value."""
    if value is None:
        return None
    kind = (
        fdef.options.get("result_type", fdef.type)
        if fdef.type in ("formula", "rollup")
        else fdef.type
    )
    if isinstance(value, dict):
        if "error" in value:
            return ErrorValue(str(value["error"]), str(value.get("message", "")))
        return value.get("name") or value.get("email") or value.get("id")
    if isinstance(value, list):
        target_kind = fdef.options.get("target_type")
        return tuple(_plain_item(v, target_kind) for v in value)
    if kind == "currency" and isinstance(value, str):
        return Decimal(value)
    if kind in ("date",) and isinstance(value, str):
        return date.fromisoformat(value)
    if kind in ("datetime", "created_time", "modified_time") and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _plain_item(value: Any, kind: Any) -> Any:
    if isinstance(value, dict):
        return value.get("name") or value.get("email") or value.get("id")
    if kind == "currency" and isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(_text(v) for v in value)
    return "" if value is None else str(value)


class Recalculator:
    """The after-write hook of the row service that keeps computed fields current."""

    def __init__(
        self, registry: Registry[FieldType], pool: Callable[[], Any] | None = None
    ) -> None:
        self.registry = registry
        self._pool = pool
        self._graphs: dict[tuple[Any, ...], Graph] = {}
        self._lock = threading.Lock()

    # --- graph -------------------------------------------------------------------------
    def graph(self, op: Op) -> Graph:
        # The base's creation time is part of the key: SQLite may give a new base or table
        # the id of a deleted one, and its graph must not be taken for the old one's.
        key = (op.base.id, op.base.created_at, op.schema.id, op.schema.version)
        graph = self._graphs.get(key)
        if graph is None:
            metas = op.session.scalars(
                select(FieldMeta)
                .join(TableMeta, TableMeta.id == FieldMeta.table_id)
                .where(TableMeta.base_id == op.base.id)
            ).all()
            graph = build_graph({m.id: field_def(m) for m in metas})
            with self._lock:
                if len(self._graphs) > 10_000:
                    self._graphs.clear()
                self._graphs[key] = graph
        return graph

    # --- entry points --------------------------------------------------------------------
    def __call__(self, op: Op) -> None:
        """Refresh what ``op.changes`` affects, then what that affects, and so on."""
        work = op.changes.drain()
        if not work:
            return
        graph = self.graph(op)
        if graph.empty:
            return
        self._run(op, graph, deque(work), force=set(), emit_events=True)

    def recompute_field(self, op: Op, field_id: int) -> None:
        """Recompute one computed field for every row (after it is created or changed),
        and whatever depends on it; no row events are emitted for this."""
        graph = self.graph(op)
        fdef = graph.fields[field_id]
        table = physical.physical_table(op.load_schema(fdef.table_id), self.registry)
        ids = list(op.session.scalars(select(table.c.id).order_by(table.c.id)))
        if ids:
            self._run(
                op,
                graph,
                deque([(fdef.table_id, set(ids), {field_id})]),
                force={field_id},
                emit_events=False,
            )

    # --- the loop ------------------------------------------------------------------------
    def _run(
        self,
        op: Op,
        graph: Graph,
        work: deque[tuple[int, set[int], set[int] | None]],
        *,
        force: set[int],
        emit_events: bool,
    ) -> None:
        rounds = 0
        while work:
            rounds += 1
            if rounds > MAX_ROUNDS * 10:
                break  # a cycle slipped past validation; stop rather than spin
            table_id, rows, fields = work.popleft()
            affected = graph.affected_in_table(table_id, fields)
            for fid in sorted(force):
                if graph.fields[fid].table_id == table_id and fid not in affected:
                    affected = graph.order([*affected, fid])
            force = set()
            changed_fields: set[int] = set() if fields is None else set(fields)
            changed_rows: set[int] = set(rows)
            if affected:
                refreshed = self._refresh(
                    op, table_id, sorted(rows), affected, emit_events, bulk=not emit_events
                )
                changed_fields |= refreshed
            if fields is None:
                changed_fields |= {f.id for f in op.load_schema(table_id).fields}
            self._propagate(op, graph, table_id, changed_rows, changed_fields, work)

    def _propagate(
        self,
        op: Op,
        graph: Graph,
        table_id: int,
        rows: set[int],
        fields: set[int],
        work: deque[tuple[int, set[int], set[int] | None]],
    ) -> None:
        """Queue the rows of other tables whose lookups, rollups or counts read ``fields``."""
        by_link: dict[int, set[int]] = {}
        for fid in fields:
            for dependent in graph.remote.get(fid, ()):
                link_id = int(graph.fields[dependent].options["link_field"])
                by_link.setdefault(link_id, set()).add(dependent)
        for link_id in by_link:
            link = graph.fields.get(link_id)
            if link is None:
                continue
            _, mine, theirs = physical.link_sides(link)
            linked: set[int] = set()
            ordered = sorted(rows)
            for start in range(0, len(ordered), 900):
                chunk = ordered[start : start + 900]
                linked.update(op.session.scalars(select(mine).where(theirs.in_(chunk))))
            if linked:
                work.append((link.table_id, linked, {link_id}))

    # --- refreshing rows -------------------------------------------------------------------
    def _refresh(
        self,
        op: Op,
        table_id: int,
        rows: Sequence[int],
        affected: Sequence[int],
        emit_events: bool,
        *,
        bulk: bool = False,
    ) -> set[int]:
        schema = op.load_schema(table_id)
        table = physical.physical_table(schema, self.registry)
        changed_fields: set[int] = set()
        size = BULK_CHUNK if bulk else CHUNK
        for start in range(0, len(rows), size):
            chunk = list(rows[start : start + size])
            query = select(*self._columns(schema, table, affected)).where(table.c.id.in_(chunk))
            current = {r.id: dict(r._mapping) for r in op.session.execute(query)}
            events: dict[int, dict[str, list[Any]]] = {}
            for fid in affected:
                fdef = schema.by_id(fid)
                if fdef is None:
                    continue
                ftype = self.registry.get(fdef.type)
                assert isinstance(ftype, ComputedField)
                results = self._compute(op, schema, table, fdef, ftype, current, bulk)
                updates = []
                error_key = physical.error_column(fid)
                for row_id, (value, error) in results.items():
                    row = current.get(row_id)
                    if row is None:
                        continue
                    old_value, old_error = row[fdef.column], row[error_key]
                    if old_value == value and old_error == error:
                        continue
                    if emit_events:
                        # Stored forms can differ while meaning the same (float vs Decimal).
                        old_api = error_cell(old_error) or ftype.from_db(old_value, fdef, op.ctx)
                        new_api = error_cell(error) or ftype.from_db(value, fdef, op.ctx)
                        if old_api == new_api:
                            continue
                        events.setdefault(row_id, {})[fdef.key] = [old_api, new_api]
                    row[fdef.column], row[error_key] = value, error
                    updates.append({"_id": row_id, "_v": value, "_e": error})
                if updates:
                    changed_fields.add(fid)
                    op.session.execute(
                        sa.update(table)
                        .where(table.c.id == sa.bindparam("_id"))
                        .values(
                            {
                                fdef.column: sa.bindparam("_v"),
                                physical.error_column(fid): sa.bindparam("_e"),
                            }
                        ),
                        updates,
                        execution_options={"synchronize_session": False},
                    )
            if emit_events and events:
                emit(
                    op.session,
                    [
                        Event(
                            ROW_UPDATED,
                            op.base.id,
                            table_id,
                            row_id,
                            op.actor_id,
                            {"changes": changes, "computed": True},
                            op.depth,
                        )
                        for row_id, changes in events.items()
                    ],
                )
        return changed_fields

    def _columns(self, schema: TableSchema, table: sa.Table, affected: Sequence[int]) -> list[Any]:
        """Only the columns the affected fields read and write (not whole rows)."""
        wanted: set[str] = {"id"}
        for fid in affected:
            fdef = schema.by_id(fid)
            if fdef is None:
                continue
            wanted |= {fdef.column, physical.error_column(fid)}
            if fdef.type != "formula":
                continue
            try:
                parsed = parse_formula(str(fdef.options.get("formula", "")), resolve_id)
            except FormulaError:
                continue
            for key in parsed.field_ids:
                ref = schema.by_id(int(key[2:]))
                if ref is None:
                    continue
                ftype = self.registry.get(ref.type)
                if ftype.storage == "column":
                    wanted.add(ref.column)
                    if ftype.error_column:
                        wanted.add(physical.error_column(ref.id))
                elif ftype.storage == "system":
                    wanted.add(ftype.system_column(ref))
        return [c for c in table.columns if c.name in wanted]

    def _compute(
        self,
        op: Op,
        schema: TableSchema,
        table: sa.Table,
        fdef: FieldDef,
        ftype: ComputedField,
        current: dict[int, dict[str, Any]],
        bulk: bool,
    ) -> dict[int, tuple[Any, str | None]]:
        if fdef.type == "formula":
            return self._formula(op, schema, fdef, ftype, current, bulk)
        link = schema.by_id(int(fdef.options.get("link_field") or 0))
        if link is None or link.type != "link":
            return {r: (None, _error("#REF!", "the link field was deleted")) for r in current}
        target_schema = op.load_schema(int(link.options["table_id"]))
        values = self._linked_values(op, link, target_schema, fdef, list(current))
        out: dict[int, tuple[Any, str | None]] = {}
        for row_id in current:
            items = values.get(row_id, [])
            if isinstance(items, ErrorValue):
                out[row_id] = (None, _error(items.code, items.message))
                continue
            try:
                out[row_id] = (self._aggregate(op, fdef, ftype, items), None)
            except CellError as exc:
                out[row_id] = (None, _error("#VALUE!", exc.message))
        return out

    def _formula(
        self,
        op: Op,
        schema: TableSchema,
        fdef: FieldDef,
        ftype: ComputedField,
        current: dict[int, dict[str, Any]],
        bulk: bool,
    ) -> dict[int, tuple[Any, str | None]]:
        """Evaluate a formula for a chunk of rows: in this process for the few rows of an
        edit, in the sandbox pool (timeouts, memory limits) for bulk recalculation."""
        from tablekit.sandbox import evaluate

        try:
            parsed = parse_formula(str(fdef.options.get("formula", "")), resolve_id)
        except FormulaError as exc:
            return {r: (None, _error("#ERROR!", exc.message)) for r in current}
        readers = []
        for key in sorted(parsed.field_ids):
            ref = schema.by_id(int(key[2:]))
            if ref is not None:  # a deleted field stays missing: the evaluator gives #REF!
                readers.append((key, self._reader(op, ref, list(current))))
        inputs = [{key: read(row) for key, read in readers} for row in current.values()]
        results: list[Any]
        errors_in = [
            next((v for v in vals.values() if isinstance(v, ErrorValue)), None) for vals in inputs
        ]
        if self._pool is not None and (bulk or len(inputs) >= POOL_THRESHOLD):
            results = self._in_pool(parsed.source, inputs)
        else:
            results = [
                evaluate(parsed, vals) if err is None else err
                for vals, err in zip(inputs, errors_in, strict=True)
            ]
        out: dict[int, tuple[Any, str | None]] = {}
        for row_id, result, err in zip(current, results, errors_in, strict=True):
            result = err or result
            if isinstance(result, ErrorValue):
                out[row_id] = (None, _error(result.code, result.message))
                continue
            kind = ftype.result_type(fdef)
            if kind == "text" and not isinstance(result, str):
                result = _text(result) if result is not None else None
            elif (
                kind in ("number", "currency")
                and isinstance(result, int | float | Decimal)
                and not isinstance(result, bool)
                and abs(result) < 1e15  # type: ignore[operator]
            ):
                # The common numeric case without the general parser of to_db.
                places = int(fdef.options.get("precision", 2 if kind == "currency" else 4))
                if kind == "number":
                    out[row_id] = (round(float(result), places), None)
                else:
                    number = result if isinstance(result, Decimal) else Decimal(str(result))
                    out[row_id] = (number.quantize(Decimal(1).scaleb(-places)), None)
                continue
            try:
                out[row_id] = (ftype.to_db(result, fdef, op.ctx), None)
            except CellError as exc:
                out[row_id] = (None, _error("#VALUE!", exc.message))
        return out

    def _in_pool(self, source: str, inputs: list[dict[str, Any]]) -> list[Any]:
        """Evaluate in the sandbox pool, split over its workers so they run in parallel."""
        assert self._pool is not None
        pool = self._pool()
        if len(inputs) < 2 * PARALLEL_MIN:
            return list(pool.evaluate_many(source, inputs))
        half = len(inputs) // 2
        with ThreadPoolExecutor(max_workers=2) as threads:
            first = threads.submit(pool.evaluate_many, source, inputs[:half])
            second = threads.submit(pool.evaluate_many, source, inputs[half:])
            return [*first.result(), *second.result()]

    def _reader(self, op: Op, fdef: FieldDef, rows: list[int]) -> Callable[[dict[str, Any]], Any]:
        """A function giving the formula input of ``fdef`` for a stored row of ``rows``:
        plain stored values are used as they are; links are read once for all rows."""
        ftype = self.registry.get(fdef.type)
        if ftype.storage == "column" and fdef.type in RAW_NUMBERS:
            column = fdef.column
            return lambda row: row[column]
        if ftype.storage == "column" and fdef.type in (
            "text",
            "long_text",
            "email",
            "url",
            "phone",
            "auto_number",
            "date",
        ):
            column = fdef.column
            return lambda row: row[column]
        if fdef.type == "currency":
            column = fdef.column
            return lambda row: (
                row[column]
                if row[column] is None or isinstance(row[column], Decimal)
                else Decimal(str(row[column]))
            )
        if ftype.storage == "junction":
            target = op.load_schema(int(fdef.options["table_id"]))
            from tablekit.storage import links

            found = links.read_links(op.session, fdef, rows, target, self.registry, op.ctx)
            return lambda row: tuple(item["name"] for item in found.get(row["id"], []))
        return lambda row: _plain(self._api_value(op, fdef, row), fdef)

    def _api_value(self, op: Op, fdef: FieldDef, row: dict[str, Any]) -> Any:
        ftype = self.registry.get(fdef.type)
        if ftype.storage == "column":
            if ftype.error_column and row.get(physical.error_column(fdef.id)):
                return error_cell(row[physical.error_column(fdef.id)])
            return ftype.from_db(row[fdef.column], fdef, op.ctx)
        if ftype.storage == "system":
            return ftype.from_db(row[ftype.system_column(fdef)], fdef, op.ctx)
        if ftype.storage == "junction":
            target = op.load_schema(int(fdef.options["table_id"]))
            from tablekit.storage import links

            found = links.read_links(op.session, fdef, [row["id"]], target, self.registry, op.ctx)
            return found.get(row["id"], [])
        return None

    def _linked_values(
        self, op: Op, link: FieldDef, target: TableSchema, fdef: FieldDef, rows: list[int]
    ) -> dict[int, Any]:
        """{row: [API values of the target field on linked rows that pass the filter]}."""
        junction, mine, theirs = physical.link_sides(link)
        target_table = physical.physical_table(target, self.registry)
        target_field = target.by_id(int(fdef.options.get("target_field") or 0))
        if fdef.type != "count" and target_field is None:
            return {r: ErrorValue("#REF!", "the looked-up field was deleted") for r in rows}
        columns: list[Any] = [mine]
        tftype = self.registry.get(target_field.type) if target_field is not None else None
        if target_field is not None and tftype is not None:
            if tftype.storage == "column":
                columns.append(target_table.c[target_field.column])
                if tftype.error_column:
                    columns.append(target_table.c[physical.error_column(target_field.id)])
            elif tftype.storage == "system":
                columns.append(target_table.c[tftype.system_column(target_field)])
            else:
                columns.append(target_table.c.id)
        query = (
            select(*columns)
            .select_from(junction.join(target_table, target_table.c.id == theirs))
            .where(mine.in_(rows))
            .order_by(junction.c.id)
        )
        flt = fdef.options.get("filter")
        if flt:
            compiler = Compiler(target, target_table, self.registry, op.ctx, op.load_schema)
            try:
                query = query.where(compiler.filter(flt))
            except Exception as exc:  # a filter broken by a deleted field: show it per cell
                message = getattr(exc, "message", str(exc))
                return {
                    r: ErrorValue("#REF!", f"the condition is invalid: {message}") for r in rows
                }
        out: dict[int, Any] = {}
        for record in op.session.execute(query):
            row_id = record[0]
            bucket = out.setdefault(row_id, [])
            if target_field is None or tftype is None:
                bucket.append(1)
                continue
            if tftype.storage == "junction":
                bucket.append(record[1])
                continue
            if tftype.error_column and len(record) > 2 and record[2]:
                bucket.append(error_cell(record[2]))
                continue
            bucket.append(tftype.from_db(record[1], target_field, op.ctx))
        return out

    def _aggregate(self, op: Op, fdef: FieldDef, ftype: ComputedField, items: list[Any]) -> Any:
        if fdef.type == "count":
            return len(items)
        if fdef.type == "lookup":
            flat: list[Any] = []
            for item in items:
                if isinstance(item, list):
                    flat.extend(v.get("name") if isinstance(v, dict) else v for v in item)
                elif isinstance(item, dict) and "error" not in item:
                    flat.append(item.get("name") or item.get("email") or item.get("id"))
                elif item not in (None, "", [], {}):
                    flat.append(item)
            return flat
        aggregate = fdef.options.get("aggregate", "sum")
        values = [v for v in items if v not in (None, "", [])]
        errors = [v for v in values if isinstance(v, dict) and "error" in v]
        if errors:
            raise CellError(f"a linked value is an error ({errors[0]['error']})")
        if aggregate == "count":
            return len(values)
        if aggregate == "concatenate":
            return ", ".join(_text(_plain_item(v, None)) for v in values)
        if aggregate == "unique":
            seen: list[Any] = []
            for v in values:
                if v not in seen:
                    seen.append(v)
            return seen
        kind = ftype.result_type(fdef)
        if kind in ("date", "datetime"):
            parsed = [ftype.to_db(v, fdef, op.ctx) for v in values]
            return (min(parsed) if aggregate == "min" else max(parsed)) if parsed else None
        numbers = [Decimal(str(v)) for v in values]
        if aggregate == "sum":
            total: Any = sum(numbers, Decimal(0))
        elif aggregate == "average":
            total = (sum(numbers, Decimal(0)) / len(numbers)) if numbers else None
        elif aggregate == "min":
            total = min(numbers) if numbers else None
        else:
            total = max(numbers) if numbers else None
        return ftype.to_db(total, fdef, op.ctx) if total is not None else None


def _error(code: str, message: str) -> str:
    return json.dumps({"error": code, "message": message[:500]})
