"""Row counts and content hashes of every table, to prove a restore equals its backup.

A table's hash is SHA-256 over its rows in primary-key order, each row as the driver
returns it (``repr`` of the tuples; on PostgreSQL each row is fetched as its text
literal). Backup and restore compare figures computed on the same kind of database, so
these are stable, exact representations; one changed cell, row or table changes the hash.
Rows are streamed (server-side cursor on PostgreSQL), so hashing a large database takes
time but not memory.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tablekit.errors import TableKitError
from tablekit.interchange.sql import quote

BATCH = 5000


class BackupError(TableKitError):
    """A backup or restore that cannot be done, or a restore that does not verify."""

    code = "BACKUP_FAILED"


def table_names(conn: Connection) -> list[str]:
    names = sa.inspect(conn).get_table_names()
    return sorted(n for n in names if not n.startswith("sqlite_"))


def _select(conn: Connection, name: str) -> str:
    """All rows in primary-key order. PostgreSQL renders each row as one text (its row
    literal), cheaper than building Python objects per cell; on SQLite the driver's
    tuples are cheaper than SQL's ``quote()`` (both measured)."""
    inspector = sa.inspect(conn)
    key = inspector.get_pk_constraint(name).get("constrained_columns") or [
        c["name"] for c in inspector.get_columns(name)
    ]
    order = ", ".join(quote(conn, c) for c in key)
    if conn.dialect.name == "postgresql":
        return f"SELECT r::text FROM {quote(conn, name)} AS r ORDER BY {order}"
    return f"SELECT * FROM {quote(conn, name)} ORDER BY {order}"


def table_digest(conn: Connection, name: str) -> dict[str, Any]:
    """``{rows, sha256}`` of one table, read through the driver's own cursor (a
    server-side one on PostgreSQL, so a large table is never held whole)."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    named = conn.dialect.name == "postgresql"
    cursor = raw.cursor(name=f"tk_digest_{name}"[:63]) if named else raw.cursor()
    digest = hashlib.sha256()
    rows = 0
    try:
        cursor.execute(_select(conn, name))
        while batch := cursor.fetchmany(BATCH):
            rows += len(batch)
            digest.update(repr(batch).encode())
    finally:
        cursor.close()
    return {"rows": rows, "sha256": digest.hexdigest()}


def database_digest(conn: Connection) -> dict[str, dict[str, Any]]:
    return {name: table_digest(conn, name) for name in table_names(conn)}


def compare(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """Human-readable differences (empty when the databases match)."""
    problems = []
    for name, figures in expected.items():
        found = actual.get(name)
        if found is None:
            problems.append(f"table {name} is missing")
        elif found["rows"] != figures["rows"]:
            problems.append(f"table {name}: {found['rows']} rows, expected {figures['rows']}")
        elif found["sha256"] != figures["sha256"]:
            problems.append(f"table {name}: content differs")
    problems.extend(f"table {name} is not in the backup" for name in actual if name not in expected)
    return problems
