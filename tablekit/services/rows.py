"""The row service: list, read, create, update, upsert and delete rows of a user table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tablekit.db.engine import Database
from tablekit.db.models import BaseMeta, RowHistory, TableMeta, User, ViewMeta
from tablekit.errors import NotFound, TooLarge, ValidationFailed
from tablekit.fields.base import FieldDef, FieldType
from tablekit.registry import Registry
from tablekit.services import revisions, rowwrite
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.cellctx import make_context
from tablekit.services.rowcodec import encode_rows
from tablekit.services.rowwrite import AfterWrite, Op
from tablekit.storage import physical
from tablekit.storage.query import (
    Compiler,
    decode_cursor,
    encode_cursor,
    sort_signature,
)
from tablekit.storage.schema import schema_of

MAX_BATCH = 1000
MAX_LIMIT = 1000
MAX_OFFSET = 100_000_000


def check_batch(items: Sequence[Any], what: str = "rows") -> None:
    if len(items) > MAX_BATCH:
        raise TooLarge(
            f"At most {MAX_BATCH} {what} per request; got {len(items)}",
            code="BATCH_TOO_LARGE",
            details={"max": MAX_BATCH, "got": len(items)},
        )
    if not items:
        raise ValidationFailed(f"No {what} given", code="EMPTY_BATCH")


def check_keys(keys: str) -> str:
    if keys not in ("name", "id"):
        raise ValidationFailed("keys is name or id", code="INVALID_KEYS")
    return keys


class RowService:
    def __init__(self, db: Database, access: Access, registry: Registry[FieldType]) -> None:
        self.db = db
        self.access = access
        self.registry = registry
        # Called inside the write transaction after every change (computed fields hook in).
        self.after_write: list[AfterWrite] = []

    def _op(
        self, session: Session, actor: Actor, table_ref: str | int, capability: str, depth: int = 0
    ) -> Op:
        table_meta, _ = self.access.require_table(session, actor, table_ref, capability)
        return self.op_for(session, table_meta, actor.user_id or None, depth)

    def op_for(
        self, session: Session, table_meta: TableMeta, actor_id: int | None, depth: int = 0
    ) -> Op:
        """An operation on a table whose access the caller has already decided (public
        forms, the automation worker); ``actor_id`` None means "not a user"."""
        base = session.get(BaseMeta, table_meta.base_id)
        assert base is not None
        schema = schema_of(session, table_meta)
        return Op(
            session=session,
            table_meta=table_meta,
            base=base,
            schema=schema,
            table=physical.physical_table(schema, self.registry),
            ctx=make_context(session, base, actor_id),
            registry=self.registry,
            actor_id=actor_id,
            depth=depth,
        )

    def compiler_for(self, op: Op) -> Compiler:
        return Compiler(op.schema, op.table, self.registry, op.ctx, op.load_schema)

    def _conditions(
        self, op: Op, compiler: Compiler, view: ViewMeta | None, flt: Any, search: str | None
    ) -> list[Any]:
        conds = []
        if view is not None and (view.config or {}).get("filter"):
            conds.append(compiler.filter(view.config["filter"]))
        if flt:
            conds.append(compiler.filter(flt))
        if search:
            conds.append(compiler.search(search[:200]))
        return conds

    def view_of(self, op: Op, view_ref: str | int | None) -> ViewMeta | None:
        if view_ref in (None, ""):
            return None
        query = select(ViewMeta).where(ViewMeta.table_id == op.schema.id)
        if isinstance(view_ref, int) or str(view_ref).isdigit():
            query = query.where(ViewMeta.id == int(view_ref))
        else:
            query = query.where(ViewMeta.name == view_ref)
        view = op.session.scalar(query)
        if view is None:
            raise NotFound("View not found in this table", code="VIEW_NOT_FOUND")
        return view

    def finish(self, op: Op) -> None:
        """Run the after-write hooks (computed fields) inside the write transaction."""
        for hook in self.after_write:
            hook(op)

    # --- reading -------------------------------------------------------------------------
    def query(
        self,
        actor: Actor,
        table_ref: str | int,
        *,
        view: str | int | None = None,
        filter: Any = None,
        sort: Any = None,
        search: str | None = None,
        fields: Sequence[str | int] | None = None,
        limit: int = 100,
        cursor: str | None = None,
        offset: int | None = None,
        keys: str = "name",
    ) -> dict[str, Any]:
        with self.db.read() as session:
            op = self._op(session, actor, table_ref, "read")
            return self.page(
                op,
                view=self.view_of(op, view),
                filter=filter,
                sort=sort,
                search=search,
                fields=fields,
                limit=limit,
                cursor=cursor,
                offset=offset,
                keys=keys,
            )

    def page(
        self,
        op: Op,
        *,
        view: ViewMeta | None = None,
        filter: Any = None,
        sort: Any = None,
        search: str | None = None,
        fields: Sequence[str | int | FieldDef] | None = None,
        limit: int = 100,
        cursor: str | None = None,
        offset: int | None = None,
        keys: str = "name",
    ) -> dict[str, Any]:
        """One page of rows in an open operation (access already decided)."""
        keys = check_keys(keys)
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationFailed(f"limit is 1 to {MAX_LIMIT}", code="INVALID_LIMIT")
        if offset is not None and (cursor or not 0 <= offset <= MAX_OFFSET):
            raise ValidationFailed(
                f"offset is 0 to {MAX_OFFSET}, and not together with a cursor",
                code="INVALID_OFFSET",
            )
        compiler = self.compiler_for(op)
        conds = self._conditions(op, compiler, view, filter, search)
        sort_spec = (
            sort
            if sort not in (None, "", [])
            else ((view.config or {}).get("sort") if view else None)
        )
        sort_keys = compiler.sort_keys(sort_spec)
        signature = sort_signature(sort_keys)
        exprs = [compiler.sort_expression(k) for k in sort_keys if k.field is not None]
        query = select(op.table, *[e.label(f"_s{i}") for i, e in enumerate(exprs)])
        if conds:
            query = query.where(*conds)
        values: list[Any] = []
        last_id = 0
        if cursor:
            values, last_id = decode_cursor(cursor, signature)
            if len(values) != len(exprs):
                raise ValidationFailed("The cursor does not match the sort", code="INVALID_CURSOR")
        single_ascending = (
            cursor
            and len(sort_keys) == 1
            and sort_keys[0].field is not None
            and not sort_keys[0].descending
        )
        if single_ascending:
            rows = self._after_ascending(op, query, exprs[0], values[0], last_id, limit + 1)
        else:
            if cursor:
                query = query.where(compiler.after(sort_keys, values, last_id))
            query = query.order_by(*compiler.order_by(sort_keys)).limit(limit + 1)
            if offset:
                query = query.offset(offset)
            rows = list(op.session.execute(query).all())
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more and rows:
            last = rows[-1]._mapping
            next_cursor = encode_cursor(
                signature, [last[f"_s{i}"] for i in range(len(exprs))], last["id"]
            )
        projection = (
            [f if isinstance(f, FieldDef) else op.schema.field(f) for f in fields]
            if fields
            else None
        )
        return {"rows": op.decoder(keys, projection).decode(rows), "next_cursor": next_cursor}

    def _after_ascending(
        self, op: Op, query: Any, expr: Any, value: Any, last_id: int, limit: int
    ) -> list[Any]:
        """The page after a cursor for one ascending sort key, as two index-friendly range
        queries (values, then the blanks that sort last) instead of one OR that makes
        SQLite scan the index from its start: deep pages in ~1 ms instead of ~100 ms."""
        table = op.table
        rows: list[Any] = []
        if value is not None:
            bound = sa.literal(value, type_=expr.type)
            ranged = query.where(expr >= bound, sa.or_(expr > bound, table.c.id > last_id))
            rows = list(
                op.session.execute(ranged.order_by(expr.asc(), table.c.id.asc()).limit(limit)).all()
            )
            last_id = 0
        if len(rows) < limit:
            blanks = query.where(expr.is_(None), table.c.id > last_id)
            rows += op.session.execute(
                blanks.order_by(table.c.id.asc()).limit(limit - len(rows))
            ).all()
        return rows

    def count(
        self,
        actor: Actor,
        table_ref: str | int,
        *,
        view: str | int | None = None,
        filter: Any = None,
        search: str | None = None,
    ) -> dict[str, Any]:
        with self.db.read() as session:
            op = self._op(session, actor, table_ref, "read")
            compiler = self.compiler_for(op)
            conds = self._conditions(op, compiler, self.view_of(op, view), filter, search)
            query = select(func.count()).select_from(op.table)
            if conds:
                query = query.where(*conds)
            return {"count": int(session.scalar(query) or 0), "estimated": False}

    def get(
        self, actor: Actor, table_ref: str | int, row_id: int, keys: str = "name"
    ) -> dict[str, Any]:
        keys = check_keys(keys)
        with self.db.read() as session:
            op = self._op(session, actor, table_ref, "read")
            rows = op.fetch([row_id])
            if not rows:
                raise NotFound(f"Row {row_id} not found", code="ROW_NOT_FOUND")
            return op.decoder(keys).decode(rows)[0]

    # --- writing -------------------------------------------------------------------------
    def create(
        self,
        actor: Actor,
        table_ref: str | int,
        rows: Sequence[Mapping[str, Any]],
        *,
        keys: str = "name",
        depth: int = 0,
    ) -> list[dict[str, Any]]:
        check_batch(rows)
        keys = check_keys(keys)
        with self.db.write() as session:
            op = self._op(session, actor, table_ref, "write", depth)
            encoded = encode_rows(op.schema, self.registry, rows, op.ctx, creating=True)
            ids = rowwrite.insert_rows(op, encoded)
            rowwrite.record_created(op, ids)
            self.finish(op)
            return op.decoder(keys).decode(op.fetch(ids))

    def update(
        self,
        actor: Actor,
        table_ref: str | int,
        updates: Sequence[tuple[int, Mapping[str, Any]]],
        *,
        keys: str = "name",
        expected_versions: dict[int, int] | None = None,
        depth: int = 0,
    ) -> list[dict[str, Any]]:
        check_batch(updates)
        keys = check_keys(keys)
        with self.db.write() as session:
            op = self._op(session, actor, table_ref, "write", depth)
            ids = [int(row_id) for row_id, _ in updates]
            encoded = encode_rows(
                op.schema, self.registry, [f for _, f in updates], op.ctx, creating=False
            )
            rowwrite.update_rows(op, ids, encoded, expected_versions)
            self.finish(op)
            return op.decoder(keys).decode(op.fetch(ids))

    def upsert(
        self,
        actor: Actor,
        table_ref: str | int,
        key_fields: Sequence[str | int],
        rows: Sequence[Mapping[str, Any]],
        *,
        keys: str = "name",
    ) -> dict[str, Any]:
        """Update rows whose key fields match, create the others; all or nothing."""
        check_batch(rows)
        keys = check_keys(keys)
        if not key_fields:
            raise ValidationFailed(
                "key_fields must name at least one field", code="INVALID_KEY_FIELDS"
            )
        with self.db.write() as session:
            op = self._op(session, actor, table_ref, "write")
            key_defs = op.schema.fields_of(key_fields)
            for fdef in key_defs:
                ftype = self.registry.get(fdef.type)
                if ftype.storage != "column" or fdef.type in (
                    "multiple_select",
                    "collaborator",
                    "attachment",
                ):
                    raise ValidationFailed(
                        f"{fdef.name!r} cannot be an upsert key", code="INVALID_KEY_FIELDS"
                    )
            encoded = encode_rows(op.schema, self.registry, rows, op.ctx, creating=False)
            tuples = []
            for index, row in enumerate(encoded):
                key = tuple(row.columns.get(f.column) for f in key_defs)
                if any(v is None for v in key):
                    raise ValidationFailed(
                        f"Row {index} lacks a value for the key field(s)",
                        code="MISSING_KEY",
                        details={"row": index},
                    )
                tuples.append(key)
            if len(set(tuples)) != len(tuples):
                raise ValidationFailed(
                    "Two rows in this request have the same key", code="DUPLICATE_KEY"
                )
            existing = self._find_by_keys(op, key_defs, tuples)
            to_update = [(existing[k], i) for i, k in enumerate(tuples) if k in existing]
            to_create = [i for i, k in enumerate(tuples) if k not in existing]
            if to_create:
                encode_rows(
                    op.schema, self.registry, [rows[i] for i in to_create], op.ctx, creating=True
                )  # required-field check for new rows
            created = rowwrite.insert_rows(op, [encoded[i] for i in to_create]) if to_create else []
            if created:
                rowwrite.record_created(op, created)
            updated_ids = [row_id for row_id, _ in to_update]
            if to_update:
                rowwrite.update_rows(op, updated_ids, [encoded[i] for _, i in to_update])
            self.finish(op)
            by_id = {r["id"]: r for r in op.decoder(keys).decode(op.fetch(created + updated_ids))}
            order = [existing.get(k, None) for k in tuples]
            created_iter = iter(created)
            result = [
                by_id[row_id if row_id is not None else next(created_iter)] for row_id in order
            ]
            return {"rows": result, "created": created, "updated": updated_ids}

    def _find_by_keys(
        self, op: Op, key_defs: Sequence[Any], tuples: Sequence[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], int]:
        found: dict[tuple[Any, ...], int] = {}
        columns = [op.table.c[f.column] for f in key_defs]
        for start in range(0, len(tuples), 300):
            chunk = tuples[start : start + 300]
            if len(columns) == 1:
                cond = columns[0].in_([t[0] for t in chunk])
            else:
                cond = sa.or_(
                    *[sa.and_(*[c == v for c, v in zip(columns, t, strict=True)]) for t in chunk]
                )
            for row in op.session.execute(select(op.table.c.id, *columns).where(cond)):
                found.setdefault(tuple(row[1:]), row[0])
        return found

    def delete(self, actor: Actor, table_ref: str | int, ids: Sequence[int]) -> None:
        check_batch(ids, "ids")
        if len(set(ids)) != len(ids):
            raise ValidationFailed("A row id appears twice", code="DUPLICATE_ROW")
        with self.db.write() as session:
            op = self._op(session, actor, table_ref, "write")
            rowwrite.delete_rows(op, [int(i) for i in ids])
            self.finish(op)

    # --- history -------------------------------------------------------------------------
    def activity(
        self,
        actor: Actor,
        base_id: int,
        *,
        table_id: int | None = None,
        user_id: int | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """The base's activity log (every row change), for its admins."""
        with self.db.read() as session:
            self.access.require_base(session, actor, base_id, "schema")
            return revisions.activity(
                session, base_id, table_id=table_id, user_id=user_id, limit=limit, cursor=cursor
            )

    def restore_version(
        self, actor: Actor, table_ref: str | int, row_id: int, entry_id: int
    ) -> dict[str, Any]:
        """Put the row back as it was right after history entry ``entry_id`` (one update,
        recorded as ``restore``); answers the row and the fields that could not go back."""
        with self.db.write() as session:
            op = self._op(session, actor, table_ref, "write")
            if not op.fetch([row_id]):
                raise NotFound(f"Row {row_id} not found", code="ROW_NOT_FOUND")
            cells, skipped = revisions.values_after(op, row_id, entry_id)
            if cells:
                encoded = encode_rows(op.schema, self.registry, [cells], op.ctx, creating=False)
                rowwrite.update_rows(op, [row_id], encoded, action="restore")
                self.finish(op)
            row = op.decoder("name").decode(op.fetch([row_id]))[0]
            return {**row, "not_restored": skipped}

    def history(
        self, actor: Actor, table_ref: str | int, row_id: int, limit: int = 200
    ) -> list[dict[str, Any]]:
        with self.db.read() as session:
            op = self._op(session, actor, table_ref, "read")
            entries = session.execute(
                select(RowHistory, User.email, User.name)
                .outerjoin(User, User.id == RowHistory.actor_id)
                .where(RowHistory.table_id == op.schema.id, RowHistory.row_id == row_id)
                .order_by(RowHistory.id.desc())
                .limit(min(max(limit, 1), 1000))
            ).all()
            if not entries and not op.fetch([row_id]):
                raise NotFound(f"Row {row_id} not found", code="ROW_NOT_FOUND")
            result = []
            for entry, email, name in entries:
                changes = []
                for key, (old, new) in (entry.changes or {}).items():
                    fdef = op.schema.find(key)
                    changes.append(
                        {
                            "field_id": key,
                            "field": fdef.name if fdef else None,
                            "old": old,
                            "new": new,
                        }
                    )
                result.append(
                    {
                        "id": entry.id,
                        "action": entry.action,
                        "at": entry.at.isoformat(),
                        "actor": {"id": entry.actor_id, "email": email, "name": name}
                        if entry.actor_id
                        else None,
                        "changes": changes,
                    }
                )
            return result
