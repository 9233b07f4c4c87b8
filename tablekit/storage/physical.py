"""SQLAlchemy Table objects for user tables and link junctions, and the DDL that shapes them.

Identifiers are always ``t_<id>``, ``f_<id>``, ``j_<id>``: user-typed names never reach SQL.
Table objects are cached per table id, schema version and field list because building them costs far
more than the queries they serve.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tablekit.fields.base import FieldDef, FieldType
from tablekit.registry import Registry
from tablekit.storage.schema import TableSchema
from tablekit.storage.types import UTCDateTime

SYSTEM_COLUMNS = ("id", "version", "created_at", "updated_at", "created_by", "updated_by")

_cache: dict[tuple[Any, ...], sa.Table] = {}
_junctions: dict[int, sa.Table] = {}
_lock = threading.Lock()


def system_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("row_order", sa.Float(), nullable=True),
    ]


def physical_table(schema: TableSchema, registry: Registry[FieldType]) -> sa.Table:
    """The Table object for ``schema`` (cached)."""
    # The field list is part of the key: the same table id and version can mean different
    # columns in another database (tests, or a restored backup) served by this process.
    key = (
        schema.id,
        schema.version,
        tuple((f.id, f.type, f.options.get("result_type")) for f in schema.fields),
    )
    table = _cache.get(key)
    if table is not None:
        return table
    columns = system_columns()
    for fdef in schema.fields:
        ftype = registry.get(fdef.type)
        if ftype.storage == "column":
            columns.append(sa.Column(fdef.column, ftype.column_type(fdef), nullable=True))
            if ftype.error_column:
                columns.append(sa.Column(error_column(fdef.id), sa.Text(), nullable=True))
    # AUTOINCREMENT on SQLite: a deleted row's id is never handed to a new row, so trash
    # restores, history and links never mix two rows up.
    table = sa.Table(schema.physical_name, sa.MetaData(), *columns, sqlite_autoincrement=True)
    with _lock:
        _cache[key] = table
    return table


def junction_name(owner_field_id: int) -> str:
    return f"j_{owner_field_id}"


def _junction_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("a", sa.BigInteger(), nullable=False),
        sa.Column("b", sa.BigInteger(), nullable=False),
    ]


def junction_table(owner_field_id: int) -> sa.Table:
    table = _junctions.get(owner_field_id)
    if table is None:
        table = sa.Table(
            junction_name(owner_field_id),
            sa.MetaData(),
            *_junction_columns(),
            sa.UniqueConstraint("a", "b", name=f"uq_{junction_name(owner_field_id)}"),
            sa.Index(f"ix_{junction_name(owner_field_id)}_b", "b", "a"),
        )
        with _lock:
            _junctions[owner_field_id] = table
    return table


def link_sides(fdef: FieldDef) -> tuple[sa.Table, sa.Column[Any], sa.Column[Any]]:
    """(junction, column holding this table's row ids, column holding linked row ids)."""
    junction = junction_table(int(fdef.options["junction"]))
    if fdef.options.get("side", "a") == "a":
        return junction, junction.c.a, junction.c.b
    return junction, junction.c.b, junction.c.a


# --- DDL -------------------------------------------------------------------------------


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def create_table(conn: Connection, schema: TableSchema, registry: Registry[FieldType]) -> None:
    physical_table(schema, registry).create(conn)


def drop_table(conn: Connection, table_id: int) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_quote(conn, f't_{table_id}')}")


def error_column(field_id: int) -> str:
    return f"e_{field_id}"


def add_column(conn: Connection, table_id: int, fdef: FieldDef, ftype: FieldType) -> None:
    """Add a field's column (and its error column, for computed fields)."""
    col_type = ftype.column_type(fdef).compile(dialect=conn.dialect)
    table = _quote(conn, f"t_{table_id}")
    conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {_quote(conn, fdef.column)} {col_type}")
    if ftype.error_column:
        conn.exec_driver_sql(
            f"ALTER TABLE {table} ADD COLUMN {_quote(conn, error_column(fdef.id))} TEXT"
        )


def drop_field_columns(conn: Connection, table_id: int, fdef: FieldDef, ftype: FieldType) -> None:
    drop_column(conn, table_id, fdef.column)
    if ftype.error_column:
        drop_column(conn, table_id, error_column(fdef.id))


def drop_column(conn: Connection, table_id: int, column: str) -> None:
    drop_indexes_of(conn, table_id, column)
    conn.exec_driver_sql(
        f"ALTER TABLE {_quote(conn, f't_{table_id}')} DROP COLUMN {_quote(conn, column)}"
    )


def rename_column(conn: Connection, table_id: int, old: str, new: str) -> None:
    conn.exec_driver_sql(
        f"ALTER TABLE {_quote(conn, f't_{table_id}')} RENAME COLUMN {_quote(conn, old)} "
        f"TO {_quote(conn, new)}"
    )


def unique_index_name(table_id: int, column: str) -> str:
    return f"u_{table_id}_{column}"


def sort_index_name(table_id: int, column: str) -> str:
    return f"s_{table_id}_{column}"


def create_unique_index(conn: Connection, table_id: int, column: str) -> None:
    conn.exec_driver_sql(
        f"CREATE UNIQUE INDEX {_quote(conn, unique_index_name(table_id, column))} ON "
        f"{_quote(conn, f't_{table_id}')} ({_quote(conn, column)})"
    )


def create_sort_index(conn: Connection, table_id: int, column: str) -> None:
    """An index serving sorts and range filters on ``column`` (with id as tie-breaker)."""
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {_quote(conn, sort_index_name(table_id, column))} ON "
        f"{_quote(conn, f't_{table_id}')} ({_quote(conn, column)}, id)"
    )


def drop_indexes_of(conn: Connection, table_id: int, column: str) -> None:
    for name in (unique_index_name(table_id, column), sort_index_name(table_id, column)):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {_quote(conn, name)}")


def create_junction(conn: Connection, owner_field_id: int, a_table: int, b_table: int) -> None:
    junction = junction_table(owner_field_id)
    # Foreign keys with ON DELETE CASCADE: deleting a row removes its links on both sides.
    table = sa.Table(
        junction.name,
        sa.MetaData(),
        *_junction_columns(),
        sa.ForeignKeyConstraint(["a"], [f"t_{a_table}.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["b"], [f"t_{b_table}.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("a", "b", name=f"uq_{junction.name}"),
        sa.Index(f"ix_{junction.name}_b", "b", "a"),
    )
    # The referenced tables must be known to this MetaData for FK DDL; reflect stubs.
    for tid in {a_table, b_table}:
        sa.Table(f"t_{tid}", table.metadata, sa.Column("id", sa.BigInteger, primary_key=True))
    table.create(conn)


def drop_junction(conn: Connection, owner_field_id: int) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_quote(conn, junction_name(owner_field_id))}")
    with _lock:
        _junctions.pop(owner_field_id, None)


def analyze(conn: Connection, table_id: int) -> None:
    """Refresh planner statistics after bulk writes."""
    conn.exec_driver_sql(f"ANALYZE {_quote(conn, f't_{table_id}')}")
