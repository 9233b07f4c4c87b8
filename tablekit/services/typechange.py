"""Changing a field's type without losing data.

Values are converted through their text form (as Grist and Baserow do). A value that does
not convert is listed by a dry run before anything changes; when the change goes ahead,
that value is kept in the row's history so it can still be read and restored by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.db.models import FieldMeta, RowHistory, TableMeta
from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError, Context, FieldDef, FieldType
from tablekit.fields.select import normalize_choices
from tablekit.formulas.graph import COMPUTED
from tablekit.registry import Registry
from tablekit.services import fieldops
from tablekit.storage import counters, physical
from tablekit.storage.schema import field_def, schema_of

BATCH = 2000
UNCONVERTIBLE_LISTED = 1000
NO_CONVERSION = frozenset({"link", "button"})


def _check_supported(old: FieldType, new: FieldType) -> None:
    if old.type in NO_CONVERSION or new.type in NO_CONVERSION:
        raise ValidationFailed(
            f"A {old.type} field cannot become a {new.type} field; create a new field instead",
            code="TYPE_CHANGE_UNSUPPORTED",
        )


def _old_values(
    session: Session, table: sa.Table, fdef: FieldDef, ftype: FieldType
) -> Callable[[], Any]:
    column = (
        table.c[fdef.column] if ftype.storage == "column" else table.c[ftype.system_column(fdef)]
    )
    return lambda: session.execute(sa.select(table.c.id, column).order_by(table.c.id))


def plan(
    session: Session,
    registry: Registry[FieldType],
    table_meta: TableMeta,
    meta: FieldMeta,
    new_type: str,
    new_options: dict[str, Any],
    ctx: Context,
) -> tuple[FieldDef, list[tuple[int, Any, Any]], list[dict[str, Any]]]:
    """Convert every value in memory: (new field, [(row, old api value, new db value)],
    [unconvertible {row_id, value, error}])."""
    old_type, new_ftype = registry.get(meta.type), registry.get(new_type)
    _check_supported(old_type, new_ftype)
    if table_meta.primary_field_id == meta.id and not new_ftype.can_be_primary:
        raise ValidationFailed(
            f"The primary field cannot become a {new_type} field; make another field primary first",
            code="INVALID_PRIMARY",
        )
    schema = schema_of(session, table_meta)
    table = physical.physical_table(schema, registry)
    old_def = field_def(meta)
    rows = list(_old_values(session, table, old_def, old_type)())
    if new_type in {"single_select", "multiple_select"} and not new_options.get("choices"):
        # Like Airtable: choices come from the distinct values already in the column.
        seen: list[str] = []
        for _, raw in rows:
            text = old_type.to_text(old_type.from_db(raw, old_def, ctx), old_def)
            parts = text.split(",") if new_type == "multiple_select" else [text]
            for part in (p.strip() for p in parts):
                if part and part not in seen and len(seen) < 500:
                    seen.append(part[:200])
        new_options = {**new_options, "choices": [{"name": s} for s in seen]}
        new_options = normalize_choices(new_options)
    options = new_ftype.normalize_options(
        new_options, fieldops.options_context(session, table_meta, meta.id)
    )
    new_def = FieldDef(
        id=meta.id,
        table_id=meta.table_id,
        name=meta.name,
        type=new_type,
        options=options,
        unique=False,
        required=meta.required,
    )
    converted: list[tuple[int, Any, Any]] = []
    failed: list[dict[str, Any]] = []
    for row_id, raw in rows:
        api_value = old_type.from_db(raw, old_def, ctx)
        if old_type.is_empty_value(api_value):
            converted.append((row_id, api_value, None))
            continue
        try:
            if new_ftype.read_only:
                # The system fills these in: the old value is replaced, so say so.
                raise CellError(f"{new_type} values are set by the system; this one is replaced")
            new_value = new_ftype.from_text(old_type.to_text(api_value, old_def), new_def, ctx)
        except CellError as exc:
            failed.append({"row_id": row_id, "value": api_value, "error": exc.message})
            new_value = None
        converted.append((row_id, api_value, new_value))
    return new_def, converted, failed


def apply(
    session: Session,
    registry: Registry[FieldType],
    table_meta: TableMeta,
    meta: FieldMeta,
    new_def: FieldDef,
    converted: list[tuple[int, Any, Any]],
    failed: list[dict[str, Any]],
    actor_id: int | None,
) -> None:
    """Swap the column for one of the new type, filled with the converted values."""
    old_type, new_ftype = registry.get(meta.type), registry.get(new_def.type)
    conn = session.connection()
    column = f"f_{meta.id}"
    if old_type.storage == "column":
        physical.drop_indexes_of(conn, table_meta.id, column)
    if new_ftype.storage == "column":
        temp = f"c_{meta.id}"
        temp_def = FieldDef(**{**new_def.__dict__, "id": meta.id})
        col_type = new_ftype.column_type(temp_def).compile(dialect=conn.dialect)
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql(
            f"ALTER TABLE {quote(f't_{table_meta.id}')} ADD COLUMN {quote(temp)} {col_type}"
        )
        scratch = sa.Table(
            f"t_{table_meta.id}",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(temp, new_ftype.column_type(temp_def)),
        )
        values = [{"_id": r, "_v": v} for r, _, v in converted if v is not None]
        for start in range(0, len(values), BATCH):
            session.execute(
                sa.update(scratch)
                .where(scratch.c.id == sa.bindparam("_id"))
                .values({temp: sa.bindparam("_v")}),
                values[start : start + BATCH],
                execution_options={"synchronize_session": False},
            )
        if old_type.storage == "column":
            physical.drop_column(conn, table_meta.id, column)
        physical.rename_column(conn, table_meta.id, temp, column)
    elif old_type.storage == "column":
        physical.drop_column(conn, table_meta.id, column)
    errors = physical.error_column(meta.id)
    if old_type.error_column and old_type.storage == "column":
        physical.drop_column(conn, table_meta.id, errors)
    if new_ftype.error_column and new_ftype.storage == "column":
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql(
            f"ALTER TABLE {quote(f't_{table_meta.id}')} ADD COLUMN {quote(errors)} TEXT"
        )
    if failed:
        session.execute(
            sa.insert(RowHistory),
            [
                {
                    "base_id": table_meta.base_id,
                    "table_id": table_meta.id,
                    "row_id": item["row_id"],
                    "action": "type_change",
                    "actor_id": actor_id,
                    "changes": {column: [item["value"], None]},
                    "at": fieldops.now(),
                }
                for item in failed
            ],
        )
    if meta.type == "auto_number":
        # A later change back to auto_number numbers the rows from 1 again.
        counters.reset(session, meta.id)
    meta.type = new_def.type
    meta.options = dict(new_def.options)
    meta.unique = False
    fieldops.bump(table_meta)
    if new_def.type in COMPUTED or meta.type in COMPUTED or old_type.type in COMPUTED:
        fieldops.check_dependencies(session, table_meta, meta)
        fieldops.bump_base(session, table_meta.base_id)
    if new_def.type == "auto_number":
        session.flush()
        fieldops._number_existing_rows(session, registry, table_meta, field_def(meta))
