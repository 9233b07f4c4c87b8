"""The per-base trash: deleted rows kept with their links until restored or purged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tablekit.db.engine import Database
from tablekit.db.models import FieldMeta, TableMeta, TrashItem
from tablekit.errors import Conflict, NotFound
from tablekit.fields.base import FieldType
from tablekit.formulas.recalc import Recalculator
from tablekit.interchange import trash_restore
from tablekit.registry import Registry
from tablekit.services import rowwrite
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.rowcodec import EncodedRow
from tablekit.services.rows import RowService
from tablekit.storage import physical
from tablekit.storage.query import untag_value


def trash_dict(item: TrashItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "table_id": item.table_id,
        "label": item.label,
        "deleted_by": item.deleted_by,
        "deleted_at": item.deleted_at.isoformat(),
    }


class TrashService:
    def __init__(
        self,
        db: Database,
        access: Access,
        registry: Registry[FieldType],
        rows: RowService,
        recalc: Recalculator | None = None,
    ) -> None:
        self.db = db
        self.access = access
        self.registry = registry
        self.rows = rows
        self.recalc = recalc

    def _recompute_after_restore(
        self, session: Any, actor: Actor, restored: dict[str, Any]
    ) -> None:
        """Restored fields (and the computed fields that read them) get fresh values."""
        if self.recalc is None or not restored.get("field_ids"):
            return
        session.flush()
        for field_id in restored["field_ids"]:
            meta = session.get(FieldMeta, field_id)
            table = session.get(TableMeta, meta.table_id) if meta is not None else None
            if table is None:
                continue
            op = self.rows.op_for(session, table, actor.user_id or None)
            graph = self.recalc.graph(op)
            todo = [field_id] if field_id in graph.deps else []
            todo += graph.dependents(field_id)
            for dependent in todo:
                owner = session.get(FieldMeta, dependent)
                owner_table = session.get(TableMeta, owner.table_id) if owner else None
                if owner_table is not None:
                    self.recalc.recompute_field(
                        self.rows.op_for(session, owner_table, actor.user_id or None), dependent
                    )

    def items(self, actor: Actor, base_id: int, limit: int = 500) -> list[dict[str, Any]]:
        with self.db.read() as session:
            self.access.require_base(session, actor, base_id, "read")
            items = session.scalars(
                select(TrashItem)
                .where(TrashItem.base_id == base_id)
                .order_by(TrashItem.id.desc())
                .limit(min(max(limit, 1), 5000))
            ).all()
            return [trash_dict(i) for i in items]

    def restore(self, actor: Actor, base_id: int, item_id: int) -> dict[str, Any]:
        """Put a deleted row back with its id, values and the links whose rows still exist."""
        with self.db.write() as session:
            self.access.require_base(session, actor, base_id, "write")
            item = session.get(TrashItem, item_id)
            if item is None or item.base_id != base_id:
                raise NotFound("Trash item not found", code="TRASH_ITEM_NOT_FOUND")
            if item.kind != "row":
                restored: dict[str, Any] = trash_restore.restore_item(
                    session, self.access, self.registry, actor, item
                )
                self._recompute_after_restore(session, actor, restored)
                return restored
            table = session.get(TableMeta, item.table_id)
            if table is None:
                raise Conflict("The row's table no longer exists", code="TABLE_GONE")
            op = self.rows._op(session, actor, table.id, "write")
            stored = {k: untag_value(v) for k, v in item.payload["row"].items()}
            known = {c.name for c in op.table.columns}
            raw = {k: v for k, v in stored.items() if k in known}
            encoded = EncodedRow()
            for key, targets in item.payload.get("links", {}).items():
                fdef = op.schema.by_id(int(key))
                if fdef is None or not targets:
                    continue
                target = op.load_schema(int(fdef.options["table_id"]))
                ttable = physical.physical_table(target, self.registry)
                alive = set(session.scalars(select(ttable.c.id).where(ttable.c.id.in_(targets))))
                encoded.links[fdef.id] = [t for t in targets if t in alive]
            row_id = int(raw.pop("id"))
            try:
                with session.begin_nested():
                    rowwrite.insert_rows(op, [encoded], explicit_ids=[row_id], raw=[raw])
            except IntegrityError:
                raise Conflict(
                    "The row cannot be restored: a unique value is now used by another row "
                    "or the id is taken",
                    code="RESTORE_CONFLICT",
                ) from None
            rowwrite.record_created(op, [row_id])
            self.rows.finish(op)
            session.delete(item)
            return op.decoder().decode(op.fetch([row_id]))[0]
